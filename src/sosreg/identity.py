"""Personnummer, samordningsnummer and the registers' temporary identities.

Everything here is deterministic: ages and plausibility are computed against a
*reference date* the caller gives (the end of the reporting period), never today.

Kinds (the names used in specs, field by field):

``pnr``
    Personnummer, 12 digits ``ÅÅÅÅMMDDNNNC``; Luhn check digit over ``ÅÅMMDDNNN``;
    the second-to-last digit is odd for men and even for women.
``snr``
    Samordningsnummer: as ``pnr`` with day + 60 (61–91); month or day may be ``00``.
``tf``
    No number known (EKB, HSLF-FS 2015:30): birth date as far as known followed by
    ``TF00``: ``ÅÅÅÅMMDDTF00``, ``ÅÅÅÅMMTF00`` or ``ÅÅÅÅTF00``.
``t3``
    Birth date + ``T`` + three digits: ``ÅÅÅÅMMDDT123`` (BU, HSLF-FS 2016:22; also
    accepted in EKB).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Final

import attrs

KINDS: Final = ("pnr", "snr", "tf", "t3")
_TF = re.compile(r"^(\d{4})(\d{2})?(\d{2})?TF00$")
_T3 = re.compile(r"^(\d{4})(\d{2})(\d{2})T\d{3}$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_SEPARATED = re.compile(r"^(?:\d{6}|\d{8})[-+ ]\d{4}$")
_MASKABLE = re.compile(r"(?<![0-9])(\d{6}|\d{8})([-+]?)(\d{4}|T\d{3}|TF00)(?![0-9])")


@attrs.frozen
class Identity:
    """A valid identity, parsed."""

    kind: str
    year: int
    month: int | None
    day: int | None
    sex: str | None
    """``"M"`` (man) or ``"K"`` (kvinna) where the number tells, else ``None``."""

    def birth_date(self) -> dt.date | None:
        """The birth date, or ``None`` where only part of it is known."""
        if self.month is None or self.day is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def earliest_birth(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest_birth(self) -> dt.date:
        if self.month is None:
            return dt.date(self.year, 12, 31)
        if self.day is None:
            return _last_day(self.year, self.month)
        return dt.date(self.year, self.month, self.day)

    def age_range(self, on: dt.date) -> tuple[int, int]:
        """(youngest possible, oldest possible) age in whole years on ``on``."""
        return age(self.latest_birth(), on), age(self.earliest_birth(), on)


@attrs.frozen
class Invalid:
    """Why a value is not a valid identity. ``reason`` is one of:

    ``empty``, ``scientific`` (Excel turned it into ``1,9121E+11``), ``ten_digits``
    (century missing), ``separator`` (``19121212-1212``), ``format``, ``date``,
    ``luhn``, ``kind`` (a valid identity of a kind the field does not accept).
    """

    reason: str
    kind: str | None = None


def _last_day(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def age(born: dt.date, on: dt.date) -> int:
    """Whole years between ``born`` and ``on`` (negative if born after ``on``)."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


_DOUBLED: Final = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10, weights 2,1,2,1,…) over a string of digits, check digit last."""
    rev = digits[::-1]  # from the right: the check digit has weight 1, the next 2, ...
    total = sum(map(int, rev[0::2])) + sum([_DOUBLED[int(c)] for c in rev[1::2]])
    return total % 10 == 0


def luhn_digit(digits: str) -> str:
    """The check digit that makes ``digits + check`` pass :func:`luhn_ok`."""
    for c in "0123456789":
        if luhn_ok(digits + c):
            return c
    raise AssertionError("unreachable")


def _valid_date(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


def parse(value: str, accept: tuple[str, ...] = KINDS) -> Identity | Invalid:
    """Parse ``value`` as an identity of one of the kinds in ``accept``.

    Results are cached (a file's rules often look at the same person more than once).
    """
    result = _parse_cached(value)
    if isinstance(result, Identity) and result.kind not in accept:
        return Invalid("kind", result.kind)
    return result


def _parse_any(value: str) -> Identity | Invalid:
    n = len(value)
    if n == 0:
        return Invalid("empty")
    if n == 12 and value.isdigit() and value.isascii():
        y, m, d = int(value[0:4]), int(value[4:6]), int(value[6:8])
        if not luhn_ok(value[2:]):
            return Invalid("luhn")
        sex = "M" if int(value[10]) % 2 else "K"
        if d > 60:
            real_day = d - 60
            if m == 0:
                return Identity("snr", y, None, real_day or None, sex)
            if not _valid_date(y, m, real_day):
                return Invalid("date")
            return Identity("snr", y, m, real_day, sex)
        if (m == 0 or d == 0) and (m <= 12):
            # Month or day 00 occurs only in samordningsnummer, which then may
            # carry no day + 60.
            if m and not 1 <= m <= 12:
                return Invalid("date")
            return Identity("snr", y, m or None, None, sex)
        if not _valid_date(y, m, d):
            return Invalid("date")
        return Identity("pnr", y, m, d, sex)
    if "T" in value:
        match = _TF.match(value)
        if match:
            ty = int(match.group(1))
            tm = int(match.group(2)) if match.group(2) else None
            td = int(match.group(3)) if match.group(3) else None
            if tm is not None and not 1 <= tm <= 12:
                return Invalid("date")
            if tm is not None and td is not None and not _valid_date(ty, tm, td):
                return Invalid("date")
            return Identity("tf", ty, tm, td, None)
        match = _T3.match(value)
        if match:
            y, m, d = (int(g) for g in match.groups())
            if not _valid_date(y, m, d):
                return Invalid("date")
            return Identity("t3", y, m, d, None)
        return Invalid("format")
    if _SCIENTIFIC.match(value):
        return Invalid("scientific")
    if n == 10 and value.isdigit():
        return Invalid("ten_digits")
    if _SEPARATED.match(value):
        return Invalid("separator")
    return Invalid("format")


_parse_cached = functools.lru_cache(maxsize=1 << 16)(_parse_any)


def is_valid(value: str, accept: tuple[str, ...] = KINDS) -> bool:
    return isinstance(parse(value, accept), Identity)


def mask(value: str) -> str:
    """A rendering of an identity value that is safe in reports: ``19121212-****``.

    Whatever ``value`` is, at most its first eight characters are kept; the rest is
    replaced by ``*`` (``1,9121E+11`` becomes ``1,9121E+**``).
    """
    if len(value) <= 8:
        return value
    if len(value) == 12 and value[:8].isdigit():
        return value[:8] + "-****"
    return value[:8] + "*" * min(4, len(value) - 8)


def mask_text(text: str) -> str:
    """Mask everything in ``text`` that looks like a full identity number."""
    return _MASKABLE.sub(lambda m: m.group(1) + "-****", text)
