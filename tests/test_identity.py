from __future__ import annotations

import datetime as dt

import pytest
from helpers import pnr
from hypothesis import given
from hypothesis import strategies as st

from sosreg import identity
from sosreg.identity import Identity, Invalid
from sosreg.strategies import identities


def test_classic_example_is_valid() -> None:
    who = identity.parse("191212121212")
    assert who == Identity("pnr", 1912, 12, 12, "M")
    assert who.birth_date() == dt.date(1912, 12, 12)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("191212121213", "luhn"),
        ("191213321218", "date"),  # month 13 is not a date (check digit right for digits)
        ("1,9121E+11", "scientific"),
        ("1.91212E+11", "scientific"),
        ("1212121212", "ten_digits"),
        ("19121212-1212", "separator"),
        ("121212-1212", "separator"),
        ("abc", "format"),
        ("19121212TF01", "format"),
        ("", "empty"),
    ],
)
def test_invalid_reasons(value: str, reason: str) -> None:
    if reason == "date":
        body = "121332121"
        value = "19" + body + identity.luhn_digit(body)
    result = identity.parse(value)
    assert result == Invalid(reason), result


def test_sex_from_second_to_last_digit() -> None:
    assert identity.parse(pnr("19800101", 1)).sex == "M"  # type: ignore[union-attr]
    assert identity.parse(pnr("19800101", 2)).sex == "K"  # type: ignore[union-attr]


def test_samordningsnummer_day_plus_60() -> None:
    body = "800161" + "123"  # 1 January 1980, day + 60
    value = "19" + body + identity.luhn_digit(body)
    who = identity.parse(value)
    assert isinstance(who, Identity) and who.kind == "snr"
    assert who.birth_date() == dt.date(1980, 1, 1)


@pytest.mark.parametrize("mmdd", ["0000", "0500", "0060"])
def test_samordningsnummer_month_or_day_00(mmdd: str) -> None:
    body = "80" + mmdd + "123"
    value = "19" + body + identity.luhn_digit(body)
    who = identity.parse(value)
    assert isinstance(who, Identity) and who.kind == "snr"
    assert who.birth_date() is None


def test_personnummer_must_have_real_date() -> None:
    body = "800230123"  # 30 February
    assert identity.parse("19" + body + identity.luhn_digit(body)) == Invalid("date")


@pytest.mark.parametrize(
    ("value", "month", "day"),
    [("19800115TF00", 1, 15), ("198001TF00", 1, None), ("1980TF00", None, None)],
)
def test_tf_forms(value: str, month: int | None, day: int | None) -> None:
    who = identity.parse(value)
    assert who == Identity("tf", 1980, month, day, None)


def test_tf_with_bad_date() -> None:
    assert identity.parse("19800230TF00") == Invalid("date")
    assert identity.parse("198013TF00") == Invalid("date")


def test_t3_form() -> None:
    assert identity.parse("20120101T123") == Identity("t3", 2012, 1, 1, None)
    assert identity.parse("20120230T123") == Invalid("date")


def test_accepted_kinds_are_per_field() -> None:
    assert identity.parse("20120101T123", accept=("pnr",)) == Invalid("kind", "t3")
    assert identity.is_valid("20120101T123", accept=("t3",))


def test_age_is_computed_on_the_reference_date_not_today() -> None:
    who = identity.parse(pnr("20050615"))
    assert isinstance(who, Identity)
    assert who.age_range(dt.date(2023, 6, 14)) == (17, 17)
    assert who.age_range(dt.date(2023, 6, 15)) == (18, 18)


def test_age_range_of_partial_birth_date() -> None:
    who = identity.parse("2005TF00")
    assert isinstance(who, Identity)
    assert who.age_range(dt.date(2023, 6, 30)) == (17, 18)
    assert who.age_range(dt.date(2023, 12, 31)) == (18, 18)


def test_mask_keeps_birth_date_only() -> None:
    assert identity.mask("191212121212") == "19121212-****"
    assert identity.mask("1,9121E+11") == "1,9121E+**"
    assert identity.mask("1980TF00") == "1980TF00"


def test_mask_text_hides_every_number_in_a_line() -> None:
    line = "0330;;202301;191212121212;121212-1212;19121212-1212"
    masked = identity.mask_text(line)
    assert "121212121212" not in masked
    assert masked.count("-****") == 3
    assert masked.startswith("0330;;202301;")


@given(identities())
def test_generated_identities_are_valid(value: str) -> None:
    assert identity.is_valid(value)


@given(st.text(max_size=20))
def test_parse_never_raises(value: str) -> None:
    assert isinstance(identity.parse(value), (Identity, Invalid))


@given(st.text("0123456789", min_size=9, max_size=9))
def test_luhn_digit_round_trip(digits: str) -> None:
    assert identity.luhn_ok(digits + identity.luhn_digit(digits))
    wrong = str((int(identity.luhn_digit(digits)) + 1) % 10)
    assert not identity.luhn_ok(digits + wrong)
