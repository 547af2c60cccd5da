"""``sosreg validate``: one file or delivery, or many (directories, globs, ``-j``)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from typing import IO, Final

import attrs

import sosreg
from sosreg import batch
from sosreg.cli.core import (
    DEFAULT,
    EXIT_CODES,
    RAW,
    Command,
    Commands,
    day_type,
    details_type,
    load_codelists,
    open_output,
    problem,
    warn,
    year_type,
)
from sosreg.cli.progress import LineProgress, progress_bar
from sosreg.cli.summary import summary_dict, summary_table
from sosreg.engine.pipeline import ENGINES, UsageError
from sosreg.engine.rules import say
from sosreg.engine.spec import SpecError
from sosreg.reports import FORMATS, html_report, json_report
from sosreg.reports import text as text_report


def parser(sub: Commands) -> None:
    """``sosreg validate``: its arguments and help."""
    p = sub.add_parser(
        "validate",
        help="check a file (or a delivery of files) and print a feedback report",
        epilog=EXIT_CODES,
        formatter_class=RAW,
    )
    p.add_argument("path", nargs="+", help="one file, or several to check as one delivery")
    p.add_argument("--register", help="e.g. ekb (default: from the file name)")
    p.add_argument("--file", help="e.g. manad, ao, ar (default: from the file name)")
    p.add_argument("--year", type=year_type, help="statistikår (default: from the file)")
    p.add_argument("--period", help="ÅÅÅÅMM or ÅÅÅÅ (default: from the file name or lines)")
    p.add_argument("--spec", help="a spec file (TOML/JSON) to use instead of the built-in one")
    p.add_argument(
        "--codelist",
        action="append",
        default=[],
        metavar="PATH",
        help="a code list TOML file to use (replaces the built-in list of the same name)",
    )
    p.add_argument(
        "--previous", metavar="PATH", help="the same file for the previous period, to compare"
    )
    p.add_argument(
        "--on",
        type=day_type,
        metavar="ÅÅÅÅ-MM-DD",
        help="judge what the portal refuses (name, extension, open period, empty file) as "
        "on this day; default today. With --on a refusal makes the exit code 2; without "
        "it the portal's findings are shown but the exit code is the contents' verdict",
    )
    p.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (default), json, csv (one row per finding), xlsx (the feedback "
        "workbook, sosreg[excel]) or html (one self-contained page)",
    )
    p.add_argument("--lang", choices=("sv", "en"), default="sv")
    p.add_argument(
        "--max-details",
        type=details_type,
        default=DEFAULT,
        metavar="N|all",
        help="details shown per rule (text, html: 100; json, csv, xlsx: all); counts are "
        "always exact",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="PATH",
        help="write the report here (default: stdout; xlsx needs a file); with csv, xlsx or "
        "html and several deliveries, a directory: one report per delivery, named after its "
        "first file",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress bar (shown on a terminal only, with sosreg[progress])",
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=int,
        metavar="N",
        help="check many files (directories and globs too) in N processes: one report per "
        "delivery and a summary table",
    )
    p.add_argument(
        "--engine",
        choices=ENGINES,
        default="auto",
        help="auto (the default: columnar where it pays, when polars is installed), row (the "
        "reference) or columnar (polars, sosreg[fast]); the findings are the same",
    )


def _options(args: argparse.Namespace) -> batch.Options:
    spec = None
    if args.spec:
        try:
            spec = sosreg.load_spec(args.spec)
        except SpecError as exc:
            raise UsageError(str(exc)) from exc
    max_details = args.max_details
    if max_details is DEFAULT:
        max_details = {
            "text": text_report.DEFAULT_MAX_DETAILS,
            "html": html_report.DEFAULT_MAX_DETAILS,
        }.get(args.format)
    return batch.Options(
        register=args.register,
        file=args.file,
        year=args.year,
        period=args.period,
        spec=spec,
        codelists=load_codelists(args.codelist),
        previous=args.previous,
        format=args.format,
        lang=args.lang,
        max_details=max_details,
        engine=args.engine,
        on=args.on if args.on is not None else dt.date.today(),
        on_given=args.on is not None,
    )


def run(args: argparse.Namespace) -> int:
    options = _options(args)
    many = args.jobs is not None or any(
        os.path.isdir(p) or any(ch in p for ch in "*?[") for p in args.path
    )
    single_only = args.file or args.period or options.spec or args.previous
    if (many or len(args.path) > 1) and single_only:
        raise UsageError("--file, --period, --spec and --previous take a single file")
    if not many:
        return _validate_one(args, options, tuple(args.path))
    return _validate_many(args, options)


def _extension(fmt: str) -> str:
    return "txt" if fmt == "text" else fmt


def _validate_one(args: argparse.Namespace, options: batch.Options, paths: tuple[str, ...]) -> int:
    """One delivery: its report to stdout, or to ``-o`` (a file, or a directory to
    write it in, named after the first file)."""
    fmt = options.format
    target: str | None = args.output
    if target is not None and os.path.isdir(target):
        target = batch.report_path(paths[0], _extension(fmt), target)
    with LineProgress(args, paths) as progress:
        if target is not None:
            outcome = batch.render(
                paths, options, path=target, progress=progress.update, rendering=progress.writing
            )
        elif fmt == "xlsx":
            outcome = _xlsx_to_stdout(paths, options, progress)
        else:
            outcome = batch.render(
                paths, options, sys.stdout, progress=progress.update, rendering=progress.writing
            )
    if outcome.problem is not None:
        raise UsageError(outcome.problem, parameters=outcome.parameters)
    return outcome.exit_code


def _xlsx_to_stdout(
    paths: tuple[str, ...], options: batch.Options, progress: LineProgress
) -> batch.Outcome:
    if sys.stdout.isatty():
        raise UsageError("--format xlsx writes a workbook: give -o PATH.xlsx (or redirect stdout)")
    with tempfile.TemporaryDirectory(prefix="sosreg-") as tmp:
        path = os.path.join(tmp, "report.xlsx")
        outcome = batch.render(
            paths, options, path=path, progress=progress.update, rendering=progress.writing
        )
        if outcome.problem is None:
            sys.stdout.flush()
            with open(path, "rb") as fh:
                shutil.copyfileobj(fh, sys.stdout.buffer)
            sys.stdout.buffer.flush()
    return outcome


def _validate_many(args: argparse.Namespace, options: batch.Options) -> int:
    """Directories, globs or ``-j``: one report per delivery, then a summary table
    (text), or one JSON report with every delivery and a summary (json, the shape of
    one delivery's); csv, xlsx and html write a file per delivery into the directory
    ``-o DIR`` and print the summary table."""
    skipped: list[str] = []
    groups = batch.deliveries(batch.expand(args.path, skipped))
    if skipped and not args.quiet:
        names = [os.path.basename(f) for f in skipped[:5]] + (["…"] if len(skipped) > 5 else [])
        warn(
            say(
                "sosreg: left out {n} {n|file|files} in the directories that {n|is|are} not "
                "register files",
                n=len(skipped),
            )
            + f" ({', '.join(names)}); name a file to check it anyway"
        )
    fmt = options.format
    out_dir: str | None = None
    if fmt in batch.FILE_FORMATS:
        output = args.output
        if output is not None and (os.path.isdir(output) or len(groups) > 1):
            if os.path.exists(output) and not os.path.isdir(output):
                raise UsageError(f"-o {output}: not a directory (one {fmt} file per delivery)")
            try:
                os.makedirs(output, exist_ok=True)
            except OSError as exc:
                raise UsageError(f"cannot make {output}: {exc.strerror or exc}") from exc
            out_dir = output
        elif len(groups) > 1:
            raise UsageError(
                f"--format {fmt} with {len(groups)} deliveries writes one file per delivery: "
                "give -o DIR"
            )
        else:
            return _validate_one(args, options, groups[0])
    out = sys.stdout if out_dir is not None else open_output(args.output)
    try:
        return _run_many(args, options, groups, out, out_dir)
    finally:
        if out is not sys.stdout:
            out.close()


def _run_many(
    args: argparse.Namespace,
    options: batch.Options,
    groups: list[tuple[str, ...]],
    out: IO[str],
    out_dir: str | None,
) -> int:
    worst = 0
    rows: list[batch.Outcome] = []
    writer: json_report.DocumentWriter | None = None
    if options.format == "json" and out_dir is None:  # one report: deliveries, summary
        writer = json_report.DocumentWriter(out, options.lang)
        options = attrs.evolve(options, json_part=True)
        writer.begin()
    unit = " leveranser" if options.lang != "en" else " deliveries"
    bar = progress_bar(args, total=len(groups), unit=unit, unit_scale=False)
    try:
        for outcome in _outcomes(groups, options, args.jobs or 1, out_dir, writer):
            if bar is not None:
                bar.update(1)
            rows.append(attrs.evolve(outcome, output=""))  # the counts, not the report
            worst = max(worst, outcome.exit_code)
            if outcome.problem is not None:
                names = ", ".join(os.path.basename(p) for p in outcome.paths)
                warn(f"sosreg: {names}: {problem(outcome)}")
                continue
            if out_dir is not None:
                continue
            if writer is not None:
                writer.add(outcome.output)
            else:
                out.write(outcome.output + "\n")
    finally:
        if bar is not None:
            bar.refresh()
            bar.close()
    if writer is not None:
        writer.end(summary_dict(rows))
    elif options.format == "text" or out_dir is not None:
        out.write(summary_table(rows, options.lang))
    return worst


def _outcomes(
    groups: list[tuple[str, ...]],
    options: batch.Options,
    jobs: int,
    out_dir: str | None,
    writer: json_report.DocumentWriter | None,
) -> Iterator[batch.Outcome]:
    """The outcome of each delivery, in order. One job and one JSON report: each
    delivery is written straight into the report (its findings streamed when every
    finding is asked for), so memory does not grow with the deliveries or findings."""
    if writer is None or jobs > 1:
        yield from batch.run(groups, options, jobs=jobs, out_dir=out_dir)
        return
    for group, earlier in batch.with_earlier(groups, options):
        with writer.delivery() as part:
            yield batch.render(group, options, part, delivery=True, earlier=earlier)


COMMAND: Final = Command("validate", parser, run)
