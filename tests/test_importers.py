"""Importing published code lists (KVÅ) from CSV and XLSX."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from helpers import K2
from workbooks import BILLION_LAUGHS, repeated_rows, sheet_xml, zip_workbook

import sosreg
from sosreg import codelists, xlsx
from sosreg.cli import main
from sosreg.codelists.importers import (
    CodeListImportError,
    import_codes,
    import_kva,
    read_table,
    to_toml,
)

CSV_2023 = "KVÅ 2023\n\nKod;Titel\nPD008;Bedömning av munhälsa\nQB010;Kontroll av vitala parametrar\nPD000;Gruppkod\nXX;not a code\n"


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    """A minimal .xlsx with shared strings, as Excel writes it."""
    strings: list[str] = []
    sheet_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            strings.append(value)
            ref = f"{chr(65 + c)}{r}"
            cells.append(f'<c r="{ref}" t="s"><v>{len(strings) - 1}</v></c>')
        sheet_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "xl/workbook.xml",
            f'<workbook {ns} {rel_ns}><sheets><sheet name="KVÅ" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/sharedStrings.xml",
            f"<sst {ns}>" + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>",
        )
        zf.writestr(
            "xl/worksheets/sheet1.xml",
            f"<worksheet {ns}><sheetData>{''.join(sheet_rows)}</sheetData></worksheet>",
        )
    return path


def test_csv_import(tmp_path: Path) -> None:
    path = tmp_path / "kva2023.csv"
    path.write_text(CSV_2023, "cp1252")
    kva = import_kva(path, 2023)
    assert [c.code for c in kva] == ["PD000", "PD008", "QB010"]
    assert kva.label("PD008", 2023) == "Bedömning av munhälsa"
    assert kva.is_valid("PD008", 2023) and not kva.is_valid("PD008", 2022)


def test_xlsx_import(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "kva.xlsx",
        [
            ["Klassifikation av vårdåtgärder"],
            ["Kod", "Titel"],
            ["PD008", "Bedömning"],
            ["QB010", "Kontroll"],
        ],
    )
    assert read_table(path)[1] == ["Kod", "Titel"]
    kva = import_kva(path, 2023)
    assert [c.code for c in kva] == ["PD008", "QB010"]


def test_merge_with_previous_year(tmp_path: Path) -> None:
    y22 = tmp_path / "2022.csv"
    y22.write_text("Kod;Titel\nPD008;A\nQB099;Borttagen 2023\n", "utf-8")
    y23 = tmp_path / "2023.csv"
    y23.write_text("Kod;Titel\nPD008;A\nQB010;Ny 2023\n", "utf-8")
    kva = import_kva(y23, 2023, previous=import_kva(y22, 2022))
    assert kva.lookup("PD008", 2022)[0] is codelists.Validity.VALID
    assert kva.lookup("PD008", 2023)[0] is codelists.Validity.VALID
    status, entry = kva.lookup("QB099", 2023)
    assert status is codelists.Validity.EXPIRED and entry is not None and entry.valid_to == 2022
    assert kva.lookup("QB010", 2022)[0] is codelists.Validity.NOT_YET
    # and back through TOML
    toml = tmp_path / "kva.toml"
    toml.write_text(to_toml(kva), "utf-8")
    assert codelists.load_file(toml).codes == kva.codes


def test_imported_list_checks_khsl2(tmp_path: Path) -> None:
    path = tmp_path / "kva.csv"
    path.write_text("Kod;Titel\nQB010;x\n", "utf-8")
    kva = import_kva(path, 2023)
    data = (K2 + "\r\n").encode()
    report = sosreg.validate(data, register="khsl", file="khsl2", codelists={"kva": kva})
    assert [(f.line, f.code) for f in report.by_code("KHSL-014")] == [(1, "KHSL-014")]
    assert "SOS-013" not in report.codes()
    # a list for another year does not pretend to know 2024
    data24 = (K2.replace("20230124", "20240124") + "\r\n").encode()
    report = sosreg.validate(data24, register="khsl", file="khsl2", codelists={"kva": kva})
    assert "KHSL-014" not in report.codes() and "SOS-013" in report.codes()


def test_bad_files(tmp_path: Path) -> None:
    nohead = tmp_path / "x.csv"
    nohead.write_text("a;b\nc;d\n", "utf-8")
    with pytest.raises(CodeListImportError, match="header"):
        import_kva(nohead, 2023)
    fake = tmp_path / "x.xlsx"
    fake.write_bytes(b"not a zip")
    with pytest.raises(CodeListImportError, match=r"not an \.xlsx"):
        import_kva(fake, 2023)


def test_cli_import_and_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "kva.csv"
    src.write_text(CSV_2023, "utf-8")
    out = tmp_path / "kva.toml"
    assert main(["import-codes", "kva", str(src), "--year", "2023", "-o", str(out)]) == 0
    assert "3 codes valid in 2023" in capsys.readouterr().out
    data = tmp_path / "Khsl2_0330_202301.txt"
    data.write_bytes((K2.replace("PD008", "QB011") + "\r\n").encode())
    code = main(
        ["validate", str(data), "--register", "khsl", "--file", "khsl2", "--codelist", str(out)]
    )
    assert code == 2
    assert "KHSL-014" in capsys.readouterr().out
    assert main(["import-codes", "kva", str(tmp_path / "none.csv"), "--year", "2023"]) == 3


# -- CSV files as they come from Excel, LibreOffice and Mac Excel ----------------------

KVA_ROWS = [
    ["KVÅ 2023"],
    [],
    ["Kod", "Titel"],
    ["PD008", "Bedömning av munhälsa"],
    ["QB010", "Kontroll av vitala parametrar"],
]


@pytest.mark.parametrize(
    "newlines",
    [["\r"] * 5, ["\n"] * 5, ["\r\n"] * 5, ["\n", "\r", "\r\n", "\r", "\n"]],
    ids=["CR", "LF", "CRLF", "mixed"],
)
def test_csv_line_endings(tmp_path: Path, newlines: list[str]) -> None:
    text = "".join(";".join(row) + end for row, end in zip(KVA_ROWS, newlines, strict=True))
    path = tmp_path / "kva.csv"
    path.write_bytes(text.encode("cp1252"))
    assert read_table(path) == KVA_ROWS
    kva = import_kva(path, 2023)
    assert [c.code for c in kva] == ["PD008", "QB010"]
    assert kva.label("PD008", 2023) == "Bedömning av munhälsa"


def test_csv_quoted_line_break_in_a_cr_file(tmp_path: Path) -> None:
    path = tmp_path / "kva.csv"
    path.write_bytes('Kod;Titel\rPD008;"Bedömning\rav munhälsa"\rQB010;Kontroll\r'.encode())
    assert read_table(path) == [
        ["Kod", "Titel"],
        ["PD008", "Bedömning\rav munhälsa"],
        ["QB010", "Kontroll"],
    ]


@pytest.mark.parametrize(
    ("encoding", "prefix", "sep"),
    [
        ("utf-8", b"", ";"),
        ("utf-8", b"\xef\xbb\xbf", ";"),  # Excel's "CSV UTF-8"
        ("cp1252", b"", ";"),  # Excel's "CSV (semikolonavgränsad)"
        ("utf-16-le", b"\xff\xfe", "\t"),  # Excel's "Unicode-text"
        ("utf-16-be", b"\xfe\xff", "\t"),
        ("utf-8", b"", ","),
    ],
    ids=["utf-8", "utf-8-bom", "cp1252", "utf-16-le", "utf-16-be", "comma"],
)
def test_csv_encodings(tmp_path: Path, encoding: str, prefix: bytes, sep: str) -> None:
    text = "".join(sep.join(row) + "\r\n" for row in KVA_ROWS)
    path = tmp_path / "kva.txt"
    path.write_bytes(prefix + text.encode(encoding))
    assert read_table(path) == KVA_ROWS
    assert import_kva(path, 2023).label("QB010", 2023) == "Kontroll av vitala parametrar"


# -- workbooks ------------------------------------------------------------------------


def test_codes_stored_as_numbers_with_zero_format(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Kod", "Benämning"])
    for code, label in ((21, "Arbetslöshet"), (111, "Sjukdom"), (5, "Annat")):
        ws.append([code, label])
        ws.cell(ws.max_row, 1).number_format = "000"
    path = tmp_path / "hinder.xlsx"
    wb.save(path)
    cl = import_codes(path, name="hinderkod", year=2023)
    assert [c.code for c in cl] == ["005", "021", "111"]


def test_code_list_sheet_of_a_metadata_workbook(tmp_path: Path) -> None:
    """The table of a ``Kodlista_`` sheet starts below a few key rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Generell information"
    ws.append(["Version", "1.0"])
    codes = wb.create_sheet("Kodlista_KON")
    codes.append(["Variabelnamn", "KON"])
    codes.append(["Kodverk", "Kön"])
    codes.append([])
    codes.append(["Tidsperiod", "Kod", "Beskrivning"])
    codes.append(["2017-", 1, "Man"])
    codes.append(["2017-", 2, "Kvinna"])
    path = tmp_path / "Metadata Insatser till barn och unga (BU)_webb.xlsx"
    wb.save(path)
    assert read_table(path) == [["Version", "1.0"]]
    assert read_table(path, sheet="kodlista kön")[3:] == [
        ["Tidsperiod", "Kod", "Beskrivning"],
        ["2017-", "1", "Man"],
        ["2017-", "2", "Kvinna"],
    ]
    cl = import_codes(path, name="kon", year=2023, sheet="Kodlista_KON")
    assert [(c.code, c.label) for c in cl] == [("1", "Man"), ("2", "Kvinna")]
    with pytest.raises(CodeListImportError, match="no sheet 'Kodlista_INSATS'"):
        import_codes(path, name="insats", year=2023, sheet="Kodlista_INSATS")


def test_shared_strings_workbook_and_a_workbook_named_csv(tmp_path: Path) -> None:
    rows = [["Kod", "Titel"], ["PD008", "Bedömning"]]
    path = _xlsx(tmp_path / "kva.xlsx", rows)
    assert read_table(path) == rows
    assert [c.code for c in import_kva(path, 2023, sheet="kva")] == ["PD008"]
    renamed = tmp_path / "kva.csv"
    renamed.write_bytes(path.read_bytes())
    assert read_table(renamed) == rows


# -- every failure is one CodeListImportError naming the file ----------------------------


def _write(data: bytes) -> Callable[[Path], Path]:
    def make(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return make


def _workbook(sheet: str) -> Callable[[Path], Path]:
    return lambda path: zip_workbook(path, {"Blad1": sheet}, shared=["<t>Kod</t>"])


def _directory(path: Path) -> Path:
    path.mkdir()
    return path


BAD_FILES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "gammal.xls": (_write(xlsx.OLE_MAGIC + bytes(504)), r"old binary Excel workbook \(\.xls\)"),
    "gammal.csv": (_write(xlsx.OLE_MAGIC + bytes(504)), r"old binary Excel workbook \(\.xls\)"),
    "~$kva.xlsx": (_write(b"\x0bAnna Svensson" + b" " * 40), "Office lock file"),
    "tom.xlsx": (_write(b""), r"not an \.xlsx workbook \(an empty file\)"),
    "text.xlsx": (_write(b"Kod;Titel\n"), r"not an \.xlsx workbook"),
    "trasig.xlsx": (_write(b"PK\x03\x04" + bytes(60)), "damaged zip"),
    "binar.csv": (_write(b"Kod;Titel\n\x00\x01\x02\x00PD008;x\n"), "not a text file"),
    "dokument.csv": (_write(b"%PDF-1.7\n..."), "PDF file"),
    "lang.csv": (
        _write(b"Kod;Titel\n" + b"x" * 200_000 + b"\n"),
        "line 2 is longer than 100000 characters",
    ),
    "falt.csv": (
        _write(b'Kod;Titel\nPD008;"' + b"x\n" * 70_000 + b'"\n'),
        "field larger than field limit",
    ),
    "inget.csv": (_write(b"a;b\nc;d\n"), "no header row"),
    "inga-koder.csv": (_write(b"Kod;Titel\n"), "no codes found"),
    "bomb.xlsx": (_workbook(repeated_rows(30)), "possible zip bomb"),
    "doctype.xlsx": (_workbook(BILLION_LAUGHS + sheet_xml("")), "DOCTYPE"),
    "trasig-xml.xlsx": (_workbook(sheet_xml("<row><c><v>1</v></row>")), "not well-formed XML"),
    "fel-index.xlsx": (
        _workbook(sheet_xml('<row><c t="s"><v>99</v></c></row>')),
        "shared string '99'",
    ),
    "saknas.csv": (lambda path: path, "no such file"),
    "saknas.xlsx": (lambda path: path, "no such file"),
    "mapp.csv": (_directory, "is a directory"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_every_failure_is_a_clean_import_error(tmp_path: Path, name: str) -> None:
    make, expected = BAD_FILES[name]
    path = make(tmp_path / name)
    with pytest.raises(Exception) as info:  # the exact type is the point
        import_kva(path, 2023)
    err = info.value
    assert type(err) is CodeListImportError, repr(err)
    message = str(err)
    assert message.startswith(f"{name}: "), message
    assert "\n" not in message
    assert re.search(expected, message), message


def test_cli_reads_a_mac_excel_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "kva.csv"
    src.write_bytes("Kod;Titel\rPD008;Bedömning\rQB010;Kontroll\r".encode("cp1252"))
    out = tmp_path / "kva.toml"
    assert main(["import-codes", "kva", str(src), "--year", "2023", "-o", str(out)]) == 0
    assert "2 codes valid in 2023" in capsys.readouterr().out


def test_cli_refuses_a_zip_bomb_cleanly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = zip_workbook(tmp_path / "bomb.xlsx", {"B": repeated_rows(30)})
    assert main(["import-codes", "kva", str(bomb), "--year", "2023"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("sosreg: bomb.xlsx: xl/worksheets/sheet1.xml declares ")
    assert err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("heading", ["Titel", "Benämning", "Kodtext", "Namn", "Name"])
def test_csv_label_column_headings(tmp_path: Path, heading: str) -> None:
    path = tmp_path / "kva.csv"
    path.write_bytes(f"Kod;{heading}\r\nPD008;Bedömning av munhälsa\r\n".encode("cp1252"))
    assert import_kva(path, 2023).label("PD008", 2023) == "Bedömning av munhälsa"


def test_csv_without_a_label_column_gives_empty_labels(tmp_path: Path) -> None:
    path = tmp_path / "kva.csv"
    path.write_bytes(b"Kod;Grupp\r\nPD008;x\r\n")
    assert import_kva(path, 2023).label("PD008", 2023) == ""
