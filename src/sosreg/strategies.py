"""Hypothesis strategies for valid identities, records and files (needs the
``hypothesis`` extra: ``pip install sosreg[hypothesis]``).

Generic strategies are derived from the spec: each field's type draws its values
(:meth:`FieldType.value <sosreg.engine.types.base.FieldType.value>`, the same the
generator asks), identities are made by :func:`sosreg.identity.make`;
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
from collections.abc import Callable
from typing import Any, Final

import attrs
from hypothesis import strategies as st

from sosreg import codelists
from sosreg import identity as _identity
from sosreg import registers as _registers
from sosreg.engine.records import record_class
from sosreg.engine.register import REGISTRY
from sosreg.engine.spec import FieldSpec, FileSpec
from sosreg.engine.types import field_type
from sosreg.engine.types.base import Around, valid_codes
from sosreg.engine.types.identity import BORN
from sosreg.engine.values import YearMonth

__all__ = [
    "adult_identities",
    "codes",
    "field_values",
    "files",
    "identities",
    "records",
]


@st.composite
def identities(
    draw: st.DrawFn,
    kinds: tuple[str, ...] = _identity.KINDS,
    born_from: dt.date = BORN[0],
    born_to: dt.date = BORN[1],
) -> str:
    """A valid identity of one of ``kinds``, born in ``[born_from, born_to]``, made by
    :func:`sosreg.identity.make`.

    Samordningsnummer come with day + 60 and, where the bounds allow, in the forms
    for an unknown birth day (``ÅÅÅÅMM60NNNC``) or month and day (``ÅÅÅÅ0060NNNC``);
    ``TF00`` ids likewise with the birth date known to the day, month or year
    (:func:`sosreg.identity.precisions`).
    """
    kind = draw(st.sampled_from(kinds))
    birth = draw(st.dates(min_value=born_from, max_value=born_to))
    precision = draw(st.sampled_from(_identity.precisions(kind, birth, born_from, born_to)))
    serial = draw(st.integers(0, 999))
    return _identity.make(birth, kind, serial=serial, precision=precision)


def adult_identities(
    on: dt.date, min_age: int = 18, kinds: tuple[str, ...] = _identity.KINDS
) -> st.SearchStrategy[str]:
    """Identities of people who are certainly at least ``min_age`` on ``on``."""
    latest = dt.date(on.year - min_age - 1, 12, 31)
    return identities(kinds, born_from=dt.date(on.year - 95, 1, 1), born_to=latest)


def codes(name: str, year: int) -> st.SearchStrategy[str]:
    """Codes of list ``name`` valid in ``year`` (a statistikår, or a month ``ÅÅÅÅMM``;
    codes flagged with a warning left out)."""
    return st.sampled_from(valid_codes(codelists.get(name), year))


OPTIONAL_EMPTY: Final = 0.5
"""The chance that :func:`field_values` leaves an optional field empty (``None``)."""


def field_values(
    f: FieldSpec,
    year: int,
    period: YearMonth | int,
    period_field: str | None = "period",
) -> st.SearchStrategy[Any]:
    """Valid values of one field as a record holds them (``None`` allowed where the
    field is optional): the field's type draws them (:meth:`FieldType.value
    <sosreg.engine.types.base.FieldType.value>` from hypothesis' randomness, read by
    :meth:`~sosreg.engine.types.base.FieldType.typed`). ``period_field``: the name
    of the file's period field (it holds the period)."""
    t = field_type(f)
    around = Around(year, period, period_field=period_field, empty=OPTIONAL_EMPTY)
    return st.randoms(use_true_random=False).map(
        lambda rnd: t.typed(t.value(rnd, f, around), f, around)
    )


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
    return st.fixed_dictionaries(
        {f.name: field_values(f, year, period, spec.period_field) for f in spec.fields}
    ).map(lambda d: cls(**d))


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
