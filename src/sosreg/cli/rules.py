"""``sosreg rules``: the rules (avvikelsekoder), their sources and whether
``sosreg generate --inject`` can make them fire."""

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
)
from sosreg.engine.register import REGISTRY
from sosreg.engine.rules import CATALOGUE


def parser(sub: Commands) -> None:
    """``sosreg rules``: its arguments and help."""
    p = sub.add_parser(
        "rules",
        help="list the rules (avvikelsekoder)",
        epilog=EXIT_CODES_SIMPLE,
        formatter_class=RAW,
    )
    p.add_argument("--register", help="only the engine's and this register's rules")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--lang", choices=("sv", "en"), default="sv")


def run(args: argparse.Namespace) -> int:
    from sosreg.generate import injectable

    if args.register:
        rules = CATALOGUE.for_register(register_name(args.register))
        can = injectable(register_name(args.register))
    else:
        REGISTRY.all()
        rules = list(CATALOGUE)
        can = injectable()
    if args.format == "json":
        data = [
            {
                "code": r.code,
                "register": r.register,
                "category": r.category.value,
                "severity": r.severity.code,
                "title": r.title(args.lang),
                "message": r.template(args.lang),
                "source": r.source,
                "source_sv": r.source_sv,
                "injectable": can.get(r.code, False),
            }
            for r in rules
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for r in rules:
        sev = r.severity.label(args.lang)
        mark = "*" if can.get(r.code) else " "
        print(f"{r.code:<8} {sev:<11} {r.category.value:<15} {mark} {r.title(args.lang)}")
        if r.source:
            label = "source" if args.lang == "en" else "källa"
            print(f"{'':<39}{label}: {r.source_of(args.lang)}")
    if args.lang == "en":
        print("\n* can be injected: sosreg generate --inject CODE")
    else:
        print("\n* kan injiceras: sosreg generate --inject KOD")
    return 0


COMMAND: Final = Command("rules", parser, run)
