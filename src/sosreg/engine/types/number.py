"""``integer``, ``amount`` (whole kronor, may be negative) and ``year`` (``ÅÅÅÅ``)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from sosreg import identity as _identity
from sosreg.engine.fields import CompiledField, FieldChecks
from sosreg.engine.findings import Finding
from sosreg.engine.spec import FieldSpec
from sosreg.engine.types.base import (
    INT64,
    Around,
    Damage,
    FieldType,
    Source,
    between,
    damage_table,
    literals,
    one_of,
    pick,
    slow,
    whole,
)
from sosreg.engine.values import Special, YearMonth, parse_year

INTEGER: Final = r"0|[1-9][0-9]*"
"""A whole number as the files write it (whole value; Python's ``re`` and polars)."""
AMOUNT: Final = r"0|-?[1-9][0-9]*"
"""An amount in whole kronor as the files write it."""
YEAR: Final = r"[0-9]{4}"

_DECIMAL: Final = re.compile(r"-?[0-9]+[.,][0-9]+", re.ASCII)
_SPACED_NUMBER: Final = re.compile(r"-?[0-9]{1,3}(?:[  .][0-9]{3})+", re.ASCII)


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


def _leading_zero(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    return "0" + value if value and not value.startswith("-") else None


def _decimals(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    return value + ",50" if value else None


def _outside(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    """Just above the maximum, else just below a minimum (not a special code)."""
    if not value:
        return None
    special = around.codes(f.special) if f.special else ()
    for candidate in (
        f.max + 1 if f.max is not None else None,
        f.min - 1 if f.min is not None and (f.min > 0 or f.type == "amount") else None,
    ):
        if candidate is not None and str(candidate) not in special:
            return str(candidate)
    return None


def _has_range(f: FieldSpec) -> bool:
    return f.min is not None or f.max is not None


def _personnummer(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    return "191212121212"  # Skatteverket's test number


def _other_year(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    period = around.period
    return str((period.year if isinstance(period, YearMonth) else period) + 1)


def _short_year(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    return value[2:] if value else None


_RANGE: Final = Damage("range", "a number just outside its range", _outside, _has_range)
_IDENTITY: Final = Damage("number.identity", "a personnummer in a number field", _personnummer)
DEFAULT_MAX: Final = 200_000
"""The largest number drawn for a field without a maximum."""
DEFAULT_MIN_AMOUNT: Final = -50_000
"""The smallest amount drawn for a field without a minimum."""


def number_range(lo: int, hi: int) -> str:
    """A regular expression of the canonical decimal numbers ``lo``..``hi`` (no sign,
    no leading zero; ``0 <= lo <= hi``)."""
    parts: list[str] = []
    for digits in range(len(str(lo)), len(str(hi)) + 1):
        a = max(lo, 10 ** (digits - 1) if digits > 1 else 0)
        b = min(hi, 10**digits - 1)
        if a <= b:
            parts += _same_length(str(a), str(b))
    return "|".join(parts)


def _same_length(a: str, b: str) -> list[str]:
    """Alternatives for the numbers from ``a`` to ``b``, written with as many digits."""
    if a == b:
        return [a]
    i = 0
    while a[i] == b[i]:
        i += 1
    prefix, a, b = a[:i], a[i:], b[i:]
    rest = len(a) - 1
    if rest == 0:
        return [f"{prefix}[{a}-{b}]"]
    out: list[str] = []
    low, high = int(a[0]), int(b[0])
    if a[1:] == "0" * rest:
        start = low
    else:
        out += [prefix + a[0] + p for p in _same_length(a[1:], "9" * rest)]
        start = low + 1
    end = high if b[1:] == "9" * rest else high - 1
    if start <= end:
        digit = str(start) if start == end else f"[{start}-{end}]"
        out.append(f"{prefix}{digit}[0-9]{{{rest}}}")
    if end < high:
        out += [prefix + b[0] + p for p in _same_length("0" * rest, b[1:])]
    return out


class _Number(FieldType):
    numeric = True
    pattern: ClassVar[str]
    damages: ClassVar[Mapping[str, Damage]] = damage_table(
        Damage("format", "a leading zero", _leading_zero), _RANGE, _IDENTITY
    )

    def compile(self, checks: FieldChecks, notes: list[Finding]) -> CompiledField:
        c = checks
        f = c.f
        lo, hi = f.min, f.max
        canonical = re.compile(self.pattern, re.ASCII).fullmatch
        special_cl = c.list_or_note(f.special, notes)
        specials: frozenset[str] = (
            frozenset(e.code for e in special_cl.as_of(c.ctx.when)) if special_cl else frozenset()
        )
        is_amount = self.name == "amount"
        looks_like_identity = _identity.looks_like_identity
        big = _identity.IDENTITY_NUMBER_MIN

        def diagnose(text: str, line: int, out: list[Finding]) -> None:
            if looks_like_identity(text):  # e.g. 0194609869740: a personnummer all the same
                c.emit(out, "number.identity", line, text)
                return
            if c.too_long(text, line, out):
                return
            if is_amount and _DECIMAL.fullmatch(text):
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
                    out,
                    "range",
                    line,
                    text,
                    min="" if lo is None else lo,
                    max="" if hi is None else hi,
                )
            else:
                c.too_long(text, line, out)
            return value

        return CompiledField(f, conv_number, specials={s: Special(s) for s in specials})

    def bindings(self, cf: CompiledField) -> dict[str, Any]:
        return {"specials": cf.specials} if cf.specials else {}

    def fast_source(self, i: int, cf: CompiledField, ascii: bool) -> list[str]:
        spec = cf.spec
        v, x = f"v{i}", f"x{i}"
        lo, hi = spec.min, spec.max
        tests = [] if ascii else [f"{v}.isascii()"]
        tests += [f"{v}.isdigit()", f"({v}[0] != '0' or len({v}) == 1)"]
        if spec.length is not None:
            tests.append(f"len({v}) <= {spec.length}")
        if may_hold_identity(spec):
            tests.append(f"len({v}) < 10")  # longer: the converter tests for an identity
        rng = f"({x} := int({v}))"
        if lo is not None and hi is not None:
            tests.append(f"{lo} <= {rng} <= {hi}")
        elif lo is not None:
            tests.append(f"{lo} <= {rng}")
        elif hi is not None:
            tests.append(f"{rng} <= {hi}")
        else:
            tests.append(f"({rng}) is not None")
        out = []
        if cf.specials:
            out += [f"    {x} = specials{i}.get({v})", f"    if {x} is not None:", "        pass"]
            out += [f"    elif {' and '.join(tests)}:", "        pass"]
        else:
            out += [f"    if {' and '.join(tests)}:", "        pass"]
        return [*out, "    else:", *slow(i)]

    def readable(self, pl: Any, col: Any) -> Any:
        """True where the text is a number as the files write it (the range aside)."""
        ok = col.str.contains(whole(self.pattern))
        if self.name != "year":  # a personnummer is never a number (SOS-215)
            ok = ok & ~col.str.contains(_identity.IDENTITY_NUMBER)
        return ok

    def line_pattern(self, cf: CompiledField) -> str | None:
        """The canonical numbers of the field's range (:func:`number_range`) and its
        special codes, where the range is of numbers from 0 up and leaves no room for
        an identity (else ``None``)."""
        f = cf.spec
        if f.min is None or f.max is None or f.min < 0 or may_hold_identity(f):
            return None
        hi = int(f.max) if f.length is None else min(int(f.max), 10**f.length - 1)
        parts = [number_range(int(f.min), hi)] if f.min <= hi else []
        parts += literals(cf.specials)
        return "|".join(parts) or None

    def mask(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        f = cf.spec
        ok = col.str.contains(whole(self.pattern))
        if f.length is not None:
            ok = ok & (col.str.len_chars() <= f.length)
        num = col.cast(pl.Int64, strict=False)
        if f.min is not None:
            ok = ok & (num >= f.min)
        if f.max is not None:
            ok = ok & (num <= f.max)
        ok = ok & num.is_not_null()
        if may_hold_identity(f):  # SOS-215
            ok = ok & ~col.str.contains(_identity.IDENTITY_NUMBER)
        if cf.specials:
            ok = ok | one_of(pl, col, cf.specials)
        return ok

    def python_type(self, f: FieldSpec) -> Any:
        return int | Special if f.special else int

    def polars_dtype(self, pl: Any) -> Any:
        return pl.Int64

    def cast(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        """The number (null where it is empty, unreadable, a personnummer even where the
        range has no room for one, or a special code: see ``<field>_kod``)."""
        number = pl.when(self.readable(pl, col)).then(col.cast(pl.Int64, strict=False))
        if cf.specials:
            number = pl.when(col.is_in(sorted(cf.specials))).then(None).otherwise(number)
        return number.cast(pl.Int64)

    def frame_value(self, value: Any) -> Any:
        """The number; null for a special code, one too large for Int64, and a
        personnummer (SOS-215: the parser gives ``None``; a record made by hand may
        hold one)."""
        if (
            isinstance(value, int)
            and not isinstance(value, (Special, bool))
            and INT64[0] <= value <= INT64[1]
            and not _identity.looks_like_identity(str(value))
        ):
            return value
        return None

    def pandas_array(self, pd: Any, values: list[Any]) -> Any:
        return pd.array(values, dtype="Int64")

    def bounds(self, f: FieldSpec) -> tuple[int, int]:
        """The numbers :meth:`draw` draws from: the field's range, else from 0 (an
        amount: :data:`DEFAULT_MIN_AMOUNT`) to :data:`DEFAULT_MAX`, within its length
        and short of a personnummer (SOS-215)."""
        lo = f.min if f.min is not None else (DEFAULT_MIN_AMOUNT if self.name == "amount" else 0)
        hi = f.max if f.max is not None else max(lo, DEFAULT_MAX)
        if f.length is not None:
            hi = min(hi, 10**f.length - 1)
            lo = max(lo, -(10 ** (f.length - 1) - 1))
        big = _identity.IDENTITY_NUMBER_MIN - 1
        return max(lo, -big), min(hi, big)

    def draw(self, rnd: Source, f: FieldSpec, around: Around) -> str:
        specials = around.codes(f.special) if f.special else ()
        if specials and rnd.random() < 0.1:
            return pick(rnd, specials)
        lo, hi = self.bounds(f)
        return str(between(rnd, lo, hi))

    def typed(self, text: str, f: FieldSpec, around: Around) -> Any:
        if not text:
            return None
        return Special(text) if f.special and text in around.codes(f.special) else int(text)


class Integer(_Number):
    name = "integer"
    format_sv = "ett heltal utan inledande nollor"
    format_en = "a whole number without leading zeros"
    pattern = INTEGER


class Amount(_Number):
    name = "amount"
    format_sv = "ett belopp i hela kronor (utan decimaler, mellanslag eller tusentalsavgränsare)"
    format_en = "an amount in whole kronor (no decimals, spaces or thousands separators)"
    pattern = AMOUNT
    damages: ClassVar[Mapping[str, Damage]] = damage_table(
        Damage("format", "decimals, ',50'", _decimals), _RANGE, _IDENTITY
    )


class Year(_Number):
    name = "year"
    format_sv = "ett år ÅÅÅÅ"
    format_en = "a year YYYY"
    pattern = YEAR
    damages: ClassVar[Mapping[str, Damage]] = damage_table(
        Damage("format", "a year of two digits", _short_year),
        Damage("period.mismatch", "another period on the line", _other_year),
    )

    def compile(self, checks: FieldChecks, notes: list[Finding]) -> CompiledField:
        c = checks
        special_cl = c.list_or_note(c.f.special, notes)
        specials: frozenset[str] = (
            frozenset(e.code for e in special_cl.as_of(c.ctx.when)) if special_cl else frozenset()
        )

        def conv_year(text: str, line: int, out: list[Finding]) -> Any:
            if text in specials:
                return Special(text)
            if not text:
                c.missing(line, out)
                return None
            year = parse_year(text)
            if year is None:
                c.bad_format(text, line, out)
            return year

        return CompiledField(c.f, conv_year, specials={s: Special(s) for s in specials})

    def fast_source(self, i: int, cf: CompiledField, ascii: bool) -> list[str]:
        v = f"v{i}"
        digits = f"{v}.isdigit()" if ascii else f"{v}.isascii() and {v}.isdigit()"
        test = f"    if len({v}) == 4 and {digits}:"
        return [test, f"        x{i} = int({v})", "    else:", *slow(i)]

    def mask(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        return col.str.contains(whole(YEAR))

    def line_pattern(self, cf: CompiledField) -> str | None:
        return YEAR

    def draw(self, rnd: Source, f: FieldSpec, around: Around) -> str:
        """The statistikår (the year of the period)."""
        period = around.period
        return str(period.year if isinstance(period, YearMonth) else period)

    def typed(self, text: str, f: FieldSpec, around: Around) -> Any:
        if not text:
            return None
        return Special(text) if f.special and text in around.codes(f.special) else int(text)


INTEGER_TYPE = Integer()
AMOUNT_TYPE = Amount()
YEAR_TYPE = Year()
