"""Simple record rules declared once (:mod:`sosreg.engine.conditions`): for every rule a
register declares as conditions, the derived columnar mask is true exactly on the lines
where the derived row check gives a finding (so it never misses one), and the
generators' constraint (:func:`choose`) makes and breaks lines as the row check says."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any, ClassVar

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sosreg  # noqa: F401  (the built-in registers)
from sosreg.engine.columnar import Columns
from sosreg.engine.conditions import (
    REFERENCE_DAY,
    YEAR,
    YEAR_END,
    Check,
    Env,
    choose,
    field,
    lazily,
    param,
    record_rule,
)
from sosreg.engine.register import REGISTRY, RecordRule, SimpleRule
from sosreg.engine.values import YearMonth

TEXTS = (
    *("", "0", "00", "1", "5", "8", "9", "10", "11", "12", "31", "88", "888", "-1", "X", "01"),
    *("20230101", "20230131", "20231231", "20240101"),
)
"""Raw field texts: empty, zeros written two ways, numbers (either side of a param),
codes, a non-number, dates either side of the reference day and the year's end."""


def _simple() -> list[tuple[str, SimpleRule, RecordRule]]:
    return [
        (f"{reg.name}:{rule.record.name}", rule, rule.record)
        for reg in REGISTRY.all()
        for rule in reg.simple_rules
    ]


SIMPLE = _simple()


class _Ctx:
    """What a derived rule reads of the context: the params, the year, the reference
    day (EKB-Månad 2023-01's)."""

    params: ClassVar[dict[str, int]] = {"plausible_max_antal_barn": 10}
    year = 2023
    reference_date = dt.date(2023, 1, 31)
    period = YearMonth(2023, 1)

    def finding(self, code: str, **kw: Any) -> tuple[str, str | None, str | None]:
        return (code, kw.get("field"), kw.get("value"))


ENV = Env(_Ctx.params, _Ctx.year, _Ctx.reference_date, _Ctx.period)


def _columns() -> Columns:
    """What a mask sees (only ``pl``, ``ctx``, ``c[...]``, ``c.int`` and ``c.empty``
    are used)."""
    c = Columns.__new__(Columns)
    c.pl = pl
    c.ctx = _Ctx()  # type: ignore[assignment]
    return c


def test_the_converted_rules_are_declared() -> None:
    names = {name for name, _, _ in SIMPLE}
    assert {
        "ekb:insatsdagar",
        "ekb:medsokande_fields_manad",
        "ekb:medsokande_fields_ao",
        "ekb:no_amount_manad",
    } <= names
    assert {"sol:reason_and_end", "sol:flag_and_quantity", "bu:reason_and_end"} <= names
    # with the file's params and dates (issue 21 item 2)
    assert {
        "ekb:many_children",
        "sol:date_order",
        "bu:insats_order",
        "bu:placering_dates",
        "khsl:date_in_period",
    } <= names


@pytest.mark.parametrize(("name", "rule", "record"), SIMPLE, ids=[s[0] for s in SIMPLE])
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_mask_is_exactly_where_the_row_check_fires(
    name: str, rule: SimpleRule, record: RecordRule, data: st.DataObject
) -> None:
    fields = sorted(frozenset().union(*(c.fields() for c in rule.checks)))
    rows = data.draw(
        st.lists(st.fixed_dictionaries({f: st.sampled_from(TEXTS) for f in fields}), min_size=1)
    )
    frame = pl.DataFrame(rows, schema={f: pl.String for f in fields})
    assert record.mask is not None
    flagged = frame.select(record.mask(_columns()).alias("m")).to_series().to_list()
    for n, (row, flag) in enumerate(zip(rows, flagged, strict=True), start=1):
        rec = SimpleNamespace(**{f: (v or None) for f, v in row.items()})
        found = record.fn(rec, n, _Ctx())
        # over-approximates (never misses a finding) and, for a condition, is exact
        assert flag is (len(list(found)) > 0), (row, found)


@pytest.mark.parametrize(("name", "rule", "record"), SIMPLE, ids=[s[0] for s in SIMPLE])
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_choose_makes_and_breaks_the_check(
    name: str, rule: SimpleRule, record: RecordRule, data: st.DataObject
) -> None:
    check = data.draw(st.sampled_from(rule.checks))
    row = data.draw(st.fixed_dictionaries({f: st.sampled_from(TEXTS) for f in check.fields()}))
    for valid in (True, False):
        value = choose(check, row.__getitem__, check.field, TEXTS, valid=valid, env=ENV)
        if value is not None:
            assert check.holds({**row, check.field: value}.__getitem__, ENV) is valid


def test_typed_record_values_are_compared_as_their_text() -> None:
    insats, days = field("insats"), field("days")
    check = Check("X-1", "days", insats.given().implies((insats == "0").iff(days == 0)))
    fn = record_rule((check,))
    assert fn(SimpleNamespace(insats="0", days=0), 1, _Ctx()) == []
    assert fn(SimpleNamespace(insats="5", days=0), 2, _Ctx()) == [("X-1", "days", "0")]
    assert fn(SimpleNamespace(insats=None, days=7), 3, _Ctx()) == []


def test_lazily_draws_only_what_is_reached() -> None:
    drawn: list[str] = []

    def draw() -> str:
        drawn.append("7")
        return "7"

    check = Check("X-1", "days", field("days") == 0)
    assert choose(check, {"days": ""}.__getitem__, "days", lazily("0", draw)) == "0"
    assert drawn == []
    assert choose(check, {}.__getitem__, "days", lazily("0", draw), valid=False) == "7"
    assert drawn == ["7"]


def test_a_field_compares_with_a_str_or_an_int_only() -> None:
    with pytest.raises(TypeError):
        _ = field("x") == 1.5


def test_order_compares_numbers_and_is_false_where_there_is_none() -> None:
    amount = field("amount")
    assert (amount > 0).holds({"amount": "5"}.__getitem__)
    assert not (amount > 0).holds({"amount": "-5"}.__getitem__)
    assert not (amount > 0).holds({"amount": ""}.__getitem__)
    assert not (amount <= 0).holds({"amount": "X"}.__getitem__)
    assert (amount >= 5).holds({"amount": "5"}.__getitem__)
    assert (amount < 5).holds({"amount": "-1"}.__getitem__)
    frame = pl.DataFrame({"amount": ["5", "-5", "", "X"]})
    got = frame.select((amount > 0).expr(_columns()).alias("m")).to_series().to_list()
    assert got == [True, False, False, False]
    with pytest.raises(TypeError):
        _ = amount > "0"  # type: ignore[operator]


def test_a_register_gives_its_checks_by_file_and_code() -> None:
    from sosreg.registers.ekb import checks

    ekb = REGISTRY.get("ekb")
    assert ekb.checks("manad", "EKB-027") == list(checks.DAYS.values())
    assert ekb.checks("ao") == list(checks.MED_AO)
    assert ekb.checks("ar") == []


def test_a_param_threshold_and_the_files_days() -> None:
    """A field against a param, another field, the reference day and the year's end:
    the row check, the mask and the generators' constraint agree, and the finding's
    parameters are the param's number and the day's text."""
    n, start, end = field("n"), field("start"), field("end")
    checks = (
        Check(
            "X-1",
            "n",
            ~(n > param("plausible_max_antal_barn")),
            args={"limit": param("plausible_max_antal_barn")},
        ),
        Check("X-2", "end", ~(end < start), args={"start": "start"}),
        Check("X-3", "end", ~(end > REFERENCE_DAY), args={"date": REFERENCE_DAY}),
        Check("X-4", "start", ~(start > YEAR_END), args={"year": YEAR}),
    )
    rows = [
        {"n": "10", "start": "20230101", "end": "20230131"},
        {"n": "11", "start": "20230105", "end": "20230104"},
        {"n": "", "start": "20240101", "end": "20230201"},
        {"n": "X", "start": "", "end": ""},
    ]
    fn = record_rule(checks)
    found = [
        fn(SimpleNamespace(**{k: v or None for k, v in r.items()}), i, _Ctx())
        for i, r in enumerate(rows, 1)
    ]
    assert found == [
        [],
        [("X-1", "n", "11"), ("X-2", "end", "20230104")],
        [("X-2", "end", "20230201"), ("X-3", "end", "20230201"), ("X-4", "start", "20240101")],
        [],
    ]
    frame = pl.DataFrame(rows)
    for check in checks:
        flags = frame.select(check.fails(_columns()).alias("m")).to_series().to_list()
        assert flags == [not check.holds(r.__getitem__, ENV) for r in rows], check.code
        assert flags == [any(f[0] == check.code for f in got) for got in found], check.code
    assert choose(checks[0], rows[0].__getitem__, "n", ("9", "11"), valid=False, env=ENV) == "11"
    with pytest.raises(ValueError, match="env="):
        checks[0].holds(rows[0].__getitem__)


def test_message_params_of_known_numbers() -> None:
    class Ctx(_Ctx):
        def finding(self, code: str, **kw: Any) -> Any:
            return kw

    check = Check(
        "X-1",
        "n",
        ~(field("n") > param("plausible_max_antal_barn")),
        args={"limit": param("plausible_max_antal_barn"), "date": REFERENCE_DAY, "year": YEAR},
    )
    (kw,) = record_rule((check,))(SimpleNamespace(n=12), 7, Ctx())
    assert kw == {
        "line": 7,
        "field": "n",
        "value": "12",
        "limit": 10,
        "date": "20230131",
        "year": 2023,
    }
