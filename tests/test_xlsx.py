"""sosreg.xlsx: a standard-library .xlsx reader that streams and refuses hostile files.

Workbooks are made with openpyxl (a test-only dependency) where it can write what is
needed; shared strings, rich text, phonetic runs, cached formula values and every
hostile file are written with ``zipfile`` directly.
"""

from __future__ import annotations

import datetime
import tracemalloc
import zipfile
import zlib
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from workbooks import (
    BILLION_LAUGHS,
    NS,
    STYLES,
    patch_sizes,
    repeated_rows,
    replace_member,
    sheet_xml,
    zip_workbook,
)

from sosreg import xlsx
from sosreg.xlsx import EMPTY, Cell, Workbook, WorkbookError, format_number, sheet_key


def values(wb: Workbook, sheet: str | int = 0) -> list[list[Any]]:
    return [[c.value for c in row] for row in wb.rows(sheet)]


def texts(wb: Workbook, sheet: str | int = 0) -> list[list[str]]:
    return [[c.text for c in row] for row in wb.rows(sheet)]


# -- what openpyxl writes -------------------------------------------------------------


@pytest.fixture
def metadata_workbook(tmp_path: Path) -> Path:
    """Shaped like Socialstyrelsen's metadata workbooks: odd sheet names, key rows above
    a code list table, codes stored as numbers with a ``000`` format."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Generell information"
    ws.append(["Version", 3])
    ws.append(["Datum", datetime.date(2024, 3, 1)])
    meta = wb.create_sheet("Metadata - Variabelnivå")
    meta.append(["Deldatamängdsnamn", "Variabelnamn", "Datatyp"])
    meta.append(["BU", "KON", "Numerisk"])
    wb.create_sheet("Metadata-Datamängd (DCAT-AP)")
    codes = wb.create_sheet("Kodlista_INSATS")
    codes.append(["Variabelnamn", "INSATS"])
    codes.append(["Kodverk", "Insatser för barn och unga"])
    codes.append([])
    codes.append(["Tidsperiod", "Kod", "Beskrivning"])
    codes.append(["2017-", 1, "Kontaktperson"])
    codes.append(["2017-", 21, "Familjehem"])
    codes.append(["2017-2019", 110, "Utgått"])
    for row in codes.iter_rows(min_row=5, min_col=2, max_col=2):
        row[0].number_format = "000"
    codes["E9"] = "not"  # a cell far right and below, after an empty row
    codes["E9"].number_format = "@"
    path = tmp_path / "Metadata Insatser till barn och unga (BU)_webb.xlsx"
    wb.save(path)
    return path


def test_sheet_names_in_workbook_order(metadata_workbook: Path) -> None:
    with Workbook(metadata_workbook) as wb:
        assert wb.sheet_names == [
            "Generell information",
            "Metadata - Variabelnivå",
            "Metadata-Datamängd (DCAT-AP)",
            "Kodlista_INSATS",
        ]


@pytest.mark.parametrize(
    "asked",
    [
        "Metadata - Variabelnivå",
        "metadata - variabelnivå",
        "METADATA-VARIABELNIVÅ",
        "metadata variabelniva",
        " Metadata_Variabelnivå ",
        "metadatavariabelniva",
    ],
)
def test_sheet_names_match_ignoring_case_space_punctuation_accents(
    metadata_workbook: Path, asked: str
) -> None:
    with Workbook(metadata_workbook) as wb:
        assert wb.sheet(asked) == "Metadata - Variabelnivå"
        assert values(wb, asked)[1] == ["BU", "KON", "Numerisk"]


def test_missing_sheet(metadata_workbook: Path) -> None:
    with Workbook(metadata_workbook) as wb:
        assert wb.find_sheet("Deldatamängder och datavyer") is None
        with pytest.raises(WorkbookError, match=r"no sheet .*'Generell information'") as info:
            wb.sheet("Deldatamängder och datavyer")
        assert metadata_workbook.name in str(info.value)
        with pytest.raises(WorkbookError, match="no sheet number 5"):
            wb.rows(4)


def test_codes_stored_as_numbers_keep_their_zeros(metadata_workbook: Path) -> None:
    with Workbook(metadata_workbook) as wb:
        rows = list(wb.rows("kodlista insats"))
    assert [c.text for c in rows[3]] == ["Tidsperiod", "Kod", "Beskrivning"]
    assert [(c.value, c.number_format, c.text) for c in (r[1] for r in rows[4:7])] == [
        (1, "000", "001"),
        (21, "000", "021"),
        (110, "000", "110"),
    ]


def test_key_rows_empty_rows_and_cells(metadata_workbook: Path) -> None:
    with Workbook(metadata_workbook) as wb:
        rows = texts(wb, "Kodlista_INSATS")
    assert rows[:3] == [["Variabelnamn", "INSATS"], ["Kodverk", "Insatser för barn och unga"], []]
    assert rows[7] == []  # row 8: not in the file
    assert rows[8] == ["", "", "", "", "not"]  # row 9: dense, empty cells as ""
    assert len(rows) == 9


def test_dates_and_numbers(metadata_workbook: Path) -> None:
    with Workbook(metadata_workbook) as wb:
        first = list(wb.rows(0))
    assert first[0][1].value == 3 and first[0][1].text == "3"
    date = first[1][1]
    assert isinstance(date.value, int | float) and date.text == "2024-03-01"


def test_inline_rich_text(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = CellRichText(["Kontakt", TextBlock(InlineFont(b=True), "person")])
    ws["B1"] = "plain"
    ws["C1"] = True
    ws["D1"] = 2.5
    path = tmp_path / "rich.xlsx"
    wb.save(path)
    with Workbook(path) as book:
        assert values(book) == [["Kontaktperson", "plain", True, 2.5]]
        assert texts(book) == [["Kontaktperson", "plain", "TRUE", "2.5"]]


# -- what Excel writes (shared strings) and what openpyxl cannot ---------------------


def test_shared_strings_rich_runs_and_phonetic_runs(tmp_path: Path) -> None:
    shared = [
        "<t>Kod</t>",
        '<t xml:space="preserve"> Titel </t>',
        "<r><t>Bedöm</t></r><r><rPr><b/></rPr><t>ning</t></r>",
        '<t>漢字</t><rPh sb="0" eb="2"><t>かんじ</t></rPh>',
        "<t/>",
    ]
    rows = (
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="s"><v>3</v></c>'
        '<c r="C2" t="s"><v>4</v></c></row>'
    )
    path = zip_workbook(tmp_path / "s.xlsx", {"Blad1": sheet_xml(rows)}, shared=shared)
    with Workbook(path) as wb:
        assert values(wb) == [["Kod", " Titel "], ["Bedömning", "漢字"]]


def test_formulas_errors_booleans_and_styles(tmp_path: Path) -> None:
    rows = (
        '<row r="1">'
        '<c r="A1" s="1"><v>21</v></c>'  # 000
        '<c r="B1" s="1"><v>7.0</v></c>'  # 000, a float
        '<c r="C1"><v>21.0</v></c>'  # General
        '<c r="D1" t="str"><f>A1&amp;"x"</f><v>21x</v></c>'  # a formula's cached text
        '<c r="E1"><f>A1*2</f><v>42</v></c>'  # a formula's cached number
        '<c r="F1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
        '<c r="G1" t="b"><v>0</v></c>'
        '<c r="H1" s="2"><v>44950.5</v></c>'  # yyyy-mm-dd
        '<c r="I1" s="3"><v>3.14159</v></c>'  # builtin 2: 0.00
        '<c r="J1" s="99"><v>5</v></c>'  # a style that does not exist
        '<c r="K1"><f>A1</f></c>'  # a formula never calculated: empty
        "</row>"
    )
    path = zip_workbook(tmp_path / "f.xlsx", {"F": sheet_xml(rows)})
    with Workbook(path) as wb:
        (row,) = list(wb.rows())
    assert [c.value for c in row] == [
        21,
        7.0,
        21.0,
        "21x",
        42,
        "#DIV/0!",
        False,
        44950.5,
        3.14159,
        5,
    ]
    assert [c.text for c in row] == [
        "021",
        "007",
        "21",
        "21x",
        "42",
        "#DIV/0!",
        "FALSE",
        "2023-01-24",
        "3.14",
        "5",
    ]
    assert row[0].number_format == "000" and row[8].number_format == "0.00"
    assert row[9].number_format is None


def test_cells_without_references_and_rows_without_numbers(tmp_path: Path) -> None:
    rows = (
        "<row><c><v>1</v></c><c><v>2</v></c></row>"
        '<row><c r="C2"><v>3</v></c><c><v>4</v></c></row>'
        '<row r="5"><c r="B5" t="inlineStr"><is><t>x</t></is></c></row>'
        "<row/>"
    )
    path = zip_workbook(tmp_path / "r.xlsx", {"R": sheet_xml(rows)})
    with Workbook(path) as wb:
        cells = list(wb.rows())
    assert [[c.value for c in row] for row in cells] == [
        [1, 2],
        [None, None, 3, 4],
        [],
        [],
        [None, "x"],
        [],
    ]
    assert cells[1][0] is EMPTY


def test_strict_open_xml_namespaces(tmp_path: Path) -> None:
    strict = 'xmlns="http://purl.oclc.org/ooxml/spreadsheetml/main"'
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>Kod</t></is></c></row>'
    path = zip_workbook(tmp_path / "strict.xlsx", {"S": sheet_xml(rows, ns=strict)}, ns=strict)
    with Workbook(path) as wb:
        assert wb.sheet_names == ["S"] and values(wb) == [["Kod"]]


def test_ambiguous_sheet_names(tmp_path: Path) -> None:
    empty = sheet_xml("")
    path = zip_workbook(tmp_path / "a.xlsx", {"Data 1": empty, "data-1": empty, "Data_2": empty})
    with Workbook(path) as wb:
        assert wb.sheet("data-1") == "data-1"
        assert wb.sheet("DATA 1") == "Data 1"  # case alone decides before punctuation
        assert wb.sheet("data2") == "Data_2"
        with pytest.raises(WorkbookError, match="ambiguous"):
            wb.sheet("DATA1")


def test_sheet_key() -> None:
    assert sheet_key("Metadata - Variabelnivå") == "metadatavariabelniva"
    assert sheet_key("Kodlista_KÖN") == sheet_key("kodlista kon") == "kodlistakon"
    assert sheet_key("Metadata-Datamängd (DCAT-AP)") == "metadatadatamangddcatap"


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        (Cell(None), ""),
        (Cell("021"), "021"),
        (Cell(21), "21"),
        (Cell(21.0), "21"),
        (Cell(21, "000"), "021"),
        (Cell(21.0, "000"), "021"),
        (Cell(1234, "000"), "1234"),
        (Cell(-5, "000"), "-005"),
        (Cell(2.5, "0"), "3"),
        (Cell(-2.5, "0"), "-3"),
        (Cell(0.125, "0.00"), "0.13"),
        (Cell(3.14159, "00.0"), "03.1"),
        (Cell(21, "000;-000"), "021"),
        (Cell(21, "General"), "21"),
        (Cell(21, "@"), "21"),
        (Cell(0.1), "0.1"),
        (Cell(0.1 + 0.2), "0.3"),
        (Cell(1e20), "1e+20"),
        (Cell(12345.5, "#,##0"), "12345.5"),
        (Cell(44950, "yyyy-mm-dd"), "2023-01-24"),
        (Cell(44950, "mm-dd-yy"), "2023-01-24"),
        (Cell(44950.75, "yyyy-mm-dd hh:mm"), "2023-01-24 18:00:00"),
        (Cell(0.5, "h:mm"), "12:00:00"),
        (Cell(1.5, "[h]:mm:ss"), "1.5"),
        (Cell(-1, "yyyy-mm-dd"), "-1"),
        (Cell(True), "TRUE"),
        (Cell(False), "FALSE"),
    ],
)
def test_cell_text(cell: Cell, text: str) -> None:
    assert cell.text == text


def test_format_number_builtin_date_id() -> None:
    assert format_number(1, xlsx.BUILTIN_FORMATS[14]) == "1900-01-01"
    assert format_number(61, xlsx.BUILTIN_FORMATS[14]) == "1900-03-01"


def test_rows_are_lazy(tmp_path: Path) -> None:
    """The first rows come before the parser reaches a broken end."""
    good = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 20001))
    broken = f"<worksheet {NS}><sheetData>{good}<row><c><v>1</v></row>"
    path = zip_workbook(tmp_path / "lazy.xlsx", {"L": broken})
    with Workbook(path) as wb:
        rows = wb.rows()
        assert [c.value for c in next(rows)] == [1]
        with pytest.raises(WorkbookError, match="not well-formed"):
            list(rows)


def test_closed_workbook(tmp_path: Path) -> None:
    path = zip_workbook(tmp_path / "c.xlsx", {"C": sheet_xml("<row><c><v>1</v></c></row>")})
    with Workbook(path) as wb:
        rows = wb.rows()
    with pytest.raises(WorkbookError, match="closed"):
        next(rows)


# -- bounded memory ------------------------------------------------------------------


def test_large_sheet_reads_in_bounded_memory(tmp_path: Path) -> None:
    """200,000 rows of code and label (about 15 MB of sheet XML, shared strings as Excel
    writes them): peak traced memory while iterating stays a small fraction of the XML,
    so rows are neither read ahead nor kept."""
    n = 200_000
    labels = [f"<t>Åtgärd nummer {i}</t>" for i in range(100)]
    body = "".join(
        f'<row r="{r}" spans="1:2"><c r="A{r}" s="1"><v>{r}</v></c>'
        f'<c r="B{r}" t="s"><v>{r % 100}</v></c></row>'
        for r in range(1, n + 1)
    )
    path = zip_workbook(tmp_path / "big.xlsx", {"Big": sheet_xml(body)}, shared=labels)
    with zipfile.ZipFile(path) as zf:
        xml_size = zf.getinfo("xl/worksheets/sheet1.xml").file_size
    assert xml_size > 14_000_000
    del body
    tracemalloc.start()
    try:
        count = 0
        last: list[Cell] = []
        with Workbook(path) as wb:
            for row in wb.rows(0):
                count += 1
                last = row
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == n
    assert [c.text for c in last] == ["200000", "Åtgärd nummer 0"]
    assert peak < xml_size / 10, (peak, xml_size)


# -- hostile files ---------------------------------------------------------------------


def test_compression_ratio_is_refused_before_reading(tmp_path: Path) -> None:
    path = zip_workbook(tmp_path / "bomb.xlsx", {"B": repeated_rows(30)})
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size / info.compress_size > 100
    tracemalloc.start()
    try:
        with Workbook(path) as wb, pytest.raises(WorkbookError, match="ratio over 100") as err:
            next(wb.rows())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(err.value).startswith("bomb.xlsx: xl/worksheets/sheet1.xml declares")
    assert peak < 2_000_000  # nothing was decompressed


def test_uncompressed_size_is_refused_before_reading(tmp_path: Path) -> None:
    path = zip_workbook(
        tmp_path / "big.xlsx", {"B": repeated_rows(3)}, compression=zipfile.ZIP_STORED
    )
    with (
        Workbook(path, max_entry_bytes=2 * 1024 * 1024) as wb,
        pytest.raises(WorkbookError, match=r"declares \d+ bytes uncompressed, over the limit"),
    ):
        next(wb.rows())
    with Workbook(path) as wb:  # under the default limit, a stored entry has ratio 1
        assert sum(1 for _ in wb.rows()) > 40_000


def test_header_that_understates_the_size(tmp_path: Path) -> None:
    """The header claims 1,000 bytes for 5 MB of XML: zipfile stops at the claimed size
    and the CRC fails, a clean error."""
    path = zip_workbook(tmp_path / "liar.xlsx", {"B": repeated_rows(5)})
    patch_sizes(path, "xl/worksheets/sheet1.xml", file_size=1000)
    with (
        Workbook(path) as wb,
        pytest.raises(WorkbookError, match=r"liar.xlsx: xl/worksheets/sheet1.xml"),
    ):
        list(wb.rows())


def test_bytes_read_are_counted_whatever_the_header_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """If the zip reader trusted the data rather than the header (as zipfile does not,
    but other versions might), the count of bytes actually read stops the reading."""
    path = zip_workbook(tmp_path / "liar.xlsx", {"B": repeated_rows(5)})
    patch_sizes(path, "xl/worksheets/sheet1.xml", file_size=1000)
    real_init = zipfile.ZipExtFile.__init__

    def trusting_init(self: Any, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        self._left = 1 << 62
        self._expected_crc = None

    monkeypatch.setattr(zipfile.ZipExtFile, "__init__", trusting_init)
    with (
        Workbook(path) as wb,
        pytest.raises(WorkbookError, match=r"expands to over .* ratio over 100"),
    ):
        list(wb.rows())
    with (
        Workbook(path, max_entry_bytes=2 * 1024 * 1024, max_ratio=1e9) as wb,
        pytest.raises(WorkbookError, match=r"expands to over .* over the limit of 2097152"),
    ):
        list(wb.rows())


@pytest.mark.parametrize("part", ["sheet", "shared", "workbook", "styles", "late"])
def test_doctype_is_refused(tmp_path: Path, part: str) -> None:
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    sheet = sheet_xml(rows)
    shared_doc = f"<sst {NS}><si><t>&lol9;</t></si></sst>"
    if part == "sheet":
        sheet = BILLION_LAUGHS + sheet_xml(
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
        )
    elif part == "late":  # after 100 KB of comment: a scan of the first bytes would miss it
        sheet = "<!--" + "x" * 100_000 + "-->" + BILLION_LAUGHS.split("\n", 1)[1] + sheet
    path = tmp_path / f"{part}.xlsx"
    zip_workbook(path, {"D": sheet}, shared=["<t>ok</t>"])
    if part == "shared":
        replace_member(path, "xl/sharedStrings.xml", BILLION_LAUGHS + shared_doc)
    elif part == "workbook":
        with zipfile.ZipFile(path) as zf:
            doc = zf.read("xl/workbook.xml").decode().split("\n", 1)[1]
        replace_member(path, "xl/workbook.xml", BILLION_LAUGHS + doc)
    elif part == "styles":
        replace_member(path, "xl/styles.xml", BILLION_LAUGHS + STYLES)
    with pytest.raises(WorkbookError, match="DOCTYPE") as err, Workbook(path) as wb:
        list(wb.rows())
    assert str(err.value).startswith(f"{part}.xlsx: xl/")


def test_shared_strings_are_bounded(tmp_path: Path) -> None:
    shared = [f"<t>{'x' * 100}</t>"] * 50
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    path = zip_workbook(tmp_path / "sst.xlsx", {"S": sheet_xml(rows)}, shared=shared)
    with (
        Workbook(path, max_shared_strings=49) as wb,
        pytest.raises(WorkbookError, match="more than 49 shared strings"),
    ):
        next(wb.rows())
    with (
        Workbook(path, max_shared_chars=4999) as wb,
        pytest.raises(WorkbookError, match="more than 4999 characters of shared strings"),
    ):
        next(wb.rows())
    with Workbook(path, max_shared_strings=50, max_shared_chars=5000) as wb:
        assert values(wb) == [["x" * 100]]


def test_a_huge_cell_is_refused(tmp_path: Path) -> None:
    big = "x" * 300_000
    rows = f'<row r="1"><c r="A1" t="inlineStr"><is><t>{big}</t></is></c></row>'
    path = zip_workbook(tmp_path / "cell.xlsx", {"S": sheet_xml(rows)})
    with (
        Workbook(path, max_cell_chars=200_000) as wb,
        pytest.raises(WorkbookError, match="cell longer than 200000 characters in row 1"),
    ):
        next(wb.rows())
    with Workbook(path) as wb:
        assert values(wb) == [[big]]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ('<row r="1"><c r="XFE1"><v>1</v></c></row>', "beyond column 16384"),
        ("<row>" + "<c><v>1</v></c>" * 16_385 + "</row>", "beyond column 16384"),
        ('<row r="1048577"><c><v>1</v></c></row>', "row numbered 1048577"),
        ('<row r="x"/>', "row numbered 'x'"),
        (
            '<row r="1"><c r="A1" t="s"><v>7</v></c></row>',
            "shared string '7' in row 1 .there are 1",
        ),
        ("<row>" + "<x>" * 70 + "</x>" * 70 + "</row>", "more than 64 deep"),
        ("<row><c><v>1</v></row>", "not well-formed XML"),
    ],
)
def test_malformed_sheets(tmp_path: Path, rows: str, message: str) -> None:
    path = zip_workbook(tmp_path / "m.xlsx", {"M": sheet_xml(rows)}, shared=["<t>a</t>"])
    with Workbook(path) as wb, pytest.raises(WorkbookError, match=message) as err:
        list(wb.rows())
    assert str(err.value).startswith("m.xlsx: xl/worksheets/sheet1.xml ")
    assert "\n" not in str(err.value)


def test_compression_methods_other_than_deflate_are_refused(tmp_path: Path) -> None:
    path = zip_workbook(
        tmp_path / "bz.xlsx", {"B": sheet_xml("<row/>")}, compression=zipfile.ZIP_BZIP2
    )
    with pytest.raises(WorkbookError, match="compression method 12"):
        Workbook(path)


def test_encrypted_entries_are_refused(tmp_path: Path) -> None:
    path = zip_workbook(tmp_path / "enc.xlsx", {"E": sheet_xml("<row/>")})
    patch_sizes(path, "xl/worksheets/sheet1.xml", flags=0x1)
    with Workbook(path) as wb, pytest.raises(WorkbookError, match=r"sheet1.xml is encrypted"):
        next(wb.rows())


def test_not_workbooks(tmp_path: Path) -> None:
    cases: dict[str, bytes] = {
        "empty.xlsx": b"",
        "text.xlsx": b"Kod;Titel\n",
        "old.xlsx": xlsx.OLE_MAGIC + b"\x00" * 504,
        "~$KVA.xlsx": b"\x0bAnna Svensson" + b" " * 40,
        "cut.xlsx": b"PK\x03\x04" + b"\x00" * 40,
    }
    expected = {
        "empty.xlsx": r"is not an \.xlsx workbook \(an empty file\)",
        "text.xlsx": r"is not an \.xlsx workbook \(not a zip file\)",
        "old.xlsx": r"old binary Excel workbook \(\.xls\) or a password-protected one",
        "~$KVA.xlsx": "is an Office lock file",
        "cut.xlsx": r"damaged zip",
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(WorkbookError, match=expected[name]) as err:
            Workbook(tmp_path / name)
        assert str(err.value).startswith(f"{name}: ")
    with pytest.raises(WorkbookError, match=r"missing.xlsx: no such file"):
        Workbook(tmp_path / "missing.xlsx")
    with pytest.raises(WorkbookError, match="is a directory"):
        Workbook(tmp_path)
    with zipfile.ZipFile(tmp_path / "zip.xlsx", "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(WorkbookError, match=r"no xl/workbook\.xml"):
        Workbook(tmp_path / "zip.xlsx")


def test_a_truncated_workbook(tmp_path: Path, metadata_workbook: Path) -> None:
    data = metadata_workbook.read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(WorkbookError, match=r"cut.xlsx: is not an .xlsx workbook .damaged zip"):
        Workbook(cut)


def test_a_damaged_entry(tmp_path: Path) -> None:
    body = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 5000))
    path = zip_workbook(tmp_path / "dmg.xlsx", {"D": sheet_xml(body)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + 200
    data[start : start + 64] = bytes(64)  # zeros in the middle of the deflate stream
    path.write_bytes(bytes(data))
    with (
        Workbook(path) as wb,
        pytest.raises(WorkbookError, match=r"dmg.xlsx: xl/worksheets/sheet1.xml"),
    ):
        list(wb.rows())


def test_utf16_parts(tmp_path: Path) -> None:
    """OPC allows UTF-16 parts; expat reads them."""
    rows = '<row r="1"><c r="A1" t="inlineStr"><is><t>Åtgärd</t></is></c></row>'
    xml = '<?xml version="1.0" encoding="UTF-16"?>' + sheet_xml(rows)
    path = zip_workbook(tmp_path / "u16.xlsx", {"U": xml.encode("utf-16")})
    with Workbook(path) as wb:
        assert values(wb) == [["Åtgärd"]]


def test_zlib_errors_are_clean(tmp_path: Path) -> None:
    """A deflate stream that is not one: zlib.error becomes a WorkbookError."""
    path = zip_workbook(tmp_path / "z.xlsx", {"Z": sheet_xml("<row/>")})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename)
    data[start : start + info.compress_size] = b"\xff" * info.compress_size
    path.write_bytes(bytes(data))
    with (
        Workbook(path) as wb,
        pytest.raises(WorkbookError, match=r"z.xlsx: xl/worksheets/sheet1.xml") as err,
    ):
        list(wb.rows())
    assert isinstance(err.value.__cause__, zlib.error)
