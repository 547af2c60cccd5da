"""The csv, xlsx and html reports, read back (csv module, openpyxl, an HTML parser) and
checked against the report model they are made from; no format leaks a personnummer
or runs a value from a file (formula, script)."""

from __future__ import annotations

import csv
import io
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers import M_MED, M_SOLO, P2, pnr, run

import sosreg
from sosreg import batch
from sosreg.cli import main
from sosreg.engine.report import FindingRow
from sosreg.engine.rules import CATALOGUE
from sosreg.identity import luhn_digit
from sosreg.reports import csv_report, html_report, xlsx_report

EXAMPLES = Path(__file__).parent.parent / "examples"
DAMAGED = EXAMPLES / "Ekb_0330_202302_20230314T1200.txt.csv"
JANUARY = EXAMPLES / "Ekb_0330_202301_20230214T0930.txt"
AO = EXAMPLES / "Ekb_AO_0330_202301_20230214T0931.txt"

SOMEONE = pnr("19790419", 385)
TWELVE = re.compile(r"(?<![0-9])(?:19|20)[0-9]{10}(?![0-9])")
TEN = re.compile(r"(?<![0-9])[0-9]{6}[-+]?[0-9]{4}(?![0-9])")


def _valid_personnummer(text: str) -> list[str]:
    """Every valid personnummer (12 or 10 digits, control digit right) in ``text``."""
    found = []
    for m in TWELVE.finditer(text):
        if luhn_digit(m.group()[2:11]) == m.group()[11]:
            found.append(m.group())
    for m in TEN.finditer(text):
        digits = m.group().replace("-", "").replace("+", "")
        if luhn_digit(digits[:9]) == digits[9]:
            found.append(m.group())
    return found


def _replace(line: str, index: int, value: str) -> str:
    parts = line.split(";")
    parts[index] = value
    return ";".join(parts)


@pytest.fixture(scope="module")
def damaged() -> sosreg.Report:
    """The damaged example compared with January: findings of every stage, one of
    them a comparison with the previous period."""
    return sosreg.validate(DAMAGED, previous=JANUARY)


@pytest.fixture(scope="module")
def leaky() -> sosreg.Report:
    """A personnummer typed into odd fields, in every form."""
    lines = [
        _replace(M_SOLO, i, v)
        for i in (1, 7, 9, 10, 12)
        for v in (SOMEONE, SOMEONE[2:], SOMEONE[:8] + "-" + SOMEONE[8:])
    ]
    return run([*lines, M_MED])


@pytest.fixture(scope="module")
def formulas() -> sosreg.Report:
    """Values that a spreadsheet would run as formulas, and HTML that a browser would."""
    values = ["=1+2+3", "+12345", "-12345", "@SUM(A1)", "<script>alert(1)</script>", '"&<b>']
    return run([_replace(M_SOLO, 1, v) for v in values])


def _rows(report: sosreg.Report | sosreg.DeliveryReport) -> list[FindingRow]:
    return list(report.rows("sv"))


# -- rows ------------------------------------------------------------------------------


def test_rows_are_the_findings(damaged: sosreg.Report) -> None:
    rows = list(damaged.rows("en"))
    assert len(rows) == len(damaged.findings) > 10
    for row, f in zip(rows, damaged.findings, strict=True):
        assert row.file == DAMAGED.name
        assert (row.line, row.code, row.severity, row.field, row.value) == (
            f.line,
            f.code,
            f.severity,
            f.field,
            f.value,
        )
        assert row.category == f.category.value
        assert row.title == f.title("en") and row.message == f.message("en")
    assert any(r.category == "previous-period" for r in rows)


def test_delivery_rows_add_the_cross_file_findings(tmp_path: Path) -> None:
    a = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    b = tmp_path / "Ekb_0330_202301_20230214T0930_b.txt"  # cannot be ordered: SOS-301
    a.write_bytes((M_SOLO + "\r\n").encode())
    b.write_bytes((M_MED + "\r\n").encode())
    d = sosreg.validate_delivery([a, b])
    rows = _rows(d)
    per_file = sum(len(r.findings) for r in d.reports)
    assert len(rows) == per_file + len(d.findings)
    cross = rows[per_file:]
    assert [r.code for r in cross] == [f.code for f in d.findings] and "SOS-301" in {
        r.code for r in cross
    }
    assert {r.file for r in rows[:per_file]} == {a.name, b.name}
    assert all(r.file in (a.name, b.name) for r in cross)


def test_to_frame(damaged: sosreg.Report) -> None:
    frame = damaged.to_frame("sv")
    assert list(frame.columns) == list(FindingRow._fields)
    assert len(frame) == len(damaged.findings)
    assert list(frame["code"]) == [f.code for f in damaged.findings]
    assert str(frame["line"].dtype) == "Int64"
    assert frame["line"].isna().sum() == sum(f.line is None for f in damaged.findings)
    assert set(frame["severity"]) <= {"error", "warning", "info"}


# -- csv -------------------------------------------------------------------------------


def _read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_csv_has_a_bom_a_header_and_a_row_per_finding(damaged: sosreg.Report, lang: str) -> None:
    text = damaged.to_csv(lang=lang)
    assert text is not None
    table = _read_csv(text)
    head = ["Fil", "Rad", "Kod", "Insamlingens felnr", "Allvarlighetsgrad", "Kategori", "Fält"]
    head += ["Värde", "Titel"]
    if lang == "en":
        head = ["File", "Line", "Code", "Collector's error no.", "Severity", "Category"]
        head += ["Field", "Value", "Title"]
    assert table[0][:9] == head
    body = table[1:]
    assert len(body) == len(damaged.findings)
    for cells, row in zip(body, damaged.rows(lang), strict=True):
        assert cells[0] == row.file
        assert cells[1] == ("" if row.line is None else str(row.line))
        assert cells[2] == row.code
        assert cells[3] == ("" if row.collector is None else str(row.collector))
        assert cells[4] == row.severity.label(lang)
        assert cells[6] == (row.field or "")
        assert cells[7] == (row.value or "")
        assert cells[8:] == [row.title, row.message]
    # the collector's number beside the code: no. 69 for the medsökande's expired code
    assert ["EKB-070", "69"] in [cells[2:4] for cells in body]
    assert "\r\n" in text and ";" in text.splitlines()[0]


def test_csv_defuses_formulas(formulas: sosreg.Report) -> None:
    text = formulas.to_csv()
    assert text is not None
    table = _read_csv(text)
    values = [cells[7] for cells in table[1:] if cells[6] == "stadsdel"]
    assert (
        "'=1+2+3" in values
        and "'+12345" in values
        and "'-12345" in values
        and "'@SUM(A1)" in values
    )
    for cells in table:
        for cell in cells:
            assert not cell.startswith(("=", "+", "-", "@")), cell
    assert csv_report.defuse("-3") == "'-3" and csv_report.defuse("3-") == "3-"


def test_csv_to_a_stream(damaged: sosreg.Report) -> None:
    buffer = io.StringIO(newline="")
    assert damaged.to_csv(buffer) is None
    assert buffer.getvalue() == damaged.to_csv()


# -- xlsx ------------------------------------------------------------------------------


def _workbook(report: sosreg.Report | sosreg.DeliveryReport, **kw: Any) -> Any:
    data = xlsx_report.render(report, **kw)
    assert isinstance(data, bytes) and data[:2] == b"PK"
    return openpyxl.load_workbook(io.BytesIO(data))


def _code(cell: str) -> str:
    """A code cell's rule code, without the collector's number beside it."""
    return cell.split(" (")[0]


def _values(ws: Any) -> list[tuple[Any, ...]]:
    return [row for row in ws.iter_rows(values_only=True) if any(c is not None for c in row)]


def test_xlsx_sheets_like_the_collectors_workbook(damaged: sosreg.Report) -> None:
    wb = _workbook(damaged, previous=JANUARY.name)
    assert wb.sheetnames == [
        "Start",
        "Summerad info",
        "Detaljinfo",
        "Jämförelser",
        "Avvikelsekoder",
    ]
    en = _workbook(damaged, lang="en")
    assert en.sheetnames == ["Start", "Summary", "Details", "Comparisons", "Error codes"]
    assert en["Details"]["F1"].value == "Message"
    for name in wb.sheetnames[1:]:
        ws = wb[name]
        assert ws.freeze_panes == "A2", name
        assert ws.auto_filter.ref is not None and ws.auto_filter.ref.startswith("A1:"), name
        assert ws["A1"].font.b, name
    assert wb["Start"].freeze_panes == "B2"


def test_xlsx_start_sheet(damaged: sosreg.Report) -> None:
    wb = _workbook(damaged, previous=JANUARY.name)
    ws = wb["Start"]
    facts = {row[0]: row[1] for row in _values(ws) if row[0]}
    assert facts["Återkoppling"] == DAMAGED.name
    assert facts["Status"] == "INTE GODKÄND"
    assert facts["Period"] == "202302" and facts["Kommun"] == "0330"
    assert facts["Sista dag för inrapportering"] == "2023-03-15"
    assert facts["Specifikation"] == damaged.spec
    assert facts["Specifikationens ursprung"].startswith("preliminär layout")
    assert facts["Jämförd med"] == JANUARY.name
    assert facts["sosreg-version"] == sosreg.__version__
    assert facts["Storlek (byte)"] == damaged.size
    assert facts["SHA-256"] == damaged.sha256
    assert facts["Teckenkodning"] == damaged.encoding
    errors = sum(n for c, n in damaged.counts().items() if damaged.severities()[c].code == "error")
    assert facts["Fel"] == errors
    # the status cell is coloured by status: red here, green for a clean file
    status = next(r for r in ws.iter_rows() if r[0].value == "Status")[1]
    assert status.fill.fgColor.rgb.endswith("FFC7CE")
    clean = _workbook(sosreg.validate(JANUARY))["Start"]
    status = next(r for r in clean.iter_rows() if r[0].value == "Status")[1]
    assert status.value == "GODKÄND" and status.fill.fgColor.rgb.endswith("C6EFCE")


def test_xlsx_summary_counts(damaged: sosreg.Report) -> None:
    ws = _workbook(damaged)["Summerad info"]
    rows = _values(ws)
    assert rows[0] == ("Kod", "Allvarlighetsgrad", "Titel", "Antal")
    counts = {_code(code): n for code, _, _, n in rows[1:]}
    assert counts == damaged.counts()
    assert [_code(r[0]) for r in rows[1:]] == list(damaged.counts())  # most serious first
    assert "EKB-070 (fel 69)" in [r[0] for r in rows[1:]]  # the collector's number beside
    assert ws.auto_filter.ref == f"A1:D{len(rows)}"


def test_xlsx_details_are_the_rows(damaged: sosreg.Report) -> None:
    ws = _workbook(damaged)["Detaljinfo"]
    rows = _values(ws)
    assert rows[0] == ("Rad", "Kod", "Allvarlighetsgrad", "Fält", "Värde", "Meddelande")
    expected = [
        (
            r.line if r.line is not None else "fil",
            r.code_text("sv"),
            r.severity.label("sv"),
            r.field,
            r.value,
            r.message,
        )
        for r in damaged.rows("sv")
    ]
    assert rows[1:] == expected
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths["F"] >= 80 and widths["D"] >= 20


def test_xlsx_comparisons_and_codes(damaged: sosreg.Report) -> None:
    wb = _workbook(damaged, previous=JANUARY.name)
    comparisons = _values(wb["Jämförelser"])
    previous = [f for f in damaged.findings if f.category.value == "previous-period"]
    assert previous
    assert [r[0] for r in comparisons[1 : 1 + len(previous)]] == [
        f.code_text("sv") for f in previous
    ]
    assert comparisons[1][3] == previous[0].message("sv")
    assert any(JANUARY.name in str(r[0]) for r in comparisons)
    codes = _values(wb["Avvikelsekoder"])
    assert codes[0] == ("Kod", "Titel", "Allvarlighetsgrad", "Kategori", "Beskrivning", "Källa")
    assert {_code(r[0]) for r in codes[1:]} == {r.code for r in CATALOGUE.for_register("ekb")}
    assert {"EKB-012 (fel 12)", "EKB-069 (fel 69)"} <= {r[0] for r in codes[1:]}
    by_code = {_code(r[0]): r for r in codes[1:]}
    assert by_code["EKB-013"][1] == CATALOGUE["EKB-013"].title("sv")
    assert all(r[5] == CATALOGUE[_code(r[0])].source_sv and r[5] for r in codes[1:])  # every source
    assert "{" not in "".join(str(r[4]) for r in codes[1:])  # placeholders shown as …
    # without --previous the sheet says no comparison was made
    plain = _values(_workbook(sosreg.validate(DAMAGED))["Jämförelser"])
    assert len(plain) == 2 and "--previous" in plain[1][0]


def test_xlsx_values_are_strings_never_formulas(formulas: sosreg.Report) -> None:
    ws = _workbook(formulas)["Detaljinfo"]
    values = [row[4] for row in ws.iter_rows() if row[3].value == "stadsdel"]
    assert {c.value for c in values} >= {"=1+2+3", "@SUM(A1)", "+12345", "-12345"}
    assert all(c.data_type == "s" for c in values)
    for row in ws.iter_rows():
        for c in row:
            assert c.data_type != "f"


def test_xlsx_capped_report_shows_how_many_were_shown() -> None:
    report = run([M_SOLO + ";"] * 5, max_details=2)
    ws = _workbook(report)["Summerad info"]
    rows = _values(ws)
    assert rows[0][-1] == "Visade"
    (sos109,) = [r for r in rows if r[0] == "SOS-109"]
    assert sos109[3:] == (5, 2)
    details = _values(_workbook(report)["Detaljinfo"])
    assert sum(1 for r in details if r[1] == "SOS-109") == 2
    assert any("3 till av SOS-109" in str(r[0]) for r in details)


def test_xlsx_delivery_puts_files_side_by_side() -> None:
    approved = sosreg.validate_delivery([JANUARY, AO])
    start = _values(_workbook(approved)["Start"])
    assert start[0] == ("Leverans", JANUARY.name, AO.name)
    assert start[1][:2] == ("Leveransens status", "GODKÄND")
    d = sosreg.validate_delivery([DAMAGED, AO])
    wb = _workbook(d)
    details = _values(wb["Detaljinfo"])
    assert details[0][0] == "Fil"
    assert [r[0] for r in details[1:]] == [r.file for r in d.rows("sv")]


def test_xlsx_spills_over_to_more_detail_sheets(
    damaged: sosreg.Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_report, "MAX_ROWS", 7)  # 5 findings a sheet
    wb = _workbook(damaged)
    n = len(damaged.findings)
    sheets = [s for s in wb.sheetnames if s.startswith("Detaljinfo")]
    assert sheets == ["Detaljinfo"] + [f"Detaljinfo {i}" for i in range(2, len(sheets) + 1)]
    assert len(sheets) == -(-n // 5)
    assert wb.sheetnames[-2:] == ["Jämförelser", "Avvikelsekoder"]
    codes = [r[1] for s in sheets for r in _values(wb[s])[1:]]
    assert codes == [f.code_text("sv") for f in damaged.findings]


def test_xlsx_every_finding_through_a_spool(tmp_path: Path) -> None:
    """With every finding asked for, the rows come from the spool on disk; the same as
    a report that kept every finding."""
    path = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    lines = [M_SOLO + ";", M_MED.replace(";8450;", "; 8450;"), "x;y", M_SOLO + ";"] * 30
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    out = tmp_path / "all.xlsx"
    outcome = batch.render(
        (str(path),), batch.Options(format="xlsx", max_details=None), path=str(out)
    )
    assert outcome.problem is None and outcome.written == str(out)
    full = sosreg.validate(path, max_details=None)
    assert sum(full.counts().values()) == len(full.findings) > 120
    rows = _values(openpyxl.load_workbook(out)["Detaljinfo"])[1:]
    assert [(r[0], r[1]) for r in rows] == [
        (r.line if r.line is not None else "fil", r.code) for r in full.rows()
    ]
    counts = {r[0]: r[3] for r in _values(openpyxl.load_workbook(out)["Summerad info"])[1:]}
    assert counts == full.counts()


def test_csv_every_finding_through_a_spool(tmp_path: Path) -> None:
    path = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    lines = [M_SOLO + ";", "x;y"] * 40
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    buffer = io.StringIO(newline="")
    batch.render((str(path),), batch.Options(format="csv", max_details=None), buffer)
    assert buffer.getvalue() == sosreg.validate(path, max_details=None).to_csv()


def test_xlsx_needs_xlsxwriter(damaged: sosreg.Report, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xlsxwriter", None)
    with pytest.raises(
        sosreg.UsageError, match=r'the xlsx report needs xlsxwriter: pip install "sosreg\[excel\]"'
    ):
        damaged.to_xlsx()


# -- html ------------------------------------------------------------------------------


class _Page(HTMLParser):
    """What a reader of the page sees: the banners, every table's rows, the tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.banners: list[str] = []
        self.tables: list[list[list[str]]] = []
        self._banner: list[str] | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += attrs
        classes = dict(attrs).get("class") or ""
        if "banner" in classes.split():
            self._banner = []
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._banner is not None:
            self.banners.append("".join(self._banner))
            self._banner = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._banner is not None:
            self._banner.append(data)
        if self._cell is not None:
            self._cell.append(data)


def _page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def test_html_banner_facts_summary_and_details(damaged: sosreg.Report) -> None:
    text = damaged.to_html("sv")
    page = _page(text)
    assert text.startswith("<!DOCTYPE html>")
    assert page.banners[0].startswith("Status: INTE GODKÄND")
    facts = {row[0]: row[1] for row in page.tables[0]}
    assert facts["Fil"] == DAMAGED.name and facts["Kommun"] == "0330"
    assert facts["Sista dag för inrapportering"] == "2023-03-15"
    assert damaged.spec in facts["Specifikation"]
    summary = page.tables[1]
    assert summary[0] == ["Kod", "Allvarlighetsgrad", "Titel", "Antal"]
    assert {_code(r[0]): int(r[3]) for r in summary[1:]} == damaged.counts()
    assert "EKB-070 (fel 69)" in [r[0] for r in summary[1:]]
    details = page.tables[2:]
    assert len(details) == len(damaged.counts())  # one table per rule
    shown = [row for table in details for row in table[1:]]
    assert len(shown) == len(damaged.findings)
    messages = {f.message("sv") for f in damaged.findings}
    assert {row[3] for row in shown} == messages
    line3 = [row for row in shown if row[0] == "3"]
    assert {row[1] for row in line3} == {"sokande", "hinder_sokande"}


def test_html_is_self_contained(damaged: sosreg.Report, formulas: sosreg.Report) -> None:
    for report in (damaged, formulas):
        for lang in ("sv", "en"):
            text = report.to_html(lang)
            page = _page(text)
            assert "script" not in page.tags
            assert "http" not in text.lower()
            assert not any(
                k in ("src", "href") and v and not v.startswith("#") for k, v in page.attrs
            )
    text = formulas.to_html()
    assert "<script>alert" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&quot;&amp;&lt;b&gt;" in text


def test_html_status_colours() -> None:
    ok = _page(sosreg.validate(JANUARY).to_html())
    assert ok.banners[0] == "Status: GODKÄND0 fel, 0 varningar, 2 information"
    assert 'class="banner ok"' in sosreg.validate(JANUARY).to_html()
    assert 'class="banner fail"' in sosreg.validate(DAMAGED).to_html()
    assert 'class="banner warn"' in run([M_SOLO.replace("0330", "9999")]).to_html()


def test_html_caps_details_and_repr_html(tmp_path: Path) -> None:
    report = run([M_SOLO + ";"] * 60, max_details=None)
    page = _page(report.to_html(max_details=10))
    (sos109,) = [t for t in page.tables[2:] if "semikolon" in t[1][3]]
    assert len(sos109) == 11  # header and 10
    assert [row[0] for row in sos109[1:]] == [str(n) for n in range(1, 11)]
    assert "… och 50 till av SOS-109" in "".join(page.text)
    fragment = report._repr_html_()
    assert fragment.startswith('<div class="sosreg"') and "<html" not in fragment
    assert "… och 10 till av SOS-109" in fragment  # 50 per rule in Jupyter
    assert "<style>" in fragment


def test_html_delivery(tmp_path: Path) -> None:
    d = sosreg.validate_delivery([JANUARY, AO])
    text = d.to_html("en")
    page = _page(text)
    assert page.banners[0] == "Status of the delivery: ACCEPTED"
    assert len(page.banners) == 3  # the delivery, then each file
    assert d._repr_html_().count('class="banner') == 3
    ids = re.findall(r'id="([^"]+)"', text)
    assert len(ids) == len(set(ids))


def test_html_renderer_is_registered(damaged: sosreg.Report) -> None:
    assert damaged.render("html") == html_report.render(damaged)


# -- no format leaks a personnummer -------------------------------------------------


def _xlsx_text(report: sosreg.Report) -> str:
    wb = _workbook(report)
    cells = []
    for ws in wb:
        for row in ws.iter_rows(values_only=True):
            cells += ["" if c is None else str(c) for c in row]
    return "\n".join(c for c in cells if c != report.sha256)


def test_no_format_leaks_a_personnummer(leaky: sosreg.Report) -> None:
    assert any(f.value and "19790419-****" in f.value for f in leaky.findings)
    texts = {
        "csv": leaky.to_csv() or "",
        "html": leaky.to_html(max_details=None).replace(leaky.sha256, ""),
        "repr_html": leaky._repr_html_().replace(leaky.sha256, ""),
        "xlsx": _xlsx_text(leaky),
        "frame": leaky.to_frame().to_csv(),
    }
    for name, text in texts.items():
        assert "19790419-****" in text, name
        assert SOMEONE not in text and SOMEONE[2:] not in text, name
        assert not _valid_personnummer(text), name
    assert _valid_personnummer(f"x {SOMEONE} y") == [SOMEONE]  # the check can fail
    assert _valid_personnummer(f"x {P2[2:8]}-{P2[8:]} y")


def test_cli_formats_leak_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [_replace(M_SOLO, 9, SOMEONE), _replace(M_SOLO, 1, SOMEONE[2:]), M_MED]
    path = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    for fmt in ("csv", "html", "xlsx"):
        out = tmp_path / f"r.{fmt}"
        assert main(["validate", str(path), "--format", fmt, "-o", str(out)]) == 2
        text = _xlsx_text_path(out) if fmt == "xlsx" else out.read_text("utf-8-sig")
        sha = sosreg.validate(path).sha256
        text = text.replace(sha, "")
        assert "19790419-****" in text and not _valid_personnummer(text), fmt


def _xlsx_text_path(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    return "\n".join(
        str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None
    )


# -- the command -----------------------------------------------------------------------


def test_cli_formats_to_files_and_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(DAMAGED), "--format", "csv"]) == 2
    out = capsys.readouterr().out
    assert out.startswith("\ufeffFil;Rad;Kod") and len(_read_csv(out)) > 10
    assert main(["validate", str(DAMAGED), "--format", "html", "--lang", "en"]) == 2
    assert "Status: REJECTED" in capsys.readouterr().out
    x = tmp_path / "r.xlsx"
    assert main(["validate", str(DAMAGED), "--format", "xlsx", "-o", str(x)]) == 2
    assert openpyxl.load_workbook(x).sheetnames[0] == "Start"
    # -o DIR: named after the file
    assert main(["validate", str(DAMAGED), "--format", "html", "-o", str(tmp_path)]) == 2
    assert (tmp_path / (DAMAGED.name + ".sosreg.html")).exists()


def test_cli_xlsx_refuses_a_terminal(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["validate", str(DAMAGED), "--format", "xlsx"]) == 3
    assert "-o PATH.xlsx" in capsys.readouterr().err


def test_cli_batch_writes_one_file_per_delivery(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "in"
    src.mkdir()
    for p in (JANUARY, AO, DAMAGED):
        (src / p.name).write_bytes(p.read_bytes())
    # several deliveries need -o DIR
    assert main(["validate", str(src), "-j", "2", "--format", "xlsx"]) == 3
    assert "give -o DIR" in capsys.readouterr().err
    out = tmp_path / "out"
    assert main(["validate", str(src), "-j", "2", "--format", "xlsx", "-o", str(out)]) == 2
    summary = capsys.readouterr().out
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted([JANUARY.name + ".sosreg.xlsx", DAMAGED.name + ".sosreg.xlsx"])
    assert "Sammanställning (2)" in summary and str(out / written[0]) in summary
    jan = openpyxl.load_workbook(out / (JANUARY.name + ".sosreg.xlsx"))
    assert _values(jan["Start"])[0] == ("Leverans", JANUARY.name, AO.name)
    for fmt in ("csv", "html"):
        d = tmp_path / fmt
        assert main(["validate", str(src), "--format", fmt, "-o", str(d)]) == 2
        assert len(list(d.iterdir())) == 2
    capsys.readouterr()


def test_report_path_never_overwrites_an_input() -> None:
    taken: set[str] = set()
    a = batch.report_path("x/Ekb.txt", "csv", "out", taken)
    b = batch.report_path("y/Ekb.txt", "csv", "out", taken)
    assert a.endswith("Ekb.txt.sosreg.csv") and b.endswith("Ekb.txt.sosreg-2.csv")
    assert batch.report_path("Ekb.txt.csv", "csv", ".") != "./Ekb.txt.csv"


def test_every_format_is_one_model(damaged: sosreg.Report) -> None:
    """Nothing but the report's findings: every code in any format is a code of the
    report, and every finding is in every tabular format."""
    codes = set(damaged.counts())
    csv_codes = {cells[2] for cells in _read_csv(damaged.to_csv() or "")[1:]}
    xlsx_codes = {_code(r[1]) for r in _values(_workbook(damaged)["Detaljinfo"])[1:]}
    html_codes = set(re.findall(r"<summary><code>([A-Z]+-\d+)[^<]*</code>", damaged.to_html()))
    assert csv_codes == xlsx_codes == html_codes == codes


def test_totals_and_cross_file_counts(tmp_path: Path, damaged: sosreg.Report) -> None:
    totals = damaged.totals()
    assert list(totals) == [sosreg.Severity.ERROR, sosreg.Severity.WARNING, sosreg.Severity.INFO]
    assert totals[sosreg.Severity.ERROR] == 12 and sum(totals.values()) == damaged.total
    a = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    b = tmp_path / "Ekb_0330_202301_20230214T0930_b.txt"  # cannot be ordered: SOS-301
    c = tmp_path / "Ekb_0331_202301_20230215T1100.txt"
    for path, line in ((a, M_SOLO), (b, M_MED), (c, M_MED.replace("0330", "0331"))):
        path.write_bytes((line + "\r\n").encode())
    d = sosreg.validate_delivery([a, b, c])
    order = d.ordered_counts()
    assert order == d.counts() and set(order) >= {"SOS-301", "SOS-303"}
    assert list(order).index("SOS-301") < list(order).index("SOS-303")  # error, then warning
    assert d.severities()["SOS-301"] is sosreg.Severity.ERROR
