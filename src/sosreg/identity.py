"""Personnummer, samordningsnummer and the registers' temporary identities.

Everything here is deterministic: ages and plausibility are computed against a
*reference date* the caller gives (the end of the reporting period), never today.

Kinds (the names used in specs, field by field):

``pnr``
    Personnummer, 12 digits ``ÅÅÅÅMMDDNNNC``; Luhn check digit over ``ÅÅMMDDNNN``;
    the second-to-last digit is odd for men and even for women.
``snr``
    Samordningsnummer: as ``pnr`` with day + 60 (61–91). Where the birth day is not
    known the day is ``60``, and where the month is not known either, the month is
    ``00`` too: ``ÅÅÅÅMM60NNNC`` or ``ÅÅÅÅ0060NNNC``. Month ``00`` goes only with day
    ``60``; a day ``00``, ``32``–``59`` or ``92``–``99`` is never valid.
``tf``
    No number known (EKB, HSLF-FS 2015:30): birth date as far as known followed by
    ``TF00``: ``ÅÅÅÅMMDDTF00``, ``ÅÅÅÅMMTF00`` or ``ÅÅÅÅTF00``.
``t3``
    Birth date + ``T`` + three digits: ``ÅÅÅÅMMDDT123`` (BU, HSLF-FS 2016:22; also
    accepted in EKB).

Only the ASCII digits ``0``–``9`` are digits here (``str.isdigit`` and a ``str``
regex's ``\\d`` also accept ``²``, ``２`` and ``٢``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
import unicodedata
from typing import Final

import attrs

KINDS: Final = ("pnr", "snr", "tf", "t3")
# Patterns are used with ``fullmatch`` (``$`` would also match before a final "\n").
TF_PATTERN: Final = r"([0-9]{4})([0-9]{2})?([0-9]{2})?TF00"
"""A ``tf`` id's shape (whole value; the same to Python's ``re`` and to polars)."""
T3_PATTERN: Final = r"([0-9]{4})([0-9]{2})([0-9]{2})T[0-9]{3}"
"""A ``t3`` id's shape (whole value; the same to Python's ``re`` and to polars)."""
_TF = re.compile(TF_PATTERN)
_T3 = re.compile(T3_PATTERN)
_SCIENTIFIC = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+")
_SEPARATED = re.compile(r"(?:[0-9]{6}|[0-9]{8})[-+ ][0-9]{4}")


def _is_ascii_digits(s: str) -> bool:
    """``s`` is non-empty and only ASCII ``0``–``9`` (``"²"``, ``"２"`` are not)."""
    return s.isascii() and s.isdigit()


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
        """The earliest day the person can have been born."""
        return dt.date(self.year, self.month or 1, self.day or 1)

    def latest_birth(self) -> dt.date:
        """The latest day the person can have been born."""
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


DOUBLED: Final = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
"""Luhn: what a digit in a doubled position counts (``2·d``, its digits summed). The
positions are counted from the right, the check digit at 0; the odd ones are doubled.
Every form of the Luhn sum (here, and the polars masks of
:mod:`sosreg.engine.types`) is made from this table and :func:`luhn_weight`."""
_DOUBLED: Final = str.maketrans("0123456789", "".join(map(str, DOUBLED)))


def luhn_weight(digit: int, position: int) -> int:
    """What ``digit`` counts in the Luhn sum at ``position`` (from the right, the check
    digit at 0)."""
    return DOUBLED[digit] if position % 2 else digit


def luhn_sums(width: int, first: int = 0) -> list[int]:
    """The Luhn sum of every group of ``width`` digits whose lowest digit stands at
    position ``first``, indexed by the group read as a number (``"042"`` is index 42):
    the tables that turn the sum of a long number into a few lookups.

    >>> luhn_sums(2)[8:13]
    [8, 9, 2, 3, 4]
    >>> (luhn_sums(5, 5)[81122] + luhn_sums(5)[89874]) % 10  # 8112289874: valid
    0
    """
    sums = [0]
    for position in reversed(range(first, first + width)):  # the highest digit first
        row = [luhn_weight(d, position) for d in range(10)]
        sums = [s + w for s in sums for w in row]
    return sums


def _luhn_sum(digits: str) -> int:
    """The Luhn sum of ASCII ``digits`` (weights 1, 2, 1, … from the right)."""
    rev = digits[::-1]
    # Every digit is chr(48 + d), so the byte sum less 48 per digit is the digit sum.
    return sum((rev[0::2] + rev[1::2].translate(_DOUBLED)).encode()) - 48 * len(digits)


def _luhn_tables() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    """Luhn sums of the three parts (3, 3 and 4 digits) of a 10-digit number, by part's
    text: three dict lookups instead of a pass over the digits (about twice as fast)."""
    out = []
    for width, first in ((3, 7), (3, 4), (4, 0)):
        out.append({f"{n:0{width}d}": s for n, s in enumerate(luhn_sums(width, first))})
    return out[0], out[1], out[2]


_L1, _L2, _L3 = _luhn_tables()


def luhn_ok(digits: str) -> bool:
    """Luhn (mod 10, weights 2,1,2,1,…) over a string of digits, check digit last.

    False for anything but ASCII digits.

    >>> luhn_ok("8112289874"), luhn_ok("8112289875"), luhn_ok("８112289874")
    (True, False, False)
    """
    return _is_ascii_digits(digits) and _luhn_sum(digits) % 10 == 0


def luhn_digit(digits: str) -> str:
    """The check digit that makes ``digits + check`` pass :func:`luhn_ok`.

    >>> luhn_digit("811228987")
    '4'
    """
    if digits and not _is_ascii_digits(digits):
        raise ValueError(f"not ASCII digits: {digits!r}")
    return str(-_luhn_sum(digits + "0") % 10)


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
    if n == 12 and _is_ascii_digits(value):
        if not luhn_ok(value[2:]):
            return Invalid("luhn")
        return _parse_twelve(value)
    if "T" in value:
        match = _TF.fullmatch(value)
        if match:
            ty = int(match.group(1))
            tm = int(match.group(2)) if match.group(2) else None
            td = int(match.group(3)) if match.group(3) else None
            if tm is not None and not 1 <= tm <= 12:
                return Invalid("date")
            if not _valid_date(ty, tm or 1, 1 if td is None else td):  # also year 0000, day 00
                return Invalid("date")
            return Identity("tf", ty, tm, td, None)
        match = _T3.fullmatch(value)
        if match:
            y, m, d = (int(g) for g in match.groups())
            if not _valid_date(y, m, d):
                return Invalid("date")
            return Identity("t3", y, m, d, None)
        return Invalid("format")
    if _SCIENTIFIC.fullmatch(value):
        return Invalid("scientific")
    if n == 10 and _is_ascii_digits(value):
        return Invalid("ten_digits")
    if _SEPARATED.fullmatch(value):
        return Invalid("separator")
    return Invalid("format")


def _parse_twelve(value: str) -> Identity | Invalid:
    """Twelve ASCII digits with a right check digit: ``pnr``, ``snr`` or a bad date
    (the rule: :func:`day_kind`)."""
    kind = _date_kind(value[:8])
    if kind is None:
        return Invalid("date")
    y, m, d = int(value[0:4]), int(value[4:6]), int(value[6:8])
    sex = "M" if int(value[10]) % 2 else "K"
    if kind == "pnr":
        return Identity("pnr", y, m, d, sex)
    if d == UNKNOWN_DAY:
        return Identity("snr", y, m or None, None, sex)
    return Identity("snr", y, m, d - UNKNOWN_DAY, sex)


_parse_cached = functools.lru_cache(maxsize=1 << 16)(_parse_any)

_MONTH_DAYS: Final = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

UNKNOWN_DAY: Final = 60
"""A samordningsnummer's day when the birth day is not known (with month ``00`` when the
month is not known either); a known day is written as the day + :data:`UNKNOWN_DAY`."""


def day_kind(month: int, day: int, leap: bool) -> str | None:
    """The kind (``pnr``, ``snr``) the month and day digits of a 12-digit number make
    it in a year of at least 1 (``leap``: a leap year), or ``None`` for no date: the
    one statement of the date rule of personnummer and samordningsnummer (the polars
    masks tabulate it).

    >>> day_kind(2, 29, False), day_kind(2, 89, True), day_kind(0, 60, False)
    (None, 'snr', 'snr')
    """
    if month > 12:
        return None
    if day == UNKNOWN_DAY:
        return "snr"
    if month == 0:
        return None
    kind = "pnr"
    if UNKNOWN_DAY < day <= UNKNOWN_DAY + 31:
        day -= UNKNOWN_DAY
        kind = "snr"
    if day == 0 or day > _MONTH_DAYS[month] or (month == 2 and day == 29 and not leap):
        return None
    return kind


def is_leap(year: int) -> bool:
    """Whether ``year`` is a leap year (Gregorian)."""
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@functools.lru_cache(maxsize=1 << 16)
def _date_kind(head: str) -> str | None:
    """The kind the date part ``ÅÅÅÅMMDD`` of a 12-digit number makes it (``pnr`` or
    ``snr``), or ``None`` for no date: :func:`day_kind` in the year. Cached: a file has
    far fewer birth dates than persons."""
    y = int(head[0:4])
    if y == 0:
        return None
    return day_kind(int(head[4:6]), int(head[6:8]), is_leap(y))


@functools.lru_cache(maxsize=1 << 16)
def _birth_of(head: str) -> tuple[int, int, int] | None:
    """(year, month, day) of the date part of a 12-digit number with a full birth date
    (a samordningsnummer's day - 60), or ``None``."""
    kind = _date_kind(head)
    d = int(head[6:8])
    if kind is None or d == UNKNOWN_DAY:
        return None
    return int(head[0:4]), int(head[4:6]), d - UNKNOWN_DAY if d > UNKNOWN_DAY else d


def oldest_age(value: str, on: dt.date) -> int | None:
    """The oldest age the person ``value`` identifies can have on ``on`` (as
    :meth:`Identity.age_range`), or ``None`` if ``value`` is not a valid identity.
    Fast for 12-digit numbers with a full birth date (the common case).

    >>> import datetime as dt
    >>> oldest_age("191212121212", dt.date(2023, 12, 12)), oldest_age("x", dt.date(2023, 1, 1))
    (111, None)
    """
    if twelve_digit_kind(value) is not None:
        born = _birth_of(value[:8])  # None: the day is unknown
        if born is not None:
            y, m, d = born
            return on.year - y - ((on.month, on.day) < (m, d))
    who = parse(value)
    if not isinstance(who, Identity):
        return None
    return who.age_range(on)[1]


def twelve_digit_kind(value: str) -> str | None:
    """``"pnr"`` or ``"snr"`` if ``value`` is a valid 12-digit personnummer or
    samordningsnummer, else ``None`` (also for every other kind of id): the fast test
    the compiled line functions use; :func:`parse` agrees with it.

    >>> twelve_digit_kind("191212121212"), twelve_digit_kind("191212721214")
    ('pnr', None)
    """
    if len(value) != 12 or not (value.isascii() and value.isdigit()):
        return None
    v = value  # the expression below is twelve_digit_source("v"), the names with a "_"
    return None if (_L1[v[2:5]] + _L2[v[5:8]] + _L3[v[8:]]) % 10 else _date_kind(v[:8])


TWELVE_DIGIT_PARTS: Final = (_date_kind, _L1, _L2, _L3)
"""What :func:`twelve_digit_kind` is made of, for code that inlines it (the compiled
line functions, through :func:`twelve_digit_source`), bound as ``date_kind``, ``L1``,
``L2`` and ``L3``."""


def twelve_digit_source(v: str, suffix: str = "") -> str:
    """The source of :func:`twelve_digit_kind`'s test, for code that inlines it: an
    expression giving the kind (or ``None``) of the variable ``v``, already known to be
    12 ASCII digits, over :data:`TWELVE_DIGIT_PARTS` bound as ``date_kind{suffix}``,
    ``L1{suffix}``, ``L2{suffix}``, ``L3{suffix}``: the last line of
    :func:`twelve_digit_kind`, word for word (``tests/test_field_types.py`` checks it).

    >>> twelve_digit_source("v")
    'None if (L1[v[2:5]] + L2[v[5:8]] + L3[v[8:]]) % 10 else date_kind(v[:8])'
    """
    k, l1, l2, l3 = (f"{name}{suffix}" for name in ("date_kind", "L1", "L2", "L3"))
    return f"None if ({l1}[{v}[2:5]] + {l2}[{v}[5:8]] + {l3}[{v}[8:]]) % 10 else {k}({v}[:8])"


# -- making identities (generators, hypothesis strategies, damages) -------------------------

PRECISIONS: Final = ("day", "month", "year")
"""How much of the birth date an identity gives: all of it, the month, the year only."""


def date_digits(birth: dt.date, kind: str = "pnr", precision: str = "day") -> str:
    """The date part ``ÅÅÅÅMMDD`` of a personnummer (``kind`` ``"pnr"``) or
    samordningsnummer (``"snr"``: the day + :data:`UNKNOWN_DAY`; where the day is not
    known, day ``60``, and where the month is not known either, month ``00``).

    >>> born = dt.date(1980, 2, 3)
    >>> date_digits(born), date_digits(born, "snr")
    ('19800203', '19800263')
    >>> date_digits(born, "snr", "month"), date_digits(born, "snr", "year")
    ('19800260', '19800060')
    """
    month, day = birth.month, birth.day
    if kind == "snr":
        day = UNKNOWN_DAY if precision != "day" else day + UNKNOWN_DAY
        month = 0 if precision == "year" else month
    elif precision != "day":
        raise ValueError(f"a personnummer gives the whole birth date, not its {precision}")
    return f"{birth.year:04d}{month:02d}{day:02d}"


def luhn_part(digits: str, position: int) -> int:
    """The Luhn sum of ``digits`` whose last digit stands at ``position`` (from the
    right, the check digit at 0): a part of a number's sum, for makers that cache it.

    >>> (luhn_part("811228", 4) + luhn_part("987", 1) + 4) % 10
    0
    """
    return sum(luhn_weight(int(c), position + i) for i, c in enumerate(reversed(digits)))


def check_digit(total: int) -> int:
    """The check digit of a number whose other digits have Luhn sum ``total`` (their
    :func:`luhn_part` from position 1)."""
    return -total % 10


def number(birth: dt.date, serial: int, kind: str = "pnr", precision: str = "day") -> str:
    """The personnummer or samordningsnummer (``kind``) of a person born ``birth``
    (known to ``precision``) with serial number ``serial`` (0–999; its last digit odd
    for men), the check digit computed.

    >>> number(dt.date(1912, 12, 12), 121), number(dt.date(1912, 12, 12), 121, "snr")
    ('191212121212', '191212721219')
    """
    head = date_digits(birth, kind, precision)
    body = f"{head[2:]}{serial:03d}"
    return f"{head[:2]}{body}{luhn_digit(body)}"


def temporary(birth: dt.date, kind: str = "tf", precision: str = "day", serial: int = 0) -> str:
    """A temporary id: ``tf`` (the birth date as far as known (``precision``), then
    ``TF00``) or ``t3`` (the birth date, ``T`` and the three digits of ``serial``).

    >>> born = dt.date(1980, 2, 3)
    >>> temporary(born, "tf", "month"), temporary(born, "t3", serial=7)
    ('198002TF00', '19800203T007')
    """
    digits = f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"
    if kind == "t3":
        return f"{digits}T{serial:03d}"
    return digits[: {"day": 8, "month": 6, "year": 4}[precision]] + "TF00"


def make(birth: dt.date, kind: str = "pnr", *, serial: int = 0, precision: str = "day") -> str:
    """A valid identity of ``kind`` (:data:`KINDS`): :func:`number` or :func:`temporary`."""
    if kind in ("pnr", "snr"):
        return number(birth, serial, kind, precision)
    return temporary(birth, kind, precision, serial)


def precisions(kind: str, birth: dt.date, born_from: dt.date, born_to: dt.date) -> list[str]:
    """How much of ``birth`` an identity of ``kind`` may leave out and still promise a
    birth in ``[born_from, born_to]`` (a personnummer and a ``t3`` id give the day)."""
    out = ["day"]
    if kind not in ("snr", "tf"):
        return out
    if born_from <= birth.replace(day=1) and _last_day(birth.year, birth.month) <= born_to:
        out.append("month")
    if born_from <= dt.date(birth.year, 1, 1) and dt.date(birth.year, 12, 31) <= born_to:
        out.append("year")
    return out


def wrong_check_digit(value: str) -> str | None:
    """A 12-digit number with its check digit changed (no longer Luhn-valid), or
    ``None`` for a value that is not 12 digits."""
    if len(value) != 12 or not _is_ascii_digits(value):
        return None
    return value[:11] + str((int(value[11]) + 1) % 10)


def scientific(value: str) -> str | None:
    """A 12-digit number as a spreadsheet shows it in scientific notation
    (``1,99201E+11``), or ``None`` for a value that is not 12 digits."""
    if len(value) != 12 or not _is_ascii_digits(value):
        return None
    return f"{value[0]},{value[1:6]}E+11"


def is_valid(value: str, accept: tuple[str, ...] = KINDS) -> bool:
    """Whether ``value`` is a valid identity of one of the kinds in ``accept``."""
    return isinstance(parse(value, accept), Identity)


_DIGIT_SHAPED = re.compile(r"([0-9]{6}|[0-9]{8})(?:[-+ ]?[0-9]{4}|-\*{4})")


def mask(value: str) -> str:
    """A rendering of an identity value that is safe in reports: ``19121212-****``.

    Never shows more than :func:`mask_text` would: what it returns is a prefix of
    ``mask_text(value)`` followed by ``*`` (or ``-****``). A value of 10 or 12 digits
    (with or without ``-``, ``+`` or a space before the last four) keeps only its
    first six or eight, whatever the date; anything else at most its first eight
    characters.

    >>> mask("191212121212")
    '19121212-****'
    >>> mask("121212+1212")
    '121212-****'
    >>> mask("199913451234")  # no date, and still masked
    '19991345-****'
    >>> mask("1,9121E+11")
    '1,9121E+**'
    >>> mask("1980TF00")
    '1980TF00'
    """
    masked = mask_text(value)
    shaped = _DIGIT_SHAPED.fullmatch(masked)
    if shaped:
        return shaped.group(1) + "-****"
    if len(masked) <= 8:
        return masked
    if len(masked) == 12 and _is_ascii_digits(masked[:8]):
        return masked[:8] + "-****"
    return masked[:8] + "*" * min(4, len(masked) - 8)


# The first digit of a run (a character class first lets the regex engine skip to
# digits quickly), then the rest of the birth-date part (group "d": identity shaped,
# "t", "u": a temporary id, "z": identity shaped after leading zeros), then the last four,
# then the end of the run. Between the parts of the date a separator may stand
# (``1946-09-86``, ``1946.09.86``), and before the last four one of ``-+ ./``.
_MONTH: Final = r"[-./ ]?(?:0[0-9]|1[0-2])"
_DAY: Final = r"[-./ ]?(?:[0-2][0-9]|3[01]|[6-8][0-9]|9[01])"
_MASKABLE: Final = re.compile(
    r"[0-9](?<![0-9]{2})(?:"
    r"(?P<d>(?:[0-9]{2})?[0-9]" + _MONTH + _DAY + r")[-+ ./]?[0-9]{4}"
    r"|(?P<t>[0-9]{7})[-+]?T(?:[0-9]{3}|F00)|(?P<u>[0-9]{5})[-+]?T[0-9]{3}"
    r"|(?<=0)0*(?P<z>(?:[0-9]{2}){1,2}" + _MONTH + _DAY + r")[-+ ./]?[0-9]{4}"
    r")(?![0-9])(?![-./][0-9]{2}[-./][0-9]{2}(?![0-9]))"
)
# The last lookahead: "last four" digits that go on as a date's "-MM-DD" are the year of
# the next date in a range ("2023-02-01–2023-06-30"), not a personnummer's last four.
# Digits followed by "-****" are masked like any others: a personnummer followed by a
# literal "-****" is still a personnummer. What masking keeps of a long run of digits
# can be identity shaped again ("0000000000000000" → "000000000000-****"), so
# mask_text masks until nothing more is masked: masking twice is masking once.
IDENTITY_NUMBER: Final = (
    r"^-?0*(?:[0-9]{2}){1,2}(?:0[0-9]|1[0-2])(?:[0-2][0-9]|3[01]|[6-8][0-9]|9[01])[0-9]{4}$"
)
"""The numbers :func:`looks_like_identity` is true for, as a pattern that means the
same to Python's ``re`` and to polars (Rust's ``regex``): what :func:`mask_text` masks
in a value of ASCII digits with an optional sign (10 or 12 digits, leading zeros
aside, whose date part could be a personnummer's or samordningsnummer's)."""
_IDENTITY_NUMBER: Final = re.compile(IDENTITY_NUMBER)
IDENTITY_NUMBER_MIN: Final = 10**9
"""The smallest absolute value :func:`looks_like_identity` can be true for (10 digits):
a number field whose values stay below it needs no test."""


def looks_like_identity(value: str) -> bool:
    """Whether the text of a number (``value``, as written in a number field) is
    identity shaped: a personnummer or samordningsnummer of 10 or 12 digits (any check
    digit, leading zeros and a sign aside), which must never reach a table as a number.
    The one test of a number field's value (the converters, the columnar masks and the
    frames use :data:`IDENTITY_NUMBER` or this).

    >>> looks_like_identity("194609869740"), looks_like_identity("-8503122345")
    (True, True)
    >>> looks_like_identity("8450"), looks_like_identity("199913451234")  # no date
    (False, False)
    """
    return len(value) >= 10 and _IDENTITY_NUMBER.match(value) is not None


def _masked_at(text: str, match: re.Match[str]) -> str:
    """The masked form of ``match`` (found in ``text`` or in its normalised form, of
    the same length): ``text`` up to the end of the birth-date part, then ``-****``."""
    return text[match.start() : match.end(match.lastgroup or 0)] + "-****"


_SEPARATOR_CHARS: Final = frozenset("\u2212\u2796\ufe63\u02d7\u2043")
"""Minus signs and hyphen-like characters outside the dashes (``Pd``): read as ``-``."""


class _Normal(dict[int, str]):
    """For ``str.translate``: each character as a person reads it in a number, one
    character for one (so positions carry over): a decimal digit of any script its
    ASCII digit, a dash or minus ``-``, a space of any kind or an invisible format character
    (zero-width space, soft hyphen, BOM…) a space, a compatibility form (fullwidth
    ``＋``, ``．``, ``Ｔ``) its ASCII character; anything else itself."""

    def __missing__(self, code: int) -> str:
        c = chr(code)
        digit = unicodedata.decimal(c, None)
        if digit is not None:
            out = str(digit)
        else:
            cat = unicodedata.category(c)
            if cat == "Pd" or c in _SEPARATOR_CHARS:
                out = "-"
            elif cat in ("Zs", "Zl", "Zp", "Cf"):
                out = " "
            else:
                compat = unicodedata.normalize("NFKC", c)
                ascii = len(compat) == 1 and compat.isascii() and not compat.isdigit()
                out = compat if ascii else c  # not ² or ①: not decimal digits
        self[code] = out
        return out


_NORMAL: Final = _Normal()
_ODD: Final = re.compile(r"[^\x00-\x7fA-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff]")
"""A character that is neither ASCII nor a Latin-1 letter (``å``, ``é``): only then
can a text hold a number in other digits or separators (the slow path of
:func:`mask_text`)."""


def normalise(text: str) -> str:
    """``text`` with every character read as in a number (see :class:`_Normal`), the
    same length: ``१९४६`` becomes ``1946``, a no-break space a space, a non-breaking
    hyphen or minus sign ``-``. Used inside masking only; values are never changed.

    >>> normalise("१९४६०९८६\u20119740"), normalise("１９\xa0４６")
    ('19460986-9740', '19 46')
    """
    return text.translate(_NORMAL)


def mask_text(text: str) -> str:
    """Mask every identity-shaped run of digits in ``text``: the birth-date part is
    kept as written, the last four digits (and the separator before them) become
    ``-****``.

    Identity-shaped: 10 or 12 digits, not next to another digit, optionally with
    ``-``, ``+``, a space, ``.`` or ``/`` before the last four, whose birth-date part
    could be a personnummer's or samordningsnummer's (month 00–12, day 00–31 or
    60–91). The check digit is not looked at: a mistyped personnummer is personal
    data too. The temporary ids ``ÅÅÅÅMMDDT123`` (also ``ÅÅMMDDT123``) and
    ``ÅÅÅÅMMDDTF00`` are masked as well (not ``ÅÅÅÅMMTF00``, which is a year and a
    month).

    >>> mask_text("0330;;202301;198503122345;;2")
    '0330;;202301;19850312-****;;2'
    >>> mask_text("850312+2345 and 19850312 2345, 8503122346 (a typo)")
    '850312-**** and 19850312-****, 850312-**** (a typo)'
    >>> mask_text("samordningsnummer 198503722342, unknown day 198503602349")
    'samordningsnummer 19850372-****, unknown day 19850360-****'
    >>> mask_text("20120101T123;19800115TF00")
    '20120101-****;19800115-****'

    What a person reads as a personnummer is masked too: a date written with
    separators, leading zeros, and (read through :func:`normalise`) other digits,
    dashes and spaces; what is kept is the text as written:

    >>> mask_text("1946-09-86-9740 1946.09.86/9740 0194609869740")
    '1946-09-86-**** 1946.09.86-**** 019460986-****'
    >>> mask_text("19460986\u20119740 19460986\xa09740 19460986\u22129740")
    '19460986-**** 19460986-**** 19460986-****'
    >>> mask_text("१९४६०९८६९७४० ١٩٤٦٠٩٨٦٩٧٤٠ １９４６０９８６９７４０")
    '१९४६०९८६-**** ١٩٤٦٠٩٨٦-**** １９４６０９８６-****'

    Other numbers are left alone: periods, amounts, digit runs of other lengths or
    without a date (month 13, day 45):

    >>> mask_text("202301;8450;12345678901;198513122345;850345-2345")
    '202301;8450;12345678901;198513122345;850345-2345'

    nor a range of dates, whose second year is no personnummer's last four:

    >>> mask_text("2023-02-01–2023-06-30, 2023-02-01-2023-06-30")
    '2023-02-01–2023-06-30, 2023-02-01-2023-06-30'

    A number followed by stars is masked too (the text may mean to look masked):

    >>> mask_text("8112289874-****")
    '811228-****-****'
    """
    if len(text) < 10:  # the shortest maskable run is 10 characters
        return text
    if text.isascii() or _ODD.search(text) is None:
        return _mask_ascii(text)
    normal = text.translate(_NORMAL)
    if normal == text:  # nothing read otherwise (e.g. only letters of other scripts)
        return _mask_ascii(text)
    # Both readings, until neither masks more: masking one reading's run can split a
    # run of the other (ASCII digits then a "٠"), so masking twice is masking once.
    while True:
        masked = _mask_both(text, normal)
        if masked == text:
            return text
        text, normal = masked, masked.translate(_NORMAL)


def _mask_ascii(text: str) -> str:
    """:func:`mask_text` of text read as it is, until nothing more is masked (what is
    kept of a long run, its leading digits and a date, may be identity shaped again;
    each round masks four digits more, so it ends)."""
    while True:
        masked = _MASKABLE.sub(_masked, text)
        if masked == text:
            return text
        text = masked


def _mask_both(text: str, normal: str) -> str:
    """:func:`mask_text`'s slow path, once: what the normalised reading (``normal``)
    masks, then whatever the ASCII reading masks (12 ASCII digits then a "٢" are 13
    digits to the normalised reading, and a personnummer to a person)."""
    out: list[str] = []
    at = 0
    for match in _MASKABLE.finditer(normal):
        out += (text[at : match.start()], _masked_at(text, match))
        at = match.end()
    if out:
        out.append(text[at:])
        text = "".join(out)
    return _MASKABLE.sub(_masked, text)


def _masked(match: re.Match[str]) -> str:
    return _masked_at(match.string, match)


_TWELVE: Final = re.compile(r"([0-9]{8})[-+ ]?([0-9]{4})")
_MIN_KEY_BYTES: Final = 16


def _normalised(value: str) -> str:
    text = value.strip()
    twelve = _TWELVE.fullmatch(text)
    return twelve[1] + twelve[2] if twelve else text


def pseudonym(value: str, key: bytes) -> str:
    """A short stable token for the person ``value`` identifies, for analysts who must
    follow people across files without seeing their numbers.

    ``"p_"`` and the first 16 hex digits (64 bits) of HMAC-SHA-256 under ``key`` of
    the value normalised: surrounding whitespace stripped, and the 12-digit forms
    with a separator (``19121212-1212``) written without it. A 10-digit form is not
    given a century (that depends on a reference date, and ``-``/``+`` tells it), so
    ``121212-1212`` and ``191212121212`` get different pseudonyms; so do all other
    strings that differ after stripping.

    The same value gets the same pseudonym under one key and, but for chance,
    different values get different ones: with 64 bits, the odds of any two of ``n``
    different values colliding are about ``n² / 2⁶⁵``, about 3·10⁻¹⁰ for 100 000
    people and 3·10⁻⁶ for 10 million. Keep the key secret: there are few enough
    personnummer that anyone with the key can recover a number from its pseudonym by
    trying them all. ``TF00`` ids are not unique to a person, and neither are their
    pseudonyms.

    >>> key = bytes(range(32))
    >>> pseudonym("191212121212", key)
    'p_6352af149e826f2d'
    >>> pseudonym(" 19121212-1212 ", key) == pseudonym("191212121212", key)
    True
    >>> pseudonym("191212121212", bytes(32)) == pseudonym("191212121212", key)
    False
    """
    if len(key) < _MIN_KEY_BYTES:
        raise ValueError(f"a pseudonym key has at least {_MIN_KEY_BYTES} bytes")
    data = _normalised(value).encode("utf-8", "surrogatepass")
    return "p_" + hmac.new(key, data, hashlib.sha256).hexdigest()[:16]


@functools.cache
def session_key() -> bytes:
    """A random 32-byte key, made once per process (``secrets.token_bytes``).

    Pseudonyms under it can be linked within one run and never across runs. A
    process forked from this one after the first call shares the key; one started
    afresh (``multiprocessing`` with *spawn*) gets its own.
    """
    return secrets.token_bytes(32)


@functools.lru_cache(maxsize=1 << 16)
def _pseudonym_cached(value: str, key: bytes) -> str:
    return pseudonym(value, key)


@attrs.frozen
class Pseudonymizer:
    """:func:`pseudonym` under one key, as a function of the value (results cached).
    The key defaults to :func:`session_key` and is never shown in the repr.

    >>> to_pseudonym = Pseudonymizer(bytes(range(32)))
    >>> to_pseudonym("191212121212")
    'p_6352af149e826f2d'
    >>> to_pseudonym
    Pseudonymizer()
    """

    key: bytes = attrs.field(factory=session_key, repr=False)

    @key.validator
    def _check_key(self, _: attrs.Attribute[bytes], key: bytes) -> None:
        if len(key) < _MIN_KEY_BYTES:
            raise ValueError(f"a pseudonym key has at least {_MIN_KEY_BYTES} bytes")

    def __call__(self, value: str) -> str:
        return _pseudonym_cached(value, self.key)
