"""Valid KHSL files (KHSL1, KHSL2), and the KHSL rules' injectors (see
:mod:`sosreg.generate`).

KHSL1: one line per person (KHSL-030), kön as the personnummer says (KHSL-022).
KHSL2: one line per KVÅ action, several per person, dated in the month (KHSL-002), one
to five different yrkesbeteckningar without gaps (KHSL-020, KHSL-021), no action twice
(KHSL-031). No KVÅ list is built in: the codes come from an imported list when one is
given (``codelists={"kva": …}``), else from :data:`KVA`, codes of the right shape.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

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
    on_line,
    sex_of,
    value_injector,
)
from sosreg.generate import (
    Maker as BaseMaker,
)
from sosreg.registers.khsl.rules import IN_PERIOD

PREFIXES = {"khsl1": "KHSL1", "khsl2": "KHSL2"}
FILE_SETS = (("khsl1",), ("khsl2",))
YRKEN = [f"yrkesbeteckning_{i}" for i in range(1, 6)]

KVA = (
    "PD008",
    "QB010",
    "AW003",
    "DV051",
    "DV052",
    "GB009",
    "QH001",
    "QT007",
    "UX010",
    "DT016",
    "XV015",
    "PB012",
)
"""KVÅ codes drawn when no KVÅ list is given: PD008 and QB010 from Socialstyrelsen's
examples, the others only of the right shape (three letters and two digits or two
letters and three digits, not a group code ending in 000)."""
SEX = {"M": "1", "K": "2"}


def unit_files(files: Sequence[str]) -> tuple[str, ...]:
    return tuple(files)


class Maker(BaseMaker):
    register = "khsl"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        spec = self.spec
        assert isinstance(self.period, YearMonth)
        self.file = spec.file
        self.pos = {f.name: i for i, f in enumerate(spec.fields)}
        self.base = self.pools(spec, {"sol_boendeform": {"1": 6, "2": 3}})
        last = self.period.last_day()
        self.old = born_for_age(last, 65, 102)
        self.young = born_for_age(last, 0, 64)
        self.first, self.last = self.period.first_day().toordinal(), last.toordinal()
        self.kva = self.codes("kva") or KVA
        self.yrken = self.codes("khsl_yrkesbeteckning")
        self.person: str | None = None
        self.actions: set[tuple[str, int]] = set()

    def new_person(self, rng: Rand, *, extra: bool = False) -> str:
        born = self.old if rng.random() < 0.8 else self.young
        return self.people.number(rng, born, snr=rng.random() < 0.02, extra=extra)

    def unit(self, rng: Rand) -> Unit:
        rec = self.draw(rng, self.base)
        p = self.pos
        if self.file == "khsl1":
            person = self.new_person(rng)
        else:
            if self.person is None or rng.random() < 0.4 or len(self.actions) > 20:
                self.person, self.actions = self.new_person(rng), set()
            person = self.person
            while True:
                kva, day = rng.choice(self.kva), rng.between(self.first, self.last)
                if (kva, day) not in self.actions:
                    self.actions.add((kva, day))
                    break
            rec[p["kva"]] = kva
            rec[p["datum"]] = day_text(day)
            k = 1 + int(rng.random() ** 3 * 5)
            staff: list[str] = []
            while len(staff) < k:
                code = rng.choice(self.yrken)
                if code not in staff:
                    staff.append(code)
            for i, name in enumerate(YRKEN):
                rec[p[name]] = staff[i] if i < k else ""
        rec[p["personnummer"]] = person
        rec[p["kon"]] = SEX[sex_of(person)]
        return [(self.file, ";".join(rec))]

    def field_ok(self, check: str, field: str, line: Line, ctx: InjectContext) -> bool:
        if field == "yrkesbeteckning_1" and check == "mandatory":
            return not line["yrkesbeteckning_2"]  # else a gap (KHSL-020)
        return True


# --- injectors -----------------------------------------------------------------------------


def _maker(ctx: InjectContext) -> Maker:
    assert isinstance(ctx.maker, Maker)
    return ctx.maker


def _date_outside(line: Line, ctx: InjectContext) -> list[Line] | None:
    m = _maker(ctx)
    day = m.first - ctx.rng.between(1, 28) if ctx.rng.random() < 0.5 else m.last + 1
    return breaks(IN_PERIOD, line, ctx, day_text(day))


def _group_code(line: Line, ctx: InjectContext) -> str | None:
    head = line["kva"][:2]
    return head + "000" if head.isalpha() and head.isupper() else None


def _profession_code(line: Line, ctx: InjectContext) -> str | None:
    return str(ctx.rng.choice(_maker(ctx).yrken))


def _kva_code(line: Line, ctx: InjectContext) -> str | None:
    return line["kva"]


def _staff(line: Line) -> list[str]:
    return [line[name] for name in YRKEN if line[name]]


def _gap(line: Line, ctx: InjectContext) -> list[Line]:
    staff = _staff(line)
    if len(staff) == 1:
        staff += ["", *[c for c in _maker(ctx).yrken if c != staff[0]][:1]]
    elif len(staff) == 5:
        staff[3] = ""
    else:
        staff.insert(len(staff) - 1, "")
    for i, name in enumerate(YRKEN):
        line[name] = staff[i] if i < len(staff) else ""
    return line.expecting("KHSL-020")


def _same_twice(line: Line, ctx: InjectContext) -> list[Line]:
    line["yrkesbeteckning_2"] = line["yrkesbeteckning_1"]
    return line.expecting("KHSL-021")


def _other_sex(line: Line, ctx: InjectContext) -> list[Line]:
    line["kon"] = "2" if line["kon"] == "1" else "1"
    return line.expecting("KHSL-022")


def _copy_earlier(code: str) -> LineFn:
    def damage(line: Line, ctx: InjectContext) -> list[Line] | None:
        earlier = ctx.earlier(line.file)
        if not earlier:
            return None
        line.fields = ctx.rng.choice(earlier).split(";")
        return line.expecting(code)

    return damage


INJECTORS = (
    on_line("KHSL-002", _date_outside, "the action dated outside the month", files=("khsl2",)),
    value_injector("KHSL-011", "khsl2", ("kva",), _group_code, "a KVÅ group code (ending in 000)"),
    value_injector(
        "KHSL-012", "khsl2", ("kva",), _profession_code, "a yrkesbeteckning in the KVÅ field"
    ),
    value_injector(
        "KHSL-016", "khsl2", YRKEN, _kva_code, "the KVÅ code in a yrkesbeteckning field"
    ),
    on_line("KHSL-020", _gap, "an empty yrkesbeteckning before a filled one", files=("khsl2",)),
    on_line("KHSL-021", _same_twice, "the same yrkesbeteckning twice", files=("khsl2",)),
    on_line("KHSL-022", _other_sex, "kön against the personnummer", files=("khsl1", "khsl2")),
    on_line("KHSL-030", _copy_earlier("KHSL-030"), "a copy of an earlier line", files=("khsl1",)),
    on_line("KHSL-031", _copy_earlier("KHSL-031"), "a copy of an earlier line", files=("khsl2",)),
)
