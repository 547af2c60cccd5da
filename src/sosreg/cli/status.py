"""``sosreg status``: what each kommun has delivered, which delivery counts, what is
missing (the collector's period status; docs/collection.md)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Final

from sosreg import batch
from sosreg.cli.core import (
    RAW,
    Command,
    Commands,
    day_type,
    open_output,
    year_type,
)
from sosreg.engine.pipeline import UsageError


def parser(sub: Commands) -> None:
    """``sosreg status``: its arguments and help."""
    p = sub.add_parser(
        "status",
        help="what each kommun has delivered, which delivery counts, what is missing",
        description="For each kommun, period and sub-register: owed or not, the files\n"
        "delivered and when, which delivery counts (the latest), its status (the counting\n"
        "files validated), the deadline, on time or late, reminders sent, what is missing;\n"
        "and the period's combined status as the collector computes it. See\n"
        "docs/collection.md.\n"
        "  sosreg status DIR|GLOB... [--year ÅÅÅÅ] [--kommun K] [--on DATE]\n"
        "                [--declarations FILE] [--obligations FILE] [--format ...]",
        epilog="""exit codes:
  0  every period ok
  1  warnings (godkänd med varningar, inget att rapportera)
  2  an error: a period in error, an owed sub-register missing after its deadline,
     a declaration the sub-register does not take
  3  could not run: bad arguments, unreadable files
  4  internal error in sosreg (a bug: please report it with the traceback)""",
        formatter_class=RAW,
    )
    p.add_argument("path", nargs="+", help="files, directories or glob patterns")
    p.add_argument("--year", type=year_type, help="only the periods of this statistikår")
    p.add_argument("--kommun", help="only this kommun (kommunkod)")
    p.add_argument(
        "--on", type=day_type, metavar="ÅÅÅÅ-MM-DD", help="the day to judge by (default today)"
    )
    p.add_argument(
        "--declarations",
        metavar="FILE",
        help="'inget att rapportera' declarations: CSV kommun;delregister;period;dag[;enhet]",
    )
    p.add_argument(
        "--obligations",
        metavar="FILE",
        help="what each kommun owes: CSV kommun;enhet;delregister;from;to;per_enhet "
        "(default: inferred from the folder)",
    )
    p.add_argument("--format", choices=("text", "json", "csv", "xlsx", "html"), default="text")
    p.add_argument("--lang", choices=("sv", "en"), default="sv")
    p.add_argument("--output", "-o", help="write here (xlsx needs it; default: stdout)")


def run(args: argparse.Namespace) -> int:
    from sosreg import status as status_mod

    decls = status_mod.read_declarations(args.declarations) if args.declarations else ()
    obl = status_mod.read_obligations(args.obligations) if args.obligations else None
    files = batch.expand(args.path)
    for f in files:
        if not os.path.isfile(f):
            raise UsageError(f"{f}: no such file or directory")
    rep = status_mod.status(
        files,
        on=args.on,
        year=args.year,
        kommun=args.kommun,
        declarations=decls,
        obligations=obl,
    )
    fmt = args.format
    if fmt == "xlsx":
        if not args.output:
            raise UsageError("--format xlsx writes a workbook: give -o PATH.xlsx")
        status_mod.write_xlsx(rep, args.output, args.lang)
        return rep.exit_code
    text = {
        "json": lambda: rep.to_json() + "\n",
        "csv": lambda: rep.to_csv(args.lang),
        "html": lambda: status_mod.to_html(rep, args.lang),
        "text": lambda: rep.to_text(args.lang),
    }[fmt]()
    out = open_output(args.output)
    try:
        out.write(text)
    finally:
        if out is not sys.stdout:
            out.close()
    return rep.exit_code


COMMAND: Final = Command("status", parser, run)
