"""``sosreg codes``: a code list as of a statistikår, or the lists' names."""

from __future__ import annotations

import argparse
import json
from typing import Final

from sosreg import codelists
from sosreg.cli.core import (
    EXIT_CODES_SIMPLE,
    RAW,
    Command,
    Commands,
    year_type,
)
from sosreg.engine.pipeline import UsageError


def parser(sub: Commands) -> None:
    """``sosreg codes``: its arguments and help."""
    p = sub.add_parser(
        "codes",
        help="print a code list as of a statistikår",
        epilog=EXIT_CODES_SIMPLE,
        formatter_class=RAW,
    )
    p.add_argument("name", nargs="?", help="list name; omit to list the names")
    p.add_argument(
        "--year", type=year_type, help="statistikår (default: every code, with validity)"
    )
    p.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    if not args.name:
        for name in codelists.names():
            listed = codelists.get(name)
            mark = "  [testmodell]" if "test model" in listed.provenance else ""
            print(f"{name:<28} {listed.title}{mark}")
        return 0
    try:
        cl = codelists.get(args.name)
    except KeyError:
        raise UsageError(
            f"no code list {args.name!r}; the lists are: {', '.join(codelists.names())}"
        ) from None
    codes = cl.as_of(args.year) if args.year else list(cl)
    if args.format == "json":
        print(
            json.dumps(
                [
                    {"code": c.code, "label": c.label, "from": c.valid_from, "to": c.valid_to}
                    for c in codes
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    head = f"{cl.title}" + (f", statistikår {args.year}" if args.year else "")
    print(head)
    if cl.note:
        print(f"  OBS! {cl.note}")
    for c in codes:
        validity = "" if args.year else f"  [{c.validity_text()}]"
        print(f"  {c.code:<6} {c.label}{validity}")
    return 0


COMMAND: Final = Command("codes", parser, run)
