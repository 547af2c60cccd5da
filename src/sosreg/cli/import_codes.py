"""``sosreg import-codes``: a published code list (Excel, CSV) or the Kodlista sheets of
a metadata workbook, as TOML."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

from sosreg import codelists
from sosreg.cli.core import (
    EXIT_CODES_SIMPLE,
    RAW,
    Command,
    Commands,
    sheet_type,
    warn,
    year_type,
)
from sosreg.codelists import importers
from sosreg.engine.pipeline import UsageError


def parser(sub: Commands) -> None:
    """``sosreg import-codes``: its arguments and help."""
    p = sub.add_parser(
        "import-codes",
        help="import a published code list (e.g. KVÅ from Excel/CSV) as TOML",
        description="Import a published code list as TOML:\n"
        "  sosreg import-codes NAME FILE --year YYYY [--sheet NAME|N] [--merge OLD.toml]\n"
        "or the Kodlista sheets of Socialstyrelsen's metadata workbook (dated by their\n"
        "Tidsperiod column; several lists in one TOML file, see docs/metadata.md):\n"
        "  sosreg import-codes metadata WORKBOOK.xlsx [--list NAME ...] [--prefix P]",
        epilog=EXIT_CODES_SIMPLE,
        formatter_class=RAW,
    )
    p.add_argument("name", help="list name, e.g. kva; or 'metadata' for a metadata workbook")
    p.add_argument("path", help="the published list: .xlsx, .csv or .txt")
    p.add_argument(
        "--year",
        type=year_type,
        help="the statistikår the list is for (required, except for metadata)",
    )
    p.add_argument("--merge", help="the list as of earlier years (TOML) to extend")
    p.add_argument(
        "--sheet",
        type=sheet_type,
        metavar="NAME|N",
        help="the workbook's sheet: its name, or its number from 1 (default: the first)",
    )
    p.add_argument(
        "--list",
        action="append",
        dest="lists",
        metavar="NAME",
        help="metadata: the Kodlista sheet of this variable (repeat for more; default: all)",
    )
    p.add_argument(
        "--prefix",
        metavar="P",
        help="metadata: start every list name with P, as given (default: the register code "
        "in parentheses in the file name and '_', e.g. 'bu_'; '' for none)",
    )
    p.add_argument("--output", "-o", help="where to write the TOML (default: stdout)")


def run(args: argparse.Namespace) -> int:
    if args.name == "metadata":
        return _import_metadata(args)
    for given, option in ((args.lists, "--list"), (args.prefix, "--prefix")):
        if given is not None:
            raise UsageError(f"{option} is for 'import-codes metadata WORKBOOK.xlsx' only")
    if args.year is None:
        raise UsageError(f"import-codes {args.name} needs --year (the statistikår the list is for)")
    sheet = 0 if args.sheet is None else args.sheet
    previous = None
    if args.merge:
        try:
            previous = codelists.load_file(args.merge)
        except codelists.CodeListError as exc:
            raise UsageError(str(exc)) from exc
    try:
        if args.name == "kva":
            cl = importers.import_kva(args.path, args.year, previous, sheet=sheet)
        else:
            cl = importers.import_codes(
                args.path, name=args.name, year=args.year, previous=previous, sheet=sheet
            )
    except OSError as exc:
        raise UsageError(f"cannot read {args.path}: {exc.strerror or exc}") from exc
    text = importers.to_toml(cl)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
        valid = len(cl.as_of(args.year))
        print(f"{args.output}: {valid} codes valid in {args.year} ({len(cl)} entries)")
    else:
        sys.stdout.write(text)
    return 0


def _import_metadata(args: argparse.Namespace) -> int:
    from sosreg import metadata

    for given, option, why in (
        (args.year, "--year", "each code is dated by the sheet's Tidsperiod column"),
        (args.merge, "--merge", "the workbook holds every period"),
        (args.sheet, "--sheet", "choose Kodlista sheets with --list"),
    ):
        if given is not None:
            raise UsageError(f"import-codes metadata takes no {option} ({why})")
    lists = metadata.code_lists(args.path, names=args.lists, prefix=args.prefix)
    text = importers.to_toml_many(lists)
    if not args.output:
        sys.stdout.write(text)
        return 0
    try:
        Path(args.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    for cl in lists:
        distinct = len({c.code for c in cl})
        warn(
            f"{args.output}: {cl.name} ({cl.title}): {distinct} codes in {len(cl)} entries, "
            f"from {cl.sources[0] if cl.sources else args.path}"
        )
    return 0


COMMAND: Final = Command("import-codes", parser, run)
