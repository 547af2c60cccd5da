"""Hypothesis strategies for valid KHSL records and files (used by
:mod:`sosreg.strategies`)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from sosreg import identity
from sosreg.engine.records import record_class
from sosreg.engine.spec import FileSpec
from sosreg.engine.values import YearMonth
from sosreg.strategies import codes, field_values

YRKEN = [f"yrkesbeteckning_{i}" for i in range(1, 6)]


@st.composite
def records(draw: st.DrawFn, spec: FileSpec, year: int, period: YearMonth | int) -> Any:
    assert isinstance(period, YearMonth)
    cls = record_class(spec)
    base = {f.name: draw(field_values(f, year, period)) for f in spec.fields}
    who = identity.parse(base["personnummer"])
    assert isinstance(who, identity.Identity)
    base["kon"] = "1" if who.sex == "M" else "2"
    if spec.file == "khsl1":
        base["period"] = period
    else:
        base["datum"] = draw(st.dates(period.first_day(), period.last_day()))
        staff = draw(
            st.lists(codes("khsl_yrkesbeteckning", year), min_size=1, max_size=5, unique=True)
        )
        for i, field in enumerate(YRKEN):
            base[field] = staff[i] if i < len(staff) else None
    return cls(**base)


def unique_key(spec: FileSpec, rec: Any) -> Any:
    """What may not repeat in one file (see the register's SOL/KHSL-03x rules)."""
    if spec.file == "khsl1":
        return rec.personnummer
    return (rec.personnummer, rec.kva, rec.datum)
