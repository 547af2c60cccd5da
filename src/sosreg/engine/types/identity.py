"""``identity``: personnummer, samordningsnummer and the temporary ids a field accepts
(``accept``). Every rule of them (Luhn, the date rule, the temporary ids' shapes) is
:mod:`sosreg.identity`'s: the converter and the compiled test call it, and the polars
mask is made from its tables (:func:`sosreg.identity.luhn_sums`,
:func:`sosreg.identity.day_kind`) and patterns."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Final

from sosreg import identity as _identity
from sosreg.engine.fields import CompiledField, FieldChecks
from sosreg.engine.findings import Finding
from sosreg.engine.spec import FieldSpec
from sosreg.engine.types.base import (
    Around,
    Damage,
    FieldType,
    Source,
    below,
    between,
    damage_table,
    pick,
    slow,
    whole,
)

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


def accepted(f: FieldSpec) -> tuple[str, ...]:
    """The kinds of id field ``f`` accepts."""
    return f.accept or _identity.KINDS


def predicate(f: FieldSpec) -> Callable[[str], bool]:
    """A test that is true exactly for the values field ``f``'s converter accepts with
    no finding (the compiled line functions' fast test)."""
    accept = accepted(f)
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


def _wrong_check_digit(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    return _identity.wrong_check_digit(value)


def _scientific(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    text = _identity.scientific(value)
    return text if text is not None and around.fresh(f"{f.name}:{text}") else None


BORN: Final = (dt.date(1920, 1, 1), dt.date(2020, 12, 31))
"""The birth days :meth:`IdentityType.draw` draws from."""


class IdentityType(FieldType):
    name = "identity"
    format_sv = "ett personnummer med 12 siffror"
    format_en = "a 12-digit personnummer"
    damages: ClassVar[Mapping[str, Damage]] = damage_table(
        Damage("identity", "a personnummer with a wrong check digit", _wrong_check_digit),
        Damage(
            "identity.scientific",
            "a personnummer in scientific notation (1,99201E+11)",
            _scientific,
        ),
    )

    def compile(self, checks: FieldChecks, notes: list[Finding]) -> CompiledField:
        c = checks
        accept = accepted(c.f)
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

        return CompiledField(c.f, conv_identity)

    def bindings(self, cf: CompiledField) -> dict[str, Any]:
        date_kind, l1, l2, l3 = _identity.TWELVE_DIGIT_PARTS
        return {
            "ident": predicate(cf.spec),
            "kinds": frozenset(accepted(cf.spec)),
            "date_kind": date_kind,
            "L1": l1,
            "L2": l2,
            "L3": l3,
        }

    def fast_source(self, i: int, cf: CompiledField, ascii: bool) -> list[str]:
        """:func:`sosreg.identity.twelve_digit_kind` inlined (its own source,
        :func:`~sosreg.identity.twelve_digit_source`), then the full test."""
        v = f"v{i}"
        digits = f"{v}.isdigit()" if ascii else f"{v}.isascii() and {v}.isdigit()"
        kind = _identity.twelve_digit_source(v, str(i))
        return [
            f"    if (len({v}) == 12 and {digits} and (k := {kind}) is not None",
            f"            and k in kinds{i}):",
            f"        x{i} = {v}",
            f"    elif ident{i}({v}):",
            f"        x{i} = {v}",
            "    else:",
            *slow(i),
        ]

    def mask(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        return mask(pl, col, accepted(cf.spec))

    def quick_mask(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        """The personnummer and samordningsnummer of the kinds accepted (12 digits,
        worked on as one integer), where temporary ids are accepted too: those take
        string slices, for about 1 % of a file's ids."""
        accept = accepted(cf.spec)
        twelve = tuple(k for k in accept if k in ("pnr", "snr"))
        if not twelve or len(twelve) == len(accept):
            return None
        return mask(pl, col, twelve).fill_null(False)

    def draw(self, rnd: Source, f: FieldSpec, around: Around) -> str:
        """An identity of a kind the field accepts, born in :data:`BORN`: made by
        :func:`sosreg.identity.make` (a samordningsnummer or ``tf`` id with the birth
        date known as far as :func:`sosreg.identity.precisions` lets it)."""
        return random_identity(rnd, accepted(f), *BORN)


def random_identity(rnd: Source, kinds: Sequence[str], born_from: dt.date, born_to: dt.date) -> str:
    """A valid identity of one of ``kinds``, born in ``[born_from, born_to]``."""
    kind = pick(rnd, kinds)
    birth = dt.date.fromordinal(between(rnd, born_from.toordinal(), born_to.toordinal()))
    precision = pick(rnd, _identity.precisions(kind, birth, born_from, born_to))
    return _identity.make(birth, kind, serial=below(rnd, 1000), precision=precision)


@functools.cache
def _sum_tables(pl: Any) -> tuple[Any, Any]:
    """The Luhn sums of every 5-digit group, the low and the high half of the last ten
    digits (:func:`sosreg.identity.luhn_sums`): the same for every field (a field
    that accepts other kinds of id than another does not build them again)."""
    return (
        pl.Series(_identity.luhn_sums(5, 0), dtype=pl.Int8),
        pl.Series(_identity.luhn_sums(5, 5), dtype=pl.Int8),
    )


@functools.cache
def _tables(pl: Any, accept: tuple[str, ...]) -> tuple[Any, Any, Any]:
    """Lookup tables, so a column needs a few gathers instead of dozens of operations
    per value: the Luhn sums (:func:`_sum_tables`), and for every MMDD whether it is a valid
    birth date of an accepted kind (1: in any year, 2: in leap years only, 0: never;
    :func:`sosreg.identity.day_kind`)."""
    low, high = _sum_tables(pl)
    kinds = frozenset(accept)
    dates = [0] * 10**4
    for m in range(13):
        for d in range(100):
            if _identity.day_kind(m, d, False) in kinds:
                dates[m * 100 + d] = 1
            elif _identity.day_kind(m, d, True) in kinds:
                dates[m * 100 + d] = 2
    return low, high, pl.Series(dates, dtype=pl.Int8)


@functools.cache
def _real_days(pl: Any) -> Any:
    """For every MMDD whether it is a real day (1: in any year, 2: in leap years only,
    0: never): the temporary ids' date rule (a missing month or day counts as 1; day
    ``00`` is no date) as a lookup table."""
    table = [0] * 10**4
    days = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
    for m in range(1, 13):
        for d in range(1, days[m - 1] + 1):
            table[m * 100 + d] = 2 if (m, d) == (2, 29) else 1
    return pl.Series(table, dtype=pl.Int8)


def _shape(accept: tuple[str, ...]) -> str:
    """One pattern for the shapes of every accepted kind: 12 digits (``pnr``,
    ``snr``), :data:`sosreg.identity.T3_PATTERN`, :data:`~sosreg.identity.TF_PATTERN`."""
    shapes = []
    if "pnr" in accept or "snr" in accept:
        shapes.append("[0-9]{12}")
    if "t3" in accept:
        shapes.append(_identity.T3_PATTERN)
    if "tf" in accept:
        shapes.append(_identity.TF_PATTERN)
    if len(shapes) == 1:
        return f"^{shapes[0]}$"
    return whole("|".join(f"(?:{s})" for s in shapes)) if shapes else "^$"


def mask(pl: Any, col: Any, accept: tuple[str, ...]) -> Any:
    """True where the value is an id of an accepted kind that
    :func:`sosreg.identity.parse` accepts: a personnummer or samordningsnummer (12
    ASCII digits, right check digit, a real date), or a temporary id
    (``ÅÅÅÅMMDDTnnn``, ``ÅÅÅÅ[MM[DD]]TF00``, the date as far as given real).

    One pattern tests the shape of every kind at once; the kinds are then told apart by
    length and letters. The digits are worked on as integers shared by the kinds (the
    year ``ÅÅÅÅ``, the day ``MMDD``: a 12-digit number's, a T3 id's and a 12-character
    TF00 id's are in the same place), through the lookup tables of :func:`_tables`
    and :func:`_real_days`."""
    low, high, dates = _tables(pl, tuple(sorted(accept)))
    size = col.str.len_bytes()
    temporary = "t3" in accept or "tf" in accept
    # no nulls or negative numbers in the indexes (rows of another shape are false
    # through ``shape`` anyway): gathers are fastest without a validity mask
    raw = col.cast(pl.Int64, strict=False)  # [+-]?[0-9]+ (no space) or null
    n = raw.fill_null(0).abs()
    if temporary:
        shape = col.str.contains(_shape(accept))
    else:  # 12 ASCII digits: 12 bytes that read as a number without a sign (no
        # regular expression: a fifth of the mask's time)
        shape = (size == 12) & (raw >= 0).fill_null(False) & ~col.str.starts_with("+")
    if temporary:  # the digits before the letters, as the year and the day
        y = col.str.slice(0, 4).cast(pl.Int64, strict=False).fill_null(0)
        mmdd = col.str.slice(4, 4).cast(pl.Int64, strict=False).fill_null(0).abs()
    else:  # 12 digits only: from the number
        y, mmdd = n // 10**8, (n // 10**4) % 10**4
    leap = ((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)
    ok = pl.lit(False)
    if "pnr" in accept or "snr" in accept:
        t = pl.lit(dates).gather(mmdd)
        luhn = pl.lit(low).gather(n % 10**5).cast(pl.Int64) + pl.lit(high).gather(
            (n // 10**5) % 10**5
        )
        twelve = shape
        if temporary:  # 12 characters, no T in the ninth place (T3, TF00)
            twelve = shape & (size == 12) & (col.str.slice(8, 1) != "T")
        date_ok = (y >= 1) & ((t == 1) | ((t == 2) & leap))
        ok = twelve & date_ok & (luhn % 10 == 0)
    if not temporary:
        return ok
    r = pl.lit(_real_days(pl)).gather(mmdd)
    real = (y >= 1) & ((r == 1) | ((r == 2) & leap))
    tf = col.str.ends_with("TF00")
    if "t3" in accept:  # ÅÅÅÅMMDDTnnn: T in the ninth place, not TF00
        ok = ok | (shape & (col.str.slice(8, 1) == "T") & ~tf & real)
    if "tf" in accept:  # ÅÅÅÅMMDDTF00, ÅÅÅÅMMTF00 (the day as 1), ÅÅÅÅTF00
        month = col.str.slice(4, 2).cast(pl.Int64, strict=False)
        ok = ok | (
            shape
            & tf
            & (
                ((size == 12) & real)
                | ((size == 10) & (y >= 1) & (month >= 1) & (month <= 12))
                | ((size == 8) & (y >= 1))
            )
        )
    return ok


IDENTITY = IdentityType()
