"""What the seeds say that sosreg got wrong (issue 20, part 5), a test each: the EKB
annual file's avslutsorsaker, the collector's error numbers beside our codes,
förenklade beslut from 202206, the approved file's workbook, and the 2013 lists as a
test model."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers import A_MED, M_MED, M_SOLO, P0, P1, P2, S1, S2, annual, run

import sosreg
from sosreg import codelists
from sosreg.cli import main
from sosreg.engine.report import SCHEMA_VERSION
from sosreg.engine.rules import CATALOGUE, rule_from_dict
from sosreg.engine.spec import spec_from_dict
from sosreg.reports import csv_report

EXAMPLES = Path(__file__).parent.parent / "examples"
DOCS = Path(__file__).parent.parent / "docs"
FEB = ("5230", "021", "", "0", "")
"""A paid month of an annual line without a medsökande."""


def _replace(line: str, position: int, value: str) -> str:
    fields = line.split(";")
    fields[position - 1] = value
    return ";".join(fields)


def _codes(report: sosreg.Report) -> list[tuple[str, int | None]]:
    return [(f.code, f.line) for f in report.findings if f.severity.code != "info"]


def _both(lines: list[str], file: str, **kw: Any) -> list[tuple[str, int | None]]:
    """The findings of both engines, which must agree."""
    row = run(lines, file, max_details=None, engine="row", **kw)
    col = run(lines, file, max_details=None, engine="columnar", **kw)
    assert row.findings == col.findings
    return _codes(row)


# --- a. the annual file's avslutsorsaker ----------------------------------------------


def test_annual_layout_has_the_avslutsorsak_fields_after_the_months() -> None:
    spec = sosreg.get_spec("ekb", "ar", 2023)
    names = spec.field_names()
    assert names[-4:] == [
        "avslut_manad",
        "avslutsorsak_sokande",
        "avslutsorsak_medsokande",
        "avslutsorsak_hushall",
    ]
    assert all("provisional" in (spec.field(n).provenance or "") for n in names[-4:])
    assert any("error 12" in s and "avslutsorsak" in s for s in spec.sources)
    page = (DOCS / "registers" / "ekb.md").read_text("utf-8")
    assert "avslut_manad" in page and "preliminära positioner" in page


def test_a_line_with_only_an_earlier_years_avslutsorsak_is_not_error_12() -> None:
    """The FAQ's example: no assistance paid in the year, but avslutsorsakskoder (for
    December of the year before)."""
    faq = annual(P2, None, {}, ("202212", "1", "", "1"))
    assert _both([A_MED, faq], "ar") == []
    # the same line without the avslutsorsak is a pure refusal: error 12, line 2
    assert _both([A_MED, annual(P2, None, {})], "ar") == [("EKB-012", 2)]
    # a reason for a month of the year itself needs an amount that month
    this_year = annual(P2, None, {}, ("202303", "1", "", "1"))
    assert _both([A_MED, this_year], "ar") == [("EKB-015", 2), ("EKB-012", 2)]
    # an incomplete reason does not excuse a line without an amount
    incomplete = annual(P2, None, {}, ("202212", "1", "", ""))
    assert _both([A_MED, incomplete], "ar") == [("EKB-014", 2), ("EKB-012", 2)]


def test_an_avslutsorsak_for_the_last_paid_month_of_the_year() -> None:
    good = annual(P2, None, {2: FEB}, ("202302", "1", "", "1"))
    assert _both([good], "ar") == []
    unpaid = annual(P2, None, {2: FEB}, ("202303", "1", "", "1"))
    (f,) = [f for f in run([unpaid], "ar").findings if f.code == "EKB-015"]
    assert (f.line, f.field, f.value) == (1, "avslut_manad", "202303")
    assert "202303" in f.message("sv") and "2023" in f.message("en")
    no_household = annual(P2, None, {2: FEB}, ("202302", "1", "", ""))
    (f,) = [f for f in run([no_household], "ar").findings if f.code == "EKB-014"]
    assert f.field == "avslutsorsak_hushall" and f.severity.code == "error"
    # the medsökande's reason goes with a medsökande (EKB-024/025)
    months = {2: ("5230", "021", "111", "0", "0")}
    assert _both([annual(P0, P1, months, ("202302", "1", "", "1"))], "ar") == [("EKB-025", 1)]
    assert _both([annual(P0, P1, months, ("202302", "1", "2", "1"))], "ar") == []
    assert _both([annual(P2, None, {2: FEB}, ("202302", "1", "2", "1"))], "ar") == [("EKB-024", 1)]


def test_the_annual_example_and_generated_annual_files_are_valid() -> None:
    report = sosreg.validate(EXAMPLES / "Ekb_0330_2023_20240410T0900.txt")
    assert report.status.code == "godkand"
    from sosreg.generate import generate

    got = generate("ekb", "ar", 2023, 300, seed=5, out=None)
    (f,) = got.files
    lines = f.read().decode().splitlines()
    assert any(line.split(";")[65] for line in lines)  # some carry an avslutsorsak
    report = sosreg.validate(f.read(), name=f.name, max_details=None)
    assert not f.expected and not [x for x in report.findings if x.severity.code != "info"]


# --- b. the collector's error numbers ---------------------------------------------------


def test_rules_carry_the_collectors_number_as_data() -> None:
    assert CATALOGUE["EKB-012"].collector == 12
    assert CATALOGUE["EKB-069"].collector == 69
    assert CATALOGUE["EKB-070"].collector == 69  # an old hinderkod, "most often"
    assert CATALOGUE["EKB-013"].collector is None  # a lost zero: 69 only on the medsökande
    assert CATALOGUE["SOS-201"].collector is None
    base = {
        "code": "XYZ-001",
        "category": "record",
        "severity": "error",
        "title_sv": "t",
        "title_en": "t",
        "message_sv": "m",
        "message_en": "m",
    }
    for bad in ("12", 0, True):
        with pytest.raises(ValueError, match="collector"):
            rule_from_dict({**base, "collector": bad}, None)


def test_a_medsokandes_two_digit_or_expired_hinderkod_is_also_69() -> None:
    two_digits = _replace(M_MED, 11, "51")  # hinder_medsokande 051 without its zero
    expired = _replace(M_MED, 11, "080")
    unknown = _replace(M_MED, 11, "999")
    sokande_zero = _replace(M_SOLO, 10, "21")  # the sökande's: no collector number
    report = run([two_digits, expired, unknown, sokande_zero])
    got = [(f.code, f.line, f.collector) for f in report.findings if f.category.value == "field"]
    assert got == [("EKB-013", 1, 69), ("EKB-070", 2, 69), ("EKB-069", 3, 69), ("EKB-013", 4, None)]
    # our precise diagnosis stays in the message
    lost = report.by_code("EKB-013")[0]
    assert "051" in lost.message("sv") and lost.code_text("sv") == "EKB-013 (fel 69)"
    assert lost.code_text("en") == "EKB-013 (error 69)"
    # the annual file's twelve medsökande fields say the same
    months = {1: ("8450", "111", "51", "2", "0")}
    (f,) = [f for f in run([annual(P0, P1, months)], "ar").findings if f.code == "EKB-013"]
    assert f.collector == 69


def test_a_field_gives_its_number_to_generic_findings() -> None:
    """In a spec whose medsökande hinderkod names no EKB rules, the engine's generic
    findings (SOS-208 lost zero, SOS-206 expired) on it carry no. 69, as data."""
    import tomllib
    from importlib import resources

    text = resources.files("sosreg.registers.ekb").joinpath("specs", "manad_2017.toml").read_text()
    data = tomllib.loads(text)
    for field in data["fields"]:
        if field["name"] == "hinder_medsokande":
            del field["rules"]
            assert field["collector"] == 69
    spec = spec_from_dict(data)
    report = run([_replace(M_MED, 11, "51"), _replace(M_MED, 11, "080")], spec=spec)
    got = [(f.code, f.collector) for f in report.findings if f.category.value == "field"]
    assert got == [("SOS-208", 69), ("SOS-206", 69)]


@pytest.fixture(scope="module")
def with_69_and_12(tmp_path_factory: pytest.TempPathFactory) -> sosreg.Report:
    return run([_replace(M_MED, 11, "080"), M_SOLO])


def test_every_report_shows_the_number_beside_the_code(with_69_and_12: sosreg.Report) -> None:
    report = with_69_and_12
    text = report.to_text()
    assert "EKB-070 (fel 69)" in text and "(error 69)" in report.to_text(lang="en")
    data = json.loads(report.to_json())
    (finding,) = [
        f for f in data["deliveries"][0]["files"][0]["findings"] if f["code"] == "EKB-070"
    ]
    assert finding["collector"] == 69
    (count,) = [c for c in data["deliveries"][0]["files"][0]["counts"] if c["code"] == "EKB-070"]
    assert count["collector"] == 69
    assert all(
        f["collector"] is None
        for f in data["deliveries"][0]["files"][0]["findings"]
        if f is not finding
    )
    rows = list(csv_report.report_rows(report, "sv", None))
    csv_text = report.to_csv() or ""
    head = csv_text.splitlines()[0].lstrip("\ufeff").split(";")
    assert head[2:4] == ["Kod", "Insamlingens felnr"]
    assert any(line.split(";")[2:4] == ["EKB-070", "69"] for line in csv_text.splitlines())
    assert [r.collector for r in rows if r.code == "EKB-070"] == [69]
    assert "EKB-070 (fel 69)" in report.to_html()
    wb = openpyxl.load_workbook(io.BytesIO(report.render("xlsx")))
    cells = {c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row}
    assert "EKB-070 (fel 69)" in cells and "EKB-012 (fel 12)" in cells  # Avvikelsekoder


def test_json_schema_describes_the_number(with_69_and_12: sosreg.Report) -> None:
    import jsonschema

    from sosreg.reports.json_report import schema

    jsonschema.validate(json.loads(with_69_and_12.to_json()), schema())
    assert json.loads(with_69_and_12.to_json())["schema_version"] == SCHEMA_VERSION


def test_the_error_12_report_says_12() -> None:
    report = run([A_MED, annual(P2, None, {})], "ar")
    assert "EKB-012 (fel 12)" in report.to_text()


# --- c. förenklade beslut from 202206 -----------------------------------------------------


def _sol(line: str, period: str, file: str) -> str:
    return _replace(line, 3, period)


@pytest.mark.parametrize(("period", "fires"), [("202205", True), ("202206", False)])
def test_forenklat_beslut_is_reported_from_june_2022(period: str, fires: bool) -> None:
    sol1 = _replace(_sol(S1, period, "sol1"), 8, "1")  # forenklat_beslut = ja
    kw = {"year": 2022, "period": period}
    report = run([sol1], "sol1", **kw)
    hits = [(f.code, f.line, f.field) for f in report.findings if f.code == "SOS-207"]
    assert hits == ([("SOS-207", 1, "forenklat_beslut")] if fires else [])
    if fires:
        (f,) = report.by_code("SOS-207")
        assert "202206" in f.message("sv") and period in f.message("sv")
    # the same file saying nej is fine in both months
    assert "SOS-207" not in run([_sol(S1, period, "sol1")], "sol1", **kw).codes()


@pytest.mark.parametrize(("period", "fires"), [("202205", True), ("202206", False)])
def test_sol2_beslutstyp_forenklat_from_june_2022(period: str, fires: bool) -> None:
    line = _sol(S2, period, "sol2")
    line = line.replace("20221210", "20220501").replace("20230105", "20220502")
    line = line.replace("20230124", "20220503")
    line = _replace(_replace(line, 5, "1"), 28, "2")  # förenklat, beslutstyp förenklat
    line = line.replace("20220501", f"{period}01").replace("20220502", f"{period}02")
    line = line.replace("20220503", f"{period}03")
    for engine in ("row", "columnar"):
        report = run([line], "sol2", year=2022, period=period, engine=engine)
        got = sorted(f.field or "" for f in report.findings if f.code == "SOS-207")
        assert got == (["beslutstyp", "forenklat_beslut"] if fires else []), engine


def test_the_dated_codes_say_so_where_users_see_them(capsys: pytest.CaptureFixture[str]) -> None:
    cl = codelists.get("sol_forenklat_beslut")
    assert cl.is_valid("1", 202206) and not cl.is_valid("1", 202205)
    assert cl.is_valid("1", 2022)  # a year takes every code valid in any month of it
    assert codelists.get("sol_beslutstyp").lookup("2", 202112)[0] is codelists.Validity.NOT_YET
    assert main(["codes", "sol_forenklat_beslut"]) == 0
    assert "[2022-06–]" in capsys.readouterr().out
    assert "2022-06–" in (DOCS / "codelists.md").read_text("utf-8")
    spec = sosreg.get_spec("sol", "sol1", 2022)
    assert any("rule by period" in s for s in spec.sources)


def test_month_dated_codes_are_checked_as_data() -> None:
    with pytest.raises(ValueError, match="neither a year"):
        codelists.from_dict({"name": "x", "codes": [{"code": "1", "from": 202213}]})
    with pytest.raises(ValueError, match="after"):
        codelists.from_dict({"name": "x", "codes": [{"code": "1", "from": 202206, "to": 2021}]})
    with pytest.raises(ValueError, match="two entries"):
        codelists.from_dict(
            {
                "name": "x",
                "codes": [
                    {"code": "1", "to": 202206},
                    {"code": "1", "from": 2022},
                ],
            }
        )
    cl = codelists.from_dict(
        {"name": "x", "codes": [{"code": "1", "to": 202205}, {"code": "1", "from": 202207}]}
    )
    assert cl.lookup("1", 202206)[0] is codelists.Validity.EXPIRED  # a gap, as with years
    assert cl.lookup("1", 202208)[0] is codelists.Validity.VALID
    assert cl.lookup("1", 2022)[0] is codelists.Validity.VALID
    old = codelists.from_dict({"name": "x", "codes": [{"code": "1", "to": 202205}]})
    assert old.lookup("1", 202206)[0] is codelists.Validity.EXPIRED
    assert old.lookup("1", 2023)[0] is codelists.Validity.EXPIRED
    assert old.is_valid("1", 2022)


# --- d. an approved file's workbook ---------------------------------------------------------


def _sheets(report: sosreg.Report | sosreg.DeliveryReport) -> list[str]:
    return openpyxl.load_workbook(io.BytesIO(report.render("xlsx"))).sheetnames


def test_an_approved_files_workbook_shows_start_and_comparisons_only() -> None:
    good = sosreg.validate(EXAMPLES / "Ekb_0330_202301_20230214T0930.txt")
    assert good.status.code == "godkand" and good.findings  # information findings only
    assert _sheets(good) == ["Start", "Jämförelser"]
    en = openpyxl.load_workbook(io.BytesIO(good.render("xlsx", lang="en")))
    assert en.sheetnames == ["Start", "Comparisons"]
    # the information findings are counted on Start
    facts = {r[0]: r[1] for r in en["Start"].iter_rows(values_only=True) if r[0]}
    assert facts["Information"] == len(good.findings)
    # a warning is something to show: every sheet
    warned = run([M_SOLO], period="202301", name="Ekb_0330_202301_20230214T0930.txt.csv")
    assert warned.status.code == "godkand_med_varningar"
    assert _sheets(warned) == [
        "Start",
        "Summerad info",
        "Detaljinfo",
        "Jämförelser",
        "Avvikelsekoder",
    ]


def test_docs_say_which_sheets_an_approved_file_gets() -> None:
    page = (DOCS / "report-formats.md").read_text("utf-8")
    assert "only **Start** and **Jämförelser**" in page


# --- e. the 2013 lists are a test model -----------------------------------------------------


@pytest.mark.parametrize("name", ["ekb_avslutsorsak", "ekb_arbetsmarknadsinsats"])
def test_the_2013_lists_say_they_are_a_test_model(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cl = codelists.get(name)
    assert "test model" in cl.provenance
    assert any("test model" in s and "§14" in s for s in cl.sources)
    assert cl.note.startswith("TESTMODELL") and cl.note_en.startswith("TEST MODEL")
    assert main(["codes", name]) == 0
    out = capsys.readouterr().out
    assert "TESTMODELL" in out.splitlines()[1]
    assert main(["codes"]) == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if line.startswith(name)]
    assert listed and "testmodell" in listed[0]
    page = (DOCS / "codelists.md").read_text("utf-8")
    section = page.split(f"## `{name}`")[1].split("\n## ")[0]
    assert "test model" in section and "TEST MODEL" in section
    # the note survives an export to TOML and back
    from sosreg.codelists import importers

    again = codelists.from_dict(__import__("tomllib").loads(importers.to_toml(cl)))
    assert again.note == cl.note and again.note_en == cl.note_en


@pytest.mark.parametrize("file", ["sol1", "sol2"])
def test_generate_injects_a_forenklat_beslut_before_june_2022(file: str) -> None:
    """SOS-207 is injectable into SoL files before 202206 (test_generate's cases are
    for 2023, where no code is not yet valid)."""
    from sosreg.generate import generate

    got = generate("sol", file, 2022, 200, seed=3, period="202205", inject="SOS-207:1", out=None)
    (f,) = got.files
    report = sosreg.validate(f.read(), name=f.name, max_details=None)
    found = sorted((x.code, x.line) for x in report.findings if x.severity.code != "info")
    assert found == sorted((e.code, e.line) for e in f.expected) and found[0][0] == "SOS-207"
    clean = generate("sol", file, 2022, 200, seed=3, period="202205", out=None).files[0]
    report = sosreg.validate(clean.read(), name=clean.name, max_details=None)
    assert report.status.code == "godkand"
