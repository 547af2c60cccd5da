"""The feedback as an Excel workbook, shaped like Socialstyrelsen's feedback workbook
(needs the ``excel`` extra: XlsxWriter).

Sheets, in Swedish (English with ``lang="en"``):

``Start`` (*Start*)
    The file (or each file of a delivery, side by side): kind, register, period,
    kommun, status (colour-coded), counts of errors and warnings, deadline, spec and
    its provenance, the file compared with, sosreg's version, the input's size,
    encoding, lines, records and SHA-256.
An approved file (godkänd) gets only ``Start`` and ``Jämförelser``, as the collector's
feedback does (FAQ); the other sheets come when there is something to show, a warning or
an error (the count of information findings stays on ``Start``).

``Summerad info`` (*Summary*)
    Exact counts per rule and severity (with *Visade*, the details shown, when they
    were capped).
``Detaljinfo`` (*Details*)
    One row per finding: line, code, severity, field, masked value, message. Past
    Excel's 1 048 576 rows a sheet, the rows go on in ``Detaljinfo 2`` and so on.
``Jämförelser`` (*Comparisons*)
    The comparisons with the previous period (the findings of category
    ``previous-period``).
``Avvikelsekoder`` (*Error codes*)
    Every rule of the register: code, title, severity, stage and what it says.

Every tabular sheet has a frozen header row and an autofilter. The workbook is written
with XlsxWriter in constant-memory mode: each sheet's rows are written in order and
flushed, so a report with every finding of a file with millions of them (read from a
:class:`~sosreg.reports.json_report.FindingSpool`) needs no memory for them. Values
from the file are written with ``write_string`` (never a formula) and are masked.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any, Final

from sosreg.engine.errors import optional_import
from sosreg.engine.findings import Severity, Status, code_text
from sosreg.engine.report import DeliveryReport, FindingRow, Report
from sosreg.engine.rules import CATALOGUE, Rule, say
from sosreg.reports import labels
from sosreg.reports.csv_report import report_rows
from sosreg.reports.labels import CATEGORIES, COLUMNS, SHEETS, WORDS, lang_of

if TYPE_CHECKING:
    from sosreg.reports.json_report import FindingSpool

MAX_ROWS: Final = 1_048_576
"""Rows of an Excel sheet (the header row included)."""

STATUS_COLOURS: Final = {
    Status.GODKAND: ("#C6EFCE", "#006100"),
    Status.GODKAND_MED_VARNINGAR: ("#FFEB9C", "#7A4A00"),
    Status.INTE_GODKAND: ("#FFC7CE", "#9C0006"),
}
"""Fill and font colour of a status cell (Excel's own Good, Neutral and Bad)."""

SEVERITY_COLOURS: Final = {
    Severity.ERROR: "#9C0006",
    Severity.WARNING: "#7A4A00",
    Severity.INFO: "#1F4E79",
}

ROW_HEIGHT: Final = 15
"""Height of one line of text in a row, in points (Calibri 11)."""
CHARS_PER_WIDTH: Final = 1.15
"""Characters of text (Calibri 11) per unit of column width (the width of a ``0``)."""

_WRAPPED: Final = frozenset({"message", "description", "value", "source"})
"""Columns whose text wraps (the rows are made as high as their text needs)."""

_WIDTHS: Final = {
    "file": 40,
    "line": 8,
    "code": 17,
    "severity": 17,
    "category": 18,
    "field": 24,
    "value": 20,
    "title": 48,
    "message": 100,
    "count": 10,
    "shown": 10,
    "description": 100,
    "source": 70,
}


def xlsxwriter() -> Any:
    """The ``xlsxwriter`` module; a :class:`~sosreg.UsageError` saying how to install it."""
    return optional_import("xlsxwriter", "the xlsx report", "excel")


def render(
    report: Report | DeliveryReport,
    *,
    lang: str = "sv",
    out: str | os.PathLike[str] | IO[bytes] | None = None,
    spools: Sequence[FindingSpool] | None = None,
    previous: str | None = None,
) -> bytes | None:
    """Write the workbook to ``out`` (a path or a binary stream; ``None`` returned), or
    return it as bytes. ``spools`` (one per file) give every finding of each file;
    ``previous`` names the file compared with (``--previous``), if any."""
    if isinstance(out, str | os.PathLike):
        write(out, report, lang=lang, spools=spools, previous=previous)
        return None
    with tempfile.TemporaryDirectory(prefix="sosreg-xlsx-") as tmp:
        path = os.path.join(tmp, "report.xlsx")
        write(path, report, lang=lang, spools=spools, previous=previous)
        with open(path, "rb") as fh:
            if out is None:
                return fh.read()
            shutil.copyfileobj(fh, out)
    return None


def write(
    path: str | os.PathLike[str],
    report: Report | DeliveryReport,
    *,
    lang: str = "sv",
    spools: Sequence[FindingSpool] | None = None,
    previous: str | None = None,
) -> None:
    """Write the workbook of ``report`` to ``path`` (see :func:`render`)."""
    xw = xlsxwriter()
    lang = lang_of(lang)
    files = report.reports if isinstance(report, DeliveryReport) else (report,)
    delivery = isinstance(report, DeliveryReport)
    cross = report.findings if isinstance(report, DeliveryReport) else ()
    if spools is not None and len(spools) != len(files):
        raise ValueError(f"{len(spools)} spools for {len(files)} files")
    n_details = (
        sum(s.count for s in spools) + len(cross)
        if spools is not None
        else sum(len(r.findings) for r in files) + len(cross)
    )
    wb = xw.Workbook(
        os.fspath(path),
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    try:
        book = _Book(wb, lang, delivery)
        sheets = SHEETS[lang]
        # An approved file's feedback shows only Start and Jämförelser (the FAQ); the
        # other sheets come when there is something to show: a warning or an error.
        full = report.status is not Status.GODKAND
        start = wb.add_worksheet(sheets["start"])
        summary = wb.add_worksheet(sheets["summary"]) if full else None
        per_sheet = MAX_ROWS - 2  # the header, and a row for a note after the rows
        n_sheets = max(1, -(-n_details // per_sheet))
        details = (
            [
                wb.add_worksheet(sheets["details"] + (f" {i + 1}" if i else ""))
                for i in range(n_sheets)
            ]
            if full
            else []
        )
        comparisons = wb.add_worksheet(sheets["comparisons"])
        codes = wb.add_worksheet(sheets["codes"]) if full else None
        start.activate()
        for ws in (start, summary, *details, comparisons, codes):
            if ws is not None:
                _print_setup(ws)
        capped = spools is None and any(r.omitted() for r in files)
        book.start(start, report, files, previous)
        rows = report_rows(report, lang, spools)
        if summary is not None and codes is not None:
            book.summary(summary, files, cross, capped)
            compared = book.details(details, per_sheet, rows, files, capped, comparisons)
        else:
            compared = book.compared_only(rows, comparisons)
        book.comparisons_end(comparisons, compared, previous)
        if codes is not None:
            book.codes(codes, files)
    finally:
        wb.close()


class _Table:
    """One sheet written as a table, row after row (constant-memory mode)."""

    def __init__(self, book: _Book, ws: Any, columns: Sequence[str]) -> None:
        self.book = book
        self.ws = ws
        self.columns = list(columns)
        self.row = 0
        for i, key in enumerate(self.columns):
            fmt = book.wrap if key in _WRAPPED else book.centre if key == "line" else None
            ws.set_column(i, i, _WIDTHS.get(key, 16), fmt)
            ws.write_string(0, i, book.heading(key), book.header)
        ws.freeze_panes(1, 0)
        self.row = 1

    def add(self, values: Sequence[Any], formats: Sequence[Any] | None = None) -> None:
        lines = max(
            (
                _wrapped_lines(str(value), int(_WIDTHS[key] * CHARS_PER_WIDTH))
                for key, value in zip(self.columns, values, strict=True)
                if key in _WRAPPED and value
            ),
            default=1,
        )
        if lines > 1:  # Excel and LibreOffice do not grow a row for wrapped text
            self.ws.set_row(self.row, ROW_HEIGHT * lines)
        for i, value in enumerate(values):
            fmt = formats[i] if formats is not None else None
            if value is None or value == "":
                continue
            if isinstance(value, int):
                self.ws.write_number(self.row, i, value, fmt)
            else:
                self.ws.write_string(self.row, i, str(value), fmt)
        self.row += 1

    def note(self, text: str) -> None:
        """A line of text under the table, outside its autofilter."""
        self.ws.write_string(self.row, 0, text, self.book.italic)
        self.row += 1

    def close(self, last_data_row: int | None = None) -> None:
        last = (self.row - 1) if last_data_row is None else last_data_row
        self.ws.autofilter(0, 0, max(last, 0), len(self.columns) - 1)


class _Book:
    """Formats and the writing of each sheet."""

    def __init__(self, wb: Any, lang: str, delivery: bool) -> None:
        self.wb = wb
        self.lang = lang
        self.delivery = delivery
        self.t = WORDS[lang]
        self.header = wb.add_format(
            {"bold": True, "bg_color": "#D9E1F2", "bottom": 1, "valign": "top"}
        )
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})
        self.top = wb.add_format({"valign": "top"})
        self.centre = wb.add_format({"valign": "top", "align": "center"})
        self.left = wb.add_format({"valign": "top", "align": "left", "text_wrap": True})
        self.bold = wb.add_format({"bold": True, "valign": "top"})
        self.italic = wb.add_format({"italic": True, "font_color": "#595959"})
        self.status = {
            s: wb.add_format(
                {"bold": True, "bg_color": fill, "font_color": font, "border": 1, "valign": "top"}
            )
            for s, (fill, font) in STATUS_COLOURS.items()
        }
        self.severity = {
            s: wb.add_format({"font_color": colour, "bold": s is Severity.ERROR, "valign": "top"})
            for s, colour in SEVERITY_COLOURS.items()
        }

    def heading(self, key: str) -> str:
        return COLUMNS[self.lang].get(key) or self.t[key]

    # -- Start ---------------------------------------------------------------------

    def start(
        self,
        ws: Any,
        report: Report | DeliveryReport,
        files: Sequence[Report],
        previous: str | None,
    ) -> None:
        t = self.t
        lang = self.lang
        width = 72 if len(files) == 1 else 66  # a SHA-256 (64 hex digits) on one line
        ws.set_column(0, 0, 34, self.bold)
        ws.set_column(1, max(1, len(files)), width, self.wrap)
        row = 0
        title = t["delivery"] if self.delivery else t["report"]
        ws.write_string(row, 0, title, self.header)
        for i, r in enumerate(files):
            ws.write_string(row, 1 + i, r.display_name, self.header)
        ws.freeze_panes(1, 1)
        row += 1
        if self.delivery:
            ws.write_string(row, 0, t["delivery_status"], self.bold)
            ws.write_string(row, 1, report.status.label(lang).upper(), self.status[report.status])
            row += 1

        def line(key: str, values: Sequence[Any], fmts: Sequence[Any] | None = None) -> None:
            nonlocal row
            ws.write_string(row, 0, t[key], self.bold)
            formats = fmts if fmts is not None else [self.left] * len(values)
            chars = int(width * CHARS_PER_WIDTH)
            lines = max((_wrapped_lines(str(v), chars) for v in values), default=1)
            if lines > 1:
                ws.set_row(row, ROW_HEIGHT * lines)
            for i, (value, fmt) in enumerate(zip(values, formats, strict=True)):
                if value is None or value == "":
                    continue
                if isinstance(value, int):
                    ws.write_number(row, 1 + i, value, fmt)
                else:
                    ws.write_string(row, 1 + i, str(value), fmt)
            row += 1

        sev = [r.totals() for r in files]
        line(
            "status",
            [r.status.label(lang).upper() for r in files],
            [self.status[r.status] for r in files],
        )
        line("errors", [s[Severity.ERROR] for s in sev])
        line("warnings", [s[Severity.WARNING] for s in sev])
        line("infos", [s[Severity.INFO] for s in sev])
        line("kind", [labels.kind(r) for r in files])
        line("register", [r.register.upper() for r in files])
        line("period", [r.period for r in files])
        line("year", [r.year for r in files])
        line("kommun", [r.kommun or t["unknown"] for r in files])
        line("deadline", [r.deadline.isoformat() if r.deadline else "" for r in files])
        line("spec", [r.spec for r in files])
        line("provenance", [labels.provenance(r, lang) for r in files])
        if previous is not None:
            line("compared_with", [previous] * len(files))
        line("sosreg", [r.sosreg_version for r in files])
        line("size", [r.size for r in files])
        line("encoding", [r.encoding for r in files])
        line("lines", [r.lines for r in files])
        line("records", [r.records for r in files])
        line("sha256", [r.sha256 for r in files])
        row += 1
        ws.write_string(row, 0, t["masked"], self.italic)

    # -- Summerad info ---------------------------------------------------------------

    def summary(self, ws: Any, files: Sequence[Report], cross: Sequence[Any], capped: bool) -> None:
        lang = self.lang
        columns = ["code", "severity", "title", "count"] + (["shown"] if capped else [])
        if self.delivery:
            columns.insert(0, "file")
        table = _Table(self, ws, columns)
        groups: list[tuple[str, dict[str, int], dict[str, Severity], dict[str, int]]] = [
            (r.display_name, r.counts(), r.severities(), r.shown()) for r in files
        ]
        if cross:
            across = DeliveryReport((), tuple(cross))
            counts = across.ordered_counts()
            groups.append((self.t["cross"], counts, across.severities(), counts))
        any_rows = False
        for name, counts, severities, shown in groups:
            for code, n in counts.items():
                rule = CATALOGUE.get(code)
                s = severities[code]
                values: list[Any] = [
                    code_text(code, rule.collector if rule else None, lang),
                    s.label(lang),
                    rule.title(lang) if rule else code,
                    n,
                ]
                formats: list[Any] = [self.top, self.severity[s], self.top, self.top]
                if capped:
                    values.append(shown.get(code, 0))
                    formats.append(self.top)
                if self.delivery:
                    values.insert(0, name)
                    formats.insert(0, self.top)
                table.add(values, formats)
                any_rows = True
        last = table.row - 1
        if not any_rows:
            table.note(self.t["none"])
        if capped:
            limit = max((r.max_details or 0) for r in files)
            table.note(say(self.t["capped"], n=limit))
        table.close(last)

    # -- Detaljinfo (and the comparisons, met on the way) -----------------------------

    def detail_columns(self) -> list[str]:
        columns = ["line", "code", "severity", "field", "value", "message"]
        return (["file", *columns]) if self.delivery else columns

    def details(
        self,
        sheets: Sequence[Any],
        per_sheet: int,
        rows: Iterable[FindingRow],
        files: Sequence[Report],
        capped: bool,
        comparisons_ws: Any,
    ) -> int:
        """Write every row; the previous-period ones go to the comparisons sheet too.
        Returns how many comparisons were written."""
        lang = self.lang
        columns = self.detail_columns()
        self.comparisons_table(comparisons_ws)
        tables = iter(sheets)
        table = _Table(self, next(tables), columns)
        compared = 0
        file_level = self.t["file_level"]
        for row in rows:
            if table.row > per_sheet:
                table.close()
                table = _Table(self, next(tables), columns)
            sev = self.severity[row.severity]
            values: list[Any] = [
                row.line if row.line is not None else file_level,
                row.code_text(lang),
                row.severity.label(lang),
                row.field,
                row.value,
                row.message,
            ]
            formats: list[Any] = [self.centre, self.top, sev, self.top, self.top, self.wrap]
            if self.delivery:
                values.insert(0, row.file)
                formats.insert(0, self.top)
            table.add(values, formats)
            if row.category == "previous-period":
                self.compare(row)
                compared += 1
        last = table.row - 1
        if table.row == 1:
            table.note(self.t["none"])
        if capped:
            for r in files:
                for code, n in r.omitted().items():
                    more = self.t["more"].format(n=n, code=code)
                    table.note(f"{r.display_name}: {more}" if self.delivery else more)
        table.close(last)
        return compared

    def comparisons_table(self, ws: Any) -> None:
        columns = ["code", "severity", "title", "message"]
        if self.delivery:
            columns.insert(0, "file")
        self.comparisons = _Table(self, ws, columns)

    def compare(self, row: FindingRow) -> None:
        """A previous-period finding as a row of the comparisons sheet."""
        values: list[Any] = [
            row.code_text(self.lang),
            row.severity.label(self.lang),
            row.title,
            row.message,
        ]
        formats: list[Any] = [self.top, self.severity[row.severity], self.top, self.wrap]
        if self.delivery:
            values.insert(0, row.file)
            formats.insert(0, self.top)
        self.comparisons.add(values, formats)

    def compared_only(self, rows: Iterable[FindingRow], ws: Any) -> int:
        """An approved file's comparisons (its other findings are on no sheet but
        counted on Start); how many were written."""
        self.comparisons_table(ws)
        compared = 0
        for row in rows:
            if row.category == "previous-period":
                self.compare(row)
                compared += 1
        return compared

    def comparisons_end(self, ws: Any, compared: int, previous: str | None) -> None:
        table = self.comparisons
        last = table.row - 1
        if previous is not None:
            table.note(f"{self.t['compared_with']}: {previous}")
        if not compared:
            table.note(self.t["no_changes"] if previous is not None else self.t["no_comparison"])
        table.close(last)

    # -- Avvikelsekoder --------------------------------------------------------------

    def codes(self, ws: Any, files: Sequence[Report]) -> None:
        lang = self.lang
        keys = ["code", "title", "severity", "category", "description", "source"]
        table = _Table(self, ws, keys)
        for rule in _rules_of(files):
            table.add(
                [
                    code_text(rule.code, rule.collector, lang),
                    rule.title(lang),
                    rule.severity.label(lang),
                    CATEGORIES[lang].get(rule.category.value, rule.category.value),
                    labels.description(rule, lang),
                    rule.source_of(lang),
                ],
                [self.top, self.top, self.severity[rule.severity], self.top, self.wrap, self.wrap],
            )
        table.close()


@functools.lru_cache(maxsize=4096)  # messages repeat: a rule's over many lines
def _wrapped_lines(text: str, width: int) -> int:
    """The lines ``text`` takes in a wrapped column ``width`` characters wide (an
    estimate on the safe side: words are not split)."""
    lines = 0
    for paragraph in text.split("\n"):
        used = 0
        lines += 1
        for word in paragraph.split(" "):
            if used and used + 1 + len(word) > width:
                lines += 1
                used = len(word)
            else:
                used += len(word) + (1 if used else 0)
    return lines


def _print_setup(ws: Any) -> None:
    """Printed (or exported to PDF): A4 landscape, one page wide, the sheet's name on
    top and the header row on every page."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_header("&L&A")
    ws.repeat_rows(0)


def _rules_of(files: Sequence[Report]) -> list[Rule]:
    """Every rule of the files' registers (the engine's and each register's), once."""
    seen: dict[str, Rule] = {}
    for register in dict.fromkeys(r.register for r in files):
        for rule in CATALOGUE.for_register(register):
            seen.setdefault(rule.code, rule)
    return sorted(seen.values(), key=lambda r: (r.register is None, r.code))
