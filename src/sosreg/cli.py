"""The ``sosreg`` command.

Exit codes (every command):

* ``0`` done; for ``validate``: godkänd
* ``1`` ``validate``: godkänd med varningar
* ``2`` ``validate``: inte godkänd
* ``3`` could not run: bad arguments, an unreadable file, no spec for the year, a file
  that cannot be imported (a :class:`~sosreg.UsageError` or an import error, with one
  line on stderr)
* ``4`` internal error: a bug in sosreg (the traceback is printed; please report it)

Everything wrong *in* a checked file is a finding in the report, never an exit 3 or 4.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Final, NoReturn, TypeAlias

import attrs

import sosreg
from sosreg import batch, codelists
from sosreg.codelists import importers
from sosreg.engine.findings import Severity, Status
from sosreg.engine.pipeline import ENGINES, UsageError
from sosreg.engine.register import REGISTRY
from sosreg.engine.report import summary_dict as report_summary
from sosreg.engine.rules import CATALOGUE, say
from sosreg.engine.spec import SpecError
from sosreg.identity import mask_text
from sosreg.reports import FORMATS, html_report, json_report
from sosreg.reports import text as text_report

_DEFAULT: Any = object()
EXIT_USAGE = 3
EXIT_INTERNAL = 4

EXIT_CODES = """exit codes:
  0  godkänd (done)
  1  godkänd med varningar
  2  inte godkänd
  3  could not run: bad arguments, unreadable file, no spec for the year
  4  internal error in sosreg (a bug: please report it with the traceback)"""

EXIT_CODES_SIMPLE = """exit codes:
  0  done
  3  could not run: bad arguments, or a file that cannot be read or imported
  4  internal error in sosreg (a bug: please report it with the traceback)"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _max_details(text: str) -> int | None:
    if text.lower() == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number or 'all': {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, or 'all': {text}")
    return value


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a year ÅÅÅÅ: {text!r}") from None
    return value


def _day(text: str) -> dt.date:
    """``--on``: a day ÅÅÅÅ-MM-DD."""
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day ÅÅÅÅ-MM-DD: {text!r}") from None


def _sheet(text: str) -> str | int:
    """``--sheet``: a number from 1 is a position (returned from 0), anything else a name."""
    if text.strip().isdigit():
        number = int(text)
        if number < 1:
            raise argparse.ArgumentTypeError(f"sheets are numbered from 1, not {text!r}")
        return number - 1
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty sheet name")
    return text


_RAW: Final = argparse.RawDescriptionHelpFormatter
_Commands: TypeAlias = "argparse._SubParsersAction[_Parser]"
"""What ``add_subparsers`` returns: each command's function adds its parser to it."""


def _build() -> argparse.ArgumentParser:
    p = _Parser(
        prog="sosreg",
        description="Socialstyrelsen's social-services registers.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--version", action="version", version=f"sosreg {sosreg.__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for command in COMMANDS:
        command.parser(sub)
    return p


# -- each command's arguments (its handler, ``_<command>``, is further down) -----------


def _validate_parser(sub: _Commands) -> None:
    """``sosreg validate``: its arguments and help."""
    p = sub.add_parser(
        "validate",
        help="check a file (or a delivery of files) and print a feedback report",
        epilog=EXIT_CODES,
        formatter_class=_RAW,
    )
    p.add_argument("path", nargs="+", help="one file, or several to check as one delivery")
    p.add_argument("--register", help="e.g. ekb (default: from the file name)")
    p.add_argument("--file", help="e.g. manad, ao, ar (default: from the file name)")
    p.add_argument("--year", type=_year, help="statistikår (default: from the file)")
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
        type=_day,
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
        type=_max_details,
        default=_DEFAULT,
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


def _rules_parser(sub: _Commands) -> None:
    """``sosreg rules``: its arguments and help."""
    p = sub.add_parser(
        "rules",
        help="list the rules (avvikelsekoder)",
        epilog=EXIT_CODES_SIMPLE,
        formatter_class=_RAW,
    )
    p.add_argument("--register", help="only the engine's and this register's rules")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--lang", choices=("sv", "en"), default="sv")


def _codes_parser(sub: _Commands) -> None:
    """``sosreg codes``: its arguments and help."""
    p = sub.add_parser(
        "codes",
        help="print a code list as of a statistikår",
        epilog=EXIT_CODES_SIMPLE,
        formatter_class=_RAW,
    )
    p.add_argument("name", nargs="?", help="list name; omit to list the names")
    p.add_argument("--year", type=_year, help="statistikår (default: every code, with validity)")
    p.add_argument("--format", choices=("text", "json"), default="text")


def _import_codes_parser(sub: _Commands) -> None:
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
        formatter_class=_RAW,
    )
    p.add_argument("name", help="list name, e.g. kva; or 'metadata' for a metadata workbook")
    p.add_argument("path", help="the published list: .xlsx, .csv or .txt")
    p.add_argument(
        "--year", type=_year, help="the statistikår the list is for (required, except for metadata)"
    )
    p.add_argument("--merge", help="the list as of earlier years (TOML) to extend")
    p.add_argument(
        "--sheet",
        type=_sheet,
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


def _status_parser(sub: _Commands) -> None:
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
        formatter_class=_RAW,
    )
    p.add_argument("path", nargs="+", help="files, directories or glob patterns")
    p.add_argument("--year", type=_year, help="only the periods of this statistikår")
    p.add_argument("--kommun", help="only this kommun (kommunkod)")
    p.add_argument(
        "--on", type=_day, metavar="ÅÅÅÅ-MM-DD", help="the day to judge by (default today)"
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


def _deadlines_parser(sub: _Commands) -> None:
    """``sosreg deadlines``: its arguments and help."""
    p = sub.add_parser(
        "deadlines",
        help="print the year's calendar of due dates for every register and file",
        epilog=EXIT_CODES_SIMPLE,
        formatter_class=_RAW,
    )
    p.add_argument("--year", type=_year, required=True, help="statistikår")
    p.add_argument("--register", help="only this register")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--lang", choices=("sv", "en"), default="sv")


def _export_parser(sub: _Commands) -> None:
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
        formatter_class=_RAW,
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


def _generate_parser(sub: _Commands) -> None:
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
        formatter_class=_RAW,
    )
    p.add_argument("--register", required=True, help="ekb, sol, khsl, lss or bu")
    p.add_argument(
        "--file",
        help="e.g. manad, sol1, or a delivery's files: manad,ao (may be left out for LSS,"
        " and for BU: the delivery of all three)",
    )
    p.add_argument("--year", type=_year, required=True, help="statistikår")
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


def _spec_parser(sub: _Commands) -> None:
    """``sosreg spec``: its arguments and help."""
    p = sub.add_parser(
        "spec",
        help="print the fields of a file's spec",
        epilog=EXIT_CODES_SIMPLE,
        formatter_class=_RAW,
    )
    p.add_argument("--register", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--year", type=_year, required=True)
    p.add_argument("--format", choices=("text", "json"), default="text")


def main(argv: Sequence[str] | None = None) -> int:
    args = _build().parse_args(argv)
    try:
        return _COMMANDS_BY_NAME[args.command].run(args)
    except UsageError as exc:
        _warn(f"sosreg: {exc.for_cli()}")  # flags, not the Python parameters
        return EXIT_USAGE
    except (importers.CodeListImportError, SpecError) as exc:
        _warn(f"sosreg: {exc}")
        return EXIT_USAGE
    except BrokenPipeError:  # e.g. `sosreg validate … | head`
        return EXIT_USAGE
    except Exception:
        _warn("sosreg: internal error (a bug in sosreg; please report it):")
        _warn(traceback.format_exc().rstrip("\n"))
        return EXIT_INTERNAL


def _problem(outcome: batch.Outcome) -> str:
    """An outcome's problem as the CLI says it (its flags, not the Python parameters)."""
    if outcome.problem is None:
        return ""
    return UsageError(outcome.problem, parameters=outcome.parameters).for_cli()


def _warn(message: str) -> None:
    """``message`` on stderr, identity numbers in it (a file's name, a value) masked."""
    print(mask_text(message), file=sys.stderr)


# -- validate --------------------------------------------------------------------------


def _open_output(path: str | None) -> IO[str]:
    if path is None:
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _load_codelists(paths: list[str]) -> dict[str, codelists.CodeList]:
    out = {}
    for path in paths:
        try:
            lists = codelists.load_files(path)  # one list, or several (import-codes metadata)
        except codelists.CodeListError as exc:
            raise UsageError(str(exc)) from exc
        for cl in lists:
            out[cl.name] = cl
    return out


def _options(args: argparse.Namespace) -> batch.Options:
    spec = None
    if args.spec:
        try:
            spec = sosreg.load_spec(args.spec)
        except SpecError as exc:
            raise UsageError(str(exc)) from exc
    max_details = args.max_details
    if max_details is _DEFAULT:
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
        codelists=_load_codelists(args.codelist),
        previous=args.previous,
        format=args.format,
        lang=args.lang,
        max_details=max_details,
        engine=args.engine,
        on=args.on if args.on is not None else dt.date.today(),
        on_given=args.on is not None,
    )


def _validate(args: argparse.Namespace) -> int:
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
    with _LineProgress(args, paths) as progress:
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
    paths: tuple[str, ...], options: batch.Options, progress: _LineProgress
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
        _warn(
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
    out = sys.stdout if out_dir is not None else _open_output(args.output)
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
    bar = _progress_bar(args, total=len(groups), unit=unit, unit_scale=False)
    try:
        for outcome in _outcomes(groups, options, args.jobs or 1, out_dir, writer):
            if bar is not None:
                bar.update(1)
            rows.append(attrs.evolve(outcome, output=""))  # the counts, not the report
            worst = max(worst, outcome.exit_code)
            if outcome.problem is not None:
                names = ", ".join(os.path.basename(p) for p in outcome.paths)
                _warn(f"sosreg: {names}: {_problem(outcome)}")
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
        out.write(_summary(rows, options.lang))
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


def summary_dict(rows: Sequence[batch.Outcome]) -> dict[str, Any]:
    """The JSON report's ``summary`` of a run over many deliveries."""
    checked = [r for r in rows if r.status is not None]
    return report_summary(
        [r.status for r in checked if r.status is not None],
        files=sum(len(r.paths) for r in checked),
        lines=sum(r.lines for r in checked),
        totals={
            Severity.ERROR: sum(r.errors for r in checked),
            Severity.WARNING: sum(r.warnings for r in checked),
            Severity.INFO: sum(r.infos for r in checked),
        },
        not_checked=[
            {
                "files": [mask_text(os.path.basename(p)) for p in r.paths],
                "problem": mask_text(_problem(r)),
            }
            for r in rows
            if r.status is None
        ],
    )


# -- progress --------------------------------------------------------------------------

PROGRESS_DELAY: Final = 0.5
"""Seconds of work before a progress bar shows (a quick check shows none)."""
PROGRESS_SAMPLE: Final = 1 << 16
"""Bytes read at the top of each file to estimate its lines from its size."""


def _progress_bar(args: argparse.Namespace, unit_scale: bool = True, **kwargs: Any) -> Any:
    """A tqdm bar on stderr, or ``None``: with ``--quiet``, when stderr is not a
    terminal, or without tqdm (``sosreg[progress]``)."""
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(
        file=sys.stderr,
        delay=PROGRESS_DELAY,
        leave=False,
        dynamic_ncols=True,
        unit_scale=unit_scale,
        **kwargs,
    )


def estimate_lines(paths: Sequence[str]) -> int | None:
    """The lines of ``paths``, estimated from their sizes and the lines in their first
    :data:`PROGRESS_SAMPLE` bytes (exact for smaller files); ``None`` if unknown."""
    total = 0
    for path in paths:
        try:
            size = os.path.getsize(path)
            with open(path, "rb") as fh:
                head = fh.read(PROGRESS_SAMPLE)
        except OSError:
            return None
        if not head:
            continue
        n = head.count(b"\n") or head.count(b"\r")
        if len(head) >= size:
            total += n + (0 if head.endswith((b"\n", b"\r")) else 1)
        else:
            total += round(size * max(n, 1) / len(head))
    return total or None


class _LineProgress:
    """A bar of lines read (lines/s), its total estimated from the files' sizes, for
    one delivery; does nothing when :func:`_progress_bar` gives no bar."""

    def __init__(self, args: argparse.Namespace, paths: Sequence[str]) -> None:
        self.args = args
        self.paths = paths
        self.name = ""
        self.bar: Any = None

    def __enter__(self) -> _LineProgress:
        unit = " lines" if self.args.lang == "en" else " rader"
        self.name = os.path.basename(self.paths[0]) + (
            f" (+{len(self.paths) - 1})" if len(self.paths) > 1 else ""
        )
        self.bar = _progress_bar(
            self.args, total=estimate_lines(self.paths), unit=unit, desc=self.name
        )
        return self

    @property
    def update(self) -> Callable[[int], None] | None:
        return None if self.bar is None else self._update

    def writing(self) -> None:
        """The lines are read; the report is being written (it can take a while)."""
        if self.bar is not None:
            self.bar.total = self.bar.n
            words = "writing the report" if self.args.lang == "en" else "skriver rapporten"
            self.bar.set_description(f"{self.name}: {words}")

    def _update(self, n: int) -> None:
        bar = self.bar
        if bar.total is not None and bar.n + n > bar.total:
            bar.total = bar.n + n  # the estimate was short
        bar.update(n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.total = self.bar.n
            self.bar.refresh()
            self.bar.close()


def _summary(rows: list[batch.Outcome], lang: str) -> str:
    sv = lang != "en"
    head = ("Sammanställning" if sv else "Summary") + f" ({len(rows)})"
    cols = (
        "status",
        "fel" if sv else "errors",
        "varningar" if sv else "warnings",
        "fil" if sv else "file",
    )
    lines = [head, f"  {cols[0]:<24} {cols[1]:>7} {cols[2]:>10}  {cols[3]}"]
    for r in rows:
        status = (
            ("kunde inte kontrolleras" if sv else "could not be checked")
            if r.status is None
            else r.status.label(lang)
        )
        names = ", ".join(os.path.basename(p) for p in r.paths)
        if r.written is not None and r.problem is None:
            names += f" -> {r.written}"
        lines.append(f"  {status:<24} {r.errors:>7} {r.warnings:>10}  {mask_text(names)}")
    lines.append(_totals(rows, lang))
    return "\n".join(lines) + "\n"


def _totals(rows: list[batch.Outcome], lang: str) -> str:
    """The summary table's last row: errors and warnings in all, deliveries and files,
    how many deliveries had each status."""
    sv = lang != "en"
    checked = [r for r in rows if r.status is not None]
    by_status = {s: sum(r.status is s for r in checked) for s in Status}
    parts = [f"{n} {s.label(lang)}" for s, n in by_status.items() if n]
    if len(checked) < len(rows):
        parts.append(
            f"{len(rows) - len(checked)} "
            + ("kunde inte kontrolleras" if sv else "could not be checked")
        )
    what = say(
        "{d} {d|leverans|leveranser}, {f} {f|fil|filer}"
        if sv
        else "{d} {d|delivery|deliveries}, {f} {f|file|files}",
        d=len(rows),
        f=sum(len(r.paths) for r in rows),
    )
    label = "totalt" if sv else "total"
    errors = sum(r.errors for r in checked)
    warnings = sum(r.warnings for r in checked)
    return f"  {label:<24} {errors:>7} {warnings:>10}  {what}: {', '.join(parts)}"


# -- the other commands ----------------------------------------------------------------


def _register(name: str) -> str:
    try:
        return REGISTRY.get(name).name
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc


def _rules(args: argparse.Namespace) -> int:
    from sosreg.generate import injectable

    if args.register:
        rules = CATALOGUE.for_register(_register(args.register))
        can = injectable(_register(args.register))
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


def _generate(args: argparse.Namespace) -> int:
    from sosreg.generate import files_for, generate, injectors

    lists = _load_codelists(args.codelist)
    if args.injectors:
        register = _register(args.register)
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


def _codes(args: argparse.Namespace) -> int:
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


def _import_codes(args: argparse.Namespace) -> int:
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
        _warn(
            f"{args.output}: {cl.name} ({cl.title}): {distinct} codes in {len(cl)} entries, "
            f"from {cl.sources[0] if cl.sources else args.path}"
        )
    return 0


def _status(args: argparse.Namespace) -> int:
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
    out = _open_output(args.output)
    try:
        out.write(text)
    finally:
        if out is not sys.stdout:
            out.close()
    return rep.exit_code


def _deadlines(args: argparse.Namespace) -> int:
    from sosreg.deadlines import calendar

    if args.year < 1990 or args.year > 2099:
        raise UsageError(f"year {args.year} is out of range (1990–2099)")
    due = calendar(args.year)
    if args.register:
        name = _register(args.register)
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


def _spec(args: argparse.Namespace) -> int:
    try:
        spec = sosreg.get_spec(_register(args.register), args.file, args.year)
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


# -- export ----------------------------------------------------------------------------


def _export(args: argparse.Namespace) -> int:
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
            _warn(f"sosreg: {done.source_file}: left out: {done.reason}")

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


# -- the commands ----------------------------------------------------------------------


@attrs.frozen
class Command:
    """One ``sosreg`` command: its name, what sets up its arguments, what runs it."""

    name: str
    parser: Callable[[_Commands], None]
    """Adds the command's sub-parser (arguments, help) to the sub-parsers given."""
    run: Callable[[argparse.Namespace], int]
    """Runs the command with its parsed arguments; returns the exit code."""


COMMANDS: Final = (
    Command("validate", _validate_parser, _validate),
    Command("rules", _rules_parser, _rules),
    Command("codes", _codes_parser, _codes),
    Command("import-codes", _import_codes_parser, _import_codes),
    Command("status", _status_parser, _status),
    Command("deadlines", _deadlines_parser, _deadlines),
    Command("export", _export_parser, _export),
    Command("generate", _generate_parser, _generate),
    Command("spec", _spec_parser, _spec),
)
"""Every command, in the order ``sosreg --help`` lists them."""

_COMMANDS_BY_NAME: Final = {c.name: c for c in COMMANDS}


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
