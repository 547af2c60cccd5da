"""Identities for generated files: personnummer, samordningsnummer and temporary ids
that are unique within a file, and the date helpers the registers' makers use."""

from __future__ import annotations

import datetime as dt
from typing import Final

from sosreg import identity as _identity
from sosreg.engine.errors import UsageError
from sosreg.engine.types import dates as _dates
from sosreg.generate.rand import Rand

__all__ = [
    "MAIN_SERIALS",
    "People",
    "add_years",
    "born_for_age",
    "day_text",
    "sex_of",
    "ymd",
]

_SERIAL_SUM: Final = tuple(_identity.luhn_part(f"{s:03d}", 1) for s in range(1000))
"""The Luhn sum of each serial number ``NNN`` (positions 1–3 of ``ÅÅMMDDNNNC``)."""
MAIN_SERIALS: Final = 900
"""Serial numbers 000–899 are the clean file's, 900–999 the injections': an injected
person never takes a number the clean file uses later, so a damaged file differs from
the clean one only on its damaged lines."""


class People:
    """Identities that are unique within one generated file (or BU delivery)."""

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._days: dict[int, tuple[str, str, int]] = {}
        self._t3: set[int] = set()
        self._t3_count = [0, 0]

    def _day(self, ordinal: int, snr: bool) -> tuple[str, str, int]:
        """(century, ÅÅMMDD of a personnummer or (``snr``) samordningsnummer born that
        day, Luhn sum of ÅÅMMDD): :func:`sosreg.identity.date_digits` and
        :func:`~sosreg.identity.luhn_part`, cached."""
        key = ordinal * 2 + snr
        got = self._days.get(key)
        if got is None:
            head = _identity.date_digits(dt.date.fromordinal(ordinal), "snr" if snr else "pnr")
            body = head[2:]
            got = (head[:2], body, _identity.luhn_part(body, 4))
            self._days[key] = got
        return got

    def number(
        self,
        rng: Rand,
        born: tuple[dt.date, dt.date],
        *,
        snr: bool = False,
        sex: str | None = None,
        extra: bool = False,
    ) -> str:
        """A personnummer (``snr``: samordningsnummer, day + 60) born in ``born``
        (inclusive), never given before; ``sex`` ``"M"``/``"K"`` fixes the
        second-to-last digit; ``extra`` draws from the injections' serial numbers."""
        lo = born[0].toordinal()
        days = born[1].toordinal() - lo + 1
        base = MAIN_SERIALS if extra else 0
        span = 1000 - MAIN_SERIALS if extra else MAIN_SERIALS
        r = rng.random
        seen = self._seen
        for _ in range(10_000):
            ordinal = lo + int(r() * days)
            serial = base + int(r() * span)
            if sex is not None and (serial % 2 == 1) != (sex == "M"):
                serial = serial + 1 if serial % 2 == 0 else serial - 1
                if not base <= serial < base + span:
                    continue
            key = (ordinal * 2 + snr) * 1000 + serial
            if key in seen:
                continue
            seen.add(key)
            got = self._days.get(ordinal * 2 + snr)
            if got is None:
                got = self._day(ordinal, snr)
            century, body, total = got
            check = _identity.check_digit(total + _SERIAL_SUM[serial])
            return f"{century}{body}{serial:03d}{check}"
        raise UsageError(f"cannot find a new identity born {born[0]}–{born[1]}: too many lines")

    def t3(self, rng: Rand, born: tuple[dt.date, dt.date], *, extra: bool = False) -> str | None:
        """A temporary id ``ÅÅÅÅMMDDTnnn`` whose three digits no other has (BU-054),
        or ``None`` when they are used up."""
        base = MAIN_SERIALS if extra else 0
        span = 1000 - MAIN_SERIALS if extra else MAIN_SERIALS
        if self._t3_count[extra] >= span:
            return None
        while True:
            number = base + rng.below(span)
            if number not in self._t3:
                self._t3.add(number)
                self._t3_count[extra] += 1
                return _identity.temporary(rng.date(*born), "t3", serial=number)


ymd: Final = _dates.text
"""``ÅÅÅÅMMDD``: a day as a ``date`` field writes it (:func:`sosreg.engine.types.dates.text`)."""


_DAY_TEXT: dict[int, str] = {}


def day_text(ordinal: int) -> str:
    """``ÅÅÅÅMMDD`` of a proleptic Gregorian ordinal (cached: files repeat days)."""
    text = _DAY_TEXT.get(ordinal)
    if text is None:
        text = ymd(dt.date.fromordinal(ordinal))
        if len(_DAY_TEXT) < 1 << 17:
            _DAY_TEXT[ordinal] = text
    return text


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def born_for_age(on: dt.date, lo: int, hi: int) -> tuple[dt.date, dt.date]:
    """Birth days of persons whose age on ``on`` is in ``[lo, hi]``."""
    return add_years(on, -hi - 1) + dt.timedelta(days=1), add_years(on, -lo)


def sex_of(number: str) -> str:
    """``"M"`` or ``"K"``: the second-to-last digit of a 12-digit number."""
    return "M" if int(number[10]) % 2 else "K"
