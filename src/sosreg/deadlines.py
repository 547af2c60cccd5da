"""When each file is due: the last day to report it to Socialstyrelsen.

The due dates are data in each file's spec (``deadline = { months = 1, day = 15 }``,
:class:`dateutil.relativedelta.relativedelta` arguments applied to the first day of the
period; domain.md §10):

========================  ====================================================
EKB-Månad, EKB-AO         the 15th of the month after the month the assistance is for
EKB-År                    15 April of the year after
SOL1, SOL2                the 15th of the month after
KHSL1, KHSL2              the last day of the month two months after the care month
========================  ====================================================

Dates are not moved for weekends or holidays (the material we have does not say they
are).

>>> import sosreg
>>> sosreg.deadline("ekb", "manad", "202302")
datetime.date(2023, 3, 15)
>>> sosreg.deadline("khsl", "khsl2", "202312")
datetime.date(2024, 2, 29)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from sosreg.engine.pipeline import UsageError, coerce_period
from sosreg.engine.register import REGISTRY
from sosreg.engine.spec import SpecNotFound
from sosreg.engine.values import YearMonth

__all__ = ["Due", "calendar", "deadline"]


def deadline(register: str, file: str, period: str | int | YearMonth) -> dt.date | None:
    """The last day to report ``file`` of ``register`` for ``period`` (``"ÅÅÅÅMM"`` for
    monthly files, ``"ÅÅÅÅ"`` or an int for annual ones); ``None`` where not known."""
    per = coerce_period(period)
    assert per is not None
    year = per.year if isinstance(per, YearMonth) else per
    try:
        spec = REGISTRY.resolve_spec(register, file, year)
    except (SpecNotFound, KeyError) as exc:
        raise UsageError(str(exc.args[0] if exc.args else exc)) from exc
    if spec.period == "month" and not isinstance(per, YearMonth):
        raise UsageError(f"{register}/{file} is monthly: give the period as ÅÅÅÅMM")
    if spec.period == "year" and isinstance(per, YearMonth):
        per = per.year
    return spec.deadline_for(per)


@attrs.frozen
class Due:
    """One file of one period and its last day."""

    register: str
    file: str
    title: str
    period: str
    due: dt.date


def calendar(year: int) -> list[Due]:
    """Every file due for the periods of statistikår ``year``, by date."""
    out: list[Any] = []
    for reg in REGISTRY.all():
        for file, title in reg.files.items():
            try:
                spec = REGISTRY.resolve_spec(reg.name, file, year)
            except SpecNotFound:
                continue
            periods: list[YearMonth | int] = (
                [YearMonth(year, m) for m in range(1, 13)] if spec.period == "month" else [year]
            )
            for p in periods:
                due = spec.deadline_for(p)
                if due is not None:
                    out.append(Due(reg.name, file, title, str(p), due))
    return sorted(out, key=lambda d: (d.due, d.register, d.file))
