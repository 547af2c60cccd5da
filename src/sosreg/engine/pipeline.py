"""parse, validate and serialize.

:func:`parse` opens the input, decides the register, file, period and spec, and returns
a :class:`Parsed`: iterate it to stream :class:`Row` objects (one per physical line),
each with its record (or ``None``) and its findings. Stages run in order per line
(line, field, record) and, at the end, cross-record; file-stage findings come first.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from typing import Any

import attrs

from sosreg import registers as _registers
from sosreg.codelists import CodeList
from sosreg.engine.core import Context, LineParser
from sosreg.engine.filename import FileName, parse_filename
from sosreg.engine.findings import Finding
from sosreg.engine.records import record_class, spec_of
from sosreg.engine.register import CrossRule, Register
from sosreg.engine.source import Input, PhysicalLine, Source, TextFormat
from sosreg.engine.spec import FileSpec, SpecNotFound
from sosreg.engine.values import YearMonth, parse_year, parse_yearmonth, to_text
from sosreg.identity import mask_text

PERIOD_SEARCH_LINES = 50
"""How many lines at the top are read to find the file's period."""


class UsageError(ValueError):
    """The input cannot be checked at all: unknown register or file, no spec for the
    year, unreadable path. The CLI exits with 3."""


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


def _prefixes() -> dict[str, str]:
    out: dict[str, str] = {}
    for reg in _registers.all_registers():
        for p in reg.filename_prefixes:
            out[p.lower()] = reg.name
    return out


def _coerce_period(period: str | int | YearMonth | None) -> YearMonth | int | None:
    if period is None or isinstance(period, YearMonth):
        return period
    if isinstance(period, int):
        return period
    text = str(period).strip()
    ym = parse_yearmonth(text)
    if ym is not None:
        return ym
    y = parse_year(text)
    if y is not None:
        return y
    raise UsageError(f"period {period!r} is neither ÅÅÅÅMM nor ÅÅÅÅ")


class Parsed:
    """The result of :func:`parse`. Iterate it once to stream the rows."""

    def __init__(
        self,
        source: Source,
        *,
        register: str | None = None,
        file: str | None = None,
        year: int | None = None,
        period: str | int | YearMonth | None = None,
        spec: FileSpec | None = None,
        codelists: Mapping[str, CodeList] | None = None,
        name: str | None = None,
    ) -> None:
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
        self.name = name or self.input.name
        try:
            self._setup(register, file, year, period, spec, codelists)
        except BaseException:
            self.input.close()
            raise

    def _setup(
        self,
        register: str | None,
        file: str | None,
        year: int | None,
        period: str | int | YearMonth | None,
        spec: FileSpec | None,
        codelists: Mapping[str, CodeList] | None,
    ) -> None:
        self.file_findings: list[Finding] = []
        self.findings: list[Finding] = []
        self.lines_read = 0
        self.records_count = 0
        self._consumed = False
        self._endings: Counter[str] = Counter()
        self._last_ending = ""

        fname: FileName | None = None
        if self.name:
            fname = parse_filename(self.name, _prefixes())
        if spec is not None:
            register, file = spec.register, spec.file
        if register is None and fname is not None:
            register = fname.register
        if register is None:
            raise UsageError("the register is not given and cannot be read from the file name")
        try:
            self.register: Register = _registers.get(register)
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from exc
        if file is None and fname is not None:
            file = self.register.file_from_tokens(list(fname.tokens))
        if file is None:
            raise UsageError(
                f"the file of register {register} is not given and cannot be read from the "
                f"file name (files: {', '.join(self.register.files)})"
            )
        file = file.lower()
        if file not in self.register.files:
            raise UsageError(
                f"unknown file {file!r} of register {register} "
                f"(files: {', '.join(self.register.files)})"
            )
        self.file = file
        self._lines = self.input.lines()
        self._head: list[PhysicalLine] = []

        # The period: argument, else the first data line, else the file name.
        per = _coerce_period(period)
        candidates = [spec] if spec is not None else _registers.SPECS.all(self.register.name)
        candidates = [s for s in candidates if s is not None and s.file == file]
        if not candidates:
            raise UsageError(f"no spec for {register}/{file}")
        from_lines = self._period_from_lines(candidates[-1])
        name_period = _coerce_period(fname.period) if fname and fname.period else None
        assumed = False
        if per is None and year is not None and isinstance(from_lines, YearMonth):
            per = from_lines if from_lines.year == year else None
        if per is None and year is not None and candidates[-1].period == "year":
            per = year
        if per is None:
            per = from_lines if from_lines is not None else name_period
        if per is None:
            per = year if year is not None else candidates[-1].years_from
            assumed = True
        if isinstance(per, int) and candidates[-1].period == "month":
            per = YearMonth(per, 1)
            assumed = True
        self.period: YearMonth | int = per
        self.year = year if year is not None else (per.year if isinstance(per, YearMonth) else per)
        if spec is None:
            try:
                spec = _registers.resolve_spec(self.register.name, file, self.year)
            except SpecNotFound as exc:
                raise UsageError(str(exc)) from exc
        self.spec: FileSpec = spec
        self.context = Context(spec, self.year, self.period, dict(codelists or {}))
        self.record_class = record_class(spec)
        self.parser = LineParser(self.context, self.record_class)
        record_rules, cross = self.register.rules_for(file)
        self._record_rules = record_rules
        self._cross: list[tuple[tuple[str, ...], CrossRule]] = [
            (c.codes, c.factory()) for c in cross
        ]
        self._file_stage(fname, name_period, from_lines, assumed)

    # -- file stage ----------------------------------------------------------------

    def _period_from_lines(self, spec: FileSpec) -> YearMonth | int | None:
        """The period on the first line that has one (header and template lines at the
        top are passed over); the lines read are kept and parsed later."""
        field = spec.period_field or spec.period_hint_field
        if field is None:
            return None
        idx = spec.field(field).position - 1
        for pl in self._lines:
            self._head.append(pl)
            values = pl.text.strip().strip('"').split(";")
            if idx < len(values):
                value = values[idx].strip()
                if spec.period_field is None:
                    value = value[:6]  # a date ÅÅÅÅMMDD gives its month
                found = parse_yearmonth(value) if spec.period == "month" else parse_year(value)
                if found is not None:
                    return found
            if len(self._head) >= PERIOD_SEARCH_LINES:
                break
        return None

    def _file_stage(
        self,
        fname: FileName | None,
        name_period: YearMonth | int | None,
        from_lines: YearMonth | int | None,
        assumed: bool,
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
        elif sn.nul and sn.encoding != "utf-16":
            add(ctx.finding("SOS-002", kind_sv="en binärfil", kind_en="a binary file"))
        if sn.size == 0:
            add(ctx.finding("SOS-001"))
        encoding = {
            "utf-8": "UTF-8" if not sn.ascii_only else "UTF-8 (endast ASCII-tecken)",
            "cp1252": "Windows-1252",
            "latin-1": "ISO-8859-1",
            "utf-16": "UTF-16",
            "text": "text (redan avkodad)",
        }[sn.encoding]
        if sn.size:
            add(
                ctx.finding(
                    "SOS-003",
                    encoding=encoding,
                    bom_sv=" med BOM" if sn.bom else "",
                    bom_en=" with BOM" if sn.bom else "",
                )
            )
        if sn.encoding == "utf-16":
            add(ctx.finding("SOS-004"))
        elif sn.encoding == "latin-1":
            add(ctx.finding("SOS-011"))
        if fname is not None:
            for sv, en in fname.problems:
                add(ctx.finding("SOS-006", name=fname.name, problem_sv=sv, problem_en=en))
            if name_period is not None and name_period != self.period and not assumed:
                add(ctx.finding("SOS-007", name_period=fname.period, period=self.period))
        if assumed and sn.size:
            add(ctx.finding("SOS-009", year=self.year))
        if isinstance(self.period, YearMonth) and self.period.year != self.year:
            add(ctx.finding("SOS-010", period=self.period, year=self.year))
        if sn.size:
            add(self._checked_against(ctx))
        self.file_findings.extend(self.parser.notes)

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

    def __iter__(self) -> Iterator[Row]:
        if self._consumed:
            raise RuntimeError("a Parsed result can be iterated once; call parse() again")
        self._consumed = True
        self.findings.extend(self.file_findings)
        try:
            yield from self._rows()
        finally:
            self.input.close()
        self.findings.extend(self._finish())

    def _rows(self) -> Iterator[Row]:
        parse_line = self.parser.parse
        rules = self._record_rules
        cross = self._cross
        ctx = self.context
        endings = self._endings
        findings = self.findings
        last = None
        for pl in chain(self._head, self._lines):
            self.lines_read += 1
            if pl.ending:
                endings[pl.ending] += 1
            last = pl
            record, out = parse_line(pl)
            if record is not None:
                self.records_count += 1
                line = pl.number
                for rule in rules:
                    try:
                        out.extend(rule.fn(record, line, ctx))
                    except Exception as exc:  # a rule that raises is one finding
                        out.append(ctx.internal(rule.codes[0], exc, line))
                for codes, c in cross:
                    try:
                        out.extend(c.feed(record, line, ctx))
                    except Exception as exc:
                        out.append(ctx.internal(codes[0], exc, line))
            if out:
                findings.extend(out)
            yield Row(pl.number, pl.text, pl.ending, record, tuple(out))
        self._last_ending = last.ending if last is not None else ""
        self._head = []

    def _finish(self) -> list[Finding]:
        ctx = self.context
        out: list[Finding] = []
        for codes, c in self._cross:
            try:
                out.extend(c.finish(ctx))
            except Exception as exc:
                out.append(ctx.internal(codes[0], exc))
        if len(self._endings) > 1:
            text = ", ".join(f"{_ENDING_NAMES[e]} {n}" for e, n in sorted(self._endings.items()))
            out.append(ctx.finding("SOS-005", endings=text))
        if self.parser.data_lines == 0 and self.input.sniff.size > 0:
            out.append(ctx.finding("SOS-008", lines=self.lines_read))
        return out

    # -- conveniences --------------------------------------------------------------

    @property
    def format(self) -> TextFormat:
        """How the file is written (valid after iteration)."""
        newline = self._endings.most_common(1)[0][0] if self._endings else "\r\n"
        enc = self.input.sniff.encoding
        return TextFormat(
            encoding="utf-8" if enc == "text" else enc,
            bom=self.input.sniff.bom,
            newline=newline,
            final_newline=bool(self._last_ending),
        )

    def records(self) -> Iterator[Any]:
        """Stream only the records."""
        for row in self:
            if row.record is not None:
                yield row.record


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
    period: str | int | YearMonth | None = None,
    spec: FileSpec | None = None,
    codelists: Mapping[str, CodeList] | None = None,
    name: str | None = None,
) -> Parsed:
    """Open ``source`` (a path, bytes or text) for streaming.

    ``register``/``file``/``period`` are read from a Filip-style file name and the
    file's lines when not given. ``year`` is the statistikår and chooses the spec;
    ``spec`` overrides the choice (e.g. a spec loaded with
    :func:`sosreg.load_spec`). ``codelists`` adds or replaces code lists by name for
    this file only (e.g. an imported KVÅ list).
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
    )


def load(source: Source, **kwargs: Any) -> list[Any]:
    """All records of ``source`` as a list (lines that give no record are left out)."""
    return list(parse(source, **kwargs).records())


def serialize(
    records: Iterable[Any],
    *,
    format: TextFormat | None = None,
    spec: FileSpec | None = None,
) -> bytes:
    """Write records in the file format of their spec.

    ``format`` gives encoding, BOM, line ending and final newline (default: UTF-8,
    CRLF, final newline). Parsing a valid file and serializing its records with
    ``parsed.format`` gives the same bytes.
    """
    fmt = format or TextFormat()
    lines: list[str] = []
    names: list[str] | None = spec.field_names() if spec is not None else None
    for rec in records:
        if names is None:
            names = spec_of(rec).field_names()
        lines.append(";".join([to_text(getattr(rec, n)) for n in names]))
    text = fmt.newline.join(lines)
    if lines and fmt.final_newline:
        text += fmt.newline
    codec = "utf-8-sig" if (fmt.encoding == "utf-8" and fmt.bom) else fmt.encoding
    if fmt.encoding == "utf-16":
        codec = "utf-16"
    return text.encode(codec)


def write(records: Iterable[Any], path: str | os.PathLike[str], **kwargs: Any) -> None:
    with open(path, "wb") as fh:
        fh.write(serialize(records, **kwargs))
