"""parse, validate and serialize.

:func:`parse` opens the input, decides the register, file, period, kommun and spec, and
returns a :class:`Parsed`: iterate it to stream :class:`Row` objects (one per physical
line), each with its record (or ``None``) and its findings. Stages run in order per line
(line, field, record, cross-record as fed) and, at the end, the cross-record rules'
closing checks; file-stage findings come first.

A :class:`Parsed` is made in three steps: :func:`sosreg.engine.intake.input_findings`
says what the input is; :func:`sosreg.engine.facts.decide` decides the register, file,
period (from the first :data:`HEAD_LINES` lines, among others), kommun and spec, each
with where it came from (see there for the order); a
:class:`~sosreg.engine.runner.Runner` takes the lines through the stages and is what
the engine in :data:`RUNNERS` is given. A line whose period or kommun disagrees with the
file's gets its own finding (SOS-214 for the kommun).

Everything wrong *in* the input is a finding. :class:`UsageError` is raised only when the
input cannot be checked at all: arguments of the wrong type or out of range, an unknown
register or file, no spec for the year, an unreadable path.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain, islice, repeat
from typing import Any, Final

import attrs

from sosreg.codelists import CodeList
from sosreg.engine.core import LineParser
from sosreg.engine.errors import UsageError as UsageError  # re-exported: its old home
from sosreg.engine.facts import HEAD_LINES as HEAD_LINES  # re-exported: its old home
from sosreg.engine.facts import (
    SOURCE_LABELS,
    FileFacts,
    check_codelists,
    check_spec,
    check_str,
    check_year,
    decide,
)
from sosreg.engine.facts import YEARS as YEARS  # re-exported: its old home
from sosreg.engine.facts import Input as FactsInput
from sosreg.engine.facts import coerce_period as coerce_period  # re-exported
from sosreg.engine.findings import DEFAULT_MAX_DETAILS, Finding, FindingLog, order_key
from sosreg.engine.intake import encoding_label as encoding_label  # re-exported
from sosreg.engine.intake import input_findings
from sosreg.engine.portal import portal_findings
from sosreg.engine.records import record_class, spec_of
from sosreg.engine.register import Register
from sosreg.engine.report import Report
from sosreg.engine.runner import Runner
from sosreg.engine.source import (
    Input,
    PhysicalLine,
    Source,
    TextFormat,
)
from sosreg.engine.spec import FileSpec
from sosreg.engine.values import YearMonth, to_text
from sosreg.identity import mask_text

ENGINES: Final = ("auto", "row", "columnar")
"""The engines :func:`validate` can use; ``row`` is the reference, ``auto`` (the
default) chooses one of the other two per file (:func:`choose_engine`)."""

AUTO_MIN_BYTES: Final = 256 * 1024
"""``engine="auto"``: the smallest file the columnar engine reads when polars is already
imported in the process (below it the row engine is as fast or faster: on the machine
of docs/performance.md the two cross between 1,000 and 3,000 lines, 70–215 kB)."""
AUTO_MIN_BYTES_COLD: Final = 4 * 1024 * 1024
"""``engine="auto"``: the smallest file for which importing polars first pays (the
import costs about as much as the row engine spends on 40,000 lines, ~3 MB)."""

RUNNERS: dict[str, Callable[[Runner], None]] = {}
"""Engine name -> the function that validates a file through its
:class:`~sosreg.engine.runner.Runner` (fills its log). The row engine is
:meth:`Runner.run_rows`; :mod:`sosreg.engine.columnar` adds ``columnar``
when it is imported (as :mod:`sosreg` does), so this module imports no engine above
it."""

REQUIRES: dict[str, Callable[[], object]] = {}
"""Engine name -> a function that raises :class:`UsageError` (with the pip hint) when the
engine's optional dependency is not installed; :func:`parse` calls it first, so a
missing extra is the same error whether or not the engine ends up reading the file."""


def _nothing() -> None:
    return None


def choose_engine(size: int, *, whole: bool = True, records: bool = False) -> str:
    """The engine ``engine="auto"`` uses for a text input of ``size`` bytes: the
    columnar engine where it pays, the row engine otherwise. ``whole``: the input is a
    path or bytes (a stream goes to the row engine, which reads it as it comes);
    ``records``: the caller needs every record too (a delivery's cross-file rules),
    which only the row engine makes, so one pass of it does both. The columnar engine
    needs polars (``sosreg[fast]``) and a file of :data:`AUTO_MIN_BYTES` (polars already
    imported) or :data:`AUTO_MIN_BYTES_COLD` (not yet), of any size above that (both
    engines stream in bounded memory; the columnar one is 2–3× faster on large files).
    The findings are the same either way; only the time and the memory differ."""
    if records or not whole or "columnar" not in RUNNERS:
        return "row"
    warm = sys.modules.get("polars") is not None
    if size < (AUTO_MIN_BYTES if warm else AUTO_MIN_BYTES_COLD):
        return "row"
    return "columnar" if warm_columnar() else "row"


def warm_columnar() -> bool:
    """Import polars now, if it is installed: from then on ``auto`` takes the columnar
    engine from :data:`AUTO_MIN_BYTES` in this process (a batch of many files does this
    once per worker when its files make the import pay). Whether it is installed."""
    if "columnar" not in RUNNERS:
        return False
    try:
        REQUIRES.get("columnar", _nothing)()
    except UsageError:  # polars not installed: the row engine, silently
        return False
    return True


PROGRESS_EVERY: Final = 50_000
"""Lines between two calls of a ``progress`` callback (see :func:`parse`)."""


@attrs.frozen
class Row:
    """One physical line: its text, its record (``None`` if the line gave none) and
    the findings of the line, field and record stages."""

    line: int
    text: str = attrs.field(repr=lambda t: repr(mask_text(t)))
    """The line as read (not masked: it is the data); its ``repr`` is masked."""
    ending: str
    record: Any
    findings: tuple[Finding, ...]


def check_max_details(max_details: object) -> int | None:
    """``max_details`` checked: an int >= 0 or ``None``; else a :class:`UsageError`."""
    if max_details is None:
        return None
    if isinstance(max_details, bool) or not isinstance(max_details, int) or max_details < 0:
        raise UsageError(f"max_details must be an int >= 0 or None (all), not {max_details!r}")
    return max_details


def _open(source: Source) -> Input:
    try:
        return Input(source)
    except OSError as exc:
        hint = ""
        if isinstance(source, str) and (";" in source or "\n" in source):
            hint = " (a str is a path; to check text, pass io.StringIO(text) or text.encode())"
            # Mask, then cut: a number cut short is no longer identity shaped.
            # (A run ending before 40 is whole in the first 53 characters.)
            source = mask_text(source[:60])[:40] + "…"
        raise UsageError(f"cannot read {source!s}: {exc.strerror or exc}{hint}") from exc
    except TypeError as exc:
        raise UsageError(
            f"cannot read a {type(source).__name__}: give a path, bytes, an open binary "
            "file or an open text stream"
        ) from exc


# -- parsing ---------------------------------------------------------------------------


class Parsed:
    """The result of :func:`parse`. Iterate it once to stream the rows.

    It opens the input, reads the first :data:`HEAD_LINES` lines, has
    :func:`sosreg.engine.facts.decide` decide the file's facts (:attr:`facts`), makes
    the :class:`~sosreg.engine.runner.Runner` (:attr:`runner`) and hands it to the
    engine chosen."""

    def __init__(
        self,
        source: Source,
        *,
        register: str | None = None,
        file: str | None = None,
        year: int | None = None,
        period: str | YearMonth | None = None,
        spec: FileSpec | None = None,
        codelists: Mapping[str, CodeList] | None = None,
        name: str | None = None,
        max_details: int | None = DEFAULT_MAX_DETAILS,
        sink: Callable[[Finding], None] | None = None,
        engine: str = "auto",
        progress: Callable[[int], None] | None = None,
        on: dt.date | None = None,
        on_is_today: bool = False,
    ) -> None:
        self.portal_on = on
        """The day the portal stage judges by (``None``: no portal stage)."""
        self.portal_today = on_is_today
        if engine != "auto" and engine not in RUNNERS:
            names = ", ".join(["auto", *RUNNERS])
            raise UsageError(f"engine must be one of {names}, not {engine!r}")
        REQUIRES.get(engine, _nothing)()  # a missing extra: UsageError before any reading
        self.engine = engine
        """The engine asked for (``auto``, ``row`` or ``columnar``)."""
        self.engine_used: str | None = None
        """The engine that checked the file (``row`` or ``columnar``), once it has."""
        self.whole_input = isinstance(source, str | os.PathLike | bytes | bytearray | memoryview)
        """A path or bytes (``auto`` may read it at once), not a stream."""
        register = check_str("register", register)
        file = check_str("file", file)
        name = check_str("name", name)
        year = check_year(year)
        per = coerce_period(period)
        lists = check_codelists(codelists)
        max_details = check_max_details(max_details)
        spec = check_spec(spec)
        self.input = _open(source)
        self.name = name or self.input.name
        self.log = FindingLog(max_details, sink)
        self._consumed = False
        try:
            self._setup(register, file, year, per, spec, lists, progress)
        except BaseException:
            self.input.close()
            raise

    def _setup(
        self,
        register: str | None,
        file: str | None,
        year: int | None,
        per: YearMonth | int | None,
        spec: FileSpec | None,
        codelists: dict[str, CodeList],
        progress: Callable[[int], None] | None,
    ) -> None:
        sn = self.input.sniff
        text_input = sn.magic is None and not sn.binary and sn.document is None
        lines: Iterator[PhysicalLine] = self.input.lines() if text_input else iter(())
        head = list(islice(lines, HEAD_LINES))
        self.facts: FileFacts = decide(
            self.name,
            [pl.text for pl in head],
            register=register,
            file=file,
            year=year,
            period=per,
            spec=spec,
            codelists=codelists,
            input=FactsInput(size=sn.size, text=text_input),
            portal=self.portal_on is not None,
        )
        """The file's facts and where each came from."""
        facts = self.facts
        self.register: Register = facts.register
        self.file = facts.file
        self.period: YearMonth | int = facts.period
        self.year = facts.year
        self.kommun = facts.kommun
        self.spec: FileSpec = facts.spec
        self.context = facts.context()
        self.record_class = record_class(self.spec)
        self.parser = LineParser(
            self.context,
            self.record_class,
            period_source=SOURCE_LABELS[facts.period_source],
            kommun=self.kommun,
            kommun_source=SOURCE_LABELS[facts.kommun_source],
        )
        record_rules, cross = self.register.rules_for(self.file)
        self.runner = Runner(
            input=self.input,
            text_input=text_input,
            head=head,
            lines=lines,
            parser=self.parser,
            record_rules=record_rules,
            cross_factories=cross,
            log=self.log,
            progress=progress,
            progress_every=PROGRESS_EVERY,
        )
        """The lines through the stages; what every engine is given."""
        self.file_findings: list[Finding] = [
            *input_findings(self.context, sn, text_input),
            *facts.findings,
            *self.parser.notes,
        ]

    # -- what the runner knows -----------------------------------------------------

    @property
    def text_input(self) -> bool:
        """False for a binary file, a workbook, a PDF, or a text document that is not
        register data (JSON, XML, HTML, RTF): it gets one file finding and its lines are
        not checked one by one."""
        return self.runner.text_input

    # -- streaming -----------------------------------------------------------------

    @property
    def findings(self) -> list[Finding]:
        """The findings kept so far (at most ``max_details`` per rule)."""
        return self.log.kept

    def __iter__(self) -> Iterator[Row]:
        if self._consumed:
            raise RuntimeError("a Parsed result can be iterated once; call parse() again")
        self._consumed = True
        self.engine_used = "row"
        self.log.extend(self.file_findings)
        try:
            yield from self._rows()
        finally:
            self.input.close()
        self.log.extend(self._finish())

    def _rows(self) -> Iterator[Row]:
        runner = self.runner
        for pl, record, out in runner.process(runner.all_lines()):
            yield Row(pl.number, pl.text, pl.ending, record, tuple(out))
        runner.head = []

    def chosen_engine(self, *, records: bool = False) -> str:
        """The engine :meth:`report` runs: the one asked for, or for ``auto`` the one
        :func:`choose_engine` picks for this input (``records``: see there)."""
        if self.engine != "auto":
            return self.engine
        if not self.text_input:
            return "row"
        return choose_engine(self.input.sniff.size, whole=self.whole_input, records=records)

    def _finish(self) -> list[Finding]:
        out = self.runner.finish()
        if self.portal_on is not None:
            out.extend(
                portal_findings(
                    self.context,
                    self.name,
                    self.input.sniff.size,
                    self.register.name,
                    self.file,
                    self.portal_on,
                    today=self.portal_today,
                )
            )
        return out

    # -- conveniences --------------------------------------------------------------

    @property
    def format(self) -> TextFormat:
        """How the file is written (valid after iteration, or after :meth:`report`
        with either engine). A file of mixed line endings gets each line's ending
        (:attr:`TextFormat.endings`), so that :func:`serialize` gives its bytes back."""
        runs = self.runner.runs
        counts = self.runner.ending_counts()
        newline = counts.most_common(1)[0][0] if counts else "\r\n"
        endings = None
        if len(counts) > 1:
            endings = tuple(chain.from_iterable(repeat(e, n) for e, n in runs))
        enc = self.input.sniff.encoding
        return TextFormat(
            encoding="utf-8" if enc == "text" else enc,
            bom=self.input.sniff.bom,
            newline=newline,
            final_newline=bool(runs) and runs[-1][0] != "",
            endings=endings,
        )

    def records(self) -> Iterator[Any]:
        """Stream only the records."""
        for row in self:
            if row.record is not None:
                yield row.record

    def report(self) -> Report:
        """The report (iterates the rows first if that has not been done)."""
        if not self._consumed:
            self._consumed = True
            self.log.extend(self.file_findings)
            # every finding made from here on goes to the log: of a code whose details
            # it keeps no more, a token is made (Context.counted)
            self.context.counted = self.log.counted
            try:
                try:
                    self.engine_used = self.chosen_engine()
                    RUNNERS[self.engine_used](self.runner)
                    self.runner.report_progress()  # an engine that read the file at once
                finally:
                    self.input.close()
                self.log.extend(self._finish())
            finally:
                self.context.counted = frozenset()
        sn = self.input.sniff
        log = self.log
        return Report(
            name=self.name,
            register=self.register.name,
            file=self.file,
            year=self.year,
            period=str(self.period),
            spec=self.spec.key,
            spec_provenance=self.spec.provenance,
            encoding=encoding_label(sn.encoding, sn.bom),
            size=sn.size,
            sha256=sn.sha256,
            lines=self.runner.lines_read,
            records=self.runner.records_count,
            findings=tuple(sorted(log.kept, key=order_key)),
            rule_counts=dict(log.counts),
            rule_severities=dict(log.severities),
            max_details=log.limit,
            kommun=self.kommun,
            deadline=self.spec.deadline_for(self.period),
        )


def parse(
    source: Source,
    *,
    register: str | None = None,
    file: str | None = None,
    year: int | None = None,
    period: str | YearMonth | None = None,
    spec: FileSpec | None = None,
    codelists: Mapping[str, CodeList] | None = None,
    name: str | None = None,
    max_details: int | None = DEFAULT_MAX_DETAILS,
    sink: Callable[[Finding], None] | None = None,
    engine: str = "auto",
    progress: Callable[[int], None] | None = None,
    on: dt.date | None = None,
    on_is_today: bool = False,
) -> Parsed:
    """Open ``source`` (a path, bytes, an open binary file or a text stream) for
    streaming.

    ``register``/``file`` are read from the file name when not given; the period from
    a Filip-style file name or the lines (see the module's docs). ``year`` is the
    statistikår and chooses the spec; ``spec`` overrides the choice (e.g. a spec
    loaded with :func:`sosreg.load_spec`). ``codelists`` adds or replaces code lists
    by name for this file only (e.g. an imported KVÅ list). ``max_details`` caps the
    findings kept per rule (``None``: all; counts are always exact) and ``sink``
    receives every finding as it is made. ``engine`` is ``"auto"`` (the default: the
    columnar engine where it pays, see :func:`choose_engine`), ``"row"`` (the
    reference) or ``"columnar"`` (polars, ``sosreg[fast]``); the findings are the same,
    used by :meth:`Parsed.report` — iterating rows always uses the row engine. ``progress``,
    when given, is called with the number of lines read since its last call, every
    :data:`PROGRESS_EVERY` lines and once at the end (the calls add up to the lines
    read; a progress bar's ``update``). ``on``, a day, adds the portal stage: what the
    collector's portal refuses on that day (:mod:`sosreg.engine.portal`, SOS-030 …
    SOS-034; ``on_is_today`` says in the report that the day is today's date); these
    findings are not part of :attr:`Report.status`, the verdict on the contents.

    These are the reading parameters of every function that reads a file
    (:func:`load`, :func:`sosreg.validate`, :func:`sosreg.validate_delivery`,
    :func:`sosreg.frames.read_pandas`, and a subset in :func:`sosreg.scan`): each spells
    them out (an IDE completes them, mypy checks them, a misspelt one is a
    :class:`TypeError` naming the function called) and this is where they are
    documented; ``tests/test_api.py`` keeps their types and defaults the same.
    """
    return Parsed(
        source,
        register=register,
        file=file,
        year=year,
        period=period,
        spec=spec,
        codelists=codelists,
        name=name,
        max_details=max_details,
        sink=sink,
        engine=engine,
        progress=progress,
        on=on,
        on_is_today=on_is_today,
    )


def load(
    source: Source,
    *,
    register: str | None = None,
    file: str | None = None,
    year: int | None = None,
    period: str | YearMonth | None = None,
    spec: FileSpec | None = None,
    codelists: Mapping[str, CodeList] | None = None,
    name: str | None = None,
    max_details: int | None = DEFAULT_MAX_DETAILS,
    sink: Callable[[Finding], None] | None = None,
    engine: str = "row",
    progress: Callable[[int], None] | None = None,
    on: dt.date | None = None,
    on_is_today: bool = False,
) -> list[Any]:
    """All records of ``source`` as a list (lines that give no record are left out).
    The parameters are :func:`parse`'s."""
    parsed = parse(
        source,
        register=register,
        file=file,
        year=year,
        period=period,
        spec=spec,
        codelists=codelists,
        name=name,
        max_details=max_details,
        sink=sink,
        engine=engine,
        progress=progress,
        on=on,
        on_is_today=on_is_today,
    )
    return list(parsed.records())


def serialize(
    records: Iterable[Any],
    *,
    format: TextFormat | None = None,
    spec: FileSpec | None = None,
) -> bytes:
    """Write records in the file format of their spec.

    ``records`` are records, or the :class:`Row` objects of a parse, or a
    :class:`Parsed` itself (``serialize(parse(path))``; its format is then the
    default). ``format`` gives encoding, BOM, line ending and final newline (default:
    UTF-8, CRLF, final newline); see :meth:`TextFormat.encode` for the encodings and
    the errors. Parsing a valid file and serializing its records with
    ``parsed.format`` gives the same bytes, in every encoding sosreg reads (UTF-16
    keeps its byte order), with each line's own ending (mixed endings, CR only, no
    final newline: :attr:`TextFormat.endings`). A row that gave no record (a damaged line; see its
    findings) is a :class:`ValueError`: there is nothing typed to write.
    """
    lines: list[str] = []
    names: list[str] | None = spec.field_names() if spec is not None else None
    for rec in records:
        if type(rec) is Row:
            if rec.record is None:
                raise ValueError(
                    f"line {rec.line} gave no record (findings: "
                    f"{', '.join(f.code for f in rec.findings) or 'none'}); nothing to serialize"
                )
            rec = rec.record
        if names is None:
            names = spec_of(rec).field_names()
        lines.append(";".join([to_text(getattr(rec, n)) for n in names]))
    if format is not None:
        fmt = format
    elif isinstance(records, Parsed):
        fmt = records.format
    else:
        fmt = TextFormat()
    return fmt.encode(fmt.join(lines))


def write(
    records: Iterable[Any],
    path: str | os.PathLike[str],
    *,
    format: TextFormat | None = None,
    spec: FileSpec | None = None,
) -> None:
    """Serialize ``records`` (see :func:`serialize`, whose ``format`` and ``spec`` these
    are) into the file ``path``."""
    with open(path, "wb") as fh:
        fh.write(serialize(records, format=format, spec=spec))


RUNNERS["row"] = Runner.run_rows
