"""The ``sosreg`` command.

Exit codes (every command):

* ``0`` done; for ``validate``: godkänd
* ``1`` ``validate``: godkänd med varningar
* ``2`` ``validate``: inte godkänd
* ``3`` could not run: bad arguments, an unreadable file, no spec for the year, a file
  that cannot be imported (a :class:`~sosreg.UsageError` or an import error, with one
  line on stderr)
* ``4`` internal error: a bug in sosreg (the traceback is printed; please report it)

Everything wrong *in* a checked file is a finding in the report, never an exit 3 or 4.

One module per command (``validate``, ``rules``, ``codes``, ``import_codes``,
``status``, ``deadlines``, ``export``, ``generate``, ``spec``), each with its
``parser(sub)`` (arguments and help), its ``run(args)`` (returns the exit code) and its
``COMMAND`` row; :mod:`~sosreg.cli.core` holds what they share, :mod:`~sosreg.cli.app`
the table :data:`COMMANDS` and :func:`main`.
"""

from sosreg.cli.app import COMMANDS, main
from sosreg.cli.core import EXIT_CODES, EXIT_CODES_SIMPLE, EXIT_INTERNAL, EXIT_USAGE, Command
from sosreg.cli.progress import PROGRESS_DELAY, PROGRESS_SAMPLE, estimate_lines
from sosreg.cli.summary import summary_dict

__all__ = [
    "COMMANDS",
    "EXIT_CODES",
    "EXIT_CODES_SIMPLE",
    "EXIT_INTERNAL",
    "EXIT_USAGE",
    "PROGRESS_DELAY",
    "PROGRESS_SAMPLE",
    "Command",
    "estimate_lines",
    "main",
    "summary_dict",
]
