"""Valid EKB files (EKB-Månad, EKB-AO, EKB-År), and the EKB rules' injectors (see
:mod:`sosreg.generate`).

A household is a sökande and, on about a third of the lines, a medsökande, both adults
(EKB-021, EKB-022) and in no other household of the file (EKB-050, EKB-051; ids
``…TF00`` are birth dates, not persons, and may repeat). The medsökande's fields are
filled exactly when there is a medsökande (EKB-024, EKB-025). EKB-Månad: something
paid (EKB-028), at most ``plausible_max_belopp_manad`` (EKB-031), insatsdagar that
agree with the insats (EKB-027), at most ``plausible_max_antal_barn`` children
(EKB-030), the avseendemånad in the spec's window (EKB-029). EKB-År: at least one
month paid (EKB-012), hinderkod and insats exactly in the paid months (EKB-040,
EKB-041).

EKB-Månad and EKB-AO are made together, a household at a time, whichever of them is
written (so that files made separately with the same arguments agree, and a month's
delivery of both is consistent, EKB-060): every household has its EKB-Månad line and an
EKB-AO line, which is either the household's own for the month (the same sökande and
medsökande, avseendemånad the period: about half) or another household's for an earlier
month of the AO file's window (which the month's EKB-Månad does not hold, so nothing
refers to it). A household damaged by an injection has the latter, so that no damage
breaks the reference from EKB-AO (EKB-060).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sosreg import identity
from sosreg.engine.conditions import choose, lazily, values
from sosreg.engine.values import YearMonth
from sosreg.generate import (
    TABLE_ROWS,
    InjectContext,
    Line,
    LineFn,
    Rand,
    Unit,
    born_for_age,
    breaks,
    on_line,
    weighted,
)
from sosreg.generate import (
    Maker as BaseMaker,
)
from sosreg.registers.ekb import checks

PREFIXES = {"manad": "Ekb", "ao": "Ekb_AO", "ar": "Ekb"}
MONTHLY = ("manad", "ao")
"""The month's two files, made together (one household's lines)."""
FILE_SETS = (MONTHLY, ("manad",), ("ao",), ("ar",))
MONTHS = [f"{m:02d}" for m in range(1, 13)]
OWN_AO = 0.5
"""The share of households whose EKB-AO line is their own for the month."""


def unit_files(files: Sequence[str]) -> tuple[str, ...]:
    """EKB-Månad and EKB-AO are made together (either written alone is the same lines
    as in the pair); EKB-År alone."""
    return MONTHLY if set(files) & set(MONTHLY) else tuple(files)


INSATS = {"0": 14}
"""Most households get no arbetsmarknadsinsats in a month."""


class Maker(BaseMaker):
    register = "ekb"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        first = next(iter(self.specs.values()))
        self.pos = {f: {x.name: i for i, x in enumerate(s.fields)} for f, s in self.specs.items()}
        self.ref = first.reference_date_for(self.period)
        self.min_age = int(first.params.get("min_age_sokande", 18))
        # Born by 31 December of the year they turn min_age + 1: adult on the reference
        # day even when only the birth year is known.
        self.born = (
            dt.date(self.ref.year - 95, 1, 1),
            dt.date(self.ref.year - self.min_age - 1, 12, 31),
        )
        weights = {"ekb_arbetsmarknadsinsats": INSATS}
        self.base = {f: self.pools(s, weights) for f, s in self.specs.items()}
        self.hinder = self.codes("ekb_hinderkod")
        self.insats = weighted(self.codes("ekb_arbetsmarknadsinsats"), INSATS)
        self.reasons = self.codes("ekb_avslutsorsak")
        manad = self.specs.get("manad")
        self.max_barn = checks.most_children(manad, self.year, self.period) if manad else 0
        self.max_paid = int(first.params.get("plausible_max_belopp_manad", 60000))
        self.months: dict[str, tuple[str, ...]] = {}
        if isinstance(self.period, YearMonth):
            for f, spec in self.specs.items():
                lo = int(spec.params.get("avseendemanad_min_offset", 0))
                hi = int(spec.params.get("avseendemanad_max_offset", 0))
                self.months[f] = tuple(str(self.period + k) for k in range(lo, hi + 1))
        # the AO lines of other households: an earlier month of the window (else the period)
        earlier = tuple(m for m in self.months.get("ao", ()) if m != str(self.period))
        self.earlier_months = earlier or (str(self.period),)
        self._month_rows: dict[bool, list[tuple[str, ...]]] = {}
        if "manad" in self.specs:
            p = self.pos["manad"]
            self.roles = tuple(
                (p[f"hinder_{role}"], p[f"insats_{role}"], p[f"insatsdagar_{role}"])
                for role in ("sokande", "medsokande")
            )

    def adult(self, rng: Rand, *, extra: bool = False) -> str:
        """A sökande or medsökande: mostly a personnummer, some samordningsnummer,
        temporary ids and ``…TF00`` birth dates."""
        x = rng.random()
        if x < 0.93 or extra:
            return self.people.number(rng, self.born, extra=extra)
        if x < 0.97:
            return self.people.number(rng, self.born, snr=True)
        if x < 0.98:
            t3 = self.people.t3(rng, self.born)
            if t3 is not None:
                return t3
        born = rng.date(*self.born)
        return identity.temporary(born, "tf", rng.choice(identity.PRECISIONS))

    def household(self, rng: Rand) -> tuple[str, str, bool]:
        """(sökande, medsökande or ``""``, whether there is a medsökande)."""
        sokande = self.adult(rng)
        med = rng.random() < 0.35
        medsokande = self.adult(rng) if med else ""
        while medsokande == sokande:  # two ids …TF00 of the same birth date (EKB-020)
            medsokande = self.adult(rng)
        return sokande, medsokande, med

    def unit(self, rng: Rand) -> Unit:
        if "ar" in self.specs:
            rec = self.draw(rng, self.base["ar"])
            p = self.pos["ar"]
            rec[p["sokande"]], rec[p["medsokande"]], med = self.household(rng)
            self.ar(rng, rec, med)
            return [("ar", ";".join(rec))]
        rec = self.draw(rng, self.base["manad"])
        p = self.pos["manad"]
        sokande, medsokande, med = self.household(rng)
        rec[p["sokande"]], rec[p["medsokande"]] = sokande, medsokande
        self.manad(rng, rec, med)
        ao = self.draw(rng, self.base["ao"])
        q = self.pos["ao"]
        if rng.random() < OWN_AO:  # the household's own, for the month
            month = str(self.period)
        else:  # another household's, for an earlier month
            month = rng.choice(self.earlier_months)
            sokande, medsokande, med = self.household(rng)
        ao[q["sokande"]], ao[q["medsokande"]], ao[q["avseendemanad"]] = sokande, medsokande, month
        if not med:
            ao[q["avslutsorsak_medsokande"]] = ""
        return [("manad", ";".join(rec)), ("ao", ";".join(ao))]

    def before_damage(self, lines: list[Line]) -> None:
        """A household to be damaged keeps its EKB-AO line out of the month: whatever
        the damage, nothing in EKB-AO then refers to its EKB-Månad line (EKB-060)."""
        month = self.earlier_months[-1]
        for ao in (x for x in lines if x.file == "ao" and "manad" in self.specs):
            if ao["avseendemanad"] == str(self.period) != month:
                ao["avseendemanad"] = month

    def manad(self, rng: Rand, rec: list[str], med: bool) -> None:
        p = self.pos["manad"]
        r = rng.random
        months = self.months["manad"]
        rec[p["avseendemanad"]] = months[int(r() * len(months))]
        rec[p["antal_barn"]] = str(min(self.max_barn, int(r() ** 2 * 5)))
        rec[p["belopp_forsorjningsstod"]] = str(300 + int(r() * 24_701))
        rec[p["belopp_ovrigt"]] = str(100 + int(r() * 8_901)) if r() < 0.3 else "0"
        hinder, insats = self.hinder, self.insats
        p = self.pos["manad"]

        def get(name: str) -> str:
            return rec[p[name]]

        for (h, i, d), rule, present in zip(
            self.roles, checks.DAYS.values(), (True, med), strict=True
        ):
            if not present:
                rec[h] = rec[i] = rec[d] = ""
                continue
            rec[h] = hinder[int(r() * len(hinder))]
            rec[i] = insats[int(r() * len(insats))]
            if r() < 0.3:
                rec[d] = ""
            else:  # days that agree with the insats (EKB-027, declared in checks)
                days = choose(rule, get, rule.field, lazily("0", lambda: str(1 + int(r() * 28))))
                assert days is not None
                rec[d] = days

    def ar(self, rng: Rand, rec: list[str], med: bool) -> None:
        rows = self._month_rows.get(med)
        if rows is None:
            rows = [self._paid_month(rng, med) for _ in range(TABLE_ROWS)]
            self._month_rows[med] = rows
        start = rng.below(12)
        stop = rng.between(start + 1, 12)
        out = rec[:5]
        for m in range(12):
            if start <= m < stop:
                out.extend(rows[rng.below(TABLE_ROWS)])
            else:
                out.extend(("", "", "", "", ""))
        # the avslutsorsak fields after the months (EKB-014/015): for some households
        # whose assistance ended before December, the reason for the last paid month
        avslut = ["", "", "", ""]
        if stop < 12 and rng.random() < 0.3:
            avslut = [
                f"{self.ref.year}{stop:02d}",
                rng.choice(self.reasons),
                rng.choice(self.reasons) if med else "",
                rng.choice(self.reasons),
            ]
        rec[:] = out + avslut + rec[len(out) + len(avslut) :]

    def _paid_month(self, rng: Rand, med: bool) -> tuple[str, ...]:
        return (
            str(rng.between(300, 25_000)),
            rng.choice(self.hinder),
            rng.choice(self.hinder) if med else "",
            rng.choice(self.insats),
            rng.choice(self.insats) if med else "",
        )

    def field_ok(self, check: str, field: str, line: Line, ctx: InjectContext) -> bool:
        if field.startswith("belopp_") and line.file == "ar":
            return False  # a month's amount that is not read makes its codes EKB-040
        if field in AVSLUT_AR and line.file == "ar":
            return False  # an avslutsorsak field that is not read is also EKB-014
        if field == "antal_barn" and check == "range":
            return False  # beyond the range is also many children (EKB-030)
        for role in ("sokande", "medsokande"):
            if field == f"insatsdagar_{role}" and check in ("range", "number.identity"):
                return line[f"insats_{role}"] != "0"  # EKB-027
            if field == f"insats_{role}" and check in ("code.unknown",):
                return line[f"insatsdagar_{role}"] != "0"  # EKB-027
        return True


# --- injectors -----------------------------------------------------------------------------


def _maker(ctx: InjectContext) -> Maker:
    assert isinstance(ctx.maker, Maker)
    return ctx.maker


def _months_of(line: Line, paid: bool) -> list[str]:
    return [mm for mm in MONTHS if bool(line[f"belopp_{mm}"]) == paid]


AVSLUT_AR = (
    "avslut_manad",
    "avslutsorsak_sokande",
    "avslutsorsak_medsokande",
    "avslutsorsak_hushall",
)
"""EKB-År's avslutsorsak fields (provisional positions, after the twelve months)."""


def _avslut(line: Line, ctx: InjectContext, month: str, hushall: bool) -> None:
    m = _maker(ctx)
    line["avslut_manad"] = month
    line["avslutsorsak_sokande"] = ctx.rng.choice(m.reasons)
    line["avslutsorsak_medsokande"] = ctx.rng.choice(m.reasons) if line["medsokande"] else ""
    line["avslutsorsak_hushall"] = ctx.rng.choice(m.reasons) if hushall else ""


def _avslut_incomplete(line: Line, ctx: InjectContext) -> list[Line]:
    paid = _months_of(line, paid=True)
    _avslut(line, ctx, f"{_maker(ctx).ref.year}{paid[-1]}", hushall=False)
    return line.expecting("EKB-014")


def _avslut_unpaid(line: Line, ctx: InjectContext) -> list[Line] | None:
    unpaid = _months_of(line, paid=False)
    if not unpaid:
        return None
    _avslut(line, ctx, f"{_maker(ctx).ref.year}{ctx.rng.choice(unpaid)}", hushall=True)
    return line.expecting("EKB-015")


def _no_amount(line: Line, ctx: InjectContext) -> list[Line]:
    for field in AVSLUT_AR:  # a reason for a month of the year would also be EKB-015
        line[field] = ""
    for mm in MONTHS:
        for kind in ("belopp", "hinder_sokande", "hinder_medsokande"):
            line[f"{kind}_{mm}"] = ""
        line[f"insats_sokande_{mm}"] = line[f"insats_medsokande_{mm}"] = ""
    return line.expecting("EKB-012")


def _med_is_sokande(line: Line, ctx: InjectContext) -> list[Line] | None:
    if not line["medsokande"]:
        return None
    line["medsokande"] = line["sokande"]
    return line.expecting("EKB-020")


def _child(role: str, code: str) -> LineFn:
    def damage(line: Line, ctx: InjectContext) -> list[Line] | None:
        if not line[role]:
            return None
        m = _maker(ctx)
        line[role] = m.people.number(ctx.rng, born_for_age(m.ref, 5, m.min_age - 1), extra=True)
        return line.expecting(code)

    return damage


def _unborn(line: Line, ctx: InjectContext) -> list[Line]:
    m = _maker(ctx)
    later = (m.ref + dt.timedelta(days=1), m.ref + dt.timedelta(days=200))
    line["sokande"] = m.people.number(ctx.rng, later, extra=True)
    return line.expecting("EKB-023")


def _med_data_without_med(line: Line, ctx: InjectContext) -> list[Line] | None:
    if line["medsokande"]:
        return None
    m = _maker(ctx)
    if line.file in MONTHLY:  # the declared check (EKB-024): a code where none may be
        check, codes = (
            (checks.MED_MANAD[1], m.hinder)
            if line.file == "manad"
            else (checks.MED_AO[1], m.reasons)
        )
        pool = values(check, line.__getitem__, check.field, codes, valid=False)
        if not pool:
            return None
        line[check.field] = ctx.rng.choice(pool)
    else:
        mm = ctx.rng.choice(_months_of(line, paid=True))
        line[f"hinder_medsokande_{mm}"] = ctx.rng.choice(m.hinder)
    return line.expecting("EKB-024")


def _med_data_missing(line: Line, ctx: InjectContext) -> list[Line] | None:
    if not line["medsokande"]:
        return None
    if line.file in MONTHLY:  # the declared checks (EKB-025): a needed field emptied
        declared = checks.MED_MANAD if line.file == "manad" else checks.MED_AO
        needed = [c for c in declared if c.code == "EKB-025"]
        check = needed[0] if len(needed) == 1 else ctx.rng.choice(needed)
        if not values(check, line.__getitem__, check.field, ("",), valid=False):
            return None
        line[check.field] = ""
    else:
        mm = ctx.rng.choice(_months_of(line, paid=True))
        line[f"insats_medsokande_{mm}"] = ""
    return line.expecting("EKB-025")


def _days_disagree(line: Line, ctx: InjectContext) -> list[Line] | None:
    """Insatsdagar that break EKB-027's declared condition: 0 with an insats, or some
    days without one."""
    rule = checks.DAYS["sokande"]
    days = choose(
        rule,
        line.__getitem__,
        rule.field,
        lazily("0", lambda: str(ctx.rng.between(1, 28))),
        valid=False,
    )
    if days is None:
        return None
    line[rule.field] = days
    return line.expecting(rule.code)


def _nothing_paid(line: Line, ctx: InjectContext) -> list[Line]:
    line["belopp_forsorjningsstod"] = line["belopp_ovrigt"] = "0"
    assert not checks.PAID.holds(line.__getitem__)
    return line.expecting(checks.PAID.code)


def _month_outside(line: Line, ctx: InjectContext) -> list[Line]:
    m = _maker(ctx)
    assert isinstance(m.period, YearMonth)
    params = ctx.spec(line.file).params
    lo = int(params.get("avseendemanad_min_offset", 0))
    hi = int(params.get("avseendemanad_max_offset", 0))
    offset = ctx.rng.choice((lo - 1, hi + 1))
    line["avseendemanad"] = str(m.period + offset)
    return line.expecting("EKB-029")


def _many_children(line: Line, ctx: InjectContext) -> list[Line] | None:
    m = _maker(ctx)
    return breaks(checks.CHILDREN, line, ctx, str(ctx.rng.between(m.max_barn + 1, m.max_barn + 5)))


def _large_amount(line: Line, ctx: InjectContext) -> list[Line]:
    m = _maker(ctx)
    large = str(m.max_paid + ctx.rng.between(1, 20_000))
    if line.file == "manad":
        line["belopp_forsorjningsstod"] = large
    else:
        line[f"belopp_{ctx.rng.choice(_months_of(line, paid=True))}"] = large
    return line.expecting("EKB-031")


def _codes_unpaid(line: Line, ctx: InjectContext) -> list[Line] | None:
    unpaid = _months_of(line, paid=False)
    if not unpaid:
        return None
    line[f"hinder_sokande_{ctx.rng.choice(unpaid)}"] = ctx.rng.choice(_maker(ctx).hinder)
    return line.expecting("EKB-040")


def _paid_without_hinder(line: Line, ctx: InjectContext) -> list[Line]:
    line[f"hinder_sokande_{ctx.rng.choice(_months_of(line, paid=True))}"] = ""
    return line.expecting("EKB-041")


def _unknown_household(line: Line, ctx: InjectContext) -> list[Line]:
    """An EKB-AO line for the month whose sökande has no line in EKB-Månad."""
    m = _maker(ctx)
    line["avseendemanad"] = str(m.period)
    line["sokande"] = m.people.number(ctx.rng, m.born, extra=True)
    return line.expecting("EKB-060")


def _month_key(line: Line) -> str:
    return line["avseendemanad"] if line.has("avseendemanad") else ""


def _person_of_earlier(role: str, code: str) -> LineFn:
    """``role`` of this line becomes an earlier line's sökande (the same avseendemånad:
    a person may be in one household a month)."""

    def damage(line: Line, ctx: InjectContext) -> list[Line] | None:
        if not line[role]:
            return None
        spec = ctx.spec(line.file)
        pos = line.pos
        month = _month_key(line)
        people = []
        for text in ctx.earlier(line.file):
            fields = text.split(";")
            person = fields[pos["sokande"]]
            if identity.parse(person).kind == "tf" or (
                spec.has_field("avseendemanad") and fields[pos["avseendemanad"]] != month
            ):
                continue
            people.append(person)
        if not people:
            return None
        line[role] = ctx.rng.choice(people)
        return line.expecting(code)

    return damage


ALL = ("manad", "ao", "ar")
INJECTORS = (
    on_line("EKB-012", _no_amount, "no month paid (all twelve emptied)", files=("ar",)),
    on_line(
        "EKB-014", _avslut_incomplete, "an avslutsorsak without the household's", files=("ar",)
    ),
    on_line("EKB-015", _avslut_unpaid, "an avslutsorsak for a month without amount", files=("ar",)),
    on_line("EKB-020", _med_is_sokande, "the medsökande is the sökande", files=ALL),
    on_line("EKB-021", _child("sokande", "EKB-021"), "a sökande under 18", files=ALL),
    on_line("EKB-022", _child("medsokande", "EKB-022"), "a medsökande under 18", files=ALL),
    on_line("EKB-023", _unborn, "a sökande born after the period", files=ALL),
    on_line(
        "EKB-024", _med_data_without_med, "a medsökande's code without a medsökande", files=ALL
    ),
    on_line("EKB-025", _med_data_missing, "a medsökande's code left out", files=ALL),
    on_line(
        "EKB-027", _days_disagree, "insatsdagar that disagree with the insats", files=("manad",)
    ),
    on_line("EKB-028", _nothing_paid, "both amounts 0", files=("manad",)),
    on_line(
        "EKB-029",
        _month_outside,
        "an avseendemånad outside the file's window",
        files=("manad", "ao"),
    ),
    on_line(
        "EKB-060",
        _unknown_household,
        "an EKB-AO line for the month whose household is not in EKB-Månad",
        files=("ao",),
        needs=MONTHLY,
    ),
    on_line("EKB-030", _many_children, "more children than plausible", files=("manad",)),
    on_line(
        "EKB-031", _large_amount, "a month's amount above the plausible", files=("manad", "ar")
    ),
    on_line("EKB-040", _codes_unpaid, "a hinderkod in a month without amount", files=("ar",)),
    on_line("EKB-041", _paid_without_hinder, "a paid month without hinderkod", files=("ar",)),
    on_line(
        "EKB-050",
        _person_of_earlier("sokande", "EKB-050"),
        "an earlier line's sökande as sökande",
        files=ALL,
    ),
    on_line(
        "EKB-051",
        _person_of_earlier("medsokande", "EKB-051"),
        "an earlier line's sökande as medsökande",
        files=ALL,
    ),
)
