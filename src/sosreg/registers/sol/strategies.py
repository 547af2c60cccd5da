"""Hypothesis strategies for valid SoL records and files (used by
:mod:`sosreg.strategies`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from sosreg.engine.records import record_class
from sosreg.engine.spec import FileSpec
from sosreg.engine.values import Special, YearMonth
from sosreg.strategies import codes, field_values


@st.composite
def records(draw: st.DrawFn, spec: FileSpec, year: int, period: YearMonth | int) -> Any:
    assert isinstance(period, YearMonth)
    cls = record_class(spec)
    base = {f.name: draw(field_values(f, year, period)) for f in spec.fields}
    base["period"] = period
    if spec.file == "sol1":
        if base["korttidsplats"] == "1":
            base["korttid_dygn"] = draw(st.integers(0, 31))
        else:
            base["korttid_dygn"] = draw(st.sampled_from([Special("88"), 0]))
        if base["hemtjanst"] == "1":
            base["hemtjanst_timmar"] = draw(st.integers(0, 744) | st.just(Special("777")))
        else:
            base["hemtjanst_timmar"] = draw(st.sampled_from([Special("888"), 0]))
    else:
        first, last = period.first_day(), period.last_day()
        in_month = st.dates(first, last)
        start = draw(st.dates(first - dt.timedelta(days=700), last))
        if start < first:
            end: dt.date | None = draw(in_month.filter(lambda d: d >= start))
        else:
            end = draw(st.none() | st.dates(start, last))
        base["verkstallighet_start"] = start
        base["verkstallighet_slut"] = end
        base["beslutsdatum"] = draw(st.dates(start - dt.timedelta(days=90), start))
        if end is None:
            base["avslutsorsak"] = draw(st.sampled_from([None, "8"]))
        else:
            base["avslutsorsak"] = draw(codes("sol_avslutsorsak", year).filter(lambda c: c != "8"))
    return cls(**base)


def unique_key(spec: FileSpec, rec: Any) -> Any:
    """What may not repeat in one file (see the register's SOL/KHSL-03x rules)."""
    if spec.file == "sol1":
        return rec.personnummer
    return (rec.personnummer, rec.insats, rec.verkstallighet_start)
