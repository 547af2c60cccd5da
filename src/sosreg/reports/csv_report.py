"""The findings as CSV: one row per finding, for a spreadsheet or a script.

``;``-separated (what Swedish Excel opens by double-click), UTF-8 with a BOM (so Excel
reads å, ä, ö), a header row in Swedish or English, then one row per finding:
file, line (empty for a finding about the whole file), code, the collector's error
number beside it (empty where none is known), severity, category, field,
masked value, title and message (:meth:`~sosreg.engine.report.Report.rows`).

Values come from municipalities' files. A cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return is prefixed with ``'`` so that a spreadsheet shows it
as text and never runs it as a formula; values are masked (no full personnummer).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, TYPE_CHECKING, Final

from sosreg.engine.report import DeliveryReport, FindingRow, Report, row_from_dict
from sosreg.reports.labels import CATEGORIES, COLUMNS, lang_of

if TYPE_CHECKING:
    from sosreg.reports.json_report import FindingSpool

BOM: Final = "\ufeff"
DELIMITER: Final = ";"
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    """``text`` made safe for a spreadsheet cell: a leading ``= + - @`` (or tab, CR)
    gets a ``'`` in front, so the cell is text, not a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def header(lang: str = "sv") -> list[str]:
    return list(COLUMNS[lang_of(lang)].values())


def cells(row: FindingRow, lang: str = "sv") -> list[str]:
    """A row's cells as written (labels in ``lang``, every text defused)."""
    lang = lang_of(lang)
    return [
        defuse(row.file),
        "" if row.line is None else str(row.line),
        defuse(row.code),
        "" if row.collector is None else str(row.collector),
        row.severity.label(lang),
        CATEGORIES[lang].get(row.category, row.category),
        defuse(row.field or ""),
        defuse(row.value or ""),
        defuse(row.title),
        defuse(row.message),
    ]


def write_rows(out: IO[str], rows: Iterable[FindingRow], lang: str = "sv") -> int:
    """Write the BOM, the header and ``rows`` to ``out`` (a text stream opened with
    ``newline=""``); the number of rows written. Streams: one row in memory at a time."""
    out.write(BOM)
    writer = csv.writer(out, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow(header(lang))
    n = 0
    for row in rows:
        writer.writerow(cells(row, lang))
        n += 1
    return n


def report_rows(
    report: Report | DeliveryReport,
    lang: str = "sv",
    spools: Sequence[FindingSpool] | None = None,
) -> Iterable[FindingRow]:
    """The rows of ``report``; with ``spools`` (one per file, every finding of it), each
    file's rows come from its spool instead of the details the report kept."""
    if spools is None:
        return report.rows(lang)
    files = report.reports if isinstance(report, DeliveryReport) else (report,)
    return _spooled(report, files, spools, lang)


def _spooled(
    report: Report | DeliveryReport,
    files: Sequence[Report],
    spools: Sequence[FindingSpool],
    lang: str,
) -> Iterable[FindingRow]:
    for r, spool in zip(files, spools, strict=True):
        yield from spool_rows(spool, r.display_name)
    if isinstance(report, DeliveryReport):
        cross = DeliveryReport((), report.findings)
        yield from cross.rows(lang)


def spool_rows(spool: FindingSpool, name: str) -> Iterator[FindingRow]:
    """Every finding of a :class:`~sosreg.reports.json_report.FindingSpool` as a row of
    file ``name``, in report order, read back one at a time."""
    for text in spool.ordered():
        yield row_from_dict(json.loads(text), name)


def render(
    report: Report | DeliveryReport,
    *,
    lang: str = "sv",
    out: IO[str] | None = None,
    spools: Sequence[FindingSpool] | None = None,
) -> str | None:
    """The CSV report: written to ``out`` (``None`` returned), or returned as text."""
    rows = report_rows(report, lang, spools)
    if out is not None:
        write_rows(out, rows, lang)
        return None
    buffer = io.StringIO(newline="")
    write_rows(buffer, rows, lang)
    return buffer.getvalue()
