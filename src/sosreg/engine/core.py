"""The per-line path: lexical checks, field conversion and field checks.

A :class:`LineParser` is compiled once per file from the spec, the statistikår and the
code lists; its :meth:`LineParser.parse` is the hot path. Valid values take a fast path
(one set lookup or one regex per field); only a value that fails it is diagnosed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from sosreg import codelists as _codelists
from sosreg import identity as _identity
from sosreg.codelists import CodeList, Validity
from sosreg.engine.findings import Category, Finding, Severity
from sosreg.engine.rules import CATALOGUE
from sosreg.engine.source import MAX_LINE, PhysicalLine
from sosreg.engine.spec import FieldSpec, FileSpec
from sosreg.engine.values import (
    FORMAT_EN,
    FORMAT_SV,
    Special,
    YearMonth,
    is_canonical_amount,
    is_canonical_int,
    parse_date,
    parse_year,
    parse_yearmonth,
)

_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DIGITS: Final = str.maketrans("", "", "0123456789")
_DECIMAL: Final = re.compile(r"^-?\d+[.,]\d+$")
_SPACED_NUMBER: Final = re.compile(r"^-?\d{1,3}(?:[  .]\d{3})+$")

Converter = Callable[[str, int, list[Finding]], Any]


@attrs.define
class Context:
    """What rules know about the file being checked."""

    spec: FileSpec
    year: int
    """Statistikår."""
    period: YearMonth | int
    """The file's period: a :class:`YearMonth` for monthly files, the year for annual."""
    codelists: dict[str, CodeList | None] = attrs.field(factory=dict)
    """The lists the spec names; ``None`` where a list is not available."""
    _severity: dict[str, Severity] = attrs.field(factory=dict, init=False)
    reference_date: dt.date = attrs.field(init=False)
    """The day ages are computed on: the last day of the period."""

    def __attrs_post_init__(self) -> None:
        if isinstance(self.period, YearMonth):
            self.reference_date = self.period.last_day()
        else:
            self.reference_date = dt.date(self.period, 12, 31)

    @property
    def params(self) -> Mapping[str, Any]:
        return self.spec.params

    def severity(self, code: str) -> Severity:
        sev = self._severity.get(code)
        if sev is None:
            sev = self.spec.severity.get(code) or CATALOGUE[code].severity
            self._severity[code] = sev
        return sev

    def finding(
        self,
        code: str,
        *,
        line: int | None = None,
        field: str | None = None,
        value: str | None = None,
        category: Category | None = None,
        **params: object,
    ) -> Finding:
        """A finding of rule ``code``. ``value`` is masked here; ``field`` adds the
        field's label to the parameters."""
        rule = CATALOGUE[code]
        if field is not None and self.spec.has_field(field):
            f = self.spec.field(field)
            params.setdefault("label_sv", f.label)
            params.setdefault("label_en", f.label_en or f.label)
            if value is not None:
                value = mask_value(f, value)
        elif value is not None:
            value = _identity.mask_text(value)[:80]
        return Finding(
            code,
            self.severity(code),
            category or rule.category,
            line,
            field,
            value,
            params,
        )

    def codelist(self, name: str) -> CodeList | None:
        if name not in self.codelists:
            try:
                self.codelists[name] = _codelists.get(name)
            except KeyError:
                self.codelists[name] = None
        return self.codelists[name]


def mask_value(f: FieldSpec, value: str) -> str:
    if f.type == "identity":
        return _identity.mask(value)
    return _identity.mask_text(value)[:80]


def _format_params(f: FieldSpec) -> dict[str, str]:
    return {"format_sv": FORMAT_SV[f.type], "format_en": FORMAT_EN[f.type]}


_REASONS_SV: Final = {
    "empty": "värdet saknas",
    "ten_digits": "personnumret har 10 siffror; skriv det med 12 siffror (ÅÅÅÅMMDDNNNC)",
    "separator": "personnumret ska skrivas med 12 siffror utan bindestreck",
    "format": "värdet är varken ett personnummer, ett samordningsnummer eller ett tillfälligt id",
    "date": "datumdelen är inte ett giltigt datum",
    "luhn": "kontrollsiffran stämmer inte",
    "kind": "den sortens id godtas inte i fältet",
}
_REASONS_EN: Final = {
    "empty": "the value is missing",
    "ten_digits": "the personnummer has 10 digits; write it with 12 (YYYYMMDDNNNC)",
    "separator": "write the personnummer as 12 digits without a hyphen",
    "format": "the value is not a personnummer, samordningsnummer or temporary id",
    "date": "the date part is not a valid date",
    "luhn": "the check digit is wrong",
    "kind": "that kind of id is not accepted in this field",
}


def compile_field(f: FieldSpec, ctx: Context, notes: list[Finding]) -> Converter:
    """A function ``(text, line, findings) -> value`` for field ``f``.

    ``notes`` collects file-level findings made while compiling (a code list that is
    not available).
    """
    name = f.name
    mandatory = f.mandatory
    length = f.length
    code_mandatory = f.rule_for("mandatory", "SOS-201")
    code_format = f.rule_for("format", "SOS-202")
    code_length = f.rule_for("length", "SOS-203")

    def missing(line: int, out: list[Finding]) -> None:
        if mandatory:
            out.append(ctx.finding(code_mandatory, line=line, field=name, category=Category.FIELD))

    def bad_format(text: str, line: int, out: list[Finding], **extra: str) -> None:
        out.append(
            ctx.finding(
                code_format,
                line=line,
                field=name,
                value=text,
                category=Category.FIELD,
                **_format_params(f),
                **extra,
            )
        )

    def too_long(text: str, line: int, out: list[Finding]) -> bool:
        if length is not None and len(text) > length:
            out.append(
                ctx.finding(
                    code_length,
                    line=line,
                    field=name,
                    value=text,
                    category=Category.FIELD,
                    length=len(text),
                    max=length,
                )
            )
            return True
        return False

    if f.type == "code":
        return _compile_code(f, ctx, notes, missing, too_long)
    if f.type in ("integer", "amount", "year"):
        return _compile_number(f, ctx, notes, missing, bad_format, too_long)
    if f.type in ("date", "yearmonth"):
        parse = parse_date if f.type == "date" else parse_yearmonth

        def conv_date(text: str, line: int, out: list[Finding]) -> Any:
            if not text:
                missing(line, out)
                return None
            value = parse(text)
            if value is None:
                bad_format(text, line, out)
            return value

        return conv_date
    if f.type == "identity":
        return _compile_identity(f, ctx, missing)

    def conv_text(text: str, line: int, out: list[Finding]) -> Any:
        if not text:
            missing(line, out)
            return None
        too_long(text, line, out)
        return text

    return conv_text


def _compile_code(
    f: FieldSpec,
    ctx: Context,
    notes: list[Finding],
    missing: Callable[[int, list[Finding]], None],
    too_long: Callable[[str, int, list[Finding]], bool],
) -> Converter:
    name = f.name
    year = ctx.year
    cl = ctx.codelist(f.codelist) if f.codelist else None
    if cl is not None and not cl.as_of(year):
        cl = None  # a list with nothing for this year cannot say what is valid in it
    if f.codelist and cl is None:
        notes.append(
            ctx.finding(
                "SOS-013", field=name, codelist=f.codelist, year=year, category=Category.FILE
            )
        )
    width = f.width or (cl.width if cl is not None else None)
    fast: frozenset[str] = frozenset(
        c.code for c in (cl.as_of(year) if cl is not None else ()) if c.warning is None
    )
    codes = {
        "unknown": f.rule_for("code.unknown", "SOS-205"),
        "expired": f.rule_for("code.expired", "SOS-206"),
        "not_yet": f.rule_for("code.not_yet", "SOS-207"),
        "lost_zero": f.rule_for("code.lost_zero", "SOS-208"),
        "flagged": f.rule_for("code.flagged", "SOS-209"),
        "format": f.rule_for("format", "SOS-202"),
        "padded": f.rule_for("code.padded", "SOS-213"),
    }
    listname = cl.title if cl is not None else ""
    rejects = [(code, re.compile(rx)) for code, rx in f.reject.items()]
    pattern = re.compile(f.pattern) if f.pattern else None
    pad_width = f.pad_width

    def check_shape(text: str, line: int, out: list[Finding]) -> bool:
        """Reject patterns and the field's pattern; True if the value may go on."""
        for code, rx in rejects:
            if rx.search(text):
                out.append(
                    ctx.finding(code, line=line, field=name, value=text, category=Category.FIELD)
                )
                return False
        if pattern is None or pattern.fullmatch(text):
            return True
        if pad_width is not None and len(text) <= pad_width:
            for cut in range(len(text) - 1, 0, -1):
                head, tail = text[:cut], text[cut:]
                if tail.strip(" 0") == "" and pattern.fullmatch(head):
                    out.append(
                        ctx.finding(
                            codes["padded"],
                            line=line,
                            field=name,
                            value=text,
                            category=Category.FIELD,
                            suggestion=head,
                            width=pad_width,
                        )
                    )
                    return False
        out.append(
            ctx.finding(
                codes["format"],
                line=line,
                field=name,
                value=text,
                category=Category.FIELD,
                format_sv=f.pattern_text or f"på formen {f.pattern}",
                format_en=f.pattern_text_en or f"of the form {f.pattern}",
            )
        )
        return False

    def conv_code(text: str, line: int, out: list[Finding]) -> Any:
        if text in fast:
            return text
        if not text:
            missing(line, out)
            return None
        if (rejects or pattern is not None) and not check_shape(text, line, out):
            return text
        if cl is None:
            if width is not None and len(text) != width:
                out.append(
                    ctx.finding(
                        codes["format"],
                        line=line,
                        field=name,
                        value=text,
                        category=Category.FIELD,
                        format_sv=f"en kod med {width} tecken",
                        format_en=f"a code of {width} characters",
                    )
                )
            else:
                too_long(text, line, out)
            return text
        status, entry = cl.lookup(text, year)
        if status is Validity.VALID:
            assert entry is not None and entry.warning is not None
            out.append(
                ctx.finding(
                    codes["flagged"],
                    line=line,
                    field=name,
                    value=text,
                    category=Category.FIELD,
                    note=entry.warning,
                )
            )
            return text
        if (
            width is not None
            and len(text) < width
            and text.isdigit()
            and cl.is_valid(text.zfill(width), year)
        ):
            out.append(
                ctx.finding(
                    codes["lost_zero"],
                    line=line,
                    field=name,
                    value=text,
                    category=Category.FIELD,
                    suggestion=text.zfill(width),
                    list=listname,
                )
            )
            return text
        if status is Validity.EXPIRED:
            assert entry is not None
            out.append(
                ctx.finding(
                    codes["expired"],
                    line=line,
                    field=name,
                    value=text,
                    category=Category.FIELD,
                    valid_to=entry.valid_to,
                    year=year,
                    list=listname,
                )
            )
        elif status is Validity.NOT_YET:
            assert entry is not None
            out.append(
                ctx.finding(
                    codes["not_yet"],
                    line=line,
                    field=name,
                    value=text,
                    category=Category.FIELD,
                    valid_from=entry.valid_from,
                    year=year,
                    list=listname,
                )
            )
        else:
            out.append(
                ctx.finding(
                    codes["unknown"],
                    line=line,
                    field=name,
                    value=text,
                    category=Category.FIELD,
                    year=year,
                    list=listname,
                )
            )
        return text

    return conv_code


def _compile_number(
    f: FieldSpec,
    ctx: Context,
    notes: list[Finding],
    missing: Callable[[int, list[Finding]], None],
    bad_format: Callable[..., None],
    too_long: Callable[[str, int, list[Finding]], bool],
) -> Converter:
    name = f.name
    lo, hi = f.min, f.max
    canonical = is_canonical_amount if f.type == "amount" else is_canonical_int
    special_cl = ctx.codelist(f.special) if f.special else None
    if f.special and special_cl is None:
        notes.append(ctx.finding("SOS-013", field=name, codelist=f.special, category=Category.FILE))
    specials = frozenset(c.code for c in special_cl.as_of(ctx.year)) if special_cl else frozenset()
    code_range = f.rule_for("range", "SOS-204")
    is_year = f.type == "year"

    def conv_number(text: str, line: int, out: list[Finding]) -> Any:
        if text in specials:
            return Special(text)
        if not text:
            missing(line, out)
            return None
        if is_year:
            y = parse_year(text)
            if y is None:
                bad_format(text, line, out)
            return y
        if text.isdigit() and text.isascii() and (text[0] != "0" or len(text) == 1):
            value = int(text)  # the common case: a non-negative number, written plainly
        elif not canonical(text):
            if too_long(text, line, out):
                return None
            if f.type == "amount" and _DECIMAL.match(text):
                bad_format(
                    text,
                    line,
                    out,
                    hint_sv=" Ange beloppet i hela kronor utan decimaler.",
                    hint_en=" Give the amount in whole kronor without decimals.",
                )
            elif _SPACED_NUMBER.match(text):
                bad_format(
                    text,
                    line,
                    out,
                    hint_sv=" Ta bort tusentalsavgränsaren.",
                    hint_en=" Remove the thousands separator.",
                )
            else:
                bad_format(text, line, out)
            return None
        else:
            value = int(text)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            out.append(
                ctx.finding(
                    code_range,
                    line=line,
                    field=name,
                    value=text,
                    category=Category.FIELD,
                    min="" if lo is None else lo,
                    max="" if hi is None else hi,
                )
            )
        elif too_long(text, line, out):
            pass
        return value

    return conv_number


def _compile_identity(
    f: FieldSpec, ctx: Context, missing: Callable[[int, list[Finding]], None]
) -> Converter:
    name = f.name
    accept = f.accept or _identity.KINDS
    code_invalid = f.rule_for("identity", "SOS-210")
    code_sci = f.rule_for("identity.scientific", "SOS-211")
    parse = _identity.parse
    identity_cls = _identity.Identity

    def conv_identity(text: str, line: int, out: list[Finding]) -> Any:
        if not text:
            missing(line, out)
            return None
        result = parse(text, accept)
        if type(result) is identity_cls:
            return text
        assert isinstance(result, _identity.Invalid)
        if result.reason == "scientific":
            out.append(
                ctx.finding(code_sci, line=line, field=name, value=text, category=Category.FIELD)
            )
        else:
            out.append(
                ctx.finding(
                    code_invalid,
                    line=line,
                    field=name,
                    value=text,
                    category=Category.FIELD,
                    reason=result.reason,
                    reason_sv=_REASONS_SV[result.reason],
                    reason_en=_REASONS_EN[result.reason],
                )
            )
        return text

    return conv_identity


class LineParser:
    """Compiled for one file: turns a physical line into values and findings."""

    def __init__(self, ctx: Context, record_cls: type) -> None:
        self.ctx = ctx
        self.spec = ctx.spec
        self.record_cls = record_cls
        self.notes: list[Finding] = []
        self.converters = [compile_field(f, ctx, self.notes) for f in self.spec.fields]
        self.n = len(self.spec.fields)
        self.names = self.spec.field_names()
        self.period_index = (
            self.names.index(self.spec.period_field) if self.spec.period_field else None
        )
        if self.period_index is not None:
            pf = self.spec.fields[self.period_index]
            self.period_code = pf.rule_for("period.mismatch", "SOS-212")
        self.period = ctx.period
        self.padded = {
            i: (f.rule_for("code.padded", "SOS-213"), f.pad_width)
            for i, f in enumerate(self.spec.fields)
            if f.pad_width is not None
        }
        self.pending_short: tuple[int, int] | None = None
        self.data_lines = 0
        """Lines that are neither blank nor header/template text."""

    def parse(self, pl: PhysicalLine) -> tuple[Any, list[Finding]]:
        """Returns (record or None, findings) for one physical line."""
        ctx = self.ctx
        out: list[Finding] = []
        line = pl.number
        text = pl.text
        if pl.too_long:
            out.append(ctx.finding("SOS-102", line=line, length=pl.length, max=MAX_LINE))
            return None, out
        if not text.strip():
            out.append(ctx.finding("SOS-101", line=line))
            return None, out
        if _CONTROL.search(text):
            out.append(ctx.finding("SOS-103", line=line))
            text = _CONTROL.sub("", text)
        if "\ufffd" in text:
            out.append(ctx.finding("SOS-112", line=line))
        if '"' in text:
            stripped = text.strip()
            if len(stripped) >= 2 and stripped[0] == '"' and stripped[-1] == '"':
                out.append(ctx.finding("SOS-104", line=line))
                text = stripped[1:-1].replace('""', '"')
        if not text[:1].isdigit() and self._looks_like_header(text):
            out.append(ctx.finding("SOS-106", line=line, value=text[:60]))
            return None, out
        self.data_lines += 1
        values = text.split(";")
        n = len(values)
        if n == 1 and self.n > 1:
            for sep, sep_name in (("\t", "tabb"), (",", "komma")):
                if text.count(sep) == self.n - 1:
                    out.append(ctx.finding("SOS-107", line=line, separator=sep_name))
                    values = text.split(sep)
                    n = len(values)
                    break
        if n > self.n and not any(values[self.n :]):
            out.append(ctx.finding("SOS-109", line=line, extra=n - self.n))
            del values[self.n :]
            n = self.n
        if n != self.n:
            out.append(self._wrong_count(line, values))
            if n < self.n:
                prev = self.pending_short
                if prev is not None and prev[0] == line - 1 and prev[1] + n - 1 == self.n:
                    out.append(ctx.finding("SOS-111", line=prev[0], first=prev[0], second=line))
                self.pending_short = (line, n)
            return None, out
        if " " in text or "\u00a0" in text or '"' in text:
            for i, v in enumerate(values):
                s = v.strip(" \u00a0\t")
                if s != v:
                    padded = self.padded.get(i)
                    if padded is not None and v.lstrip() == v and len(v) <= padded[1]:
                        out.append(
                            ctx.finding(
                                padded[0],
                                line=line,
                                field=self.names[i],
                                value=v,
                                suggestion=s,
                                width=padded[1],
                                category=Category.FIELD,
                            )
                        )
                    else:
                        out.append(ctx.finding("SOS-110", line=line, field=self.names[i], value=v))
                    v = s
                if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
                    out.append(ctx.finding("SOS-105", line=line, field=self.names[i], value=v))
                    v = v[1:-1]
                values[i] = v
        converted = [conv(v, line, out) for conv, v in zip(self.converters, values, strict=True)]
        if self.period_index is not None:
            pv = converted[self.period_index]
            if pv is not None and pv != self.period:
                out.append(
                    ctx.finding(
                        self.period_code,
                        line=line,
                        field=self.names[self.period_index],
                        value=values[self.period_index],
                        period=self.period,
                        category=Category.FIELD,
                    )
                )
        return self.record_cls(*converted), out

    def _looks_like_header(self, text: str) -> bool:
        digits = len(text) - len(text.translate(_DIGITS))
        letters = sum(1 for c in text if c.isalpha())
        return letters > digits

    def _wrong_count(self, line: int, values: list[str]) -> Finding:
        n = len(values)
        if n < self.n:
            last = self.spec.fields[n - 1]
            where_sv = f" Raden slutar efter fält {n} ({last.name}); fält {n + 1}–{self.n} saknas."
            where_en = (
                f" The line ends after field {n} ({last.name});"
                f" fields {n + 1}–{self.n} are missing."
            )
            if not any(f.mandatory for f in self.spec.fields[n:]):
                where_sv += (
                    f" Fälten är frivilliga men semikolonen ska stå kvar:"
                    f" raden ska alltid ha {self.n - 1} semikolon."
                )
                where_en += (
                    f" The fields are optional but their semicolons must stay:"
                    f" a line always has {self.n - 1} semicolons."
                )
            return self.ctx.finding(
                "SOS-108",
                line=line,
                count=n,
                expected=self.n,
                where_sv=where_sv,
                where_en=where_en,
            )
        return self.ctx.finding(
            "SOS-108",
            line=line,
            count=n,
            expected=self.n,
            where_sv=f" Raden har {n - self.n} fält för mycket.",
            where_en=f" The line has {n - self.n} fields too many.",
        )
