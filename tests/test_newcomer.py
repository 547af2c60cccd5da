"""A newcomer's stumbles (issue 19 items 9 and 12): a file that is not a register file
gets one finding, not one per line; a name that says another file gets a hint; every
rule's source in both languages; SOS-205 names the codes allowed."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from helpers import AO_MED, M_SOLO

import sosreg
from sosreg.cli import main
from sosreg.engine.rules import CATALOGUE
from sosreg.engine.source import document_kind

EXAMPLES = Path(__file__).parent.parent / "examples"
SOL1 = EXAMPLES / "SOL1_0330_202301_20230214T0940.txt"

DOCUMENTS = {
    "json": b'{\n  "schema_version": "2.0",\n  "deliveries": []\n}\n',
    "json-array": b'[{"code": "SOS-104", "line": 3}]',
    "json-pretty-array": b"[\n  1,\n  2\n]\n",
    "xml": b'<?xml version="1.0" encoding="utf-8"?>\n<a>0330;;202301</a>\n',
    "html": b"<!DOCTYPE html>\n<html><body><p>0330;;202301</p></body></html>\n",
    "html-bare": b"\xef\xbb\xbf  <html lang=sv>\n<td>0330</td>\n",
    "rtf": b"{\\rtf1\\ansi 0330;;202301\\par}\n",
}


@pytest.mark.parametrize("engine", ["row", "columnar"])
@pytest.mark.parametrize("kind", sorted(DOCUMENTS))
def test_a_document_is_one_finding_not_one_per_line(kind: str, engine: str) -> None:
    data = DOCUMENTS[kind] * 3  # several lines, each of which would be blamed
    report = sosreg.validate(data, register="ekb", file="manad", year=2023, engine=engine)
    codes = [(f.code, f.line, f.severity.code) for f in report.findings if f.code != "SOS-014"]
    assert codes == [("SOS-018", None, "error")]
    assert report.status is sosreg.Status.INTE_GODKAND and report.records == 0
    (f,) = report.by_code("SOS-018")
    word = {"json": "JSON", "xml": "XML", "html": "HTML", "rtf": "RTF"}[kind.split("-")[0]]
    assert word in f.message() and word in f.message("en")


def test_a_document_as_text_is_one_finding_too() -> None:
    text = io.StringIO(DOCUMENTS["json"].decode())
    report = sosreg.validate(text, register="ekb", file="manad", year=2023)
    assert [f.code for f in report.findings if f.code != "SOS-014"] == ["SOS-018"]


@pytest.mark.parametrize(
    "start",
    [
        M_SOLO,
        '"' + M_SOLO + '"',  # quoted by a spreadsheet
        "Kommun;Stadsdel;Period",  # a header line: SOS-106, not a document
        "<0330;;202301",  # a stray bracket on a register line is damage, not markup
        "{0330;;202301",
        "[0330;;202301",
        "",
        "   ",
    ],
)
def test_register_data_is_never_taken_for_a_document(start: str) -> None:
    assert document_kind((start + "\r\n" + M_SOLO + "\r\n").encode(), "utf-8") is None


def test_a_glob_that_picks_up_expected_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sosreg validate 'out/*'` after `sosreg generate`: the .expected.json beside the
    file is one SOS-018 of its own, and does not join the file's delivery (no SOS-301
    "the same file twice", no cross-file findings)."""
    main(
        [
            "generate",
            "--register",
            "sol",
            "--file",
            "sol1",
            "--year",
            "2023",
            "-n",
            "5",
            "--seed",
            "3",
            "-o",
            str(tmp_path),
        ]
    )
    capsys.readouterr()
    assert main(["validate", str(tmp_path / "*"), "--format", "json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    (delivery,) = doc["deliveries"]
    by_name = {f["name"]: f for f in delivery["files"]}
    (expected,) = [f for n, f in by_name.items() if n.endswith(".expected.json")]
    contents = [f for f in expected["findings"] if f["category"] != "portal"]
    assert [f["code"] for f in contents if f["severity"] != "info"] == ["SOS-018"]
    assert all(f["line"] is None for f in expected["findings"])
    (data,) = [f for n, f in by_name.items() if n.endswith(".txt")]
    assert data["status"]["code"] == "godkand"
    assert delivery["cross_file"]["findings"] == []


def test_a_workbook_named_like_a_file_stays_out_of_the_delivery(tmp_path: Path) -> None:
    manad = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    manad.write_bytes((M_SOLO + "\r\n").encode())
    ao = tmp_path / "Ekb_AO_0330_202301_20230214T0931.txt"
    ao.write_bytes((AO_MED + "\r\n").encode())
    book = tmp_path / "Ekb_0330_202301_20230214T0930.xlsx"
    book.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    without = sosreg.validate_delivery([manad, ao])
    result = sosreg.validate_delivery([manad, ao, book])
    assert result.findings == without.findings  # no SOS-301 for the workbook
    assert "SOS-002" in result.reports[2].codes()


# -- SOS-020: the name says another file ------------------------------------------------


def test_name_of_another_register(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(SOL1), "--register", "ekb", "--lang", "en"]) == 2
    out = capsys.readouterr().out
    assert f"The file name {SOL1.name} says sol/sol1, but the file was checked as ekb/manad" in out
    report = sosreg.validate(SOL1, register="ekb")
    (hint,) = report.by_code("SOS-020")
    assert hint.severity is sosreg.Severity.WARNING and hint.line is None
    assert "anger SOL1, men filen kontrollerades som EKB-Månad" in hint.message()
    assert not sosreg.validate(SOL1).by_code("SOS-020")  # the name decides: no hint


def test_name_of_another_file_of_the_register() -> None:
    ao = EXAMPLES / "Ekb_AO_0330_202301_20230214T0931.txt"
    (hint,) = sosreg.validate(ao, file="manad").by_code("SOS-020")
    assert "EKB-AO" in hint.message() and "EKB-Månad" in hint.message()
    assert "says ekb/ao, but the file was checked as ekb/manad" in hint.message("en")
    assert not sosreg.validate(ao).by_code("SOS-020")
    assert not sosreg.validate(ao, register="ekb", file="ao").by_code("SOS-020")


# -- Källa in Swedish --------------------------------------------------------------------


_TAG = re.compile(r"\[(?:seed|public|provisional)\]")


def test_every_rule_has_a_source_in_both_languages() -> None:
    for rule in CATALOGUE:
        assert rule.source and rule.source_sv, rule.code
        # the provenance tags and the document references stay as they are
        assert _TAG.findall(rule.source_sv) == _TAG.findall(rule.source), rule.code
        refs = re.findall(r"§\s?\d+", rule.source)
        assert re.findall(r"§\s?\d+", rule.source_sv) == refs, rule.code
        assert rule.source_of("en") == rule.source and rule.source_of("sv") == rule.source_sv


def test_the_swedish_workbook_shows_the_swedish_source() -> None:
    openpyxl = pytest.importorskip("openpyxl")
    report = sosreg.validate(EXAMPLES / "Ekb_0330_202302_20230314T1200.txt.csv")
    for lang in ("sv", "en"):
        book = openpyxl.load_workbook(io.BytesIO(report.to_xlsx(lang=lang) or b""))
        ws = book.worksheets[-1]
        rows = list(ws.iter_rows(values_only=True))
        col = rows[0].index("Källa" if lang == "sv" else "Source")
        got = {r[0]: r[col] for r in rows[1:] if r[0] in CATALOGUE}
        assert got, rows[:3]
        for code, source in got.items():
            assert source == CATALOGUE[code].source_of(lang), (lang, code)


# -- SOS-205 and the other "unknown code" rules name the codes allowed ----------------------


def test_unknown_code_names_the_codes_allowed() -> None:
    from sosreg import codelists
    from sosreg.engine.types.code import ALLOWED_FIRST, allowed_codes

    few = codelists.make("tre", "Tre", [codelists.Code(c, "x", None, None) for c in "123"])
    assert allowed_codes(few, 2023) == {
        "allowed_sv": "Giltiga koder: 1, 2, 3.",
        "allowed_en": "Valid codes are: 1, 2, 3.",
    }
    one = codelists.make("en", "En", [codelists.Code("9", "x", None, None)])
    assert allowed_codes(one, 2023)["allowed_sv"] == "Giltig kod: 9."
    many = codelists.make(
        "manga", "Många", [codelists.Code(f"{i:03d}", "x", None, None) for i in range(40)]
    )
    sv = allowed_codes(many, 2023)["allowed_sv"]
    assert sv.startswith("Giltiga koder är bl.a. 000, 001") and f"{ALLOWED_FIRST - 1:03d}" in sv
    assert f"{ALLOWED_FIRST:03d}" not in sv.split("(")[0]
    assert sv.endswith("(alla 40: sosreg codes manga --year 2023).")


def test_a_real_unknown_code_finding_lists_the_codes() -> None:
    from helpers import run

    parts = M_SOLO.split(";")
    parts[9] = "999"  # the sökande's hinderkod
    report = run([";".join(parts)])
    (f,) = [f for f in report.findings if f.code in ("SOS-205", "EKB-010", "EKB-069")]
    assert "sosreg codes ekb_hinderkod --year 2023" in f.message()
    assert "Valid codes include 021" in f.message("en")
    assert "{allowed}" not in f.message() and "?" not in f.message()
