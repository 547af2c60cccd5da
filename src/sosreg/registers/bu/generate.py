"""Valid BU deliveries (BU-Barn, BU-Insats, BU-Placering), and the BU rules'
injectors (see :mod:`sosreg.generate`).

A unit is a child with its insatser and their placeringar, across the three files; a
delivery of ``n`` children is *godkänd* as a whole (every reference found, every
placering inside its insats, no overlaps) and each file alone too. The child is 0–20
in the year (BU-033) and born by the start of each insats (BU-034); a temporary id
``ÅÅÅÅMMDDTnnn`` has three digits no other child has (BU-054) and a kön (BU-020); an
insats is ongoing some time in the year (BU-032), decided by its start (BU-030), with
an avslutsorsak exactly when it has ended (BU-038) and an LVU ground that fits its
lagrum (BU-035–BU-037); its placeringar follow each other without gaps or overlaps
from its start to its end (BU-064, BU-065), stödboende only at 16–20 (BU-041).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sosreg.engine.conditions import values
from sosreg.generate import (
    InjectContext,
    Line,
    LineFn,
    Rand,
    Unit,
    UnitFn,
    add_years,
    born_for_age,
    breaks,
    damaged,
    day_text,
    keeps,
    on_line,
    on_unit,
    sex_of,
    ymd,
)
from sosreg.generate import (
    Maker as BaseMaker,
)
from sosreg.registers.bu.rules import INSATS_ORDER, PLACERING_DATES, REASON_AND_END

FILES = ("barn", "insats", "placering")
PREFIXES = {"barn": "BU_BARN", "insats": "BU_INSATS", "placering": "BU_PLACERING"}
FILE_SETS = (FILES, ("barn",), ("insats",), ("placering",))
DEFAULT_FILES = FILES
SEX = {"M": "1", "K": "2"}


def unit_files(files: Sequence[str]) -> tuple[str, ...]:
    """A BU unit always spans the three files (a file alone is one of a delivery's)."""
    return FILES


def _born(child: str) -> dt.date:
    return dt.date(int(child[:4]), int(child[4:6]), int(child[6:8]) % 60)


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class Maker(BaseMaker):
    register = "bu"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        year = self.year
        self.pos = {f: {x.name: i for i, x in enumerate(s.fields)} for f, s in self.specs.items()}
        self.base = self.pools(
            self.specs["barn"], {"bu_fodelseland": {"SE": 40}, "bu_vardnadshavare": {"1": 5}}
        )
        self.jan1, self.dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)
        self.j1, self.d31 = self.jan1.toordinal(), self.dec31.toordinal()
        self.born = (dt.date(year - 20, 1, 1), self.dec31)
        params = self.specs["insats"].params
        self.grounds = {
            str(k): [str(v) for v in vs] for k, vs in params["lvu_grund_for_lagrum"].items()
        }
        self.optional = {str(c) for c in params.get("lvu_grund_optional", ())}
        p_params = self.specs["placering"].params
        self.stod = str(p_params["stodboende_kod"])
        self.stod_ages = (int(p_params["stodboende_min_age"]), int(p_params["stodboende_max_age"]))
        self.lagrum = self.codes("bu_lagrum")
        self.forms = self.codes("bu_placeringsform")
        self.other_forms = tuple(c for c in self.forms if c != self.stod)
        self.reasons = self.codes("bu_avslutsorsak")
        self.earliest = dt.date(year - 4, 1, 1)
        self.i_id, self.i_kon = self.pos["barn"]["id"], self.pos["barn"]["kon"]
        self.lagrum_grounds = tuple((lagrum, self._grounds_for(lagrum)) for lagrum in self.lagrum)

    def _grounds_for(self, lagrum: str) -> tuple[str, ...]:
        """The LVU grounds an insats of ``lagrum`` may give ("" = none)."""
        choices = list(self.grounds.get(lagrum, []))
        if lagrum not in self.grounds or lagrum in self.optional:
            choices.append("")
        return tuple(choices)

    def child(self, rng: Rand, born: tuple[dt.date, dt.date], *, extra: bool = False) -> str:
        x = rng.random()
        if x < 0.1 and not extra:
            t3 = self.people.t3(rng, born)
            if t3 is not None:
                return t3
        return self.people.number(rng, born, snr=x > 0.95, extra=extra)

    def unit(self, rng: Rand) -> Unit:
        r = rng.random
        child = self.child(rng, self.born)
        born = _born(child)
        head = f"{self.kommun};;{self.year};{child}"
        barn = self.draw(rng, self.base)
        if "T" in child:
            barn[self.i_kon] = "1" if r() < 0.5 else "2"
        else:
            barn[self.i_kon] = SEX[sex_of(child)] if r() < 0.7 else ""
        barn[self.i_id] = child
        out: Unit = [("barn", ";".join(barn))]
        first = max(born, self.earliest).toordinal()
        # stödboende from the 16th birthday to the day before the 21st (BU-041)
        stod_from = add_years(born, self.stod_ages[0]).toordinal()
        stod_to = add_years(born, self.stod_ages[1] + 1).toordinal()
        text, d31, j1 = day_text, self.d31, self.j1
        forms, stod, others = self.forms, self.stod, self.other_forms
        for nr in range(1, 2 + (r() < 0.3)):
            start = first + int(r() * (d31 - first + 1))
            end: int | None = None
            if r() < 0.4:
                lo = max(start, j1)
                end = lo + int(r() * (d31 - lo + 1))
            lagrum, grounds = self.lagrum_grounds[int(r() * len(self.lagrum_grounds))]
            reason = self.reasons[int(r() * len(self.reasons))] if end else ""
            out.append(
                (
                    "insats",
                    f"{head};{nr};{lagrum};{grounds[int(r() * len(grounds))]};"
                    f"{text(start - int(r() * 61))};{text(start)};"
                    f"{text(end) if end else ''};{reason}",
                )
            )
            for k, (p_start, p_end) in enumerate(self.periods(rng, start, end), start=1):
                form = forms[int(r() * len(forms))]
                if form == stod and not stod_from <= p_start < stod_to:
                    form = others[int(r() * len(others))]
                out.append(
                    (
                        "placering",
                        f"{head};{nr};{k};{form};{text(p_start)};{text(p_end) if p_end else ''}",
                    )
                )
        return out

    def stod_ok(self, born: dt.date, start: int) -> bool:
        age = _age(born, dt.date.fromordinal(start))
        return self.stod_ages[0] <= age <= self.stod_ages[1]

    def periods(self, rng: Rand, start: int, end: int | None) -> list[tuple[int, int | None]]:
        """Placeringar one after the other from ``start`` to ``end`` (an open one last
        for an ongoing insats)."""
        stop = end if end is not None else self.d31
        room = stop - start
        n = 1 + (rng.below(3) if room >= 3 else 0)
        cuts: list[int] = []
        while len(cuts) < n - 1:
            cut = start + 1 + rng.below(room - 1)
            if cut not in cuts:
                cuts.append(cut)
        cuts.sort()
        return list(zip([start, *cuts], [*cuts, end], strict=True))

    def field_ok(self, check: str, field: str, line: Line, ctx: InjectContext) -> bool:
        if ctx.delivery and field in ("id", "insatsnr"):
            return False  # the files refer to each other by these (BU-060, BU-062)
        if field == "slutdatum" and check == "format":
            # an insats without end keeps its avslutsorsak (BU-038); a placering without
            # end lasts past its insats (BU-064) and into the next (BU-065)
            return line.file == "placering" and not ctx.delivery
        return True


# --- injectors -----------------------------------------------------------------------------


def _maker(ctx: InjectContext) -> Maker:
    assert isinstance(ctx.maker, Maker)
    return ctx.maker


def _date(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))


def _other_sex(line: Line, ctx: InjectContext) -> list[Line] | None:
    child = line["id"]
    if "T" in child or not child.isdigit():
        return None
    line["kon"] = "2" if sex_of(child) == "M" else "1"
    return line.expecting("BU-021")


def _decided_after(line: Line, ctx: InjectContext) -> list[Line] | None:
    later = _date(line["startdatum"]) + dt.timedelta(ctx.rng.between(1, 30))
    return breaks(INSATS_ORDER[0], line, ctx, ymd(later))


def _ends_before(line: Line, ctx: InjectContext) -> list[Line] | None:
    start = _date(line["startdatum"])
    if start <= _maker(ctx).jan1:
        return None  # the end would be before the year too (BU-032)
    damaged = breaks(INSATS_ORDER[1], line, ctx, ymd(start - dt.timedelta(days=1)))
    _keep_reason(line, ctx)
    return damaged


def _started_before_birth(line: Line, ctx: InjectContext) -> list[Line]:
    start = _born(line["id"]) - dt.timedelta(days=ctx.rng.between(1, 100))
    line["startdatum"] = ymd(start)
    line["beslutsdatum"] = ymd(start - dt.timedelta(days=ctx.rng.below(30)))
    return line.expecting("BU-034")


def _lagrum(code: str) -> LineFn:
    def damage(line: Line, ctx: InjectContext) -> list[Line] | None:
        m = _maker(ctx)
        lvu = sorted(k for k in m.grounds if k not in m.optional)
        grounds = sorted({x for v in m.grounds.values() for x in v})
        if code == "BU-035":
            line["lagrum"], line["lvu_grund"] = ctx.rng.choice(lvu), ""
        elif code == "BU-036":
            lagrum = ctx.rng.choice(lvu)
            wrong = [x for x in grounds if x not in m.grounds[lagrum]]
            if not wrong:
                return None
            line["lagrum"], line["lvu_grund"] = lagrum, ctx.rng.choice(wrong)
        else:
            sol = [c for c in m.lagrum if c not in m.grounds]
            if not sol:
                return None
            line["lagrum"], line["lvu_grund"] = ctx.rng.choice(sol), ctx.rng.choice(grounds)
        return line.expecting(code)

    return damage


def _keep_reason(line: Line, ctx: InjectContext) -> None:
    """After a damage to the end: an avslutsorsak that agrees with it (BU-038's
    declared condition, :data:`~sosreg.registers.bu.rules.REASON_AND_END`)."""
    keeps(REASON_AND_END, line, ctx, _maker(ctx).reasons)


def _reason(line: Line, ctx: InjectContext) -> list[Line] | None:
    """An avslutsorsak that breaks BU-038's declared condition: none with an end, a
    reason without one."""
    check = REASON_AND_END
    candidates = ("", *_maker(ctx).reasons)
    pool = values(check, line.__getitem__, check.field, candidates, valid=False)
    if not pool:
        return None
    line[check.field] = pool[0] if len(pool) == 1 else ctx.rng.choice(pool)
    return line.expecting(check.code)


def _placering_ends_before(line: Line, ctx: InjectContext) -> list[Line] | None:
    earlier = _date(line["startdatum"]) - dt.timedelta(days=1)
    return breaks(PLACERING_DATES[0], line, ctx, ymd(earlier))


def _stod_too_young(line: Line, ctx: InjectContext) -> list[Line] | None:
    m = _maker(ctx)
    if _age(_born(line["id"]), _date(line["startdatum"])) >= m.stod_ages[0]:
        return None
    line["placeringsform"] = m.stod
    return line.expecting("BU-041")


def _after_year(line: Line, ctx: InjectContext) -> list[Line] | None:
    if line["slutdatum"]:
        return None  # it would end before it starts (BU-040)
    later = _maker(ctx).dec31 + dt.timedelta(days=ctx.rng.between(1, 60))
    return breaks(PLACERING_DATES[1], line, ctx, ymd(later))


def _copy(code: str) -> LineFn:
    def damage(line: Line, ctx: InjectContext) -> list[Line]:
        return [line, *line.copy().expecting(code)]

    return damage


def _renumber(line: Line, ctx: InjectContext) -> list[Line] | None:
    if line["placeringsnr"] == "1":
        return None
    line["placeringsnr"] = "1"
    return line.expecting("BU-052")


# --- injectors on a child's lines across the files -------------------------------------------


def _of(unit: list[Line], file: str) -> list[Line]:
    return [line for line in unit if line.file == file]


def _before_year(unit: list[Line], ctx: InjectContext) -> bool:
    """An insats that started before the year ends before it too; its placeringar
    are made anew inside it (so that they stay inside their insats)."""
    m = _maker(ctx)
    before = [x for x in _of(unit, "insats") if _date(x["startdatum"]) < m.jan1 - dt.timedelta(2)]
    if not before:
        return False
    insats = ctx.rng.choice(before)
    start = _date(insats["startdatum"]).toordinal()
    end = ctx.rng.between(start + 1, m.j1 - 1)
    insats["slutdatum"] = day_text(end)
    _keep_reason(insats, ctx)
    insats.expect.append("BU-032")
    nr = insats["insatsnr"]
    old = [x for x in unit if x.file == "placering" and x["insatsnr"] == nr]
    born = _born(insats["id"])
    new = []
    for k, (p_start, p_end) in enumerate(m.periods(ctx.rng, start, end), start=1):
        line = old[0].copy()
        line["placeringsnr"] = str(k)
        line["placeringsform"] = ctx.rng.choice(
            m.forms if m.stod_ok(born, p_start) else m.other_forms
        )
        line["startdatum"] = day_text(p_start)
        line["slutdatum"] = day_text(p_end) if p_end else ""
        new.append(line)
    at = unit.index(old[0])
    unit[:] = [x for x in unit[:at] if x not in old] + new + [x for x in unit[at:] if x not in old]
    return True


def _t3(unit: list[Line], ctx: InjectContext) -> str | None:
    """The child's temporary id: one with the same birth date given to a child that has
    a number (in every line of the unit, with a kön in the barn line); ``None`` when
    the injections' temporary ids are used up."""
    child = unit[0]["id"]
    if "T" in child:
        return child
    born = _born(child)
    t3 = _maker(ctx).people.t3(ctx.rng, (born, born), extra=True)
    if t3 is None:
        return None
    for line in unit:
        line["id"] = t3
    barn = unit[0]
    if not barn["kon"]:
        barn["kon"] = SEX[sex_of(child)]
    return t3


def _no_sex(unit: list[Line], ctx: InjectContext) -> bool:
    if _t3(unit, ctx) is None:
        return False
    unit[0]["kon"] = ""
    unit[0].expect.append("BU-020")
    return True


def _two_sexes(unit: list[Line], ctx: InjectContext) -> bool:
    if _t3(unit, ctx) is None:
        return False
    barn = unit[0]
    twin = barn.copy()
    twin["kon"] = "2" if barn["kon"] == "1" else "1"
    twin.expect += ["BU-053", "BU-050"]
    unit.insert(1, twin)
    return True


def _bad_number(code: str) -> UnitFn:
    """The child's personnummer damaged alike in all its lines (the files still refer
    to each other): every line of the child is ``code``."""

    def damage(unit: list[Line], ctx: InjectContext) -> bool:
        child = unit[0]["id"]
        if "T" in child:
            return False
        f = ctx.spec("barn").field("id")
        check = "identity" if code == "SOS-210" else "identity.scientific"
        bad = damaged(check, f, child, unit[0], ctx)
        if bad is None:
            return False
        for line in unit:
            line["id"] = bad
            line.expect.append(code)
        return True

    return damage


def _too_old(unit: list[Line], ctx: InjectContext) -> bool:
    """A child of 21–23 in every line of the unit: each insats is BU-033."""
    m = _maker(ctx)
    child = m.people.number(ctx.rng, born_for_age(m.jan1, 21, 23), extra=True)
    for line in unit:
        line["id"] = child
    for line in _of(unit, "barn"):
        if line["kon"]:
            line["kon"] = SEX[sex_of(child)]
    for line in _of(unit, "placering"):
        if line["placeringsform"] == m.stod:
            line["placeringsform"] = ctx.rng.choice(m.other_forms)
    for line in _of(unit, "insats"):
        line.expect.append("BU-033")
    return True


def _twin(unit: list[Line], ctx: InjectContext) -> bool:
    """A copy of a child with a temporary id whose birth date differs (the same three
    digits): the copy's barn line is BU-054."""
    m = _maker(ctx)
    if _age(_born(unit[0]["id"]), m.dec31) >= 19:
        return False  # older by up to 30 days, the copy stays 0-20 (BU-033, BU-041)
    child = _t3(unit, ctx)
    if child is None:
        return False
    born = _born(child)
    other = born - dt.timedelta(days=ctx.rng.between(1, 30))
    twin_id = f"{ymd(other)}{child[8:]}"
    copies = [line.copy() for line in unit]
    for line in copies:
        line["id"] = twin_id
    copies[0].expect.append("BU-054")
    unit.extend(copies)
    return True


def _without_child(unit: list[Line], ctx: InjectContext) -> bool:
    for line in _of(unit, "insats"):
        line.expect.append("BU-060")
    unit[:] = [line for line in unit if line.file != "barn"]
    return True


def _without_insats(unit: list[Line], ctx: InjectContext) -> bool:
    for line in _of(unit, "barn"):
        line.expect.append("BU-061")
    unit[:] = [line for line in unit if line.file == "barn"]
    return True


def _groups(unit: list[Line]) -> dict[str, list[Line]]:
    out: dict[str, list[Line]] = {}
    for line in _of(unit, "placering"):
        out.setdefault(line["insatsnr"], []).append(line)
    return out


def _to_no_insats(unit: list[Line], ctx: InjectContext) -> bool:
    groups = [g_ for g_ in _groups(unit).values() if len(g_) >= 2]
    if not groups:
        return False
    line = ctx.rng.choice(ctx.rng.choice(groups)[1:])
    line["insatsnr"] = str(max(int(x["insatsnr"]) for x in _of(unit, "insats")) + 1)
    line.expect.append("BU-062")
    return True


def _without_placering(unit: list[Line], ctx: InjectContext) -> bool:
    insats = ctx.rng.choice(_of(unit, "insats"))
    nr = insats["insatsnr"]
    insats.expect.append("BU-063")
    unit[:] = [x for x in unit if not (x.file == "placering" and x["insatsnr"] == nr)]
    return True


def _outside_insats(unit: list[Line], ctx: InjectContext) -> bool:
    insats = ctx.rng.choice(_of(unit, "insats"))
    first = _groups(unit)[insats["insatsnr"]][0]
    start = _date(insats["startdatum"]) - dt.timedelta(days=ctx.rng.between(1, 10))
    first["startdatum"] = ymd(start)
    first.expect.append("BU-064")
    return True


def _overlap(unit: list[Line], ctx: InjectContext) -> bool:
    groups = [g_ for g_ in _groups(unit).values() if len(g_) >= 2]
    if not groups:
        return False
    group = ctx.rng.choice(groups)
    group[1]["startdatum"] = group[0]["startdatum"]
    group[1].expect.append("BU-065")
    return True


def _other_birth(unit: list[Line], ctx: InjectContext) -> bool:
    """The insats and placering files give a temporary id another birth date than the
    barn file (the same three digits): BU-066, with the insats lines' BU-060 (no such
    child) and the child's BU-061 (no insats)."""
    m = _maker(ctx)
    if _age(_born(unit[0]["id"]), m.dec31) >= 19:
        return False  # older by up to 30 days, the child stays 0-20 (BU-033, BU-041)
    child = _t3(unit, ctx)
    if child is None:
        return False
    other = f"{ymd(_born(child) - dt.timedelta(days=ctx.rng.between(1, 30)))}{child[8:]}"
    for line in unit:
        if line.file == "barn":
            line.expect.append("BU-061")
            continue
        line["id"] = other
        line.expect += ["BU-060", "BU-066"] if line.file == "insats" else ["BU-066"]
    return True


INJECTORS = (
    on_unit(
        "SOS-210",
        _bad_number("SOS-210"),
        "a child's personnummer with a wrong check digit, in all its lines",
        needs=FILES,
    ),
    on_unit(
        "SOS-211",
        _bad_number("SOS-211"),
        "a child's personnummer in scientific notation, in all its lines",
        needs=FILES,
    ),
    on_unit("BU-020", _no_sex, "a temporary id without kön", files=("barn",)),
    on_line("BU-021", _other_sex, "kön against the personnummer", files=("barn",)),
    on_line("BU-030", _decided_after, "decided after the insats started", files=("insats",)),
    on_line(
        "BU-031",
        _ends_before,
        "the insats ends the day before it starts",
        files=("insats",),
        alone_in_delivery=False,
    ),
    on_unit(
        "BU-032",
        _before_year,
        "the insats ended before the year (its placeringar made anew inside it)",
        files=("insats",),
    ),
    on_unit("BU-033", _too_old, "the child is 21–23 (every line of the child)", files=("insats",)),
    on_line(
        "BU-034", _started_before_birth, "the insats started before the birth", files=("insats",)
    ),
    on_line("BU-035", _lagrum("BU-035"), "an LVU lagrum without a ground", files=("insats",)),
    on_line("BU-036", _lagrum("BU-036"), "a ground the lagrum does not allow", files=("insats",)),
    on_line("BU-037", _lagrum("BU-037"), "an LVU ground on a SoL insats", files=("insats",)),
    on_line(
        "BU-038", _reason, "an avslutsorsak without an end, or none with one", files=("insats",)
    ),
    on_line(
        "BU-040",
        _placering_ends_before,
        "the placering ends the day before it starts",
        files=("placering",),
    ),
    on_line("BU-041", _stod_too_young, "stödboende for a child under 16", files=("placering",)),
    on_line(
        "BU-042",
        _after_year,
        "an open placering starting after the year",
        files=("placering",),
    ),
    on_line("BU-050", _copy("BU-050"), "a copy of a child's line", files=("barn",)),
    on_line("BU-051", _copy("BU-051"), "a copy of an insats line", files=("insats",)),
    on_line("BU-052", _renumber, "a later placering renumbered 1", files=("placering",)),
    on_unit(
        "BU-053",
        _two_sexes,
        "a copy of a temporary id's line with the other kön",
        files=("barn",),
        companions=("BU-050",),
    ),
    on_unit(
        "BU-054",
        _twin,
        "a copy of a child whose temporary id has another birth date",
        files=("barn",),
    ),
    on_unit(
        "BU-060",
        _without_child,
        "a child's barn line left out",
        files=("insats",),
        needs=("barn", "insats"),
    ),
    on_unit(
        "BU-061",
        _without_insats,
        "a child's insats and placering lines left out",
        files=("barn",),
        needs=("barn", "insats"),
    ),
    on_unit(
        "BU-062",
        _to_no_insats,
        "a placering moved to an insats number the child lacks",
        files=("placering",),
        needs=("insats", "placering"),
    ),
    on_unit(
        "BU-063",
        _without_placering,
        "an insats's placering lines left out",
        files=("insats",),
        needs=("insats", "placering"),
    ),
    on_unit(
        "BU-064",
        _outside_insats,
        "the first placering starts before its insats",
        files=("placering",),
        needs=("insats", "placering"),
    ),
    on_unit(
        "BU-065",
        _overlap,
        "the second placering starts with the first",
        files=("placering",),
        needs=("insats", "placering"),
    ),
    on_unit(
        "BU-066",
        _other_birth,
        "a temporary id with another birth date in the insats and placering files",
        files=("insats", "placering"),
        needs=FILES,
        companions=("BU-060", "BU-061"),
    ),
)
