"""Hypothesis strategies for valid BU records, files and deliveries (used by
:mod:`sosreg.strategies`; needs the ``hypothesis`` extra).

:func:`delivery` makes the three files of one statistikår together: children, their
insatser and the insatsers' placeringar, linked and consistent (dates in order, every
insats ongoing in the year, ages 0–20, stödboende only at 16–20, placeringar inside
their insats without overlaps, LVU grounds that fit the lagrum). The per-file strategies
take one file of such a delivery, so every file is also *godkänd* alone.

>>> from hypothesis import given
>>> from sosreg.registers.bu.strategies import delivery
>>> @given(delivery(2023))  # doctest: +SKIP
... def test_my_export(files): ...  # files["barn"], files["insats"], files["placering"]
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from sosreg import codelists, identity
from sosreg import registers as _registers
from sosreg.engine.records import record_class
from sosreg.engine.spec import FileSpec
from sosreg.engine.values import YearMonth
from sosreg.strategies import codes, field_values, identities

FILES = ("barn", "insats", "placering")
SEX_CODE = {"M": "1", "K": "2"}


def _id_key(value: str) -> tuple[str, str]:
    """What must differ between two children: the number, or a temporary id's three
    digits (BU-053, BU-054: one T-number is one child)."""
    return ("t3", value[-3:]) if "T" in value else ("nr", value)


@st.composite
def _child_ids(draw: st.DrawFn, year: int, n: int) -> list[str]:
    born = identities(
        ("pnr", "snr", "t3"), born_from=dt.date(year - 20, 1, 1), born_to=dt.date(year, 12, 31)
    ).filter(_full_date)  # the rules need the birth date to know the age
    ids: list[str] = draw(st.lists(born, min_size=n, max_size=n, unique_by=_id_key))
    return ids


def _full_date(value: str) -> bool:
    who = identity.parse(value)
    return isinstance(who, identity.Identity) and who.birth_date() is not None


def _birth(value: str) -> dt.date:
    who = identity.parse(value)
    assert isinstance(who, identity.Identity)
    born = who.birth_date()
    assert born is not None
    return born


@st.composite
def _periods(
    draw: st.DrawFn, start: dt.date, end: dt.date | None, last: dt.date
) -> list[tuple[dt.date, dt.date | None]]:
    """Placeringar one after the other from ``start`` to ``end`` (or, for an ongoing
    insats, to an open last placering starting by ``last``)."""
    stop = end if end is not None else last
    room = (stop - start).days
    n = draw(st.integers(1, min(3, room))) if room >= 2 else 1
    inside = st.integers(1, room - 1)  # cuts strictly between start and stop
    offsets = sorted(draw(st.sets(inside, min_size=n - 1, max_size=n - 1))) if n > 1 else []
    cuts = [start + dt.timedelta(days=o) for o in offsets]
    starts = [start, *cuts]
    ends: list[dt.date | None] = [*cuts, end]
    return list(zip(starts, ends, strict=True))


@st.composite
def delivery(draw: st.DrawFn, year: int, max_children: int = 4) -> dict[str, list[Any]]:
    """Records of the three BU files of ``year``: ``{"barn": [...], "insats": [...],
    "placering": [...]}``, godkänd as a delivery and each file godkänd alone."""
    specs = {f: _registers.resolve_spec("bu", f, year) for f in FILES}
    cls = {f: record_class(specs[f]) for f in FILES}
    params = specs["insats"].params
    grounds: dict[str, list[str]] = {
        str(k): [str(g) for g in v] for k, v in params["lvu_grund_for_lagrum"].items()
    }
    optional = {str(c) for c in params.get("lvu_grund_optional", ())}
    p_params = specs["placering"].params
    stod = str(p_params["stodboende_kod"])
    stod_ages = (int(p_params["stodboende_min_age"]), int(p_params["stodboende_max_age"]))
    kommun = draw(codes("kommun", year))
    jan1, dec31 = dt.date(year, 1, 1), dt.date(year, 12, 31)

    def stadsdel(file: str) -> Any:
        return draw(field_values(specs[file].field("stadsdel"), year, year))

    out: dict[str, list[Any]] = {f: [] for f in FILES}
    n = draw(st.integers(1, max_children))
    for child in draw(_child_ids(year, n)):
        who = identity.parse(child)
        assert isinstance(who, identity.Identity)
        born = _birth(child)
        kon: str | None
        if who.kind == "t3" or who.sex is None:
            kon = draw(codes("kon", year))
        else:
            kon = draw(st.sampled_from([None, SEX_CODE[who.sex]]))
        out["barn"].append(
            cls["barn"](
                kommun=kommun,
                stadsdel=stadsdel("barn"),
                ar=year,
                id=child,
                kon=kon,
                fodelseland=draw(codes("bu_fodelseland", year)),
                fodelseland_foralder1=draw(codes("bu_fodelseland", year)),
                fodelseland_foralder2=draw(codes("bu_fodelseland", year)),
                vardnadshavare=draw(codes("bu_vardnadshavare", year)),
                ensamkommande=draw(codes("bu_ensamkommande", year)),
            )
        )
        for insatsnr in range(1, draw(st.integers(1, 2)) + 1):
            start = draw(st.dates(max(born, dt.date(year - 4, 1, 1)), dec31))
            end = draw(st.none() | st.dates(max(start, jan1), dec31))
            lagrum = draw(codes("bu_lagrum", year))
            choices: list[str | None] = list(grounds.get(lagrum, []))
            if lagrum not in grounds or lagrum in optional:
                choices.append(None)
            out["insats"].append(
                cls["insats"](
                    kommun=kommun,
                    stadsdel=stadsdel("insats"),
                    ar=year,
                    id=child,
                    insatsnr=insatsnr,
                    lagrum=lagrum,
                    lvu_grund=draw(st.sampled_from(choices)),
                    beslutsdatum=draw(st.dates(start - dt.timedelta(days=60), start)),
                    startdatum=start,
                    slutdatum=end,
                    avslutsorsak=None if end is None else draw(codes("bu_avslutsorsak", year)),
                )
            )
            for nr, (p_start, p_end) in enumerate(draw(_periods(start, end, dec31)), start=1):
                youngest, oldest = who.age_range(p_start)
                forms = [
                    c.code
                    for c in codelists.get("bu_placeringsform").as_of(year)
                    if c.code != stod or (oldest >= stod_ages[0] and youngest <= stod_ages[1])
                ]
                out["placering"].append(
                    cls["placering"](
                        kommun=kommun,
                        stadsdel=stadsdel("placering"),
                        ar=year,
                        id=child,
                        insatsnr=insatsnr,
                        placeringsnr=nr,
                        placeringsform=draw(st.sampled_from(forms)),
                        startdatum=p_start,
                        slutdatum=p_end,
                    )
                )
    return out


def records(spec: FileSpec, year: int, period: YearMonth | int) -> st.SearchStrategy[Any]:
    """One valid record of ``spec``'s file (the first of a delivery's)."""
    return delivery(year, max_children=1).map(lambda d: d[spec.file][0])


def files(
    spec: FileSpec, year: int, period: YearMonth | int, min_size: int, max_size: int
) -> st.SearchStrategy[list[Any]]:
    """One file of a delivery (at most ``max_size`` of its records): godkänd alone."""
    return (
        delivery(year)
        .map(lambda d: d[spec.file][:max_size])
        .filter(lambda recs: len(recs) >= min_size)
    )
