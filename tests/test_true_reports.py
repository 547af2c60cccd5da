"""Every input gets a true report: the period and kommun are decided by the file, not
its first line; only ASCII digits are digits; arguments fail cleanly; a bug is never
"could not run"."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import K2, K2_B, M_MED, M_SOLO, P3, S1, S1_B, run
from hypothesis import given
from hypothesis import strategies as st

import sosreg
from sosreg import strategies as sos_st
from sosreg.cli import main

M_THIRD = M_SOLO.replace(M_SOLO.split(";")[4], P3)


def _lines(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def _period_findings(report: sosreg.Report) -> list[tuple[int | None, str]]:
    return [(f.line, f.code) for f in report.findings if f.code in ("EKB-001", "SOS-212")]


# -- 1. the period is decided by the file, not by line 1 -----------------------------------


@pytest.mark.parametrize("typo", ["201301", "202201"])
def test_a_typo_in_line_1_blames_line_1_only(typo: str) -> None:
    data = _lines(M_SOLO.replace(";202301;202301;", f";{typo};202301;"), M_MED, M_THIRD)
    for kwargs in ({"name": "Ekb_0330_202301_20230214T0930.txt"}, {}):
        report = sosreg.validate(data, register="ekb", file="manad", **kwargs)
        assert report.period == "202301" and report.year == 2023
        assert _period_findings(report) == [(1, "EKB-001")]
        assert "SOS-009" not in report.codes()


def test_the_source_of_the_period_is_named() -> None:
    data = _lines(M_SOLO.replace(";202301;202301;", ";202201;202301;"), M_MED, M_THIRD)
    (f,) = sosreg.validate(data, register="ekb", file="manad").by_code("EKB-001")
    assert "som flertalet rader har" in f.message() and "that most lines have" in f.message("en")
    named = sosreg.validate(data, name="Ekb_0330_202301_20230214T0930.txt")
    assert "enligt filnamnet" in named.by_code("EKB-001")[0].message()


def test_the_name_wins_over_the_lines_and_says_so() -> None:
    data = _lines(M_SOLO, M_MED)
    report = sosreg.validate(data, name="Ekb_0330_202302_20230314T0930.txt")
    assert report.period == "202302"
    assert _period_findings(report) == [(1, "EKB-001"), (2, "EKB-001")]
    (note,) = report.by_code("SOS-007")
    assert "202301" in note.message() and "202302" in note.message()


def test_khsl2_period_from_the_dates_most_lines_have() -> None:
    typo = K2.replace("20230124", "20220124")
    report = sosreg.validate(
        _lines(typo, K2_B, K2_B.replace("QB010", "QB011")), register="khsl", file="khsl2"
    )
    assert report.period == "202301"
    assert [(f.line, f.code) for f in report.by_code("KHSL-002")] == [(1, "KHSL-002")]


def test_explicit_arguments_win_over_a_name_that_is_not_filip_style(tmp_path: Path) -> None:
    path = tmp_path / "sol1_100000.txt"
    path.write_bytes(_lines(S1.replace("202301", "202101"), S1_B.replace("202301", "202101")))
    report = sosreg.validate(path, register="sol", file="sol1", year=2021)
    assert report.period == "202101" and report.status is sosreg.Status.GODKAND
    assert (
        main(["validate", str(path), "--register", "sol", "--file", "sol1", "--year", "2021"]) == 0
    )


def test_a_name_that_is_not_filip_style_is_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "SOL1 export (2).txt"
    path.write_bytes(_lines(S1, S1_B))
    report = sosreg.validate(path)
    assert report.register == "sol" and report.file == "sol1" and report.period == "202301"
    assert report.status is sosreg.Status.GODKAND


def test_year_given_is_not_called_assumed() -> None:
    report = sosreg.validate(_lines("x;y;z"), register="ekb", file="manad", year=2023)
    (f,) = report.by_code("SOS-009")
    assert "antogs" not in f.message() and "angivet" in f.message()
    assert "assumed" not in f.message("en") and "as given" in f.message("en")
    guessed = sosreg.validate(_lines("x;y;z"), register="ekb", file="manad")
    assert "antogs" in guessed.by_code("SOS-009")[0].message()


@pytest.mark.parametrize("named", [True, False])
def test_a_year_given_that_the_file_is_not_for_is_one_file_finding(named: bool) -> None:
    """``--year 2024`` on a file whose name and lines say 202301: the file's period is
    still 202301, SOS-010 says it is not in 2024, and no line is blamed (before: SOS-009
    "could not be determined", an assumed 202401 and EKB-001 on every line)."""
    data = _lines(M_SOLO, M_MED, M_THIRD)
    name = {"name": "Ekb_0330_202301_20230214T0930.txt"} if named else {}
    report = sosreg.validate(data, register="ekb", file="manad", year=2024, **name)
    assert report.period == "202301" and report.year == 2024
    assert [(f.line, f.code, f.severity) for f in report.findings if f.severity] == [
        (None, "SOS-010", sosreg.Severity.ERROR)
    ]
    assert "202301" in report.by_code("SOS-010")[0].message()


def test_a_year_given_prefers_the_lines_of_that_year_to_a_name_of_another() -> None:
    """The name says 202301 (a typo), the lines say 202401, the year given is 2024: the
    lines' period is the file's; the name gets SOS-007, no line is blamed."""
    data = _lines(*(m.replace("202301", "202401") for m in (M_SOLO, M_MED, M_THIRD)))
    report = sosreg.validate(data, name="Ekb_0330_202301_20230214T0930.txt", year=2024)
    assert report.period == "202401"
    assert sorted(report.codes()) == sorted({"SOS-003", "SOS-007", "SOS-014"})


def test_an_annual_file_of_another_year_than_given() -> None:
    """For an annual file the year given *is* the period (explicit arguments win): each
    line that says another year gets its own finding, and the name its SOS-007."""
    lss = Path(__file__).parent.parent / "examples" / "LSS_0330_2023_20231020T0900.txt"
    report = sosreg.validate(lss, year=2024)
    assert report.period == "2024"
    found = [(f.line, f.code) for f in report.findings if f.severity]
    assert found == [(None, "SOS-007")] + [(n, "LSS-001") for n in range(1, 9)]


# -- 13. the kommun ----------------------------------------------------------------------


def test_kommun_of_the_name_must_be_on_every_line() -> None:
    report = sosreg.validate(_lines(M_SOLO, M_MED), name="Ekb_0114_202301_20230214T0930.txt")
    assert report.kommun == "0114"
    assert [(f.line, f.severity) for f in report.by_code("SOS-214")] == [
        (1, sosreg.Severity.ERROR),
        (2, sosreg.Severity.ERROR),
    ]
    assert "enligt filnamnet" in report.by_code("SOS-214")[0].message()


def test_a_line_with_another_kommun_is_blamed_not_the_others() -> None:
    other = M_MED.replace("0330", "0114", 1)
    report = sosreg.validate(_lines(other, M_SOLO, M_THIRD), register="ekb", file="manad")
    assert report.kommun == "0330"
    assert [f.line for f in report.by_code("SOS-214")] == [1]


# -- 2. only 0-9 are digits --------------------------------------------------------------

NON_ASCII_DIGITS = ["¹", "２", "٢", "०", "𝟐"]


def test_superscript_digit_in_a_year_month_is_a_finding_not_a_crash(tmp_path: Path) -> None:
    data = b"0330;;202301;2023\xb91;199201014579;;0;5230;0;021;;0;;;\r\n"
    report = sosreg.validate(data, register="ekb", file="manad", period="202301")
    assert report.encoding == "cp1252"
    assert [(f.line, f.field) for f in report.by_code("SOS-202")] == [(1, "avseendemanad")]
    path = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    path.write_bytes(data)
    assert main(["validate", str(path)]) == 2


@pytest.mark.parametrize("digit", NON_ASCII_DIGITS)
@pytest.mark.parametrize(
    ("file", "line", "index"),
    [
        ("manad", M_SOLO, 2),  # period ÅÅÅÅMM
        ("manad", M_SOLO, 3),  # avseendemånad
        ("manad", M_SOLO, 6),  # integer
        ("manad", M_SOLO, 7),  # amount
        ("manad", M_SOLO, 4),  # identity
        ("manad", M_SOLO, 0),  # kommun code
        ("khsl2", K2, 6),  # date
    ],
)
def test_non_ascii_digits_are_never_accepted(digit: str, file: str, line: str, index: int) -> None:
    parts = line.split(";")
    parts[index] = parts[index][:-1] + digit
    bad = ";".join(parts)
    report = run([bad], file)
    assert report.status is sosreg.Status.INTE_GODKAND
    assert any(f.line == 1 and f.field is not None for f in report.findings if f.severity)


def test_full_width_period_is_not_accepted() -> None:
    wide = "２０２３０１"
    report = run([M_SOLO.replace(";202301;202301;", f";{wide};202301;")])
    assert report.status is sosreg.Status.INTE_GODKAND


@given(sos_st.files("ekb", "manad", 2023, sosreg.YearMonth(2023, 1), 1, 4), st.data())
def test_no_silent_changes_with_foreign_digits(records: list[Any], data: st.DataObject) -> None:
    text = sosreg.serialize(records).decode()
    digits = [i for i, c in enumerate(text) if c.isdigit()]
    i = data.draw(st.sampled_from(digits))
    foreign = data.draw(st.sampled_from(NON_ASCII_DIGITS))
    damaged = (text[:i] + foreign + text[i + 1 :]).encode()
    parsed = sosreg.parse(damaged, register="ekb", file="manad", period="202301")
    rows = list(parsed)
    report = parsed.report()
    if report.status is sosreg.Status.GODKAND:
        out = sosreg.serialize([r.record for r in rows], format=parsed.format)
        assert out == damaged


# -- 3 and 10. arguments and internal errors ---------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"period": 202301}, "period"),
        ({"year": "2023"}, "year must be an int"),
        ({"year": 3000}, "out of range"),
        ({"period": "999912"}, "out of range"),
        ({"codelists": [1, 2]}, "codelists must be a mapping"),
        ({"spec": "ekb/manad/2017-"}, "spec must be a FileSpec"),
        ({"max_details": -1}, "max_details"),
        ({"register": 7}, "register must be a str"),
    ],
)
def test_bad_arguments_are_usage_errors(kwargs: dict[str, Any], words: str) -> None:
    args = {"register": "ekb", "file": "manad"} | kwargs
    with pytest.raises(sosreg.UsageError) as exc:
        sosreg.validate(_lines(M_SOLO), **args)
    message = str(exc.value)
    assert words in message and "\n" not in message


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--year", "3000"], "out of range"),
        (["--period", "999912"], "out of range"),
        (["--spec", "README.md"], "README.md is not a TOML spec"),
        (["--codelist", "README.md"], "README.md is not a TOML code list"),
    ],
)
def test_bad_cli_arguments_exit_3_with_one_line(
    argv: list[str], words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(__file__).parent.parent
    example = root / "examples" / "Ekb_0330_202301_20230214T0930.txt"
    argv = [a.replace("README.md", str(root / "README.md")) for a in argv]
    assert main(["validate", str(example), *argv]) == 3
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and "Traceback" not in err


def test_max_details_minus_one_is_an_argument_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "x.txt", "--max-details", "-1"])
    assert exc.value.code == 3
    assert "--max-details" in capsys.readouterr().err


def test_codes_nope_lists_the_code_lists(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["codes", "nope"]) == 3
    err = capsys.readouterr().err
    assert "nope" in err and "ekb_hinderkod" in err and "kommun" in err


def test_an_internal_error_is_not_could_not_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("a bug")

    monkeypatch.setattr(sosreg.engine.pipeline.Parsed, "report", broken)
    example = Path(__file__).parent.parent / "examples" / "Ekb_0330_202301_20230214T0930.txt"
    assert main(["validate", str(example)]) == 4
    err = capsys.readouterr().err
    assert "internal error" in err and "ValueError: a bug" in err


@pytest.mark.parametrize("command", ["validate", "rules", "codes", "import-codes", "spec"])
def test_help_says_what_the_exit_codes_mean(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "exit codes" in out and "3  could not run" in out and "4  internal error" in out


# -- 11. English output has no Swedish ---------------------------------------------------


def test_english_report_has_no_swedish() -> None:
    from test_rules import CASES

    for case in CASES:
        report = run(case.bad, case.file, **case.kw)
        text = report.to_text("en", None).replace("KVÅ", "KVA")
        lines = [line for line in text.splitlines() if any(c in line for c in "åäöÅÄÖ")]
        assert not lines, (case.code, lines)
        assert "endast" not in text and "statistikår" not in text


def test_english_names_the_encoding_in_english() -> None:
    (f,) = run([M_SOLO]).by_code("SOS-003")
    assert f.message("en") == "The file was read as UTF-8 (ASCII characters only)."
    assert f.message("sv") == "Filen lästes som UTF-8 (endast ASCII-tecken)."


# -- 9. bounded output -------------------------------------------------------------------


def test_blank_lines_are_counted_exactly_and_shown_up_to_a_cap() -> None:
    data = _lines(M_SOLO, *([""] * 5000))
    report = sosreg.validate(data, register="ekb", file="manad", max_details=10)
    assert report.counts()["SOS-101"] == 5000
    assert len(report.by_code("SOS-101")) == 10
    assert report.omitted() == {"SOS-101": 4990}
    assert report.status is sosreg.Status.GODKAND_MED_VARNINGAR
    text = report.to_text(max_details=3)
    import re

    assert len(re.findall(r"rad \d+  SOS-101", text)) == 3
    assert "… och 4997 till av SOS-101" in text
    assert "5000" in text  # the count in the summary is exact


def test_default_cap_keeps_memory_bounded() -> None:
    data = _lines(M_SOLO, *([""] * 3000))
    parsed = sosreg.parse(data, register="ekb", file="manad", max_details=100)
    for _ in parsed:
        pass
    assert len(parsed.log.kept) <= 100 + 10
    assert parsed.log.counts["SOS-101"] == 3000


def test_json_with_every_finding_streams(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    path.write_bytes(_lines(M_SOLO, *([""] * 2500), M_SOLO + ";"))
    assert main(["validate", str(path), "--format", "json", "--on", "2023-02-20"]) == 2
    data = json.loads(capsys.readouterr().out)
    ((f,),) = [d["files"] for d in data["deliveries"]]
    blanks = [x for x in f["findings"] if x["code"] == "SOS-101"]
    assert len(blanks) == 2500 and blanks[0]["line"] == 2 and blanks[-1]["line"] == 2501
    assert next(c for c in f["counts"] if c["code"] == "SOS-101")["count"] == 2500
    lines = [x["line"] for x in f["findings"]]
    assert lines[: lines.index(2)] == [None] * lines.index(2)  # file-level first
    assert [x for x in lines if x is not None] == sorted(x for x in lines if x is not None)
    # the same document as the report that keeps everything in memory
    # (the CLI adds the portal stage, judged by the day given)
    whole = sosreg.validate(path, max_details=None, on=dt.date(2023, 2, 20)).to_dict()
    assert whole["deliveries"][0]["files"][0]["findings"] == f["findings"]
    assert whole == data
    assert main(["validate", str(path), "--format", "json", "--max-details", "5"]) == 2
    capped = json.loads(capsys.readouterr().out)["deliveries"][0]["files"][0]
    assert len([x for x in capped["findings"] if x["code"] == "SOS-101"]) == 5
    assert capped["omitted"] == 2495


def test_a_binary_file_is_one_finding_not_a_flood() -> None:
    import random

    rnd = random.Random(1)
    data = bytes(rnd.randrange(256) for _ in range(200_000))
    report = sosreg.validate(data, register="ekb", file="manad", period="202301")
    assert [f.code for f in report.findings if f.severity] == ["SOS-002"]
    assert report.lines == 0
    pdf = b"%PDF-1.4\n" + data
    assert [
        f.code for f in sosreg.validate(pdf, register="ekb", file="manad").findings if f.severity
    ] == ["SOS-002"]


def test_a_stray_nul_is_a_control_character_not_binary() -> None:
    report = run([M_SOLO.replace(";;", ";\x00;", 1), M_MED])
    assert "SOS-103" in report.codes() and "SOS-002" not in report.codes()
    assert report.records == 2


def test_text_stream_input() -> None:
    report = sosreg.validate(io.StringIO(M_SOLO + "\r\n"), register="ekb", file="manad")
    assert report.status is sosreg.Status.GODKAND
