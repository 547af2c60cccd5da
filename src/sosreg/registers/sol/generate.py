"""Valid SoL files (SOL1, SOL2), and the SoL rules' injectors (see
:mod:`sosreg.generate`).

SOL1 (one line per person, insatser ongoing on the last day of the month): every
flag and its quantity agree (SOL-024: korttidsplats and its days; SOL-025: hemtjänst
and its hours). SOL2 (verkställigheter started or ended during the month): a decision
on or before the start, an end on or after it, the start or the end in the month
(SOL-022), nothing after the month (SOL-023), an avslutsorsak exactly when there is an
end (SOL-026). No person twice in a file (SOL-030, SOL-031).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sosreg.engine.conditions import choose, values
from sosreg.engine.values import YearMonth
from sosreg.generate import (
    InjectContext,
    Line,
    LineFn,
    Rand,
    Unit,
    born_for_age,
    breaks,
    day_text,
    keeps,
    on_line,
    ymd,
)
from sosreg.generate import (
    Maker as BaseMaker,
)
from sosreg.registers.sol.rules import (
    DATE_ORDER,
    FLAG_CHECKS,
    FLAGGED_QUANTITIES,
    REASON_AND_END,
)

PREFIXES = {"sol1": "SOL1", "sol2": "SOL2"}
FILE_SETS = (("sol1",), ("sol2",))


def unit_files(files: Sequence[str]) -> tuple[str, ...]:
    return tuple(files)


FLAGS = {"0": 12, "1": 6}
"""Weights of the yes/no flags (8 ej aktuellt and 9 uppgift saknas are rare)."""


class Maker(BaseMaker):
    register = "sol"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = self.spec
        assert isinstance(self.period, YearMonth)
        self.file = spec.file
        self.pos = {f.name: i for i, f in enumerate(spec.fields)}
        weights = {"sol_flagga": FLAGS, "sol_boendeform": {"1": 6, "2": 3}}
        weights["sol_forenklat_beslut"] = FLAGS  # a flag too; "1" only from 202206
        self.base = self.pools(spec, weights)
        last = self.period.last_day()
        # Mostly older people; from 18 (SoL insatser for adults with disabilities too).
        self.old = born_for_age(last, 65, 102)
        self.young = born_for_age(last, 18, 64)
        self.first, self.last = self.period.first_day(), last
        self.reasons = tuple(c for c in self.codes("sol_avslutsorsak") if c != "8")

    def person(self, rng: Rand, *, extra: bool = False) -> str:
        born = self.old if rng.random() < 0.8 else self.young
        return self.people.number(rng, born, snr=rng.random() < 0.02, extra=extra)

    def unit(self, rng: Rand) -> Unit:
        rec = self.draw(rng, self.base)
        p = self.pos
        rec[p["personnummer"]] = self.person(rng)
        if self.file == "sol1":
            self.sol1(rng, rec)
        else:
            self.sol2(rng, rec)
        return [(self.file, ";".join(rec))]

    def sol1(self, rng: Rand, rec: list[str]) -> None:
        p = self.pos
        if rec[p["korttidsplats"]] == "1":
            rec[p["korttid_dygn"]] = str(rng.between(1, 31))
        elif rec[p["korttidsplats"]] == "9":
            rec[p["korttid_dygn"]] = "99"
        else:
            rec[p["korttid_dygn"]] = "88" if rng.random() < 0.8 else "0"
        if rec[p["hemtjanst"]] == "1":
            rec[p["hemtjanst_timmar"]] = "777" if rng.random() < 0.05 else str(rng.between(1, 200))
        elif rec[p["hemtjanst"]] == "9":
            rec[p["hemtjanst_timmar"]] = "999"
        else:
            rec[p["hemtjanst_timmar"]] = "888" if rng.random() < 0.8 else "0"

    def sol2(self, rng: Rand, rec: list[str]) -> None:
        p = self.pos
        first, last = self.first.toordinal(), self.last.toordinal()
        end: int | None
        if rng.random() < 0.4:  # started before the month: it ended in it
            start = rng.between(first - 700, first - 1)
            end = rng.between(first, last)
        else:
            start = rng.between(first, last)
            end = rng.between(start, last) if rng.random() < 0.4 else None
        text = day_text
        rec[p["beslutsdatum"]] = text(start - rng.below(91))
        rec[p["verkstallighet_start"]] = text(start)
        if end is None:
            rec[p["verkstallighet_slut"]] = ""
            rec[p["avslutsorsak"]] = "8" if rng.random() < 0.5 else ""
        else:
            rec[p["verkstallighet_slut"]] = text(end)
            rec[p["avslutsorsak"]] = rng.choice(self.reasons)
        days = str(rng.between(1, 31)) if rec[p["korttidsplats"]] == "1" else "88"
        rec[p["korttid_dygn_beviljade"]] = days
        rec[p["korttid_dygn_utforda"]] = days

    def field_ok(self, check: str, field: str, line: Line, ctx: InjectContext) -> bool:
        if check in ("range", "number.identity") and field == "hemtjanst_timmar":
            return line["hemtjanst"] in ("1", "9")  # 0/8 want 888 or 0 (SOL-025)
        if check in ("range", "number.identity") and field == "korttid_dygn":
            return line["korttidsplats"] in ("1", "9")  # SOL-024
        # without an end, the avslutsorsak is wrong (SOL-026)
        return field != "verkstallighet_slut"


# --- injectors -----------------------------------------------------------------------------


def _date(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))


def _maker(ctx: InjectContext) -> Maker:
    assert isinstance(ctx.maker, Maker)
    return ctx.maker


def _decision_after_start(line: Line, ctx: InjectContext) -> list[Line] | None:
    start = _date(line["verkstallighet_start"])
    if start >= _maker(ctx).last:
        return None  # the decision would be after the month (SOL-023)
    return breaks(DATE_ORDER[0], line, ctx, ymd(start + dt.timedelta(days=1)))


def _end_before_start(line: Line, ctx: InjectContext) -> list[Line] | None:
    m = _maker(ctx)
    start = _date(line["verkstallighet_start"])
    if start <= m.first:
        return None  # the end must stay in the month (SOL-022)
    damaged = breaks(DATE_ORDER[1], line, ctx, ymd(start - dt.timedelta(days=1)))
    _keep_reason(line, ctx)  # an end needs a reason (SOL-026)
    return damaged


def _neither_in_month(line: Line, ctx: InjectContext) -> list[Line] | None:
    first = _maker(ctx).first
    start = _date(line["verkstallighet_start"])
    if line["verkstallighet_slut"] and start < first - dt.timedelta(days=1):
        line["verkstallighet_slut"] = ymd(first - dt.timedelta(days=1))
    elif not line["verkstallighet_slut"] and start >= first:
        new = first - dt.timedelta(days=ctx.rng.between(1, 300))
        line["verkstallighet_start"] = ymd(new)
        line["beslutsdatum"] = ymd(min(new, _date(line["beslutsdatum"])))
    else:
        return None
    return line.expecting("SOL-022")


def _after_month(line: Line, ctx: InjectContext) -> list[Line] | None:
    m = _maker(ctx)
    if _date(line["verkstallighet_start"]) < m.first:
        return None  # then neither start nor end would be in the month (SOL-022)
    damaged = breaks(DATE_ORDER[4], line, ctx, ymd(m.last + dt.timedelta(days=1)))
    _keep_reason(line, ctx)  # an end needs a reason (SOL-026)
    return damaged


def _flag_and_quantity(code: str, most: int) -> LineFn:
    """A quantity that breaks the flag's declared check (SOL-024, SOL-025): the "ej
    aktuellt" code with flag 1, a number 1–``most`` with flag 0 or 8."""
    check = FLAG_CHECKS[code]
    none = next(str(flagged[3]) for flagged in FLAGGED_QUANTITIES if flagged[0] == code)

    def damage(line: Line, ctx: InjectContext) -> list[Line] | None:
        # which kind of value breaks the check here (none if neither: flag 9)
        witness = choose(check, line.__getitem__, check.field, (none, "1"), valid=False)
        if witness is None:
            return None
        line[check.field] = none if witness == none else str(ctx.rng.between(1, most))
        assert not check.holds(line.__getitem__)
        return line.expecting(code)

    return damage


def _keep_reason(line: Line, ctx: InjectContext) -> None:
    """After a damage to the end: an avslutsorsak that agrees with it (SOL-026's
    declared condition, :data:`~sosreg.registers.sol.rules.REASON_AND_END`)."""
    keeps(REASON_AND_END, line, ctx, _maker(ctx).reasons)


def _reason(line: Line, ctx: InjectContext) -> list[Line] | None:
    """An avslutsorsak that breaks SOL-026's declared condition: none (or 8) with an
    end, a reason without one."""
    check = REASON_AND_END
    candidates = ("", "8", *_maker(ctx).reasons)
    pool = values(check, line.__getitem__, check.field, candidates, valid=False)
    if not pool:
        return None
    line[check.field] = ctx.rng.choice(pool)
    return line.expecting(check.code)


def _copy_earlier(code: str) -> LineFn:
    def damage(line: Line, ctx: InjectContext) -> list[Line] | None:
        earlier = ctx.earlier(line.file)
        if not earlier:
            return None
        line.fields = ctx.rng.choice(earlier).split(";")
        return line.expecting(code)

    return damage


INJECTORS = (
    on_line(
        "SOL-020",
        _decision_after_start,
        "the decision dated the day after the start",
        files=("sol2",),
    ),
    on_line("SOL-021", _end_before_start, "the end dated before the start", files=("sol2",)),
    on_line("SOL-022", _neither_in_month, "start and end both before the month", files=("sol2",)),
    on_line("SOL-023", _after_month, "the end dated after the month", files=("sol2",)),
    on_line(
        "SOL-024",
        _flag_and_quantity("SOL-024", 31),
        "korttidsplats and its days disagree",
        files=("sol1",),
    ),
    on_line(
        "SOL-025",
        _flag_and_quantity("SOL-025", 744),
        "hemtjänst and its hours disagree",
        files=("sol1",),
    ),
    on_line(
        "SOL-026", _reason, "an avslutsorsak without an end, or none with one", files=("sol2",)
    ),
    on_line("SOL-030", _copy_earlier("SOL-030"), "a copy of an earlier line", files=("sol1",)),
    on_line("SOL-031", _copy_earlier("SOL-031"), "a copy of an earlier line", files=("sol2",)),
)
