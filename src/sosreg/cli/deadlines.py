"""``sosreg deadlines``: the year's calendar of due dates, windows and reminders."""

from __future__ import annotations

import argparse
import json
from typing import Final

from sosreg.cli.core import (
    EXIT_CODES_SIMPLE,
    RAW,
    Command,
    Commands,
    register_name,
    year_type,
)
from sosreg.engine.pipeline import UsageError


def parser(sub: Commands) -> None:
    """``sosreg deadlines``: its arguments and help."""
    p = sub.add_parser(
        "deadlines",
        help="print the year's calendar of due dates for every register and file",
        epilog=EXIT_CODES_SIMPLE,
        formatter_class=RAW,
    )
    p.add_argument("--year", type=year_type, required=True, help="statistikår")
    p.add_argument("--register", help="only this register")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--lang", choices=("sv", "en"), default="sv")


def run(args: argparse.Namespace) -> int:
    from sosreg.deadlines import calendar

    if args.year < 1990 or args.year > 2099:
        raise UsageError(f"year {args.year} is out of range (1990–2099)")
    due = calendar(args.year)
    if args.register:
        name = register_name(args.register)
        due = [d for d in due if d.register == name]
    if args.format == "json":
        print(json.dumps([d.to_dict() for d in due], ensure_ascii=False, indent=2))
        return 0
    sv = args.lang == "sv"
    head = (
        f"Sista dag för inrapportering, statistikår {args.year}"
        if sv
        else f"Last day to report, statistical year {args.year}"
    )
    print(head)
    print(
        "  (fönster: portalen tar emot filer från–till; påminnelser)"
        if sv
        else "  (window: the portal takes files from–to; reminders)"
    )
    for d in due:
        reminders = ", ".join(r.isoformat() for r in d.reminders)
        window = f"{d.start.isoformat()}–{d.end.isoformat()}"
        extra = f"  {'fönster' if sv else 'window'} {window}"
        if reminders:
            extra += f"  {'påminnelser' if sv else 'reminders'} {reminders}"
        print(f"  {d.due.isoformat()}  {d.title:<10} {d.period:<7}{extra}")
    return 0


COMMAND: Final = Command("deadlines", parser, run)
