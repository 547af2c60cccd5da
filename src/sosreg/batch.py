"""Many files at once: a month of deliveries from many municipalities, in parallel.

:func:`expand` turns paths, directories and globs into files; :func:`deliveries` groups
them the way the collector receives them (one kommun's files for one period and
register: EKB-Månad with EKB-AO, the three BU files); :func:`run` validates each group
in a pool of processes and yields an :class:`Outcome` per group, in order: its status,
counts and the rendered report (or, for the file formats csv, xlsx and html with an
output directory, the file it was written to: :func:`report_path`). ``sosreg validate
DIR -j N`` is this, with a summary table at the end.
"""

from __future__ import annotations

import datetime as dt
import glob
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import IO, Any, Final

import attrs

from sosreg.codelists import CodeList
from sosreg.engine.delivery import Earlier, mandatory_kinds, named, validate_delivery
from sosreg.engine.filename import parse_filename
from sosreg.engine.findings import Severity, Status
from sosreg.engine.pipeline import (
    AUTO_MIN_BYTES,
    AUTO_MIN_BYTES_COLD,
    UsageError,
    warm_columnar,
)
from sosreg.engine.register import REGISTRY
from sosreg.engine.report import DeliveryReport, Report
from sosreg.engine.spec import FileSpec
from sosreg.engine.validation import validate
from sosreg.engine.values import YearMonth
from sosreg.identity import mask_text

__all__ = ["Options", "Outcome", "deliveries", "expand", "render", "report_path", "run"]

FILE_FORMATS = ("csv", "xlsx", "html")
"""Formats written as one file per delivery when many deliveries are checked."""
STREAMED = ("json", "csv", "xlsx")
"""Formats that, with every finding asked for (``max_details=None``), read the findings
from a spool on disk instead of holding them: any number of findings in bounded memory."""


@attrs.frozen(kw_only=True)
class Options:
    """How to check and report (the same for every file of a run). ``register`` …
    ``engine`` and ``on`` are :func:`sosreg.parse`'s (documented there); ``file``,
    ``period``, ``spec`` and ``previous`` apply to a run of one file only."""

    register: str | None = None
    file: str | None = None
    year: int | None = None
    period: str | YearMonth | None = None
    spec: FileSpec | None = None
    codelists: Mapping[str, CodeList] = attrs.field(factory=dict)
    previous: str | None = None
    format: str = "text"
    lang: str = "sv"
    max_details: int | None = 100
    engine: str = "auto"
    json_part: bool = False
    """``format="json"``: render each delivery as one item of the report's
    ``deliveries`` (what :class:`~sosreg.reports.json_report.DocumentWriter` joins
    into one report with a summary) instead of a whole report."""
    on: dt.date | None = None
    """The day the portal stage judges by (``None``: no portal stage)."""
    on_given: bool = False
    """``on`` was chosen (``--on``), not today's date: the portal's verdict then counts
    in the exit code."""


@attrs.frozen
class Outcome:
    """One delivery checked: its files, status, counts and rendered report (or the
    one-line reason it could not be checked)."""

    paths: tuple[str, ...]
    status: Status | None
    errors: int = 0
    warnings: int = 0
    lines: int = 0
    output: str = ""
    problem: str | None = None
    """Why the delivery could not be checked (a :class:`UsageError`'s message)."""
    parameters: tuple[str, ...] = ()
    """The Python parameters :attr:`problem` names (:attr:`UsageError.parameters`)."""
    written: str | None = None
    """The file the report was written to, when it went to a file."""
    infos: int = 0
    portal: Status | None = None
    """The portal's verdict, when it counts in the exit code (``--on`` given)."""

    @property
    def exit_code(self) -> int:
        if self.status is None:
            return 3
        return max(self.status.exit_code, self.portal.exit_code if self.portal else 0)


OUTPUT_MARKS: Final = (".sosreg.", ".expected.json")
"""What sosreg's own outputs have in their names: reports (``<file>.sosreg.<fmt>``) and
the expected findings that ``sosreg generate`` writes beside a file."""
DATA_SUFFIXES: Final = ("", ".txt", ".csv")
"""The suffixes of files a directory contributes even when their name names no register."""


def in_directory(name: str) -> bool:
    """Whether a file found in a directory is one to check: not hidden, not an Office
    lock file (``~$…``), not one of sosreg's own outputs (:data:`OUTPUT_MARKS`), and
    either named for a register (``Ekb_…``, ``LSS_…``, whatever its suffix: an
    ``.xlsx`` saved by mistake gets its finding) or a text file by its suffix
    (:data:`DATA_SUFFIXES`). A ``README.md`` or a ``.json`` beside the files is not."""
    if name.startswith((".", "~$")) or any(mark in name.lower() for mark in OUTPUT_MARKS):
        return False
    if Path(name).suffix.lower() in DATA_SUFFIXES:
        return True
    return parse_filename(name, REGISTRY.prefixes()).register is not None


def expand(paths: Iterable[str], skipped: list[str] | None = None) -> list[str]:
    """Files named by ``paths``: a file as it is; a directory, every file in it that
    :func:`in_directory` takes (recursively; the others are appended to ``skipped``
    when given); a pattern with ``*``, ``?`` or ``[``, the files it matches (all of
    them: a pattern is as explicit as a name). Sorted within each argument."""
    out: list[str] = []
    for p in paths:
        left: list[str] = []
        if os.path.isdir(p):
            found: list[str] = []
            for f in sorted(Path(p).rglob("*")):
                if f.is_file():
                    (found if in_directory(f.name) else left).append(str(f))
        elif any(ch in p for ch in "*?["):
            found = sorted(f for f in glob.glob(p, recursive=True) if os.path.isfile(f))
        else:
            found = [p]
        if not found and left:
            names = [os.path.basename(f) for f in left[:5]] + (["…"] if len(left) > 5 else [])
            raise UsageError(f"{p}: no register files (left out: {', '.join(names)})")
        if not found:
            raise UsageError(f"{p}: no files")
        out.extend(found)
        if skipped is not None:
            skipped.extend(left)
    return list(dict.fromkeys(out))


def deliveries(files: Iterable[str]) -> list[tuple[str, ...]]:
    """``files`` grouped into deliveries: files with Filip-style names of one register,
    organisation (the name's kommun token; reporting per unit, the unit's code) and
    period (the year for annual files) go together, re-deliveries of a file among them
    (:func:`~sosreg.engine.delivery.validate_delivery` keeps the latest and reports the
    earlier ones as replaced); any other file is a delivery of its own. Groups keep the
    order of their first file."""
    groups: dict[object, list[str]] = {}
    prefixes = REGISTRY.prefixes()
    for f in files:
        name = parse_filename(Path(f).name, prefixes)
        key: object = f
        if name.filip and name.kommun and name.period:
            key = (name.register, name.kommun, name.period)
        groups.setdefault(key, []).append(f)
    return [tuple(g) for g in groups.values()]


def is_delivery(paths: tuple[str, ...]) -> bool:
    """Whether ``paths`` (a group of :func:`deliveries`) is checked as a delivery: two
    files or more, or one that its sub-register expects with others (a BU file alone:
    the missing ones are SOS-305)."""
    if len(paths) > 1:
        return True
    one = named(paths[0])
    return one is not None and len(mandatory_kinds(one.register, one.file)) > 1


def earlier_of(group: tuple[str, ...], files: Earlier | Iterable[str]) -> tuple[str, ...]:
    """The files of ``files`` (or of its index) that the files of ``group`` are
    compared with (the previous period and the same period a year before, by name:
    :class:`~sosreg.engine.delivery.Earlier`)."""
    index = files if isinstance(files, Earlier) else Earlier(files)
    return tuple(dict.fromkeys(p for f in group for _, p in index.of(f)))


def report_path(first: str, fmt: str, directory: str, taken: set[str] | None = None) -> str:
    """Where the report of a delivery whose first file is ``first`` goes in
    ``directory``: the file's name with ``.sosreg.<fmt>`` added (never an input's own
    name); ``-2``, ``-3``… before it when ``taken`` has the name already (the name is
    added to ``taken``). A personnummer in the name is masked, its last four ``XXXX``
    (``*`` has no place in a file name): the name on disk is echoed like any other."""
    masked = mask_text(Path(first).name).replace("*", "X")
    base = os.path.join(directory, masked + ".sosreg")
    path = f"{base}.{fmt}"
    n = 1
    while taken is not None and path in taken:
        n += 1
        path = f"{base}-{n}.{fmt}"
    if taken is not None:
        taken.add(path)
    return path


def render(
    paths: tuple[str, ...],
    options: Options,
    out: IO[str] | None = None,
    *,
    path: str | None = None,
    progress: Callable[[int], None] | None = None,
    rendering: Callable[[], None] | None = None,
    delivery: bool = False,
    earlier: tuple[str, ...] = (),
) -> Outcome:
    """Check one delivery and render its report: to the file ``path`` when given (any
    format; xlsx needs one), else to ``out``, else into :attr:`Outcome.output`.
    ``delivery``: a group of :func:`deliveries` (a file alone that its sub-register
    expects with others is checked as a delivery, :func:`is_delivery`); ``earlier``:
    files to find the previous period's in (:func:`earlier_of`), unless
    ``options.previous`` names one.
    ``progress`` is passed to :func:`sosreg.parse` (lines read); ``rendering`` is
    called when the files are read and the report is being written. A
    :class:`UsageError` becomes :attr:`Outcome.problem`."""
    from sosreg.reports import csv_report, html_report, json_report, xlsx_report

    fmt = options.format
    if fmt == "xlsx":
        if path is None:
            return Outcome(
                paths, None, problem="the xlsx report is a file: give path=", parameters=("path",)
            )
        try:
            xlsx_report.xlsxwriter()
        except UsageError as exc:
            return Outcome(paths, None, problem=str(exc))
    spools: list[json_report.FindingSpool] = []
    stream = fmt in STREAMED and options.max_details is None
    max_details = 0 if stream else options.max_details
    on_is_today = options.on is not None and not options.on_given

    def sink() -> Any:
        if not stream:
            return None
        spool = json_report.FindingSpool(options.lang)
        spools.append(spool)
        return spool.add

    lang = options.lang
    previous = os.path.basename(options.previous) if options.previous else None
    if previous is None and earlier:  # the files found to compare with
        previous = ", ".join(os.path.basename(e) for e in earlier)
    buffer: IO[str] | None = None
    try:
        result: Report | DeliveryReport
        if len(paths) > 1 or (delivery and is_delivery(paths)):
            result = validate_delivery(
                paths,
                sinks=[sink() for _ in paths],
                earlier=earlier,
                register=options.register,
                year=options.year,
                codelists=options.codelists,
                engine=options.engine,
                max_details=max_details,
                progress=progress,
                on=options.on,
                on_is_today=on_is_today,
            )
        else:
            result = validate(
                paths[0],
                register=options.register,
                file=options.file,
                year=options.year,
                period=options.period,
                spec=options.spec,
                codelists=options.codelists,
                previous=options.previous,
                earlier=earlier,
                sink=sink(),
                engine=options.engine,
                max_details=max_details,
                progress=progress,
                on=options.on,
                on_is_today=on_is_today,
            )
        files = result.reports if isinstance(result, DeliveryReport) else (result,)
        if rendering is not None:
            rendering()
        if fmt == "xlsx":
            assert path is not None
            xlsx_report.write(
                path, result, lang=lang, spools=spools if stream else None, previous=previous
            )
        else:
            if path is not None:
                try:
                    buffer = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
                except OSError as exc:
                    raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc
            else:
                buffer = out if out is not None else io.StringIO()
            cross = list(result.findings) if isinstance(result, DeliveryReport) else []
            if fmt == "json" and stream and options.json_part:
                json_report.write_delivery_streaming(
                    buffer, result.status, list(zip(files, spools, strict=True)), cross, lang
                )
            elif fmt == "json" and stream:
                json_report.write_streaming(
                    buffer, result.status, list(zip(files, spools, strict=True)), cross, lang
                )
            elif fmt == "json" and options.json_part:
                buffer.write(json_report.delivery_text(result, lang))
            elif fmt == "json":
                buffer.write(result.to_json(lang) + "\n")
            elif fmt == "csv":
                csv_report.render(result, lang=lang, out=buffer, spools=spools if stream else None)
            elif fmt == "html":
                html = html_report.render(
                    result, lang=lang, max_details=options.max_details, previous=previous
                )
                buffer.write(html)
            else:
                buffer.write(result.to_text(lang, options.max_details))
    except UsageError as exc:
        return Outcome(paths, None, problem=str(exc), parameters=exc.parameters)
    finally:
        for spool in spools:
            spool.close()
        if path is not None and buffer is not None:
            buffer.close()
    totals = result.contents_totals()  # beside the status: the contents' (not the portal's)
    errors, warnings = totals[Severity.ERROR], totals[Severity.WARNING]
    output = (
        buffer.getvalue()
        if path is None and out is None and isinstance(buffer, io.StringIO)
        else ""
    )
    return Outcome(
        paths,
        result.status,
        errors,
        warnings,
        sum(r.lines for r in files),
        infos=totals[Severity.INFO],
        output=output,
        written=path,
        portal=result.portal_status if options.on_given else None,
    )


def _work(job: tuple[tuple[str, ...], Options, str | None, tuple[str, ...]]) -> Outcome:
    group, options, path, earlier = job
    return render(group, options, path=path, delivery=True, earlier=earlier)


def with_earlier(
    groups: Iterable[tuple[str, ...]], options: Options
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each delivery of ``groups`` with the files among ``groups`` to compare it with
    (:func:`earlier_of`; none when ``options.previous`` names a file)."""
    groups = list(groups)
    every = Earlier(f for g in groups for f in g)
    return [(g, () if options.previous else earlier_of(g, every)) for g in groups]


def run(
    groups: Iterable[tuple[str, ...]],
    options: Options,
    jobs: int = 1,
    out_dir: str | None = None,
) -> Iterator[Outcome]:
    """Check every delivery of ``groups``, ``jobs`` at a time in separate processes
    (``1``: in this process), yielding outcomes in the order of ``groups``. With
    ``out_dir``, each report is written to a file there (:func:`report_path`). Each
    delivery is compared with the previous period's and the same period's a year
    before, when ``groups`` holds them (:func:`earlier_of`) and ``options.previous``
    does not name a file."""
    taken: set[str] = set()
    work = [
        (g, options, report_path(g[0], options.format, out_dir, taken) if out_dir else None, e)
        for g, e in with_earlier(groups, options)
    ]
    warm = options.engine == "auto" and polars_pays([(g, e) for g, _, _, e in work])
    if jobs <= 1 or len(work) <= 1:
        if warm:
            warm_columnar()
        for job in work:
            yield _work(job)
        return
    start = warm_columnar if warm else None
    with ProcessPoolExecutor(max_workers=jobs, initializer=start) as pool:
        yield from pool.map(_work, work, chunksize=1)


def polars_pays(work: Iterable[tuple[tuple[str, ...], tuple[str, ...]]]) -> bool:
    """Whether importing polars first pays for a batch (``auto``): the files the columnar
    engine would then read (:data:`~sosreg.engine.pipeline.AUTO_MIN_BYTES` and
    larger, not read for their records: a register with cross-file rules,
    a delivery compared with earlier ones) add up to ``AUTO_MIN_BYTES_COLD``, the size
    a single file needs to pay for the import alone."""
    total = 0
    for group, earlier in work:
        if earlier:
            continue
        for path in group:
            try:
                size = os.path.getsize(path)
            except OSError:
                continue
            if size >= AUTO_MIN_BYTES and not _cross_file(path):
                total += size
    return total >= AUTO_MIN_BYTES_COLD


def _cross_file(path: str) -> bool:
    """Whether the register ``path``'s name says has cross-file rules (its records are
    read by the row engine in a delivery)."""
    name = parse_filename(os.path.basename(path), REGISTRY.prefixes())
    if name is None or name.register is None:
        return False
    reg = REGISTRY.get(name.register)
    return bool(reg.cross_file_rules or reg.joined_rules)
