"""parse, validate and serialize.

:func:`parse` opens the input, decides the register, file, period, kommun and spec, and
returns a :class:`Parsed`: iterate it to stream :class:`Row` objects (one per physical
line), each with its record (or ``None``) and its findings. Stages run in order per line
(line, field, record, cross-record as fed) and, at the end, the cross-record rules'
closing checks; file-stage findings come first.

How the file's facts are decided, in this order (the first that gives one wins):

* **register and file**: the arguments (or the ``spec`` given); the file name's tokens
  (``Ekb_AO_…``, ``SOL1_…``; any name, Filip-style or not); a register with one file.
* **period**: the ``period`` argument; a Filip-style file name (its period token); the
  value most of the first :data:`HEAD_LINES` lines agree on (not the first line); for a
  file without a period field, the month most of its dates fall in. A ``year`` argument
  narrows every step to that statistikår. A line that disagrees gets its own finding.
* **kommun**: a Filip-style file name; otherwise the value most lines agree on. A line
  with another kommun gets its own finding (SOS-214).

Everything wrong *in* the input is a finding. :class:`UsageError` is raised only when the
input cannot be checked at all: arguments of the wrong type or out of range, an unknown
register or file, no spec for the year, an unreadable path.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain, repeat
from typing import Any, Final

import attrs

from sosreg.codelists import CodeList
from sosreg.engine.compiled import compile_line
from sosreg.engine.context import Context
from sosreg.engine.core import LineParser
from sosreg.engine.errors import UsageError as UsageError  # re-exported: its old home
from sosreg.engine.filename import FileName, parse_filename
from sosreg.engine.findings import DEFAULT_MAX_DETAILS, Finding, FindingLog, order_key
from sosreg.engine.portal import portal_findings
from sosreg.engine.records import record_class, spec_of
from sosreg.engine.register import REGISTRY, CrossRule, Register
from sosreg.engine.report import Report
from sosreg.engine.source import (
    MAX_LINE,
    EncodingMix,
    Input,
    PhysicalLine,
    Source,
    TextFormat,
)
from sosreg.engine.spec import FileSpec, SpecNotFound
from sosreg.engine.values import YearMonth, parse_year, parse_yearmonth, to_text
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
AUTO_MAX_BYTES: Final = 128 * 1024 * 1024
"""``engine="auto"``: the largest file the columnar engine reads; it holds the file as
a table (about 10× the file's size in memory), the row engine streams in bounded
memory."""

RUNNERS: dict[str, Callable[[Parsed], None]] = {}
"""Engine name -> the function that validates a :class:`Parsed` (fills its log). The
row engine is ``Parsed._run_rows``; :mod:`sosreg.engine.columnar` adds ``columnar``
when it is imported (as :mod:`sosreg` does), so this module imports no engine above
it."""

_DOCUMENTS: Final = {
    "json": ("ett JSON-dokument", "a JSON document"),
    "xml": ("ett XML-dokument", "an XML document"),
    "html": ("en webbsida (HTML)", "a web page (HTML)"),
    "rtf": ("ett RTF-dokument (ordbehandlare)", "an RTF (word processor) document"),
}
"""What SOS-018 calls each :attr:`~sosreg.engine.source.Sniff.document` kind."""

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
    imported) or :data:`AUTO_MIN_BYTES_COLD` (not yet) up to :data:`AUTO_MAX_BYTES`.
    The findings are the same either way; only the time and the memory differ."""
    if records or not whole or "columnar" not in RUNNERS or size > AUTO_MAX_BYTES:
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


HEAD_LINES: Final = 1000
"""How many lines at the top are read (and kept) to decide the period and kommun."""

YEARS: Final = (1990, 2099)
"""Statistikår sosreg accepts as arguments (inclusive); the specs narrow it further."""

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


_ENDING_NAMES = {"\r\n": "CRLF", "\n": "LF", "\r": "CR"}

_SOURCE: Final = {
    "argument": ("som angavs", "as given"),
    "name": ("enligt filnamnet", "from the file name"),
    "lines": ("som flertalet rader har", "that most lines have"),
    "assumed": ("antagen", "assumed"),
}


# -- arguments -------------------------------------------------------------------------


def _check_year(year: object) -> int | None:
    if year is None:
        return None
    if isinstance(year, bool) or not isinstance(year, int):
        raise UsageError(f"year must be an int (e.g. 2023), not {type(year).__name__} {year!r}")
    if not YEARS[0] <= year <= YEARS[1]:
        raise UsageError(f"year {year} is out of range ({YEARS[0]}–{YEARS[1]})")
    return year


def coerce_period(period: object) -> YearMonth | int | None:
    """A period argument: ``"ÅÅÅÅMM"``, ``"ÅÅÅÅ"``, a :class:`YearMonth`, or a year as
    an int (``2023``; a month as an int, ``202301``, is refused: write ``"202301"``)."""
    if period is None:
        return None
    if isinstance(period, YearMonth):
        value: YearMonth | int = period
    elif isinstance(period, int) and not isinstance(period, bool) and period < 10_000:
        value = period
    elif isinstance(period, str):
        text = period.strip()
        found = parse_yearmonth(text) if len(text) == 6 else parse_year(text)
        if found is None:
            raise UsageError(f"period {period!r} is neither ÅÅÅÅMM nor ÅÅÅÅ")
        value = found
    else:
        raise UsageError(
            f"period must be a str 'ÅÅÅÅMM' or 'ÅÅÅÅ', a YearMonth or a year, not "
            f"{type(period).__name__} {period!r} (write period='{period}')"
        )
    year = value.year if isinstance(value, YearMonth) else value
    if not YEARS[0] <= year <= YEARS[1]:
        raise UsageError(f"period {period!r} is out of range ({YEARS[0]}–{YEARS[1]})")
    return value


def _check_str(name: str, value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise UsageError(f"{name} must be a str, not {type(value).__name__} {value!r}")


def _check_codelists(codelists: object) -> dict[str, CodeList]:
    if codelists is None:
        return {}
    if not isinstance(codelists, Mapping):
        raise UsageError(
            "codelists must be a mapping of list name to CodeList (e.g. "
            f"{{'kva': sosreg.codelists.load_file(path)}}), not {type(codelists).__name__}"
        )
    for key, value in codelists.items():
        if not isinstance(value, CodeList):
            raise UsageError(
                f"codelists[{key!r}] must be a CodeList (sosreg.codelists.load_file(path)), "
                f"not {type(value).__name__}"
            )
    return dict(codelists)


def check_max_details(max_details: object) -> int | None:
    """``max_details`` checked: an int >= 0 or ``None``; else a :class:`UsageError`."""
    if max_details is None:
        return None
    if isinstance(max_details, bool) or not isinstance(max_details, int) or max_details < 0:
        raise UsageError(f"max_details must be an int >= 0 or None (all), not {max_details!r}")
    return max_details


def _majority(counter: Counter[Any]) -> Any:
    """The most common value; a tie goes to the value seen first."""
    return counter.most_common(1)[0][0] if counter else None


# -- parsing ---------------------------------------------------------------------------


class Parsed:
    """The result of :func:`parse`. Iterate it once to stream the rows."""

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
        self.progress = progress
        self._progress_sent = 0
        self.portal_on = on
        """The day the portal stage judges by (``None``: no portal stage)."""
        self.portal_today = on_is_today
        if engine not in RUNNERS:
            raise UsageError(f"engine must be one of {', '.join(RUNNERS)}, not {engine!r}")
        REQUIRES.get(engine, _nothing)()  # a missing extra: UsageError before any reading
        self.engine = engine
        """The engine asked for (``auto``, ``row`` or ``columnar``)."""
        self.engine_used: str | None = None
        """The engine that checked the file (``row`` or ``columnar``), once it has."""
        self.whole_input = isinstance(source, str | os.PathLike | bytes | bytearray | memoryview)
        """A path or bytes (``auto`` may read it at once), not a stream."""
        register = _check_str("register", register)
        file = _check_str("file", file)
        name = _check_str("name", name)
        year = _check_year(year)
        per = coerce_period(period)
        lists = _check_codelists(codelists)
        max_details = check_max_details(max_details)
        if spec is not None and not isinstance(spec, FileSpec):
            raise UsageError(
                f"spec must be a FileSpec (sosreg.load_spec(path) or sosreg.get_spec(register, "
                f"file, year)), not {type(spec).__name__} {spec!r}"
            )
        try:
            self.input = Input(source)
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
        self.name = name or self.input.name
        self.log = FindingLog(max_details, sink)
        try:
            self._setup(register, file, year, per, spec, lists)
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
    ) -> None:
        self.file_findings: list[Finding] = []
        self.lines_read = 0
        self.records_count = 0
        self._consumed = False
        self._runs: list[tuple[str, int]] = []
        """The lines' endings in runs: (ending, lines), in order (``""``: a last line
        without one). Both engines fill it; :attr:`format` and SOS-005 read it."""

        fname: FileName | None = None
        if self.name:
            fname = parse_filename(self.name, REGISTRY.prefixes())
        if spec is not None:
            register, file = spec.register, spec.file
        if register is None and fname is not None:
            register = fname.register
        if register is None:
            raise UsageError(
                "the register is not given and cannot be read from the file name "
                f"(give register=, one of: {', '.join(REGISTRY.names())})",
                parameters=("register",),
            )
        try:
            self.register: Register = REGISTRY.get(register)
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from exc
        if file is None and fname is not None:
            file = self.register.file_from_tokens(list(fname.tokens))
        if file is None and len(self.register.files) == 1:
            file = next(iter(self.register.files))
        if file is None:
            raise UsageError(
                f"the file of register {self.register.name} is not given and cannot be read "
                f"from the file name (give file=, one of: {', '.join(self.register.files)})",
                parameters=("file",),
            )
        file = file.lower()
        if file not in self.register.files:
            raise UsageError(
                f"unknown file {file!r} of register {self.register.name} "
                f"(files: {', '.join(self.register.files)})"
            )
        self.file = file
        self.fname = fname
        sn = self.input.sniff
        self.text_input = sn.magic is None and not sn.binary and sn.document is None
        """False for a binary file, a workbook, a PDF, or a text document that is not
        register data (JSON, XML, HTML, RTF): it gets one file finding and its lines are
        not checked one by one."""
        self._lines: Iterator[PhysicalLine] = self.input.lines() if self.text_input else iter(())
        self._head: list[PhysicalLine] = []

        if spec is not None:
            candidates = [spec]
        else:
            candidates = [s for s in REGISTRY.all_specs(self.register.name) if s.file == file]
            if year is not None:
                candidates = [s for s in candidates if s.covers(year)] or candidates
        if not candidates:
            raise UsageError(f"no spec for {self.register.name}/{file}")
        layout = candidates[-1]
        periods, kommuner = self._scan_head(layout)

        # The period.
        name_period = None
        if fname is not None and fname.filip and fname.period is not None:
            name_period = coerce_period(fname.period)
        if layout.period == "year" and isinstance(name_period, YearMonth):
            name_period = None  # an annual file named with a month: not its period
        if layout.period == "month" and isinstance(name_period, int):
            name_period = None

        def year_of(p: YearMonth | int) -> int:
            return p.year if isinstance(p, YearMonth) else p

        # With a year given, a name or lines of that year come first; then, for an annual
        # file, the year itself (it is the period). For a monthly file, failing both, the
        # name's or the lines' month of another year is still the file's period (SOS-010
        # says it is outside the year), not an assumed month that blames every line.
        in_year = periods
        if year is not None:
            in_year = Counter({p: n for p, n in periods.items() if year_of(p) == year})
        from_lines = _majority(in_year)
        source = "argument"
        if (
            per is None
            and name_period is not None
            and (year is None or year_of(name_period) == year)
        ):
            per, source = name_period, "name"
        if per is None and from_lines is not None:
            per, source = from_lines, "lines"
        if per is None and year is not None and layout.period == "year":
            per, source = year, "argument"
        if per is None and name_period is not None:
            per, source = name_period, "name"
        if per is None and (from_lines := _majority(periods)) is not None:
            per, source = from_lines, "lines"
        assumed = per is None or (isinstance(per, int) and layout.period == "month")
        if per is None:
            per = year if year is not None else layout.years_from
        if isinstance(per, int) and layout.period == "month":
            per = YearMonth(per, 1)
        if assumed:
            source = "assumed"
        self.period: YearMonth | int = per
        self.period_source = source
        self.period_from_lines: YearMonth | int | None = from_lines
        self.year = year if year is not None else year_of(per)
        self.year_given = year is not None

        # The kommun.
        self.kommun: str | None = None
        self.kommun_source = "lines"
        if fname is not None and fname.filip and fname.kommun is not None:
            self.kommun, self.kommun_source = fname.kommun, "name"
        elif kommuner:
            self.kommun = _majority(kommuner)

        if spec is None:
            try:
                spec = REGISTRY.resolve_spec(self.register.name, file, self.year)
            except SpecNotFound as exc:
                raise UsageError(str(exc)) from exc
        self.spec: FileSpec = spec
        lists: dict[str, CodeList | None] = dict(codelists)
        self.context = Context(spec, self.year, self.period, lists)
        self.record_class = record_class(spec)
        self.parser = LineParser(
            self.context,
            self.record_class,
            period_source=_SOURCE[self.period_source],
            kommun=self.kommun,
            kommun_source=_SOURCE[self.kommun_source],
        )
        record_rules, cross = self.register.rules_for(file)
        self._record_rules = record_rules
        self._cross_factories = cross
        self._cross: list[tuple[tuple[str, ...], CrossRule]] = [
            (c.codes, c.factory()) for c in cross
        ]
        compiled = compile_line(self.parser)
        self._fast = compiled.fn
        self.parser.fields_fn = compiled.fields
        self._file_stage(fname, name_period, assumed)

    # -- file stage ----------------------------------------------------------------

    def _scan_head(self, spec: FileSpec) -> tuple[Counter[Any], Counter[str]]:
        """Read the first :data:`HEAD_LINES` lines (kept, and parsed later) and count
        the periods and kommuner they give."""
        periods: Counter[Any] = Counter()
        kommuner: Counter[str] = Counter()
        field = spec.period_field or spec.period_hint_field
        p_idx = spec.field(field).position - 1 if field is not None else None
        k_idx = spec.field(spec.kommun_field).position - 1 if spec.kommun_field else None
        whole = spec.period_field is not None
        monthly = spec.period == "month"
        for pl in self._lines:
            self._head.append(pl)
            values = pl.text.strip().strip('"').split(";")
            if p_idx is not None and p_idx < len(values):
                value = values[p_idx].strip()
                if not whole:
                    value = value[:6] if len(value) == 8 else ""  # a date's month
                found = parse_yearmonth(value) if monthly else parse_year(value)
                if (
                    found is not None
                    and YEARS[0]
                    <= (found.year if isinstance(found, YearMonth) else found)
                    <= YEARS[1]
                ):
                    periods[found] += 1
            if k_idx is not None and k_idx < len(values):
                value = values[k_idx].strip()
                if len(value) == 4 and value.isascii() and value.isdigit():
                    kommuner[value] += 1
            if len(self._head) >= HEAD_LINES:
                break
        return periods, kommuner

    def _file_stage(
        self, fname: FileName | None, name_period: YearMonth | int | None, assumed: bool
    ) -> None:
        ctx = self.context
        sn = self.input.sniff
        add = self.file_findings.append
        if sn.magic is not None:
            kinds = {
                "xlsx": ("en Excel-arbetsbok (.xlsx)", "an Excel workbook (.xlsx)"),
                "xls": ("en Excel-arbetsbok (.xls)", "an Excel workbook (.xls)"),
                "pdf": ("en PDF-fil", "a PDF file"),
            }[sn.magic]
            add(ctx.finding("SOS-002", kind_sv=kinds[0], kind_en=kinds[1]))
        elif sn.document is not None:
            kind_sv, kind_en = _DOCUMENTS[sn.document]
            add(ctx.finding("SOS-018", kind_sv=kind_sv, kind_en=kind_en))
        elif not self.text_input:
            add(ctx.finding("SOS-002", kind_sv="en binärfil", kind_en="a binary file"))
        if sn.size == 0:
            add(ctx.finding("SOS-001"))
        if sn.size and self.text_input:
            name_sv, name_en = _encoding_names(sn.encoding, sn.ascii_only)
            add(
                ctx.finding(
                    "SOS-003",
                    encoding_sv=name_sv,
                    encoding_en=name_en,
                    bom_sv=" med BOM" if sn.bom else "",
                    bom_en=" with BOM" if sn.bom else "",
                )
            )
            if sn.mixed is not None:
                add(_mixed_encodings(ctx, sn.mixed, name_sv, name_en))
            if sn.utf16:
                add(ctx.finding("SOS-004"))
            elif sn.encoding == "latin-1":
                add(ctx.finding("SOS-011"))
        if fname is not None:
            for sv, en in fname.problems:
                if self.portal_on is not None and sv.startswith("har dubbla ändelser"):
                    continue  # the portal stage's SOS-031 says it, with the collector's behaviour
                add(ctx.finding("SOS-006", name=fname.name, problem_sv=sv, problem_en=en))
            named = self._named_otherwise(fname)
            if named is not None:
                add(
                    ctx.finding(
                        "SOS-020",
                        name=fname.name,
                        named_sv=named[0],
                        named_en=named[1],
                        checked_sv=self.register.files.get(self.file, self.file),
                        checked_en=f"{self.register.name}/{self.file}",
                    )
                )
            if self.name and mask_text(self.name) != self.name:
                add(ctx.finding("SOS-216", name=self.name))  # shown masked, as every name
            if name_period is not None and not assumed:
                lines = self.period_from_lines
                if name_period != self.period:
                    other = (f"filen gäller {self.period}", f"the file is for {self.period}")
                elif lines is not None and lines != name_period:
                    other = (f"flertalet rader anger {lines}", f"most lines give {lines}")
                else:
                    other = None
                if other is not None:
                    add(
                        ctx.finding(
                            "SOS-007",
                            name_period=fname.period,
                            period=self.period,
                            other_sv=other[0],
                            other_en=other[1],
                        )
                    )
        if assumed and sn.size and self.text_input:
            if self.year_given:
                add(
                    ctx.finding(
                        "SOS-009",
                        year=self.year,
                        assumed_sv=f"statistikår {self.year} (angivet), månad {self.period}",
                        assumed_en=f"statistical year {self.year} (as given), month {self.period}",
                    )
                )
            else:
                add(
                    ctx.finding(
                        "SOS-009",
                        year=self.year,
                        assumed_sv=f"statistikår {self.year} antogs",
                        assumed_en=f"statistical year {self.year} was assumed",
                    )
                )
        of_year = self.period.year if isinstance(self.period, YearMonth) else self.period
        if of_year != self.year:
            add(ctx.finding("SOS-010", period=self.period, year=self.year))
        if sn.size:
            add(self._checked_against(ctx))
        self.file_findings.extend(self.parser.notes)

    def _named_otherwise(self, fname: FileName) -> tuple[str, str] | None:
        """What the file name says the file is, in Swedish and English (``SOL1`` and
        ``sol/sol1``, ``EKB-AO`` and ``ekb/ao``; a register alone where its tokens name
        none of its files), where that is not the register and file it is checked as
        (given as arguments or a spec); else ``None``."""
        if fname.register is None:
            return None
        try:
            reg = REGISTRY.get(fname.register)
        except KeyError:
            return None
        named = reg.file_from_tokens(list(fname.tokens))
        if named is None:
            label = (reg.name.upper(), reg.name)
        else:
            label = (reg.files.get(named, named), f"{reg.name}/{named}")
        if reg.name != self.register.name:
            return label
        return label if named is not None and named != self.file else None

    def _checked_against(self, ctx: Context) -> Finding:
        return ctx.finding(
            "SOS-014",
            spec=self.spec.key,
            year=self.year,
            period=self.period,
            provenance_sv=_PROVENANCE_SV.get(self.spec.provenance, self.spec.provenance),
            provenance_en=_PROVENANCE_EN.get(self.spec.provenance, self.spec.provenance),
        )

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

    def _all_lines(self) -> Iterator[PhysicalLine]:
        """Every line (the head read already, then the rest); counted for ``progress``
        only when there is one, so that there is no cost per line otherwise."""
        lines = chain(self._head, self._lines)
        return lines if self.progress is None else self._counted(lines, self.progress)

    def _counted(
        self, lines: Iterable[PhysicalLine], progress: Callable[[int], None]
    ) -> Iterator[PhysicalLine]:
        n = 0
        for pl in lines:
            n += 1
            if n == PROGRESS_EVERY:
                self._progress_sent += n
                progress(n)
                n = 0
            yield pl
        self._progress_sent += n
        progress(n)

    def _rows(self) -> Iterator[Row]:
        for pl, record, out in self._process(self._all_lines()):
            yield Row(pl.number, pl.text, pl.ending, record, tuple(out))
        self._head = []

    def _parse_line(self, pl: PhysicalLine) -> tuple[Any, list[Finding]]:
        """The line and field stages of one line: (record or None, findings). A clean
        line goes through the file's compiled line function, any other through the
        reference :meth:`LineParser.parse`; both give the same result."""
        out: list[Finding] = []
        length = pl.length  # PhysicalLine.too_long, inline
        too_long = length > MAX_LINE or length > len(pl.text)
        record = None if too_long else self._fast(pl.text, pl.number, out)
        if record is None:
            return self.parser.parse(pl)
        self.parser.data_lines += 1
        return record, out

    def _process(
        self,
        lines: Iterable[PhysicalLine],
        parsed: Mapping[int, tuple[Any, list[Finding]]] | None = None,
        *,
        count: bool = True,
    ) -> Iterator[tuple[PhysicalLine, Any, list[Finding]]]:
        """Every line of ``lines``, in order, through every stage: (line, record or
        None, findings), the findings added to the log. ``parsed`` holds lines whose
        line and field stages were run already (by the columnar engine). With
        ``count``, the lines and their endings are counted."""
        parse_line = self._parse_line
        rules = [(rule.fn, rule.codes[0]) for rule in self._record_rules]
        cross = [(c.feed, codes[0]) for codes, c in self._cross]
        ctx = self.context
        add = self.log.add
        runs = self._runs
        run_ending, run_lines = "", 0
        for pl in lines:
            if count:
                self.lines_read += 1
                if pl.ending == run_ending:
                    run_lines += 1
                else:
                    if run_lines:
                        runs.append((run_ending, run_lines))
                    run_ending, run_lines = pl.ending, 1
            done = parsed.get(pl.number) if parsed is not None else None
            record, out = parse_line(pl) if done is None else done
            if record is not None:
                self.records_count += 1
                line = pl.number
                for fn, code in rules:
                    try:
                        found = fn(record, line, ctx)
                        if found:  # an empty list, or a generator (always true)
                            out.extend(found)
                    except Exception as exc:  # a rule that raises is one finding
                        out.append(ctx.internal(code, exc, line))
                for feed, code in cross:
                    try:
                        found = feed(record, line, ctx)
                        if found:
                            out.extend(found)
                    except Exception as exc:
                        out.append(ctx.internal(code, exc, line))
            for f in out:
                add(f)
            yield pl, record, out
        if count and run_lines:
            runs.append((run_ending, run_lines))

    def _run_rows(self) -> None:
        """The row engine over the whole file."""
        for _ in self._process(self._all_lines()):
            pass
        self._head = []

    def chosen_engine(self, *, records: bool = False) -> str:
        """The engine :meth:`report` runs: the one asked for, or for ``auto`` the one
        :func:`choose_engine` picks for this input (``records``: see there)."""
        if self.engine != "auto":
            return self.engine
        if not self.text_input:
            return "row"
        return choose_engine(self.input.sniff.size, whole=self.whole_input, records=records)

    def _run_auto(self) -> None:
        RUNNERS[self.chosen_engine()](self)

    def _finish(self) -> list[Finding]:
        ctx = self.context
        out: list[Finding] = []
        for codes, c in self._cross:
            try:
                out.extend(c.finish(ctx))
            except Exception as exc:
                out.append(ctx.internal(codes[0], exc))
        endings = self._ending_counts()
        if len(endings) > 1:
            text = ", ".join(f"{_ENDING_NAMES[e]} {n}" for e, n in sorted(endings.items()))
            out.append(ctx.finding("SOS-005", endings=text))
        if self.parser.data_lines == 0 and self.input.sniff.size > 0 and self.text_input:
            out.append(ctx.finding("SOS-008", lines=self.lines_read))
        if self.portal_on is not None:
            out.extend(
                portal_findings(
                    ctx,
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

    def _ending_counts(self) -> Counter[str]:
        """Lines per ending (a last line without one not counted), in order of first use."""
        counts: Counter[str] = Counter()
        for ending, n in self._runs:
            if ending:
                counts[ending] += n
        return counts

    @property
    def format(self) -> TextFormat:
        """How the file is written (valid after iteration, or after :meth:`report`
        with either engine). A file of mixed line endings gets each line's ending
        (:attr:`TextFormat.endings`), so that :func:`serialize` gives its bytes back."""
        counts = self._ending_counts()
        newline = counts.most_common(1)[0][0] if counts else "\r\n"
        endings = None
        if len(counts) > 1:
            endings = tuple(chain.from_iterable(repeat(e, n) for e, n in self._runs))
        enc = self.input.sniff.encoding
        return TextFormat(
            encoding="utf-8" if enc == "text" else enc,
            bom=self.input.sniff.bom,
            newline=newline,
            final_newline=bool(self._runs) and self._runs[-1][0] != "",
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
            try:
                self.engine_used = self.chosen_engine()
                RUNNERS[self.engine_used](self)
                if self.progress is not None and self.lines_read > self._progress_sent:
                    self.progress(self.lines_read - self._progress_sent)  # read at once
                    self._progress_sent = self.lines_read
            finally:
                self.input.close()
            self.log.extend(self._finish())
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
            lines=self.lines_read,
            records=self.records_count,
            findings=tuple(sorted(log.kept, key=order_key)),
            rule_counts=dict(log.counts),
            rule_severities=dict(log.severities),
            max_details=log.limit,
            kommun=self.kommun,
            deadline=self.spec.deadline_for(self.period),
        )


def _lines_phrase(count: int, first: tuple[int, ...]) -> tuple[str, str]:
    """``count`` lines, the first of them by number, as the subject of a sentence:
    ("2 rader (rad 3 och 7) är", "2 lines (lines 3 and 7) are")."""

    def numbers(conj: str) -> str:
        shown = [str(n) for n in first]
        if count > len(first):
            return ", ".join(shown) + " …"
        return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" {conj} " + shown[-1]

    if count == 1:
        return f"1 rad (rad {numbers('och')}) är", f"1 line (line {numbers('and')}) is"
    return (
        f"{count} rader (rad {numbers('och')}) är",
        f"{count} lines (lines {numbers('and')}) are",
    )


def _mixed_encodings(ctx: Context, mix: EncodingMix, name_sv: str, name_en: str) -> Finding:
    """SOS-012: lines in UTF-8 beside lines in another encoding; the counts and the
    first :data:`~sosreg.engine.source.MIX_LINES` line numbers of each."""
    utf8_sv, utf8_en = _lines_phrase(mix.utf8_count, mix.utf8_lines)
    other_sv, other_en = _lines_phrase(mix.other_count, mix.other_lines)
    return ctx.finding(
        "SOS-012",
        utf8_sv=utf8_sv,
        utf8_en=utf8_en,
        other_sv=other_sv,
        other_en=other_en,
        other_name=_encoding_names(mix.other, False)[1],
        encoding_sv=name_sv,
        encoding_en=name_en,
        utf8_count=mix.utf8_count,
        utf8_lines=",".join(map(str, mix.utf8_lines)),
        other_count=mix.other_count,
        other_lines=",".join(map(str, mix.other_lines)),
    )


def encoding_label(encoding: str, bom: bool) -> str:
    """The encoding as the report names it: ``utf-8+bom``, ``cp1252``, ``utf-16-le``."""
    return encoding + ("+bom" if bom else "")


def _encoding_names(encoding: str, ascii_only: bool) -> tuple[str, str]:
    if encoding == "utf-8" and ascii_only:
        return "UTF-8 (endast ASCII-tecken)", "UTF-8 (ASCII characters only)"
    names = {
        "utf-8": "UTF-8",
        "cp1252": "Windows-1252",
        "latin-1": "ISO-8859-1",
        "utf-16": "UTF-16",
        "utf-16-le": "UTF-16LE",
        "utf-16-be": "UTF-16BE",
    }
    if encoding == "text":
        return "text (redan avkodad)", "text (already decoded)"
    name = names.get(encoding, encoding)
    return name, name


_PROVENANCE_SV = {
    "provisional": "preliminär layout, ej bekräftad mot den officiella tekniska beskrivningen",
    "official": "officiell layout",
    "user": "layout från användaren",
}
_PROVENANCE_EN = {
    "provisional": "provisional layout, not confirmed against the official technical description",
    "official": "official layout",
    "user": "user-supplied layout",
}


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


RUNNERS["row"] = Parsed._run_rows
RUNNERS["auto"] = Parsed._run_auto
