"""When each file is due: the reporting window, the last day and the reminders.

Everything comes from the registers' collection data (``registers/<r>/collection.toml``,
:mod:`sosreg.engine.collection`; docs/collection.md): one source of truth for the
calendar, the deadline stated in every report, and ``sosreg status``. Dates are not moved
for weekends or holidays (the material we have does not say they are); the window's
start, end and the reminder days are mostly our guesses and say so in the data.

>>> import sosreg
>>> sosreg.deadline("ekb", "manad", "202302")
datetime.date(2023, 3, 15)
>>> sosreg.deadline("khsl", "khsl2", "202312")
datetime.date(2024, 2, 29)
"""

from __future__ import annotations

import datetime as dt

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
    """One sub-register's period: its window, last day and reminder days."""

    register: str
    file: str
    """The file key of the sub-register's first expected file (``manad``, ``barn``)."""
    title: str
    """The sub-register's short name as the collector writes it (``EKB-Månad``)."""
    period: str
    due: dt.date
    start: dt.date
    end: dt.date
    reminders: tuple[dt.date, ...] = ()
    files: tuple[str, ...] = ()
    """Every file the sub-register expects (BU: ``barn``, ``insats``, ``placering``)."""

    def to_dict(self) -> dict[str, object]:
        return {
            "register": self.register,
            "file": self.file,
            "files": list(self.files),
            "title": self.title,
            "period": self.period,
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "end": self.end.isoformat(),
            "reminders": [r.isoformat() for r in self.reminders],
        }


def calendar(year: int) -> list[Due]:
    """Every sub-register's period of statistikår ``year``, by due date."""
    out: list[Due] = []
    for reg in REGISTRY.all():
        for sub in reg.subregisters:
            if not sub.valid_in(year):
                continue
            for p in sub.periods(year):
                dates = sub.dates(p)
                if dates is None:
                    continue
                kinds = tuple(f.kind for f in sub.files)
                out.append(
                    Due(
                        reg.name,
                        kinds[0],
                        sub.name,
                        p,
                        dates.deadline,
                        dates.start,
                        dates.end,
                        dates.reminders,
                        kinds,
                    )
                )
    return sorted(out, key=lambda d: (d.due, d.register, d.title, d.period))
