"""The rules of the SoL register. Metadata in ``rules.toml``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sosreg.engine import conditions as cond
from sosreg.engine.context import Context
from sosreg.engine.delivery import change_finding
from sosreg.engine.findings import Finding
from sosreg.engine.values import Special, YearMonth, to_text
from sosreg.registers.sol.records import Sol1, Sol2
from sosreg.registers.sol.register import REGISTER


def _d(value: Any) -> str:
    return to_text(value) if value is not None else "–"


_DECIDED, _START = cond.field("beslutsdatum"), cond.field("verkstallighet_start")
_END = cond.field("verkstallighet_slut")
DATE_ORDER = (
    cond.Check("SOL-020", "beslutsdatum", ~(_DECIDED > _START), args={"start": _START.name}),
    cond.Check("SOL-021", _END.name, ~(_END < _START), args={"start": _START.name}),
    *(
        cond.Check("SOL-023", f.name, ~(f > cond.REFERENCE_DAY), args={"date": cond.REFERENCE_DAY})
        for f in (_DECIDED, _START, _END)
    ),
)
"""SOL-020, SOL-021 and SOL-023, declared once: decided by the start, ended after it
started, and every date by the reference day (the month's last)."""
REGISTER.simple(*DATE_ORDER, files=("sol2",), name="date_order")


def _period_mask(c: Any) -> Any:
    start, end, period = c["verkstallighet_start"], c["verkstallighet_slut"], str(c.period)
    return (start != "") & (start.str.slice(0, 6) != period) & (end.str.slice(0, 6) != period)


@REGISTER.record("SOL-022", files=("sol2",), mask=_period_mask)
def start_or_end_in_period(rec: Sol2, line: int, ctx: Context) -> Iterator[Finding]:
    period = ctx.period
    start, end = rec.verkstallighet_start, rec.verkstallighet_slut
    if not isinstance(period, YearMonth) or start is None:
        return
    months = {YearMonth(d.year, d.month) for d in (start, end) if d is not None}
    if period not in months:
        yield ctx.finding(
            "SOL-022",
            line=line,
            field="verkstallighet_start",
            value=_d(start),
            start=_d(start),
            end=_d(end),
            period=period,
        )


# A yes/no flag and the quantity that goes with it: (rule, flag field, quantity field,
# the quantity's "ej aktuellt" code, what to give when the flag is yes (sv, en)).
FLAGGED_QUANTITIES = (
    (
        "SOL-024",
        "korttidsplats",
        "korttid_dygn",
        Special("88"),
        ("ange antal dygn 0–31", "give the number of days 0–31"),
    ),
    (
        "SOL-025",
        "hemtjanst",
        "hemtjanst_timmar",
        Special("888"),
        ("ange antal timmar eller 777 (dygnet runt)", "give the hours or 777 (round the clock)"),
    ),
)


def _flag_check(
    code: str, flag_field: str, quantity_field: str, not_applicable: Special, yes: tuple[str, str]
) -> cond.Check:
    """Flag 1 (ja) needs a quantity; flag 0 or 8 needs the "ej aktuellt" code or 0."""
    flag, quantity = cond.field(flag_field), cond.field(quantity_field)
    na = str(not_applicable)

    def expect(rec: Sol1) -> dict[str, str]:
        if getattr(rec, flag_field) == "1":
            return {"expect_sv": yes[0], "expect_en": yes[1]}
        return {
            "expect_sv": f"ange {na} (ej aktuellt) eller 0",
            "expect_en": f"give {na} (not applicable) or 0",
        }

    agree = ((flag == "1").implies(quantity != na)) & (
        flag.isin(("0", "8")).implies((quantity == na) | (quantity == 0))
    )
    return cond.Check(
        code,
        quantity_field,
        (flag.given() & quantity.given()).implies(agree),
        args={"flag": flag_field},
        extra=expect,
    )


FLAG_CHECKS = {flagged[0]: _flag_check(*flagged) for flagged in FLAGGED_QUANTITIES}
"""SOL-024 and SOL-025, declared once: a yes/no flag and the quantity that goes with it."""
REGISTER.simple(*FLAG_CHECKS.values(), files=("sol1",), name="flag_and_quantity")


def _reason_problem(rec: Sol2) -> dict[str, str]:
    """SOL-026's wording (the condition is :data:`REASON_AND_END`)."""
    end, reason = rec.verkstallighet_slut, rec.avslutsorsak
    if end is not None:
        return {
            "value": reason or "",
            "problem_sv": f"Verkställigheten avslutades {_d(end)} men orsak till avslut saknas.",
            "problem_en": (
                f"The implementation ended {_d(end)} but the reason for ending is missing."
            ),
        }
    return {
        "problem_sv": f"Orsak till avslut är {reason} men verkställigheten har inget avslutsdatum.",
        "problem_en": f"The reason for ending is {reason} but the implementation has no end date.",
    }


_REASON = cond.field("avslutsorsak")
REASON_AND_END = cond.Check(
    "SOL-026",
    "avslutsorsak",
    cond.field("verkstallighet_slut").given().iff(~(_REASON.empty() | (_REASON == "8"))),
    extra=_reason_problem,
)
"""SOL-026, declared once: an end date exactly when there is a reason for ending (8, "ej
aktuellt", is none)."""
REGISTER.simple(REASON_AND_END, files=("sol2",), name="reason_and_end")


REGISTER.unique("SOL-030", files=("sol1",), field="personnummer", fields=("personnummer",))
REGISTER.unique(
    "SOL-031",
    files=("sol2",),
    field="personnummer",
    fields=("personnummer", "insats", "verkstallighet_start"),
)


@REGISTER.previous("SOL-080", files=("sol1",))
def compared_with_previous(current: Any, previous: Any) -> Iterator[Finding]:
    limit = float(current.context.params.get("previous_max_change_pct", 10))
    yield from change_finding(
        "SOL-080", current, previous, len(current.records), len(previous.records), limit
    )
