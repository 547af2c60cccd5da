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
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sosreg.engine.records import spec_of
from sosreg.engine.spec import FileSpec
from sosreg.engine.values import Special, YearMonth
from sosreg.identity import Pseudonymizer, looks_like_identity, mask, mask_text, session_key

IDENTITIES = ("pseudonym", "mask", "keep", "drop")
_INT64 = (-(2**63), 2**63 - 1)


def _column(values: list[Any], kind: str) -> Any:
    import pandas as pd

    if kind in ("integer", "amount", "year"):  # a number too large for Int64 is null,
        # and so is a personnummer (SOS-215; the parser gives None, a record made by hand
        # may hold one)
        return pd.array(
            [
                None
                if v is None or not _INT64[0] <= v <= _INT64[1] or looks_like_identity(str(v))
                else v
                for v in values
            ],
            dtype="Int64",
        )
    if kind == "date":
        return pd.to_datetime(pd.Series(values, dtype="object"))
    return pd.array([None if v is None else str(v) for v in values], dtype="string")


def to_pandas(
    records: Iterable[Any],
    *,
    spec: FileSpec | None = None,
    identities: str = "pseudonym",
    key: bytes | None = None,
    lines: Iterable[int] | None = None,
) -> Any:
    """A ``pandas.DataFrame`` of ``records`` (all of one spec)."""
    import pandas as pd

    if identities not in IDENTITIES:
        raise ValueError(f"identities must be one of {', '.join(map(repr, IDENTITIES))}")
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
            data[f.name] = _column([None if isinstance(v, Special) else v for v in values], f.type)
            data[f"{f.name}_kod"] = _column(
                [mask_text(v) if isinstance(v, Special) else None for v in values], "text"
            )
        elif f.type == "yearmonth":
            data[f.name] = _column(
                [str(v) if isinstance(v, YearMonth) else None for v in values], "text"
            )
        elif f.type in ("code", "text"):
            data[f.name] = _column([None if v is None else mask_text(v) for v in values], "text")
        else:
            data[f.name] = _column(values, f.type)
    return pd.DataFrame(data)


def read_pandas(
    source: Any, *, identities: str = "pseudonym", key: bytes | None = None, **kwargs: Any
) -> Any:
    """Parse ``source`` (arguments as :func:`sosreg.parse`) into a DataFrame with a
    ``line`` column (the physical line of each record). Lines that give no record are
    left out; validate the file to see why."""
    from sosreg.engine.pipeline import parse

    parsed = parse(source, **kwargs)
    lines: list[int] = []
    records: list[Any] = []
    for row in parsed:
        if row.record is not None:
            lines.append(row.line)
            records.append(row.record)
    return to_pandas(records, spec=parsed.spec, identities=identities, key=key, lines=lines)
