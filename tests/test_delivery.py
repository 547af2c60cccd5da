"""A delivery as a whole: each file once (SOS-301), one register (SOS-302), one kommun
(SOS-303)."""

from __future__ import annotations

from pathlib import Path

from helpers import AO_MED, M_MED, M_SOLO, S1

import sosreg


def _write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def _codes(result: sosreg.DeliveryReport, code: str) -> list[sosreg.Finding]:
    return [f for f in result.findings if f.code == code]


def test_same_file_twice_is_an_error(tmp_path: Path) -> None:
    # the same timestamp: the two cannot be ordered (a later one would replace, SOS-304)
    a = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO])
    b = _write(tmp_path / "Ekb_0330_202301_20230214T0930_b.txt", [M_MED])
    ao = _write(tmp_path / "Ekb_AO_0330_202301_20230214T0931.txt", [AO_MED])
    result = sosreg.validate_delivery([a, ao, b])
    (dup,) = _codes(result, "SOS-301")
    assert dup.severity is sosreg.Severity.ERROR
    assert dup.line is None
    assert b.name in dup.message() and a.name in dup.message() and "EKB-Månad" in dup.message()
    assert result.status is sosreg.Status.INTE_GODKAND
    # a month's EKB-Månad and EKB-AO are two kinds, not the same file twice
    assert not _codes(sosreg.validate_delivery([a, ao]), "SOS-301")
    # the same kind for two months is not a duplicate either
    feb = _write(
        tmp_path / "Ekb_0330_202302_20230314T0930.txt", [M_SOLO.replace("202301", "202302")]
    )
    assert not _codes(sosreg.validate_delivery([a, feb]), "SOS-301")


def test_mixed_registers_are_a_warning(tmp_path: Path) -> None:
    ekb = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO])
    ao = _write(tmp_path / "Ekb_AO_0330_202301_20230214T0931.txt", [AO_MED])
    sol = _write(tmp_path / "SOL1_0330_202301_20230214T0940.txt", [S1])
    result = sosreg.validate_delivery([ekb, ao, sol])
    (mixed,) = _codes(result, "SOS-302")
    assert mixed.severity is sosreg.Severity.WARNING
    assert "EKB" in mixed.message() and "SOL" in mixed.message("en")
    assert not _codes(sosreg.validate_delivery([ekb, ao]), "SOS-302")


def test_mixed_kommuner_are_a_warning(tmp_path: Path) -> None:
    a = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO])
    ao = _write(tmp_path / "Ekb_AO_0114_202301_20230214T0931.txt", [AO_MED.replace("0330", "0114")])
    result = sosreg.validate_delivery([a, ao])
    (mixed,) = _codes(result, "SOS-303")
    assert mixed.severity is sosreg.Severity.WARNING
    assert "0114" in mixed.message() and "0330" in mixed.message()
    same = _write(tmp_path / "Ekb_AO_0330_202301_20230214T0932.txt", [AO_MED])
    assert not _codes(sosreg.validate_delivery([a, same]), "SOS-303")


def test_delivery_json_has_the_shape_of_one_file(tmp_path: Path) -> None:
    a = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO])
    one = sosreg.validate(a).to_dict()
    many = sosreg.validate_delivery([a]).to_dict()
    assert one.keys() == many.keys()
    assert one["deliveries"][0].keys() == many["deliveries"][0].keys()
    assert one["deliveries"][0]["files"][0].keys() == many["deliveries"][0]["files"][0].keys()
    assert one["summary"].keys() == many["summary"].keys()


def test_delivery_totals_count_every_file_and_the_cross_file_findings(tmp_path: Path) -> None:
    a = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO, "x;y"])
    b = _write(tmp_path / "Ekb_0330_202301_20230214T0930_b.txt", [M_MED])
    sol = _write(tmp_path / "SOL1_0330_202301_20230214T0940.txt", [S1])
    result = sosreg.validate_delivery([a, b, sol])
    expected = dict.fromkeys(sorted(sosreg.Severity, reverse=True), 0)
    for f in result.findings:
        expected[f.severity] += 1
    for r in result.reports:
        for code, n in r.counts().items():
            expected[r.severities()[code]] += n
    assert result.totals() == expected
    assert list(result.totals()) == sorted(sosreg.Severity, reverse=True)
    assert result.totals()[sosreg.Severity.ERROR] >= 2  # SOS-301 and the broken line
    assert result.totals()[sosreg.Severity.WARNING] >= 1  # SOS-302


# -- Finding.file: the file a cross-file finding points into (issue 19 item 11) ---------

EXAMPLES = Path(__file__).parent.parent / "examples"


def test_cross_file_findings_name_their_file(tmp_path: Path) -> None:
    a = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO])
    b = _write(tmp_path / "Ekb_0330_202301_20230214T0930_kopia.txt", [M_MED])
    sol = _write(tmp_path / "SOL1_0330_202301_20230214T0940.txt", [S1])
    result = sosreg.validate_delivery([a, b, sol])
    (dup,) = _codes(result, "SOS-301")
    assert dup.file == b.name  # the second copy
    (alone,) = _codes(result, "EKB-061")  # EKB-Månad without its EKB-AO
    assert alone.file == alone.param_dict["name"] and alone.file in (a.name, b.name)
    (mixed,) = _codes(result, "SOS-302")
    assert mixed.file is None  # about the delivery as a whole
    # a file's own findings: the report holding them names the file
    assert all(f.file is None for r in result.reports for f in r.findings)


def test_joined_findings_name_their_file_in_every_format() -> None:
    import csv
    import io

    import openpyxl

    paths = sorted(EXAMPLES.glob("BU_*_med-fel.txt"))
    result = sosreg.validate_delivery(paths)
    cross = [f for f in result.findings if f.line is not None]
    assert cross and all(f.file in {p.name for p in paths} for f in cross)
    first = next(f for f in cross if f.code == "BU-060")
    assert first.file == "BU_INSATS_0330_2023_20240125T1001_med-fel.txt"
    # JSON: every finding has "file"; the cross-file ones name theirs
    doc = result.to_dict()
    (delivery,) = doc["deliveries"]
    got = [(f["code"], f["line"], f["file"]) for f in delivery["cross_file"]["findings"]]
    assert got == [(f.code, f.line, f.file) for f in result.findings]
    assert all(f["file"] is None for file in delivery["files"] for f in file["findings"])
    # CSV, xlsx, html, text: the file column (or prefix) of a cross-file row is the file
    rows = list(csv.reader(io.StringIO(result.to_csv() or ""), delimiter=";"))
    header = rows[0]
    by_code = [r for r in rows[1:] if r[header.index(header[2])] == "BU-060"]
    assert by_code and by_code[0][0] == first.file and by_code[0][1] == str(first.line)
    book = openpyxl.load_workbook(io.BytesIO(result.to_xlsx() or b""), read_only=True)
    cells = {
        tuple(str(c) for c in row[:3])
        for ws in book.worksheets
        for row in ws.iter_rows(values_only=True)
    }
    assert (first.file, str(first.line), "BU-060") in cells
    html = result.to_html()
    assert f"<td>{first.file}</td>" in html
    assert f"{first.file}, rad {first.line}  BU-060" in result.to_text()
    assert f"{first.file}, line {first.line}  BU-060" in result.to_text("en")
