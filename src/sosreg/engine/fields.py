"""Field converters: text of one field to its typed value, with the field checks.

:func:`compile_field` makes one converter per field of a spec, once per file. Each has a
fast path for valid values (a set lookup, a digit test, a cached parse); only a value
that fails it is diagnosed. Findings are made by a :class:`FieldChecks`, which knows the
field's rule code for every generic check (its own, from the spec, or the engine's).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

import attrs

from sosreg import identity as _identity
from sosreg.codelists import CodeList, Validity
from sosreg.engine.context import Context
from sosreg.engine.findings import Category, Finding
from sosreg.engine.rules import say
from sosreg.engine.spec import CHECKS, FieldSpec
from sosreg.engine.values import (
    FORMAT_EN,
    FORMAT_SV,
    Special,
    is_canonical_amount,
    is_canonical_int,
    is_digits,
    parse_date,
    parse_year,
    parse_yearmonth,
)

Converter = Callable[[str, int, list[Finding]], Any]
"""``(text, line, findings) -> value``: appends its findings to ``findings``."""


@attrs.frozen
class CompiledField:
    """A field compiled for one file: its converter (the reference: every finding of
    the field is made here) and what a compiled line function needs for its fast path
    (:mod:`sosreg.engine.compiled`): the codes valid without a finding, the special
    values of a numeric field."""

    spec: FieldSpec
    conv: Converter
    fast: frozenset[str] = frozenset()
    """For a code field: values that are valid with no finding (the year's codes)."""
    specials: Mapping[str, Any] = attrs.field(factory=dict)
    """For a numeric field: special codes and the value each converts to."""
    unlisted: bool = False
    """For a code field: no code list for the year, so a value of the right shape
    (``reject``, ``pattern``, ``width``, ``length``) is valid without a finding."""


_DECIMAL: Final = re.compile(r"-?[0-9]+[.,][0-9]+", re.ASCII)
_SPACED_NUMBER: Final = re.compile(r"-?[0-9]{1,3}(?:[  .][0-9]{3})+", re.ASCII)

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


class FieldChecks:
    """Makes the findings of one field."""

    def __init__(self, f: FieldSpec, ctx: Context) -> None:
        self.f = f
        self.ctx = ctx
        self.codes = {check: f.rule_for(check) for check in CHECKS}

    def emit(
        self, out: list[Finding], check: str, line: int, text: str | None = None, **params: object
    ) -> None:
        """A finding of ``check`` (a generic check name, or a rule code) on ``line``."""
        code = self.codes.get(check, check)
        out.append(
            self.ctx.finding(
                code,
                line=line,
                field=self.f.name,
                value=text,
                category=Category.FIELD,
                collector=self.f.collector,
                **params,
            )
        )

    def missing(self, line: int, out: list[Finding]) -> None:
        if self.f.mandatory:
            self.emit(out, "mandatory", line)

    def bad_format(self, text: str, line: int, out: list[Finding], **extra: str) -> None:
        extra.setdefault("format_sv", FORMAT_SV[self.f.type])
        extra.setdefault("format_en", FORMAT_EN[self.f.type])
        extra.setdefault("hint_sv", "")
        extra.setdefault("hint_en", "")
        self.emit(out, "format", line, text, **extra)

    def too_long(self, text: str, line: int, out: list[Finding]) -> bool:
        length = self.f.length
        if length is not None and len(text) > length:
            self.emit(out, "length", line, text, length=len(text), max=length)
            return True
        return False

    def list_or_note(self, name: str | None, notes: list[Finding]) -> CodeList | None:
        """The code list ``name`` if it has codes for the year; else a file-level note
        that membership was not checked (SOS-013), and ``None``."""
        if name is None:
            return None
        cl = self.ctx.codelist(name)
        if cl is not None and not cl.as_of(self.ctx.when):
            cl = None  # a list with nothing for this year cannot say what is valid in it
        if cl is None:
            notes.append(
                self.ctx.finding(
                    "SOS-013",
                    field=self.f.name,
                    codelist=name,
                    year=self.ctx.year,
                    category=Category.FILE,
                )
            )
        return cl


def compile_field(f: FieldSpec, ctx: Context, notes: list[Finding]) -> CompiledField:
    """Field ``f`` compiled for one file. ``notes`` collects file-level findings made
    while compiling (a code list that is not available)."""
    checks = FieldChecks(f, ctx)
    if f.type == "code":
        conv, fast, unlisted = _code(checks, notes)
        return CompiledField(f, conv, fast=fast, unlisted=unlisted)
    if f.type in ("integer", "amount", "year"):
        conv, specials = _number(checks, notes)
        return CompiledField(f, conv, specials={s: Special(s) for s in specials})
    if f.type in ("date", "yearmonth"):
        return CompiledField(f, _date(checks))
    if f.type == "identity":
        return CompiledField(f, _identity_field(checks))
    return CompiledField(f, _text(checks))


def _text(c: FieldChecks) -> Converter:
    def conv_text(text: str, line: int, out: list[Finding]) -> Any:
        if not text:
            c.missing(line, out)
            return None
        c.too_long(text, line, out)
        return text

    return conv_text


def _date(c: FieldChecks) -> Converter:
    parse = parse_date if c.f.type == "date" else parse_yearmonth

    def conv_date(text: str, line: int, out: list[Finding]) -> Any:
        if not text:
            c.missing(line, out)
            return None
        value = parse(text)
        if value is None:
            c.bad_format(text, line, out)
        return value

    return conv_date


ALLOWED_SHOWN: Final = 12
"""A code list of at most this many codes for the year is named whole in an "unknown
code" finding; a longer one by its first :data:`ALLOWED_FIRST` and where to find the rest."""
ALLOWED_FIRST: Final = 8


def allowed_codes(cl: CodeList, when: int) -> dict[str, str]:
    """The parameters ``allowed_sv``/``allowed_en`` of an "unknown code" finding: the
    codes valid ``when`` (a statistikår, or a month ``ÅÅÅÅMM``: :attr:`Context.when`),
    all of them when few, else the first few and the command that lists the rest."""
    codes = [e.code for e in cl.as_of(when)]
    year = when // 100 if when > 9999 else when
    if not codes:
        return {
            "allowed_sv": f"Listan har inga giltiga koder för {year}.",
            "allowed_en": f"The list has no valid codes for {year}.",
        }
    if len(codes) <= ALLOWED_SHOWN:
        shown = ", ".join(codes)
        return {
            "allowed_sv": say("{n|Giltig kod|Giltiga koder}", n=len(codes)) + f": {shown}.",
            "allowed_en": say("{n|The valid code is|Valid codes are}", n=len(codes))
            + f": {shown}.",
        }
    first = ", ".join(codes[:ALLOWED_FIRST])
    where = f"sosreg codes {cl.name} --year {year}"
    return {
        "allowed_sv": f"Giltiga koder är bl.a. {first} (alla {len(codes)}: {where}).",
        "allowed_en": f"Valid codes include {first} (all {len(codes)}: {where}).",
    }


def _code(c: FieldChecks, notes: list[Finding]) -> tuple[Converter, frozenset[str], bool]:
    f, when = c.f, c.ctx.when
    cl = c.list_or_note(f.codelist, notes)
    # the year the messages name; the month where the list dates a code by month
    year: object = c.ctx.period if cl is not None and cl.month_dated else c.ctx.year
    width = f.width or (cl.width if cl is not None else None)
    fast: frozenset[str] = frozenset(
        e.code for e in (cl.as_of(when) if cl is not None else ()) if e.warning is None
    )
    names = {
        "list_sv": cl.title if cl is not None else "",
        "list_en": (cl.title_en or cl.title) if cl is not None else "",
    }
    allowed = allowed_codes(cl, when) if cl is not None else {}
    rejects = [(code, re.compile(rx, re.ASCII)) for code, rx in f.reject.items()]
    pattern = re.compile(f.pattern, re.ASCII) if f.pattern else None

    def shape_ok(text: str, line: int, out: list[Finding]) -> bool:
        """Reject patterns, padding and the field's pattern."""
        for code, rx in rejects:
            if rx.search(text):
                c.emit(out, code, line, text)
                return False
        if pattern is None or pattern.fullmatch(text):
            return True
        if f.pad_width is not None and len(text) <= f.pad_width:
            for cut in range(len(text) - 1, 0, -1):
                head, tail = text[:cut], text[cut:]
                if tail.strip(" 0") == "" and pattern.fullmatch(head):
                    c.emit(out, "code.padded", line, text, suggestion=head, width=f.pad_width)
                    return False
        c.bad_format(
            text,
            line,
            out,
            format_sv=f.pattern_text or f"på formen {f.pattern}",
            format_en=f.pattern_text_en or f"of the form {f.pattern}",
        )
        return False

    def conv_code(text: str, line: int, out: list[Finding]) -> Any:
        if text in fast:
            return text
        if not text:
            c.missing(line, out)
            return None
        if (rejects or pattern is not None) and not shape_ok(text, line, out):
            return text
        if cl is None:
            if width is not None and len(text) != width:
                c.bad_format(
                    text,
                    line,
                    out,
                    format_sv=f"en kod med {width} tecken",
                    format_en=say("a code of {n} {n|character|characters}", n=width),
                )
            else:
                c.too_long(text, line, out)
            return text
        status, entry = cl.lookup(text, when)
        if status is Validity.VALID:
            assert entry is not None and entry.warning is not None
            c.emit(
                out,
                "code.flagged",
                line,
                text,
                note_sv=entry.warning,
                note_en=entry.warning_en or entry.warning,
            )
        elif (
            width is not None
            and len(text) < width
            and is_digits(text)
            and cl.is_valid(text.zfill(width), when)
        ):
            c.emit(out, "code.lost_zero", line, text, suggestion=text.zfill(width), **names)
        elif status is Validity.EXPIRED:
            assert entry is not None
            c.emit(out, "code.expired", line, text, valid_to=entry.valid_to, year=year, **names)
        elif status is Validity.NOT_YET:
            assert entry is not None
            c.emit(
                out,
                "code.not_yet",
                line,
                text,
                valid_from=entry.valid_from,
                year=year,
                **names,
            )
        else:
            c.emit(out, "code.unknown", line, text, year=year, **names, **allowed)
        return text

    return conv_code, fast, cl is None


def _number(c: FieldChecks, notes: list[Finding]) -> tuple[Converter, frozenset[str]]:
    f = c.f
    lo, hi = f.min, f.max
    canonical = is_canonical_amount if f.type == "amount" else is_canonical_int
    special_cl = c.list_or_note(f.special, notes)
    specials: frozenset[str] = (
        frozenset(e.code for e in special_cl.as_of(c.ctx.when)) if special_cl else frozenset()
    )
    is_year = f.type == "year"
    looks_like_identity = _identity.looks_like_identity
    big = _identity.IDENTITY_NUMBER_MIN

    def diagnose(text: str, line: int, out: list[Finding]) -> None:
        if looks_like_identity(text):  # e.g. 0194609869740: a personnummer all the same
            c.emit(out, "number.identity", line, text)
            return
        if c.too_long(text, line, out):
            return
        if f.type == "amount" and _DECIMAL.fullmatch(text):
            c.bad_format(
                text,
                line,
                out,
                hint_sv=" Ange beloppet i hela kronor utan decimaler.",
                hint_en=" Give the amount in whole kronor without decimals.",
            )
        elif _SPACED_NUMBER.fullmatch(text):
            c.bad_format(
                text,
                line,
                out,
                hint_sv=" Ta bort tusentalsavgränsaren.",
                hint_en=" Remove the thousands separator.",
            )
        else:
            c.bad_format(text, line, out)

    def conv_number(text: str, line: int, out: list[Finding]) -> Any:
        if text in specials:
            return Special(text)
        if not text:
            c.missing(line, out)
            return None
        if is_year:
            year = parse_year(text)
            if year is None:
                c.bad_format(text, line, out)
            return year
        if text.isascii() and text.isdigit() and (text[0] != "0" or len(text) == 1):
            value = int(text)  # the common case: a non-negative number, written plainly
        elif canonical(text):
            value = int(text)
        else:
            diagnose(text, line, out)
            return None
        if (value >= big or value <= -big) and looks_like_identity(text):
            c.emit(out, "number.identity", line, text)
            return None  # never a number: it would reach tables whole
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            c.emit(
                out, "range", line, text, min="" if lo is None else lo, max="" if hi is None else hi
            )
        else:
            c.too_long(text, line, out)
        return value

    return conv_number, specials


def may_hold_identity(f: FieldSpec) -> bool:
    """Whether a number of field ``f`` that its type, range and length allow can be
    identity shaped (:func:`sosreg.identity.looks_like_identity`, SOS-215): only such
    fields need the test on the fast paths (the compiled line functions, the columnar
    masks); the converter makes it on every number it reads."""
    if f.type not in ("integer", "amount"):
        return False
    big = _identity.IDENTITY_NUMBER_MIN
    if f.length is not None and f.length < 10:
        return False
    return not (f.max is not None and f.max < big and f.min is not None and f.min > -big)


def _identity_field(c: FieldChecks) -> Converter:
    accept = c.f.accept or _identity.KINDS
    parse = _identity.parse
    valid = _identity.Identity

    def conv_identity(text: str, line: int, out: list[Finding]) -> Any:
        if not text:
            c.missing(line, out)
            return None
        result = parse(text, accept)
        if type(result) is valid:
            return text
        assert isinstance(result, _identity.Invalid)
        if result.reason == "scientific":
            c.emit(out, "identity.scientific", line, text)
        else:
            c.emit(
                out,
                "identity",
                line,
                text,
                reason=result.reason,
                reason_sv=_REASONS_SV[result.reason],
                reason_en=_REASONS_EN[result.reason],
            )
        return text

    return conv_identity


def identity_predicate(cf: CompiledField) -> Callable[[str], bool]:
    """For an identity field: a test that is true exactly for the values its converter
    accepts with no finding (used by compiled line functions)."""
    accept = cf.spec.accept or _identity.KINDS
    parse = _identity.parse
    valid = _identity.Identity
    fast = _identity.twelve_digit_kind
    kinds = frozenset(accept)

    def ok(value: str) -> bool:
        kind = fast(value)
        if kind is not None:
            return kind in kinds
        return type(parse(value, accept)) is valid  # other kinds: temporary ids

    return ok
