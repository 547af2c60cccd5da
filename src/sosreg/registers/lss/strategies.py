"""Hypothesis strategies for valid LSS records and files (used by
:mod:`sosreg.strategies`).

A record gets insatser that fit the person's age on 1 October and personkrets (no LSS
warning fires), at least one insats, at most one boende, and a boendekommun only with a
boende and never the file's own kommun. The limits are read from the spec's params.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
from hypothesis import strategies as st

from sosreg import identity
from sosreg.engine.records import record_class
from sosreg.engine.spec import FileSpec
from sosreg.engine.values import YearMonth
from sosreg.strategies import codes, field_values, identities

OPEN_TO_ALL = (
    "personlig_assistans",
    "ledsagarservice",
    "kontaktperson",
    "avlosarservice",
    "korttidsvistelse",
)
"""Insatser without an age or personkrets rule."""


def _choices(name: str, year: int, none: str) -> st.SearchStrategy[str]:
    return codes(name, year).filter(lambda c: c != none)


def _full_date(value: str) -> bool:
    who = identity.parse(value)
    return isinstance(who, identity.Identity) and who.birth_date() is not None


@st.composite
def records(draw: st.DrawFn, spec: FileSpec, year: int, period: YearMonth | int) -> Any:
    assert isinstance(period, int)
    p = spec.params
    yes, no, none = str(p["flag_yes"]), str(p["flag_no"]), str(p["boende_none"])
    on = spec.reference_date_for(period)
    cls = record_class(spec)
    base = {f.name: draw(field_values(f, year, period)) for f in spec.fields}
    base["ar"] = period
    # full birth dates only: with an unknown day or month the age may be uncertain
    pnr = draw(
        identities(("pnr", "snr"), born_from=dt.date(on.year - 90, 1, 1), born_to=on).filter(
            lambda v: _full_date(v)
        )
    )
    who = identity.parse(pnr)
    assert isinstance(who, identity.Identity)
    age, oldest = who.age_range(on)
    assert age == oldest
    base["personnummer"] = pnr
    flag = st.sampled_from([no, yes])
    for name in OPEN_TO_ALL:
        base[name] = draw(flag)
    lo, hi = int(p["korttidstillsyn_min_age"]), int(p["korttidstillsyn_max_age"])
    base["korttidstillsyn"] = draw(flag) if lo <= age <= hi else no
    allowed = [str(k) for k in p["daglig_verksamhet_personkretsar"]]
    working_age = age < int(p["daglig_verksamhet_max_age"])
    base["daglig_verksamhet"] = draw(flag) if base["personkrets"] in allowed and working_age else no
    kinds = []
    if age <= int(p["boende_barn_max_age"]):
        kinds.append("boende_barn")
    if age >= int(p["boende_vuxna_min_age"]):
        kinds.append("boende_vuxna")
    base["boende_barn"] = base["boende_vuxna"] = none
    lives = draw(st.sampled_from([None, *kinds]))
    if lives is not None:
        base[lives] = draw(_choices(spec.field(lives).codelist or "", year, none))
    else:
        base["boendekommun"] = None
    if base["boendekommun"] == base["kommun"]:
        base["boendekommun"] = None
    flags = (*OPEN_TO_ALL, "korttidstillsyn", "daglig_verksamhet")
    if lives is None and all(base[n] == no for n in flags):
        base["personlig_assistans"] = yes  # at least one insats
    return cls(**base)


@st.composite
def files(
    draw: st.DrawFn,
    spec: FileSpec,
    year: int,
    period: YearMonth | int,
    min_size: int,
    max_size: int,
) -> list[Any]:
    """One kommun, each person once, no boendekommun equal to the kommun."""
    kommun = draw(codes("kommun", year))
    recs = draw(
        st.lists(
            records(spec, year, period),
            min_size=min_size,
            max_size=max_size,
            unique_by=lambda rec: rec.personnummer,
        )
    )
    out = []
    for rec in recs:
        where = None if rec.boendekommun == kommun else rec.boendekommun
        out.append(attrs.evolve(rec, kommun=kommun, boendekommun=where))
    return out
