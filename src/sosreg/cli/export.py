"""``sosreg export``: the accepted files as a Parquet dataset for analysts."""

from __future__ import annotations

import argparse
import secrets
import sys
from pathlib import Path
from typing import Final

from sosreg.cli.core import (
    EXIT_CODES_SIMPLE,
    RAW,
    Command,
    Commands,
    warn,
)
from sosreg.engine.pipeline import UsageError
from sosreg.engine.rules import say


def parser(sub: Commands) -> None:
    """``sosreg export``: its arguments and help."""
    p = sub.add_parser(
        "export",
        help="write many files as a Parquet dataset for analysts (sosreg[parquet])",
        description="Check every file and write the rows of the accepted ones as a Parquet\n"
        "dataset partitioned by register, file and year (register=…/file=…/year=…/\n"
        "part-<n>.parquet, one part per file, written file by file) with _reports.jsonl\n"
        "(one JSON report per file) beside it. See docs/analysts.md.\n"
        "  sosreg export DIR|GLOB... --to parquet OUT/ [--key-file KEYFILE]",
        epilog=EXIT_CODES_SIMPLE,
        formatter_class=RAW,
    )
    p.add_argument("path", nargs="+", help="files, directories or globs")
    p.add_argument(
        "--to",
        nargs=2,
        required=True,
        metavar=("FORMAT", "OUT"),
        help="the format (parquet) and a new or empty folder to write the dataset in",
    )
    p.add_argument(
        "--register",
        help="only files whose names say this register (a name that says none is read as one)",
    )
    p.add_argument("--file", help="likewise, only files of this kind, e.g. sol1")
    p.add_argument(
        "--include",
        choices=("godkand", "warnings", "all"),
        default="warnings",
        help="files to write: godkand only; also godkänd med varningar (default); all",
    )
    p.add_argument(
        "--identities",
        choices=("pseudonym", "mask", "drop"),
        default="pseudonym",
        help="identity columns as pseudonyms (default), masked, or left out",
    )
    p.add_argument(
        "--labels",
        nargs="?",
        const="sv",
        choices=("sv", "en"),
        default=None,
        help="a <column>_label column after each coded column: the code's label in the "
        "file's statistikår (sv, the default, or en)",
    )
    p.add_argument(
        "--key-file",
        metavar="KEYFILE",
        help="the secret pseudonym key (its bytes, at least 16): the same key gives the same "
        "pseudonyms in every run (default: a random key for this run)",
    )


def run(args: argparse.Namespace) -> int:
    """``sosreg export``: a Parquet dataset of the accepted files, one file at a time."""
    from sosreg import analysts

    fmt, out = args.to
    if fmt != "parquet":
        raise UsageError(f"--to {fmt}: the only format is parquet (--to parquet OUT/)")
    if args.key_file is not None:
        key = analysts.read_key(args.key_file)
    else:
        key = secrets.token_bytes(32)
        print(
            "sosreg: no --key-file: pseudonyms are made with a random key for this run and "
            "will not match those of any other run",
            file=sys.stderr,
        )

    def progress(done: analysts.Exported) -> None:
        if done.reason is not None:
            warn(f"sosreg: {done.source_file}: left out: {done.reason}")

    results = analysts.export(
        args.path,
        out,
        key=key,
        include=args.include,
        identities=args.identities,
        register=args.register,
        file=args.file,
        progress=progress,
        labels=args.labels or False,
    )
    written = [r for r in results if r.part is not None]
    left = sum(r.reason is not None for r in results)
    print(
        say(
            "{f} {f|file|files}, {r} {r|row|rows} written to",
            f=len(written),
            r=sum(r.rows for r in written),
        )
        + f" {out} ({left} left out); reports in {Path(out) / analysts.REPORTS}"
    )
    return 0


COMMAND: Final = Command("export", parser, run)
