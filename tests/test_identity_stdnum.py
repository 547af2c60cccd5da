"""sosreg's personnummer against python-stdnum's (``stdnum.se.personnummer``), over a
million random numbers.

What stdnum accepts (read from its source, the same in 1.19 and 2.2): ``is_valid`` on
the 12-digit compact form ``ÅÅÅÅMMDDNNNC`` is true iff all 12 characters are ASCII
digits, ``datetime.date(ÅÅÅÅ, MM, DD)`` exists (so month 01–12 and day 01 to the end
of that month, leap years included) and the Luhn digit over the last ten digits is
right. It knows no samordningsnummer: day + 60, month ``00`` and day ``60`` are all
invalid to it. So the like-with-like comparison is stdnum against
``parse(value, accept=("pnr",))``; samordningsnummer are tested with hypothesis in
``test_identity.py``. Should a later stdnum accept a day 61–91 (coordination
numbers), those numbers are compared with sosreg's ``snr`` instead.
"""

from __future__ import annotations

import random

import pytest

from sosreg import identity
from sosreg.identity import Identity

personnummer = pytest.importorskip("stdnum.se.personnummer")
luhn = pytest.importorskip("stdnum.luhn")
clean = pytest.importorskip("stdnum.util").clean

N = 1_000_000
SEED = 20230312


_TWICE = str.maketrans("0123456789", "0246813579")  # 2·d with its digits summed
_YEARS = [(f"{y // 100}", f"{y % 100:02d}") for y in range(1800, 2100)]
_TWO = [f"{i:02d}" for i in range(100)]
_THREE = [f"{i:03d}" for i in range(1000)]


def _check_digit(body: str) -> int:
    """Luhn digit for the nine digits ``ÅÅMMDDNNN`` (weights 2,1,…,2 from the left)."""
    total = sum(body[0::2].translate(_TWICE).encode()) + sum(body[1::2].encode()) - 48 * 9
    return -total % 10


def near_valid_numbers(n: int, seed: int) -> list[str]:
    """``n`` 12-digit strings: year 1800–2099, month 00–13, day 00–99, any serial, and
    a check digit that is right about half the time (else one of the nine others)."""
    bits = random.Random(seed).getrandbits
    out = []
    for _ in range(n):
        r = bits(64)  # 2⁶⁴ ≫ 300·14·100·1000·18: the modulo bias is negligible
        century, yy = _YEARS[r % 300]
        r //= 300
        body = yy + _TWO[r % 14] + _TWO[(r // 14) % 100] + _THREE[(r // 1400) % 1000]
        r //= 14 * 100 * 1000
        check = _check_digit(body)
        if r % 2:
            check = (check + 1 + (r // 2) % 9) % 10
        out.append(f"{century}{body}{check}")
    return out


def test_personnummer_agrees_with_stdnum_on_a_million_numbers() -> None:
    values = near_valid_numbers(N, SEED)
    assert len(set(values)) > 0.99 * N
    stdnum_valid, parse, pnr_only = personnummer.is_valid, identity.parse, ("pnr",)
    valid = 0
    disagree = []
    for value in values:
        theirs = stdnum_valid(value)
        ours = type(parse(value, pnr_only)) is Identity
        if theirs != ours:
            if theirs and int(value[6:8]) > 60:  # stdnum reading day + 60
                ours = type(parse(value, ("snr",))) is Identity
            if theirs != ours:
                disagree.append((value, theirs, ours))
        valid += theirs
    assert not disagree, f"{len(disagree)} disagreements, e.g. {disagree[:10]}"
    # Not vacuous: many valid numbers, and many invalid ones.
    assert 100_000 < valid < 500_000, valid


@pytest.mark.parametrize("value", ["191500237688", "189800463680", "198507001348", "193900987110"])
def test_both_reject_the_former_false_samordningsnummer(value: str) -> None:
    assert identity.luhn_ok(value[2:])
    assert not personnummer.is_valid(value)
    assert identity.parse(value) == identity.Invalid("date")


@pytest.mark.parametrize("digit", ["²", "２", "٢", "९", "𝟐"])
def test_non_ascii_digits(digit: str) -> None:
    """sosreg takes only ASCII digits. stdnum first folds some look-alikes to ASCII
    (``stdnum.util.clean``: full-width ``２`` and mathematical ``𝟐``, not ``²``, ``٢``
    or ``९``) and then judges the folded number."""
    valid = "191212121212"
    for i in range(12):
        if valid[i] == "2":
            value = valid[:i] + digit + valid[i + 1 :]
            assert not identity.is_valid(value)
            folded = clean(value)
            assert personnummer.is_valid(value) == (folded == valid)


def test_luhn_agrees_with_stdnum() -> None:
    rng = random.Random(SEED)
    for _ in range(20_000):
        digits = str(rng.randrange(10 ** rng.randrange(1, 13))).zfill(rng.randrange(1, 13))
        assert identity.luhn_ok(digits) == luhn.is_valid(digits), digits
        assert identity.luhn_digit(digits) == luhn.calc_check_digit(digits), digits
