"""The ``sosreg`` command.

Exit codes of ``sosreg validate``: 0 godkänd, 1 godkänd med varningar, 2 inte godkänd,
3 could not run (bad arguments, unreadable file, no spec for the year).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import NoReturn

import sosreg
from sosreg import codelists
from sosreg import registers as _registers
from sosreg.codelists import importers
from sosreg.engine.delivery import validate_delivery
from sosreg.engine.rules import CATALOGUE

EXIT_USAGE = 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _build() -> argparse.ArgumentParser:
    p = _Parser(prog="sosreg", description="Socialstyrelsen's social-services registers.")
    p.add_argument("--version", action="version", version=f"sosreg {sosreg.__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("validate", help="check a file and print a feedback report")
    v.add_argument("path", nargs="+", help="one file, or several to check as one delivery")
    v.add_argument("--register", help="e.g. ekb (default: from the file name)")
    v.add_argument("--file", help="e.g. manad, ao, ar (default: from the file name)")
    v.add_argument("--year", type=int, help="statistikår (default: from the file)")
    v.add_argument("--period", help="ÅÅÅÅMM or ÅÅÅÅ (default: from the file)")
    v.add_argument("--spec", help="a spec file (TOML/JSON) to use instead of the built-in one")
    v.add_argument(
        "--codelist",
        action="append",
        default=[],
        metavar="PATH",
        help="a code list TOML file to use (replaces the built-in list of the same name)",
    )
    v.add_argument(
        "--previous", metavar="PATH", help="the same file for the previous period, to compare"
    )
    v.add_argument("--format", choices=("text", "json"), default="text")
    v.add_argument("--lang", choices=("sv", "en"), default="sv")
    v.add_argument("--max-details", type=int, default=None, help="details shown in text output")

    r = sub.add_parser("rules", help="list the rules (avvikelsekoder)")
    r.add_argument("--register", help="only the engine's and this register's rules")
    r.add_argument("--format", choices=("text", "json"), default="text")
    r.add_argument("--lang", choices=("sv", "en"), default="sv")

    c = sub.add_parser("codes", help="print a code list as of a statistikår")
    c.add_argument("name", nargs="?", help="list name; omit to list the names")
    c.add_argument("--year", type=int, help="statistikår (default: every code, with validity)")
    c.add_argument("--format", choices=("text", "json"), default="text")

    i = sub.add_parser(
        "import-codes", help="import a published code list (e.g. KVÅ from Excel/CSV) as TOML"
    )
    i.add_argument("name", help="list name, e.g. kva")
    i.add_argument("path", help="the published list: .xlsx, .csv or .txt")
    i.add_argument("--year", type=int, required=True, help="the statistikår the list is for")
    i.add_argument("--merge", help="the list as of earlier years (TOML) to extend")
    i.add_argument("--output", "-o", help="where to write the TOML (default: stdout)")

    s = sub.add_parser("spec", help="print the fields of a file's spec")
    s.add_argument("--register", required=True)
    s.add_argument("--file", required=True)
    s.add_argument("--year", type=int, required=True)
    s.add_argument("--format", choices=("text", "json"), default="text")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _build().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        if args.command == "rules":
            return _rules(args)
        if args.command == "codes":
            return _codes(args)
        if args.command == "spec":
            return _spec(args)
        if args.command == "import-codes":
            return _import_codes(args)
    except (sosreg.UsageError, LookupError, OSError, ValueError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"sosreg: {msg}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_USAGE


def _validate(args: argparse.Namespace) -> int:
    spec = sosreg.load_spec(args.spec) if args.spec else None
    lists = {}
    for path in args.codelist:
        cl = codelists.load_file(path)
        lists[cl.name] = cl
    kwargs = {"register": args.register, "year": args.year, "codelists": lists}
    if len(args.path) > 1:
        if args.file or args.period or spec or args.previous:
            raise sosreg.UsageError("--file, --period, --spec and --previous take a single file")
        delivery = validate_delivery(args.path, **kwargs)
        if args.format == "json":
            sys.stdout.write(json.dumps(delivery.to_dict(args.lang), ensure_ascii=False, indent=2))
            sys.stdout.write("\n")
        else:
            for rep in delivery.reports:
                sys.stdout.write(rep.to_text(args.lang, args.max_details) + "\n")
            head = "Kontroller mellan filerna" if args.lang == "sv" else "Checks across files"
            sys.stdout.write(f"{head}: {len(delivery.findings)}\n")
            for f in delivery.findings:
                where = f" rad {f.line}" if f.line else ""
                sys.stdout.write(f"  {f.code}{where}: {f.message(args.lang)}\n")
            status = delivery.status
            label = status.value if args.lang == "sv" else status.label_en
            sys.stdout.write(f"Leveransens status: {label.upper()}\n")
        return delivery.status.exit_code
    report = sosreg.validate(
        args.path[0],
        file=args.file,
        period=args.period,
        spec=spec,
        previous=args.previous,
        **kwargs,
    )
    if args.format == "json":
        sys.stdout.write(report.to_json(args.lang) + "\n")
    else:
        sys.stdout.write(report.to_text(args.lang, args.max_details))
    return report.status.exit_code


def _rules(args: argparse.Namespace) -> int:
    if args.register:
        _registers.get(args.register)
        rules = CATALOGUE.for_register(args.register.lower())
    else:
        _registers.all_registers()
        rules = list(CATALOGUE)
    if args.format == "json":
        data = [
            {
                "code": r.code,
                "register": r.register,
                "category": r.category.value,
                "severity": r.severity.name.lower(),
                "title": r.title(args.lang),
                "message": r.template(args.lang),
            }
            for r in rules
        ]
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    for r in rules:
        sev = r.severity.label_sv if args.lang == "sv" else r.severity.label_en
        print(f"{r.code:<8} {sev:<11} {r.category.value:<13} {r.title(args.lang)}")
    return 0


def _codes(args: argparse.Namespace) -> int:
    if not args.name:
        for name in codelists.names():
            print(f"{name:<28} {codelists.get(name).title}")
        return 0
    cl = codelists.get(args.name)
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
    for c in codes:
        validity = "" if args.year else f"  [{c.validity_text()}]"
        print(f"  {c.code:<6} {c.label}{validity}")
    return 0


def _import_codes(args: argparse.Namespace) -> int:
    previous = codelists.load_file(args.merge) if args.merge else None
    if args.name == "kva":
        cl = importers.import_kva(args.path, args.year, previous)
    else:
        cl = importers.import_codes(args.path, name=args.name, year=args.year, previous=previous)
    text = importers.to_toml(cl)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(text)
        valid = len(cl.as_of(args.year))
        print(f"{args.output}: {valid} codes valid in {args.year} ({len(cl)} entries)")
    else:
        sys.stdout.write(text)
    return 0


def _spec(args: argparse.Namespace) -> int:
    spec = sosreg.get_spec(args.register, args.file, args.year)
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


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
