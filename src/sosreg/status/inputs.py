"""What ``sosreg status`` reads besides the files: "inget att rapportera" declarations
and what each kommun owes (obligations), from CSV files."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import attrs

from sosreg.engine.collection import Declaration, period_end, period_start
from sosreg.engine.pipeline import UsageError

T = TypeVar("T")

# --- inputs ---------------------------------------------------------------------------


@attrs.frozen
class Obligation:
    """A kommun's (or unit's) obligation to report a sub-register (``AdmUppgiftsskyldighet``)."""

    kommun: str
    subregister: str
    first: dt.date
    last: dt.date | None = None
    unit: str | None = None
    """The unit (stadsdel) that reports on its own, where the kommun reports per unit."""
    per_unit: bool = False

    def covers(self, period: str) -> bool:
        start = period_start(period)
        return self.first <= period_end(period) and (self.last is None or start <= self.last)


def _rows(path: str) -> list[dict[str, str]]:
    try:
        text = Path(path).read_text("utf-8-sig")
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    sample = text.split("\n", 1)[0]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    return [
        {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        for row in reader
        if any((v or "").strip() for v in row.values())
    ]


def _day(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what}: not a day ÅÅÅÅ-MM-DD: {text!r}") from None


def read_declarations(path: str) -> list[Declaration]:
    """A declarations file: CSV (``;`` or ``,``) with a header row
    ``kommun;delregister;period;dag`` and an optional ``enhet`` column, one "inget att
    rapportera" per row (``0330;EKB-AO;202303;2023-04-10``)."""
    return _each(
        path,
        lambda row, where: Declaration(
            kommun=row["kommun"],
            subregister=row["delregister"],
            period=row["period"],
            day=_day(row["dag"], where),
            unit=row.get("enhet") or None,
        ),
    )


def read_obligations(path: str) -> list[Obligation]:
    """An obligations file: CSV with a header row
    ``kommun;enhet;delregister;from;to;per_enhet`` (``enhet``, ``to`` and ``per_enhet``
    may be empty; ``per_enhet`` is ``ja``/``true``/``1`` for a kommun whose units report
    on their own, one row per unit)."""
    return _each(
        path,
        lambda row, where: Obligation(
            kommun=row["kommun"],
            subregister=row["delregister"],
            first=_day(row["from"], where),
            last=_day(row["to"], where) if row.get("to") else None,
            unit=row.get("enhet") or None,
            per_unit=row.get("per_enhet", "").lower() in ("ja", "true", "1", "yes"),
        ),
    )


def _each(path: str, make: Callable[[dict[str, str], str], T]) -> list[T]:
    """Each row of a CSV file (:func:`_rows`) made into an item by ``make(row, where)``
    (``where``: the file and line, for messages); a missing column is a
    :class:`UsageError` naming the line."""
    out = []
    for i, row in enumerate(_rows(path), start=2):
        where = f"{path} line {i}"
        try:
            out.append(make(row, where))
        except KeyError as exc:
            raise UsageError(f"{where}: no column {exc.args[0]!r}") from None
    return out
