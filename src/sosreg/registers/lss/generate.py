"""Valid LSS files, and the LSS rules' injectors (see :mod:`sosreg.generate`).

One line per person (LSS-030) with at least one insats (LSS-020), each fitting the
person's age on 1 October and personkrets: korttidstillsyn at 12–21 (LSS-024), daglig
verksamhet for personkrets 1 and 2 under 67 (LSS-022, LSS-023), boende for barn up to
21 (LSS-025), bostad for vuxna from 18 (LSS-026), never both (LSS-027), a boendekommun
only with a boende and never the file's own kommun (LSS-028, LSS-029). The limits and
the coding of the columns are read from the spec's params.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sosreg.generate import (
    InjectContext,
    Line,
    LineFn,
    Rand,
    Unit,
    born_for_age,
    on_line,
)
from sosreg.generate import (
    Maker as BaseMaker,
)

PREFIXES = {"lss": "LSS"}
FILE_SETS = (("lss",),)
DEFAULT_FILES = ("lss",)

OPEN_TO_ALL = (
    "personlig_assistans",
    "ledsagarservice",
    "kontaktperson",
    "avlosarservice",
    "korttidsvistelse",
)
"""Insatser without an age or personkrets rule."""
FLAGS = (*OPEN_TO_ALL, "korttidstillsyn", "daglig_verksamhet")
BOENDE = ("boende_barn", "boende_vuxna")


def unit_files(files: Sequence[str]) -> tuple[str, ...]:
    return tuple(files)


def _age(number: str, on: dt.date) -> int:
    born = (int(number[:4]), int(number[4:6]), int(number[6:8]) % 60)
    return on.year - born[0] - ((on.month, on.day) < born[1:])


class Maker(BaseMaker):
    register = "lss"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = self.spec
        p = spec.params
        self.pos = {f.name: i for i, f in enumerate(spec.fields)}
        self.ref = spec.reference_date_for(self.period)
        self.yes, self.no, self.none = str(p["flag_yes"]), str(p["flag_no"]), str(p["boende_none"])
        self.kretsar = tuple(str(k) for k in p["daglig_verksamhet_personkretsar"])
        self.dv_max = int(p["daglig_verksamhet_max_age"])
        self.kt = (int(p["korttidstillsyn_min_age"]), int(p["korttidstillsyn_max_age"]))
        self.barn_max = int(p["boende_barn_max_age"])
        self.vuxna_min = int(p["boende_vuxna_min_age"])
        self.base = self.pools(spec, {"lss_personkrets": {"1": 6, "3": 3}})
        # fixed fields (kommun, år) as they are; the rest filled in unit()
        self.boende = {
            name: tuple(c for c in self.codes(spec.field(name).codelist or "") if c != self.none)
            for name in BOENDE
        }
        self.kommuner = tuple(k for k in self.codes("kommun") if k != self.kommun)
        self.ages = tuple(
            born_for_age(self.ref, lo, hi) for lo, hi in ((0, 17), (18, 66), (18, 66), (67, 90))
        )
        self.template = [p[0] if len(p) == 1 else "" for p in self.base]
        self.kretsar_pool = self.base[self.pos["personkrets"]]
        self.open_to_all = tuple(self.pos[name] for name in OPEN_TO_ALL)

    def person(self, rng: Rand, lo: int = 0, hi: int = 90, *, extra: bool = False) -> str:
        born = born_for_age(self.ref, lo, hi)
        return self.people.number(rng, born, snr=rng.random() < 0.02, extra=extra)

    def unit(self, rng: Rand) -> Unit:
        r = rng.random
        rec = list(self.template)
        i = self.pos
        number = self.people.number(rng, self.ages[int(r() * 4)], snr=r() < 0.02)
        rec[i["personnummer"]] = number
        krets = rec[i["personkrets"]] = self.kretsar_pool[int(r() * len(self.kretsar_pool))]
        yes, no, none = self.yes, self.no, self.none
        some = False
        for k in self.open_to_all:
            if r() < 0.2:
                rec[k] = yes
                some = True
            else:
                rec[k] = no
        age = _age(number, self.ref)
        kt = self.kt[0] <= age <= self.kt[1] and r() < 0.3
        dv = krets in self.kretsar and age < self.dv_max and r() < 0.6
        rec[i["korttidstillsyn"]] = yes if kt else no
        rec[i["daglig_verksamhet"]] = yes if dv else no
        rec[i["boende_barn"]] = rec[i["boende_vuxna"]] = none
        rec[i["boendekommun"]] = ""
        kinds = [k for k, ok in zip(BOENDE, self._boende_ok(age), strict=True) if ok]
        if kinds and r() < 0.4:
            kind = kinds[int(r() * len(kinds))]
            rec[i[kind]] = rng.choice(self.boende[kind])
            if r() < 0.2:
                rec[i["boendekommun"]] = rng.choice(self.kommuner)
        elif not (some or kt or dv):
            rec[i["personlig_assistans"]] = yes  # at least one insats (LSS-020)
        return [("lss", ";".join(rec))]

    def _boende_ok(self, age: int) -> tuple[bool, bool]:
        return age <= self.barn_max, age >= self.vuxna_min

    def fit(self, line: Line, number: str) -> None:
        """``line`` for the person ``number``: the insatser the age does not allow
        removed, and at least one insats left."""
        age = _age(number, self.ref)
        line["personnummer"] = number
        if not self.kt[0] <= age <= self.kt[1]:
            line["korttidstillsyn"] = self.no
        if age >= self.dv_max or line["personkrets"] not in self.kretsar:
            line["daglig_verksamhet"] = self.no
        for kind, ok in zip(BOENDE, self._boende_ok(age), strict=True):
            if not ok:
                line[kind] = self.none
        if all(line[b] == self.none for b in BOENDE):
            line["boendekommun"] = ""
            if all(line[n] == self.no for n in FLAGS):
                line["personlig_assistans"] = self.yes

    def fill(self, field: str, line: Line, ctx: InjectContext) -> bool:
        if field != "boendekommun" or all(line[b] == self.none for b in BOENDE):
            return False
        line["boendekommun"] = ctx.rng.choice(self.kommuner)
        return True


# --- injectors -----------------------------------------------------------------------------


def _maker(ctx: InjectContext) -> Maker:
    assert isinstance(ctx.maker, Maker)
    return ctx.maker


def _no_insats(line: Line, ctx: InjectContext) -> list[Line]:
    m = _maker(ctx)
    for name in FLAGS:
        line[name] = m.no
    for name in BOENDE:
        line[name] = m.none
    line["boendekommun"] = ""
    return line.expecting("LSS-020")


def _unborn(line: Line, ctx: InjectContext) -> list[Line]:
    m = _maker(ctx)
    later = (m.ref + dt.timedelta(days=1), dt.date(m.ref.year, 12, 31))
    line["personnummer"] = m.people.number(ctx.rng, later, extra=True)
    return line.expecting("LSS-021")


def _aged(code: str, lo: int, hi: int, change: Any) -> LineFn:
    """A new person aged ``lo``–``hi`` on the line (the insatser fitted to the age),
    then ``change(line, maker, rng)``."""

    def damage(line: Line, ctx: InjectContext) -> list[Line]:
        m = _maker(ctx)
        m.fit(line, m.person(ctx.rng, lo, hi, extra=True))
        change(line, m, ctx.rng)
        return line.expecting(code)

    return damage


def _dv_krets3(line: Line, m: Maker, rng: Rand) -> None:
    others = [c for c in m.codes("lss_personkrets") if c not in m.kretsar]
    line["personkrets"] = rng.choice(others)
    line["daglig_verksamhet"] = m.yes


def _dv(line: Line, m: Maker, rng: Rand) -> None:
    line["personkrets"] = rng.choice(m.kretsar)
    line["daglig_verksamhet"] = m.yes


def _kt(line: Line, m: Maker, rng: Rand) -> None:
    line["korttidstillsyn"] = m.yes


def _boende(kind: str, other: str | None) -> Any:
    def change(line: Line, m: Maker, rng: Rand) -> None:
        line[kind] = rng.choice(m.boende[kind])
        if other is not None:
            line[other] = m.none

    return change


def _both(line: Line, m: Maker, rng: Rand) -> None:
    for kind in BOENDE:
        line[kind] = rng.choice(m.boende[kind])


def _kommun_without_boende(line: Line, ctx: InjectContext) -> list[Line]:
    m = _maker(ctx)
    for kind in BOENDE:
        line[kind] = m.none
    if all(line[n] == m.no for n in FLAGS):
        line["personlig_assistans"] = m.yes
    line["boendekommun"] = ctx.rng.choice(m.kommuner)
    return line.expecting("LSS-028")


def _own_kommun(line: Line, ctx: InjectContext) -> list[Line]:
    m = _maker(ctx)
    if all(line[b] == m.none for b in BOENDE):
        barn, _ = m._boende_ok(_age(line["personnummer"], m.ref))
        kind = "boende_barn" if barn else "boende_vuxna"
        line[kind] = ctx.rng.choice(m.boende[kind])
    line["boendekommun"] = line["kommun"]
    return line.expecting("LSS-029")


def _copy_earlier(line: Line, ctx: InjectContext) -> list[Line] | None:
    earlier = ctx.earlier(line.file)
    if not earlier:
        return None
    line.fields = ctx.rng.choice(earlier).split(";")
    return line.expecting("LSS-030")


INJECTORS = (
    on_line("LSS-020", _no_insats, "every insats column says no"),
    on_line("LSS-021", _unborn, "a person born after 1 October"),
    on_line("LSS-022", _aged("LSS-022", 20, 60, _dv_krets3), "daglig verksamhet for personkrets 3"),
    on_line("LSS-023", _aged("LSS-023", 67, 90, _dv), "daglig verksamhet at 67 or older"),
    on_line(
        "LSS-024",
        _aged("LSS-024", 25, 60, _kt),
        "korttidstillsyn for a person outside 12–21",
    ),
    on_line(
        "LSS-025",
        _aged("LSS-025", 23, 60, _boende("boende_barn", "boende_vuxna")),
        "boende för barn for an adult",
    ),
    on_line(
        "LSS-026",
        _aged("LSS-026", 3, 16, _boende("boende_vuxna", "boende_barn")),
        "bostad för vuxna for a child",
    ),
    on_line("LSS-027", _aged("LSS-027", 18, 21, _both), "both boende for barn and for vuxna"),
    on_line("LSS-028", _kommun_without_boende, "a boendekommun without a boende"),
    on_line("LSS-029", _own_kommun, "the file's own kommun as boendekommun"),
    on_line("LSS-030", _copy_earlier, "a copy of an earlier line"),
)
