"""Records as DataFrames, for analysts (needs the ``pandas`` extra).

>>> df = sosreg.frames.read_pandas("Ekb_0330_2023_20240410T0900.txt")  # doctest: +SKIP

Columns follow the spec: codes and texts as strings, numbers as nullable ``Int64``,
dates as ``datetime64``, periods as ``ÅÅÅÅMM`` strings. A numeric field with special
codes (``777`` = dygnet runt) gives two columns: the number (``<NA>`` for a special
code) and ``<field>_kod`` with the special code.

Identity columns, by default, hold **pseudonyms**: a keyed HMAC-SHA-256 of the number
(:func:`sosreg.identity.pseudonym`, ``p_`` and 16 hex digits), the same for the same
person under one key, so files can be joined on it, and different for different people
(unlike a masked ``19121212-****``, which merges everyone born that day). Pass
``key=`` (bytes, kept secret) to get the same pseudonyms in every session; without it
a random key is made once per process. ``identities="mask"`` gives ``19121212-****``,
``"keep"`` the full numbers, ``"drop"`` leaves the columns out. Whatever the choice for
identity columns, an identity number typed into any other text column is masked, and one
in a number column is ``<NA>`` (:func:`sosreg.identity.looks_like_identity`; the file
has SOS-215 there).

``labels=True`` (or ``"sv"``, ``"en"``) adds ``<column>_label`` after each coded column
(a code field with a code list, and the ``<field>_kod`` of a number with special codes):
the code's label in the list *as of the row's statistikår* (a label that changed between
years is each year's own), null where the code is not in the list or not valid that
year. The statistikår is ``year=`` if given, else each record's ``period`` (or its
``year`` field, e.g. EKB-År's ``ar``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from sosreg import codelists as _codelists
from sosreg.codelists import CodeList, Validity
from sosreg.engine.errors import optional_import
from sosreg.engine.findings import DEFAULT_MAX_DETAILS, Finding
from sosreg.engine.records import spec_of
from sosreg.engine.source import Source
from sosreg.engine.spec import FileSpec
from sosreg.engine.types import TYPES
from sosreg.engine.values import Special, YearMonth
from sosreg.identity import Pseudonymizer, mask, mask_text, session_key

IDENTITIES = ("pseudonym", "mask", "keep", "drop")
LABELS = (False, True, "sv", "en")
"""The values of ``labels=``: none; Swedish labels (``True`` or ``"sv"``); English
(``"en"``, the Swedish label where a code has no English one)."""


def _column(values: list[Any], kind: str) -> Any:
    """A pandas column of field values of type ``kind``, as the type puts them in frames
    (:meth:`~sosreg.engine.types.base.FieldType.frame_value`: a number too large for
    ``Int64`` is null, and so is a personnummer, SOS-215)."""
    pd = optional_import("pandas", "DataFrames", "pandas")
    t = TYPES[kind]
    return t.pandas_array(pd, [t.frame_value(v) for v in values])


def label_lang(labels: bool | str) -> str | None:
    """The language of ``labels=`` (``None``: no labels); a bad value is a ``ValueError``."""
    if labels is False or labels is None:
        return None
    if labels is True or labels == "sv":
        return "sv"
    if labels == "en":
        return "en"
    raise ValueError(f"labels must be one of {', '.join(map(repr, LABELS))}, not {labels!r}")


def labelled(spec: FileSpec) -> list[tuple[str, str]]:
    """``(column, code list)`` of each column that ``labels=`` labels, in order: every
    code field with a code list, and the ``<field>_kod`` of a number with special codes."""
    out: list[tuple[str, str]] = []
    for f in spec.fields:
        if f.type == "code" and f.codelist:
            out.append((f.name, f.codelist))
        elif TYPES[f.type].numeric and f.special:
            out.append((f"{f.name}_kod", f.special))
    return out


def code_label(
    codelist: CodeList | None, code: str | None, year: int | None, lang: str = "sv"
) -> str | None:
    """The label of ``code`` valid in statistikår ``year`` (``None``: no list, no code or
    year, a code not in the list, or one not valid that year)."""
    if codelist is None or code is None or year is None:
        return None
    validity, entry = codelist.lookup(code, year)
    if validity is not Validity.VALID or entry is None:
        return None
    return (entry.label_en or entry.label) if lang == "en" else entry.label


def codelist_lookup(
    codelists: Mapping[str, CodeList] | None,
) -> Callable[[str], CodeList | None]:
    """Find a list by name: in ``codelists`` first, then the built-in and registered
    lists (as validation does); ``None`` for a list that is not there (e.g. KVÅ)."""

    def lookup(name: str) -> CodeList | None:
        if codelists is not None and name in codelists:
            return codelists[name]
        try:
            return _codelists.get(name)
        except KeyError:
            return None

    return lookup


def _row_years(spec: FileSpec, rows: list[Any], year: int | None) -> list[int | None]:
    if year is not None:
        return [year] * len(rows)
    if spec.has_field("period") and spec.field("period").type == "yearmonth":
        return [r.period.year if isinstance(r.period, YearMonth) else None for r in rows]
    years = [f for f in spec.fields if f.type == "year"]
    if years:
        name = years[0].name
        return [v if isinstance(v := getattr(r, name), int) else None for r in rows]
    raise ValueError(f"labels need the statistikår of {spec.key}'s records: pass year=")


def to_pandas(
    records: Iterable[Any],
    *,
    spec: FileSpec | None = None,
    identities: str = "pseudonym",
    key: bytes | None = None,
    lines: Iterable[int] | None = None,
    labels: bool | str = False,
    year: int | None = None,
    codelists: Mapping[str, CodeList] | None = None,
) -> Any:
    """A ``pandas.DataFrame`` of ``records`` (all of one spec). ``labels``, ``year`` and
    ``codelists`` (lists that replace the built-in ones by name): see the module's docs."""
    pd = optional_import("pandas", "DataFrames", "pandas")

    if identities not in IDENTITIES:
        raise ValueError(f"identities must be one of {', '.join(map(repr, IDENTITIES))}")
    lang = label_lang(labels)
    pseudonym = Pseudonymizer(key if key is not None else session_key())
    rows = list(records)
    if spec is None:
        if not rows:
            raise ValueError("no records and no spec: the columns are unknown")
        spec = spec_of(rows[0])
    data: dict[str, Any] = {}
    if lines is not None:
        data["line"] = pd.array(list(lines), dtype="Int64")
    for f in spec.fields:
        values = [getattr(r, f.name) for r in rows]
        if f.type == "identity":
            if identities == "drop":
                continue
            if identities == "mask":
                values = [None if v is None else mask(v) for v in values]
            elif identities == "pseudonym":
                values = [None if v is None else pseudonym(v) for v in values]
            data[f.name] = _column(values, "text")
        elif f.special:
            data[f.name] = _column(values, f.type)  # a special code: null (frame_value)
            data[f"{f.name}_kod"] = _column(
                [mask_text(v) if isinstance(v, Special) else None for v in values], "text"
            )
        elif f.type in ("code", "text"):
            data[f.name] = _column([None if v is None else mask_text(v) for v in values], "text")
        else:
            data[f.name] = _column(values, f.type)
    if lang is not None:
        data = _with_labels(data, spec, rows, lang, year, codelists)
    return pd.DataFrame(data)


def _with_labels(
    data: dict[str, Any],
    spec: FileSpec,
    rows: list[Any],
    lang: str,
    year: int | None,
    codelists: Mapping[str, CodeList] | None,
) -> dict[str, Any]:
    """``data`` with ``<column>_label`` after each labelled column."""
    years = _row_years(spec, rows, year)
    lookup = codelist_lookup(codelists)
    labels = {}
    for column, name in labelled(spec):
        if column not in data:
            continue
        codelist = lookup(name)
        codes = [c if isinstance(c, str) else None for c in data[column]]  # <NA>: None
        labels[column] = _column(
            [code_label(codelist, c, y, lang) for c, y in zip(codes, years, strict=True)], "text"
        )
    out: dict[str, Any] = {}
    for column, values in data.items():
        out[column] = values
        if column in labels:
            out[f"{column}_label"] = labels[column]
    return out


def read_pandas(
    source: Source,
    *,
    identities: str = "pseudonym",
    key: bytes | None = None,
    labels: bool | str = False,
    register: str | None = None,
    file: str | None = None,
    year: int | None = None,
    period: str | YearMonth | None = None,
    spec: FileSpec | None = None,
    codelists: Mapping[str, CodeList] | None = None,
    name: str | None = None,
    max_details: int | None = DEFAULT_MAX_DETAILS,
    sink: Callable[[Finding], None] | None = None,
    engine: str = "row",
    progress: Callable[[int], None] | None = None,
    on: dt.date | None = None,
    on_is_today: bool = False,
) -> Any:
    """Parse ``source`` into a DataFrame with a ``line`` column (the physical line of
    each record). Lines that give no record are left out; validate the file to see why.
    ``labels`` as :func:`to_pandas`, with the file's statistikår and the code lists it
    was read with; ``register`` … ``on_is_today`` are :func:`sosreg.parse`'s
    (documented there)."""
    from sosreg.engine.pipeline import parse

    parsed = parse(
        source,
        register=register,
        file=file,
        year=year,
        period=period,
        spec=spec,
        codelists=codelists,
        name=name,
        max_details=max_details,
        sink=sink,
        engine=engine,
        progress=progress,
        on=on,
        on_is_today=on_is_today,
    )
    lines: list[int] = []
    records: list[Any] = []
    for row in parsed:
        if row.record is not None:
            lines.append(row.line)
            records.append(row.record)
    lists = {
        name: found
        for _, name in labelled(parsed.spec)
        if (found := parsed.context.codelist(name)) is not None
    }
    return to_pandas(
        records,
        spec=parsed.spec,
        identities=identities,
        key=key,
        lines=lines,
        labels=labels,
        year=parsed.year,
        codelists=lists,
    )
