"""The LSS register: its file parsed and written back, the bundled examples, ages on
1 October at the boundaries, and the comparison with the previous year (LSS-080)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cases_lss import (
    ADULT,
    AGE66,
    AGE67,
    BORN_1OCT,
    BORN_2OCT,
    L_ADULT,
    L_PA,
    L_TEEN,
    lss,
)
from helpers import pnr, run

import sosreg
from sosreg.cli import main
from sosreg.engine.spec import SpecNotFound
from sosreg.identity import luhn_digit

EXAMPLES = Path(__file__).parent.parent / "examples"
GOOD = EXAMPLES / "LSS_0330_2023_20231020T0900.txt"
BAD = EXAMPLES / "LSS_0330_2023_20231020T0901_med-fel.txt"


def _write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def _snr(digits8: str, serial: int) -> str:
    """A samordningsnummer: ``digits8`` is ÅÅÅÅMMDD as written (day + 60; 60 alone when
    the day is unknown)."""
    body = digits8[2:] + f"{serial:03d}"
    return digits8[:2] + body + luhn_digit(body)


# --- the file --------------------------------------------------------------------------


def test_records_are_typed() -> None:
    parsed = sosreg.parse(GOOD)
    records = list(parsed.records())
    assert parsed.register.name == "lss" and parsed.file == "lss"
    assert parsed.period == 2023 and parsed.kommun == "0330"
    assert len(records) == 8
    first, child = records[0], records[3]
    assert type(first).__name__ == "Lss_2016"
    assert first.ar == 2023 and isinstance(first.ar, int)
    assert first.personnummer == "198503122346"
    assert (first.personkrets, first.kontaktperson, first.boende_vuxna) == ("1", "1", "1")
    assert (first.stadsdel, first.boendekommun) == (None, None)
    assert (child.boende_barn, child.boendekommun) == ("1", "0380")
    assert "198503122346" not in repr(first)  # identity masked in repr


def test_serialize_round_trip_is_byte_identical() -> None:
    parsed = sosreg.parse(GOOD)
    records = list(parsed.records())
    assert sosreg.serialize(records, format=parsed.format) == GOOD.read_bytes()


def test_reference_day_and_deadline() -> None:
    parsed = sosreg.parse(GOOD)
    assert parsed.context.reference_date == dt.date(2023, 10, 1)
    assert sosreg.deadline("lss", "lss", 2023) == dt.date(2023, 10, 25)
    assert sosreg.validate(GOOD).deadline == dt.date(2023, 10, 25)
    spec = sosreg.get_spec("lss", "lss", 2016)
    assert spec.years_from == 2016 and spec.provenance == "provisional"
    with pytest.raises(SpecNotFound):
        sosreg.get_spec("lss", "lss", 2015)


def test_samordningsnummer_accepted_temporary_ids_not() -> None:
    snr = _snr("19930577", 215)
    assert run([lss(snr, kontaktperson="1")], "lss").status is sosreg.Status.GODKAND
    report = run([lss("19930517TF00", kontaktperson="1")], "lss")
    (found,) = report.by_code("SOS-210")
    assert found.param_dict["reason"] == "kind"


# --- the examples ----------------------------------------------------------------------


def test_valid_example_is_godkand_without_warnings() -> None:
    report = sosreg.validate(GOOD)
    assert report.status is sosreg.Status.GODKAND
    assert [f.code for f in report.findings if f.severity] == []


def test_damaged_example_one_rule_per_line() -> None:
    report = sosreg.validate(BAD)
    got = sorted((f.line or 0, f.code) for f in report.findings if f.severity)
    assert got == [
        (1, "LSS-020"),
        (2, "LSS-022"),
        (3, "LSS-023"),
        (4, "LSS-024"),
        (5, "LSS-025"),
        (6, "LSS-026"),
        (7, "LSS-027"),
        (8, "LSS-028"),
        (9, "LSS-029"),
        (10, "LSS-021"),
        (11, "LSS-010"),
        (12, "LSS-012"),
        (13, "LSS-030"),
        (14, "LSS-001"),
        (15, "LSS-011"),
        (16, "SOS-211"),
    ]
    assert report.status is sosreg.Status.INTE_GODKAND


def test_cli_exit_codes_and_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(GOOD)]) == 0
    warned = _write(
        tmp_path / "LSS_0330_2023_20231020T1000.txt", [lss(AGE67, daglig_verksamhet="1")]
    )
    assert main(["validate", str(warned)]) == 1
    assert main(["validate", str(BAD)]) == 2
    capsys.readouterr()
    assert main(["rules", "--register", "lss"]) == 0
    out = capsys.readouterr().out
    for code in (*(f"LSS-0{n:02d}" for n in (1, 10, 11, 12, *range(20, 31))), "LSS-080"):
        assert code in out, code


# --- ages on 1 October -----------------------------------------------------------------


def test_daglig_verksamhet_at_67_exactly_on_1_october() -> None:
    assert "LSS-023" in run([lss(AGE67, daglig_verksamhet="1")], "lss").codes()
    assert "LSS-023" not in run([lss(AGE66, daglig_verksamhet="1")], "lss").codes()
    # the same people in 2024 are both 67 or older: ages follow the statistikår
    a2024 = [lss(p, ar="2024", daglig_verksamhet="1") for p in (AGE66, ADULT)]
    assert [f.line for f in run(a2024, "lss", year=2024).by_code("LSS-023")] == [1]


def test_born_on_1_october_is_reported_born_the_day_after_is_not() -> None:
    assert run([lss(BORN_1OCT, personlig_assistans="1")], "lss").status is sosreg.Status.GODKAND
    report = run([lss(BORN_2OCT, personlig_assistans="1")], "lss")
    assert [(f.code, f.line) for f in report.findings if f.severity] == [("LSS-021", 1)]
    assert "2023-10-01" in report.by_code("LSS-021")[0].message()


def test_unknown_birth_date_gives_no_age_warning() -> None:
    """A samordningsnummer with month 00 and day 60 (born some day of 1956): 66 or 67 on
    1 October 2023, so the age is not certainly 67."""
    unsure = _snr("19560060", 451)
    assert "LSS-023" not in run([lss(unsure, daglig_verksamhet="1")], "lss").codes()
    sure = _snr("19550060", 451)  # 67 or 68
    assert "LSS-023" in run([lss(sure, daglig_verksamhet="1")], "lss").codes()


def test_thresholds_come_from_the_spec_params() -> None:
    import attrs

    spec = sosreg.get_spec("lss", "lss", 2023)
    params = dict(spec.params) | {"daglig_verksamhet_max_age": 66}
    lowered = attrs.evolve(spec, params=params)
    line = [lss(AGE66, daglig_verksamhet="1")]
    assert "LSS-023" in run(line, "lss", spec=lowered).codes()
    assert "LSS-023" not in run(line, "lss").codes()


# --- previous year ---------------------------------------------------------------------


def _persons(n: int, born: str, **insatser: str) -> list[str]:
    return [lss(pnr(born, 100 + i), **insatser) for i in range(n)]


def test_persons_per_insats_compared_with_previous_year(tmp_path: Path) -> None:
    before = _write(
        tmp_path / "LSS_0330_2022_20221020T0900.txt",
        [
            line.replace(";2023;", ";2022;")
            for line in _persons(12, "19800101", kontaktperson="1")
            + _persons(12, "19900101", daglig_verksamhet="1")
        ],
    )
    now = _write(
        tmp_path / "LSS_0330_2023_20231020T0900.txt",
        _persons(12, "19800101", kontaktperson="1")
        + _persons(6, "19900101", daglig_verksamhet="1"),
    )
    report = sosreg.validate(now, previous=before)
    found = report.by_code("LSS-080")
    assert len(found) == 1
    (f,) = found
    assert f.line is None and f.field == "daglig_verksamhet"
    assert f.severity is sosreg.Severity.WARNING
    assert f.category is sosreg.Category.PREVIOUS_PERIOD
    assert f.message().startswith("Daglig verksamhet (9 § 10 LSS): 6 personer mot 12 för 2022")
    assert "-50 %" in f.message()
    assert f.message("en").startswith("Daily activities (LSS s. 9(10)): 6 persons against 12")
    assert report.status is sosreg.Status.GODKAND_MED_VARNINGAR


def test_one_finding_per_insats_that_changed(tmp_path: Path) -> None:
    before = _write(
        tmp_path / "LSS_0330_2022_x.txt",
        [
            line.replace(";2023;", ";2022;")
            for line in _persons(10, "19800101", kontaktperson="1", ledsagarservice="1")
        ],
    )
    now = _write(
        tmp_path / "LSS_0330_2023_x.txt",
        _persons(10, "19800101", kontaktperson="1", ledsagarservice="1")
        + _persons(5, "19850101", kontaktperson="1", boende_vuxna="1"),
    )
    found = sosreg.validate(now, previous=before).by_code("LSS-080")
    # kontaktperson 10 -> 15 (+50 %); boende vuxna 0 -> 5 (no base); ledsagarservice same
    assert [f.field for f in found] == ["kontaktperson"]


def test_quiet_when_alike_or_small(tmp_path: Path) -> None:
    lines = [L_ADULT, L_TEEN, L_PA]
    before = _write(
        tmp_path / "LSS_0330_2022_x.txt", [line.replace(";2023;", ";2022;") for line in lines]
    )
    # the same persons: nothing changed
    same = sosreg.validate(_write(tmp_path / "LSS_0330_2023_x.txt", lines), previous=before)
    assert "LSS-080" not in same.codes() and same.status is sosreg.Status.GODKAND
    # 3 -> 1 persons: -67 %, but fewer than previous_min_persons (10) in both years
    fewer = sosreg.validate(_write(tmp_path / "LSS_0330_2023_y.txt", [L_ADULT]), previous=before)
    assert "LSS-080" not in fewer.codes()


def test_change_within_the_limit_is_quiet(tmp_path: Path) -> None:
    before = _write(
        tmp_path / "LSS_0330_2022_x.txt",
        [line.replace(";2023;", ";2022;") for line in _persons(10, "19800101", kontaktperson="1")],
    )
    # 10 -> 12 is +20 %, the limit itself: not more than ±20 %
    at_limit = _write(tmp_path / "LSS_0330_2023_x.txt", _persons(12, "19800101", kontaktperson="1"))
    assert "LSS-080" not in sosreg.validate(at_limit, previous=before).codes()
    over = _write(tmp_path / "LSS_0330_2023_y.txt", _persons(13, "19800101", kontaktperson="1"))
    assert "LSS-080" in sosreg.validate(over, previous=before).codes()
