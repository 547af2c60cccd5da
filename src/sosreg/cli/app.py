"""The ``sosreg`` command: its parser, built from :data:`COMMANDS`, and :func:`main`,
which runs a command and turns its errors into exit codes 3 and 4."""

from __future__ import annotations

import argparse
import traceback
from collections.abc import Sequence
from typing import Final

import sosreg
from sosreg.cli import (
    codes,
    deadlines,
    export,
    generate,
    import_codes,
    rules,
    spec,
    status,
    validate,
)
from sosreg.cli.core import (
    EXIT_CODES,
    EXIT_INTERNAL,
    EXIT_USAGE,
    Command,
    Parser,
    warn,
)
from sosreg.codelists import importers
from sosreg.engine.pipeline import UsageError
from sosreg.engine.spec import SpecError


def _build() -> argparse.ArgumentParser:
    p = Parser(
        prog="sosreg",
        description="Socialstyrelsen's social-services registers.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"sosreg {sosreg.__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _build().parse_args(argv)
    try:
        return _COMMANDS_BY_NAME[args.command].run(args)
    except UsageError as exc:
        warn(f"sosreg: {exc.for_cli()}")  # flags, not the Python parameters
        return EXIT_USAGE
    except (importers.CodeListImportError, SpecError) as exc:
        warn(f"sosreg: {exc}")
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `sosreg validate … | head`
        return EXIT_USAGE
    except Exception:
        warn("sosreg: internal error (a bug in sosreg; please report it):")
        warn(traceback.format_exc().rstrip("\n"))
        return EXIT_INTERNAL


COMMANDS: Final[tuple[Command, ...]] = (
    validate.COMMAND,
    rules.COMMAND,
    codes.COMMAND,
    import_codes.COMMAND,
    status.COMMAND,
    deadlines.COMMAND,
    export.COMMAND,
    generate.COMMAND,
    spec.COMMAND,
)
"""Every command, in the order ``sosreg --help`` lists them."""

_COMMANDS_BY_NAME: Final = {c.name: c for c in COMMANDS}
