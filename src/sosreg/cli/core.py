"""What every command shares: the exit codes, the argument parser that exits 3 on bad
arguments, the argument types, the :class:`Command` row, and the output helpers (stderr
with identities masked, ``-o`` files, code-list files, register names)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import IO, Any, Final, NoReturn, TypeAlias

import attrs

from sosreg import batch, codelists
from sosreg.engine.pipeline import UsageError
from sosreg.engine.register import REGISTRY
from sosreg.identity import mask_text

DEFAULT: Any = object()
"""An option's default that depends on other options (``--max-details``: on ``--format``)."""

EXIT_USAGE = 3
EXIT_INTERNAL = 4

EXIT_CODES = """exit codes:
  0  godkänd (done)
  1  godkänd med varningar
  2  inte godkänd
  3  could not run: bad arguments, unreadable file, no spec for the year
  4  internal error in sosreg (a bug: please report it with the traceback)"""

EXIT_CODES_SIMPLE = """exit codes:
  0  done
  3  could not run: bad arguments, or a file that cannot be read or imported
  4  internal error in sosreg (a bug: please report it with the traceback)"""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def details_type(text: str) -> int | None:
    if text.lower() == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number or 'all': {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, or 'all': {text}")
    return value


def year_type(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year ÅÅÅÅ: {text!r}") from None
    return value


def day_type(text: str) -> dt.date:
    """``--on``: a day ÅÅÅÅ-MM-DD."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day ÅÅÅÅ-MM-DD: {text!r}") from None


def sheet_type(text: str) -> str | int:
    """``--sheet``: a number from 1 is a position (returned from 0), anything else a name."""
    if text.strip().isdecimal():  # not isdigit: int("²") fails
        number = int(text)
        if number < 1:
            raise argparse.ArgumentTypeError(f"sheets are numbered from 1, not {text!r}")
        return number - 1
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty sheet name")
    return text


RAW: Final = argparse.RawDescriptionHelpFormatter
Commands: TypeAlias = "argparse._SubParsersAction[Parser]"
"""What ``add_subparsers`` returns: each command's function adds its parser to it."""


@attrs.frozen
class Command:
    """One ``sosreg`` command: its name, what sets up its arguments, what runs it."""

    name: str
    parser: Callable[[Commands], None]
    """Adds the command's sub-parser (arguments, help) to the sub-parsers given."""
    run: Callable[[argparse.Namespace], int]
    """Runs the command with its parsed arguments; returns the exit code."""


def problem(outcome: batch.Outcome) -> str:
    """An outcome's problem as the CLI says it (its flags, not the Python parameters)."""
    if outcome.problem is None:
        return ""
    return UsageError(outcome.problem, parameters=outcome.parameters).for_cli()


def warn(message: str) -> None:
    """``message`` on stderr, identity numbers in it (a file's name, a value) masked."""
    print(mask_text(message), file=sys.stderr)


def open_output(path: str | None) -> IO[str]:
    if path is None:
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


def load_codelists(paths: list[str]) -> dict[str, codelists.CodeList]:
    out = {}
    for path in paths:
        try:
            lists = codelists.load_files(path)  # one list, or several (import-codes metadata)
        except codelists.CodeListError as exc:
            raise UsageError(str(exc)) from exc
        for cl in lists:
            out[cl.name] = cl
    return out


def register_name(name: str) -> str:
    try:
        return REGISTRY.get(name).name
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
