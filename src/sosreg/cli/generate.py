"""``sosreg generate``: valid or damaged register files with their expected findings."""

from __future__ import annotations

import argparse
from typing import Final

from sosreg.cli.core import (
    EXIT_CODES_SIMPLE,
    RAW,
    Command,
    Commands,
    load_codelists,
    register_name,
    year_type,
)
from sosreg.engine.rules import CATALOGUE


def parser(sub: Commands) -> None:
    """``sosreg generate``: its arguments and help."""
    p = sub.add_parser(
        "generate",
        help="write a valid file (a BU delivery: three) with a Filip-style name; with --inject, "
        "damaged so that given rules fire, the expected findings beside it as JSON",
        description="Write a valid file, godkänd with no warnings, named as Filip names it:\n"
        "  sosreg generate --register sol --file sol1 --year 2023 -n 10000 --seed 7\n"
        "Damage lines so that exactly the given rules fire (:N lines, default 1), and write\n"
        "the findings a validator should report to <file>.expected.json:\n"
        "  sosreg generate --register ekb --file manad --year 2023 --inject EKB-013,SOS-104:5\n"
        "The same arguments and seed give the same bytes. Prints, per file written: its\n"
        "path, lines, expected findings and expected status (tab-separated).\n"
        "See docs/generate.md.",
        epilog=EXIT_CODES_SIMPLE,
        formatter_class=RAW,
    )
    p.add_argument("--register", required=True, help="ekb, sol, khsl, lss or bu")
    p.add_argument(
        "--file",
        help="e.g. manad, sol1, or a delivery's files: manad,ao (may be left out for LSS,"
        " and for BU: the delivery of all three)",
    )
    p.add_argument("--year", type=year_type, required=True, help="statistikår")
    p.add_argument(
        "-n", type=int, default=100, metavar="N", help="records (BU: children); default 100"
    )
    p.add_argument("--seed", type=int, default=0, help="default 0")
    p.add_argument("--kommun", help="kommunkod (default 0180)")
    p.add_argument("--period", help="ÅÅÅÅMM for monthly files (default January), or ÅÅÅÅ")
    p.add_argument(
        "--inject",
        metavar="CODE[:N],…",
        help="rules to make fire, each on N lines (default 1), e.g. EKB-013,SOS-104:5",
    )
    p.add_argument(
        "-o", "--output", default=".", metavar="DIR", help="where to write (default: here)"
    )
    p.add_argument(
        "--codelist",
        action="append",
        default=[],
        metavar="PATH",
        help="a code list TOML file to draw codes from (e.g. an imported KVÅ list); "
        "validate with it too",
    )
    p.add_argument(
        "--injectors",
        action="store_true",
        help="list the rules --inject can make fire in this file, and how, then exit",
    )
    p.add_argument(
        "--lang", choices=("sv", "en"), default="sv", help="of the status and rule titles"
    )


def run(args: argparse.Namespace) -> int:
    from sosreg.generate import files_for, generate, injectors

    lists = load_codelists(args.codelist)
    if args.injectors:
        register = register_name(args.register)
        offered = injectors(register, files_for(register, args.file), args.year, lists)
        for code, found in offered.items():
            how = "; ".join(dict.fromkeys(i.how for i in found))
            print(f"{code:<9} {CATALOGUE[code].title(args.lang)}: {how}")
        return 0
    result = generate(
        args.register,
        args.file,
        args.year,
        args.n,
        seed=args.seed,
        kommun=args.kommun,
        period=args.period,
        inject=args.inject,
        out=args.output,
        codelists=lists,
    )
    for f in result.files:
        status = f.status.label(args.lang)
        print(f"{f.path}\t{f.lines}\t{len(f.expected)}\t{status}")
    return 0


COMMAND: Final = Command("generate", parser, run)
