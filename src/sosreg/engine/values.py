"""Value types of record fields, and their text form in files."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

import attrs


@attrs.frozen(order=True)
class YearMonth:
    """A calendar month, written ``ÅÅÅÅMM``."""

    year: int
    month: int = attrs.field()

    @month.validator
    def _check(self, attribute: object, value: int) -> None:
        if not 1 <= value <= 12:
            raise ValueError(f"month {value} not in 1..12")

    @classmethod
    def parse(cls, text: str) -> YearMonth:
        if len(text) != 6 or not is_digits(text):
            raise ValueError(f"not ÅÅÅÅMM: {text!r}")
        return cls(int(text[:4]), int(text[4:]))

    def __str__(self) -> str:
        return f"{self.year:04d}{self.month:02d}"

    def __add__(self, months: int) -> YearMonth:
        index = self.year * 12 + self.month - 1 + months
        return YearMonth(index // 12, index % 12 + 1)

    def __sub__(self, other: YearMonth) -> int:
        return (self.year * 12 + self.month) - (other.year * 12 + other.month)

    def first_day(self) -> dt.date:
        """The first day of the month."""
        return dt.date(self.year, self.month, 1)

    def last_day(self) -> dt.date:
        """The last day of the month."""
        return (self + 1).first_day() - dt.timedelta(days=1)


class Special(str):
    """A special value of a numeric field that is a code, not a quantity
    (e.g. ``777`` = dygnet runt, ``88`` = ej aktuellt)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Special({str.__repr__(self)})"


Value = str | int | dt.date | YearMonth | None


def is_digits(text: str) -> bool:
    """True if ``text`` is one or more ASCII digits ``0-9``.

    ``str.isdigit()`` is also true for ``¹²³``, ``２０２３`` and ``٢٠٢٣``, which ``int()``
    then reads or refuses; in a register file only ``0-9`` are digits.

    >>> is_digits("2023"), is_digits("２０２３"), is_digits("2023¹"), is_digits("")
    (True, False, False, False)
    """
    return text.isascii() and text.isdigit()


@functools.lru_cache(maxsize=1 << 15)
def parse_date(text: str) -> dt.date | None:
    if len(text) != 8 or not is_digits(text):
        return None
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


@functools.lru_cache(maxsize=1 << 12)
def parse_yearmonth(text: str) -> YearMonth | None:
    if len(text) != 6 or not is_digits(text):
        return None
    m = int(text[4:])
    if not 1 <= m <= 12:
        return None
    return YearMonth(int(text[:4]), m)


def parse_year(text: str) -> int | None:
    """``ÅÅÅÅ`` as an int, or ``None``."""
    if len(text) != 4 or not is_digits(text):
        return None
    return int(text)


def date_text(day: dt.date) -> str:
    """``day`` as a ``date`` field writes it: ``ÅÅÅÅMMDD``."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def to_text(value: Any) -> str:
    """The text form of a field value in a file (the inverse of parsing)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("bool is not a field value")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.date):
        return date_text(value)
    if isinstance(value, YearMonth):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to a file")
