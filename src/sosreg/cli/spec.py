"""``sosreg spec``: the fields of a file's spec."""

from __future__ import annotations

import argparse
import json
from typing import Final

import sosreg
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
    """``sosreg spec``: its arguments and help."""
    p = sub.add_parser(
        "spec",
        help="print the fields of a file's spec",
        epilog=EXIT_CODES_SIMPLE,
        formatter_class=RAW,
    )
    p.add_argument("--register", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--year", type=year_type, required=True)
    p.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace) -> int:
    try:
        spec = sosreg.get_spec(register_name(args.register), args.file, args.year)
    except LookupError as exc:
        raise UsageError(str(exc.args[0] if exc.args else exc)) from exc
    if args.format == "json":
        print(
            json.dumps(
                {
                    "key": spec.key,
                    "provenance": spec.provenance,
                    "fields": [
                        {
                            "position": f.position,
                            "name": f.name,
                            "label": f.label,
                            "type": f.type,
                            "mandatory": f.mandatory,
                            "codelist": f.codelist,
                        }
                        for f in spec.fields
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(f"{spec.title} ({spec.key}), {spec.provenance}")
    for f in spec.fields:
        mand = "obligatorisk" if f.mandatory else ""
        extra = f.codelist or ""
        print(f"  {f.position:>3} {f.name:<26} {f.type:<10} {mand:<13} {extra:<26} {f.label}")
    return 0


COMMAND: Final = Command("spec", parser, run)
