"""Importing published code lists (KVÅ) from CSV and XLSX."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from helpers import K2

import sosreg
from sosreg import codelists
from sosreg.cli import main
from sosreg.codelists.importers import (
    CodeListImportError,
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
