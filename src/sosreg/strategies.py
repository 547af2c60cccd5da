"""Hypothesis strategies for valid identities, records and files (needs the
``hypothesis`` extra: ``pip install sosreg[hypothesis]``).

Generic strategies are derived from the spec (field types, code lists as of the year);
a register adds its own constraints in the module its ``Register`` names as
``strategies`` (the built-in ones: ``sosreg/registers/<name>/strategies.py``)
(``records(spec, year, period)``, and ``unique_key(spec, record)`` for what may not
repeat in a file, or a ``files(...)`` of its own; e.g. EKB: no medsökande data without
a medsökande). Every file these strategies make
is *godkänd* by :func:`sosreg.validate`; sosreg's own tests rely on that.

>>> from hypothesis import given
>>> from sosreg import strategies as st_sos
>>> @given(st_sos.files("ekb", "manad", 2023))  # doctest: +SKIP
... def test_my_export(records): ...
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import strategies as st

from sosreg import codelists
from sosreg import registers as _registers
from sosreg.engine.records import record_class
from sosreg.engine.register import REGISTRY
from sosreg.engine.spec import FieldSpec, FileSpec
from sosreg.engine.values import Special, YearMonth
from sosreg.identity import luhn_digit

__all__ = [
    "adult_identities",
    "codes",
    "field_values",
    "files",
    "identities",
    "records",
]


def _born(birth: dt.date) -> str:
    return f"{birth.year:04d}{birth.month:02d}{birth.day:02d}"


def _precisions(birth: dt.date, born_from: dt.date, born_to: dt.date) -> list[str]:
    """How much of ``birth`` an identity may leave out and still promise a birth in
    ``[born_from, born_to]``: ``"day"`` (all known), ``"month"`` (day unknown),
    ``"year"`` (month and day unknown)."""
    precisions = ["day"]
    if born_from <= birth.replace(day=1) and _month_end(birth) <= born_to:
        precisions.append("month")
    if born_from <= dt.date(birth.year, 1, 1) and dt.date(birth.year, 12, 31) <= born_to:
        precisions.append("year")
    return precisions


def _month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@st.composite
def identities(
    draw: st.DrawFn,
    kinds: tuple[str, ...] = ("pnr", "snr", "tf", "t3"),
    born_from: dt.date = dt.date(1920, 1, 1),
    born_to: dt.date = dt.date(2020, 12, 31),
) -> str:
    """A valid identity of one of ``kinds``, born in ``[born_from, born_to]``.

    Samordningsnummer come with day + 60 and, where the bounds allow, in the forms
    for an unknown birth day (``ÅÅÅÅMM60NNNC``) or month and day (``ÅÅÅÅ0060NNNC``);
    ``TF00`` ids likewise with the birth date known to the day, month or year.
    """
    kind = draw(st.sampled_from(kinds))
    birth = draw(st.dates(min_value=born_from, max_value=born_to))
    if kind == "t3":
        return f"{_born(birth)}T{draw(st.integers(0, 999)):03d}"
    precision = "day"
    if kind in ("snr", "tf"):
        precision = draw(st.sampled_from(_precisions(birth, born_from, born_to)))
    if kind in ("pnr", "snr"):
        month, day = birth.month, birth.day
        if kind == "snr":
            day += 60
            if precision != "day":
                day = 60
            if precision == "year":
                month = 0
        serial = draw(st.integers(0, 999))
        body = f"{birth.year % 100:02d}{month:02d}{day:02d}{serial:03d}"
        return f"{birth.year // 100:02d}{body}{luhn_digit(body)}"
    if precision == "day":
        return f"{_born(birth)}TF00"
    if precision == "month":
        return f"{birth.year:04d}{birth.month:02d}TF00"
    return f"{birth.year:04d}TF00"


def adult_identities(
    on: dt.date, min_age: int = 18, kinds: tuple[str, ...] = ("pnr", "snr", "tf", "t3")
) -> st.SearchStrategy[str]:
    """Identities of people who are certainly at least ``min_age`` on ``on``."""
    latest = dt.date(on.year - min_age - 1, 12, 31)
    return identities(kinds, born_from=dt.date(on.year - 95, 1, 1), born_to=latest)


def codes(name: str, year: int) -> st.SearchStrategy[str]:
    """Codes of list ``name`` valid in ``year`` (a statistikår, or a month ``ÅÅÅÅMM``;
    codes flagged with a warning left out)."""
    valid = [c.code for c in codelists.get(name).as_of(year) if c.warning is None]
    return st.sampled_from(valid)


def field_values(f: FieldSpec, year: int, period: YearMonth | int) -> st.SearchStrategy[Any]:
    """Valid values of one field (``None`` allowed where the field is optional)."""
    strategy: st.SearchStrategy[Any]
    if f.type == "code":
        when = codelists.when_of(period)  # a code may be valid from a month
        if f.codelist and f.codelist in codelists.names() and codelists.get(f.codelist).as_of(when):
            strategy = codes(f.codelist, when)
        elif f.pattern:
            rejects = [re.compile(rx) for rx in f.reject.values()]
            strategy = st.from_regex(f.pattern, fullmatch=True).filter(
                lambda v: not any(rx.search(v) for rx in rejects)
            )
        else:
            size = f.width or f.length or 3
            strategy = st.text("0123456789", min_size=size if f.width else 1, max_size=size)
    elif f.type in ("integer", "amount"):
        lo = f.min if f.min is not None else (0 if f.type == "integer" else -50_000)
        hi = f.max if f.max is not None else 200_000
        strategy = st.integers(lo, hi)
        if f.special:
            specials = [
                Special(c.code) for c in codelists.get(f.special).as_of(codelists.when_of(period))
            ]
            strategy = strategy | st.sampled_from(specials)
    elif f.type == "year":
        strategy = st.just(period if isinstance(period, int) else period.year)
    elif f.type == "yearmonth":
        strategy = (
            st.just(period)
            if f.name == "period"
            else st.builds(YearMonth, st.integers(year - 1, year), st.integers(1, 12))
        )
    elif f.type == "date":
        strategy = st.dates(dt.date(year - 5, 1, 1), dt.date(year, 12, 31))
    elif f.type == "identity":
        strategy = identities(f.accept or ("pnr", "snr", "tf", "t3"))
    else:
        size = f.length or 10
        strategy = st.text(
            st.characters(codec="ascii", categories=("Lu", "Ll", "Nd")), min_size=1, max_size=size
        )
    if not f.mandatory:
        strategy = st.none() | strategy
    return strategy


def _hook(register: str, name: str) -> Callable[..., Any] | None:
    """The register's own strategy ``name``, from the module its ``Register`` names as
    ``strategies`` (``None``: the generic one)."""
    module = REGISTRY.get(register).part("strategies")
    if module is None:
        return None
    fn = getattr(module, name, None)
    return fn if callable(fn) else None


def default_period(spec: FileSpec, year: int) -> YearMonth | int:
    return YearMonth(year, 1) if spec.period == "month" else year


def generic_records(spec: FileSpec, year: int, period: YearMonth | int) -> st.SearchStrategy[Any]:
    """Records whose every field is valid on its own (no register constraints)."""
    cls = record_class(spec)
    return st.fixed_dictionaries({f.name: field_values(f, year, period) for f in spec.fields}).map(
        lambda d: cls(**d)
    )


def records(
    register: str,
    file: str,
    year: int,
    period: YearMonth | int | None = None,
) -> st.SearchStrategy[Any]:
    """Valid records of one file of a register."""
    spec = _registers.resolve_spec(register, file, year)
    per = period if period is not None else default_period(spec, year)
    hook = _hook(register, "records")
    if hook is not None:
        strategy: st.SearchStrategy[Any] = hook(spec, year, per)
        return strategy
    return generic_records(spec, year, per)


def files(
    register: str,
    file: str,
    year: int,
    period: YearMonth | int | None = None,
    min_size: int = 1,
    max_size: int = 20,
) -> st.SearchStrategy[list[Any]]:
    """Lists of records that together form a valid file (e.g. no person twice, one
    kommun on every line)."""
    spec = _registers.resolve_spec(register, file, year)
    per = period if period is not None else default_period(spec, year)
    hook = _hook(register, "files")
    strategy: st.SearchStrategy[list[Any]]
    if hook is not None:
        strategy = hook(spec, year, per, min_size, max_size)
    else:
        key = _hook(register, "unique_key")
        strategy = st.lists(
            records(register, file, year, per),
            min_size=min_size,
            max_size=max_size,
            unique_by=(lambda rec: key(spec, rec)) if key is not None else None,
        )
    return strategy.map(lambda recs: one_kommun(spec, recs))


def one_kommun(spec: FileSpec, records: list[Any]) -> list[Any]:
    """``records`` with the first one's kommun on every line (a file is for one kommun)."""
    name = spec.kommun_field
    if name is None or not records:
        return records
    kommun = getattr(records[0], name)
    return [attrs.evolve(r, **{name: kommun}) for r in records]
