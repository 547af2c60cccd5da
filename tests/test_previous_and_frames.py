"""The previous-period stage (comparison with the same file one period earlier) and
DataFrames for analysts."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import K1, K1_B, K2, K2_B, M_MED, M_SOLO, P0, P3, S1, S1_B

import sosreg
from sosreg.cli import main


def _write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def _as_month(lines: list[str], period: str) -> list[str]:
    return [line.replace("202301", period) for line in lines]


EXTRA = M_SOLO.replace("199201014579", P3)  # a third household


def test_households_and_amounts_compared_with_previous_month(tmp_path: Path) -> None:
    before = _write(tmp_path / "Ekb_0330_202212_x.txt", _as_month([M_SOLO, M_MED, EXTRA], "202212"))
    now = _write(tmp_path / "Ekb_0330_202301_x.txt", [M_SOLO])
    report = sosreg.validate(now, previous=before)
    e80 = report.by_code("EKB-080")
    assert len(e80) == 1 and e80[0].line is None
    assert e80[0].severity is sosreg.Severity.WARNING
    assert e80[0].category is sosreg.Category.PREVIOUS_PERIOD
    assert "1 mot 3" in e80[0].message() and "-67" in e80[0].message()
    assert report.by_code("EKB-081")
    assert report.status is sosreg.Status.GODKAND_MED_VARNINGAR


def test_quiet_when_the_previous_month_is_alike(tmp_path: Path) -> None:
    before = _write(tmp_path / "Ekb_0330_202212_x.txt", _as_month([M_SOLO, M_MED], "202212"))
    now = _write(tmp_path / "Ekb_0330_202301_x.txt", [M_SOLO, M_MED])
    report = sosreg.validate(now, previous=before)
    assert not {"EKB-080", "EKB-081", "SOS-015", "SOS-016"} & report.codes()
    assert report.status is sosreg.Status.GODKAND


def test_previous_file_of_another_month_or_kind(tmp_path: Path) -> None:
    now = _write(tmp_path / "Ekb_0330_202301_x.txt", [M_SOLO, M_MED])
    older = _write(tmp_path / "Ekb_0330_202210_x.txt", _as_month([M_SOLO, M_MED], "202210"))
    report = sosreg.validate(now, previous=older)
    assert [f.severity for f in report.by_code("SOS-016")] == [sosreg.Severity.WARNING]
    assert "202212" in report.by_code("SOS-016")[0].message()
    ao = _write(tmp_path / "Ekb_AO_0330_202212_x.txt", ["0330;;202212;202212;" + P0 + ";;1;;1"])
    report = sosreg.validate(now, previous=ao)
    assert [f.severity for f in report.by_code("SOS-015")] == [sosreg.Severity.ERROR]


def test_previous_file_of_another_kommun_is_not_compared(tmp_path: Path) -> None:
    """The earlier file is another kommun's: SOS-017, and none of the comparisons (which
    would report changes between two municipalities)."""
    now = _write(tmp_path / "Ekb_0330_202301_x.txt", [M_SOLO])
    other = [m.replace("0330;", "0180;", 1) for m in _as_month([M_SOLO, M_MED, EXTRA], "202212")]
    theirs = _write(tmp_path / "Ekb_0180_202212_x.txt", other)
    report = sosreg.validate(now, previous=theirs)
    (f,) = report.by_code("SOS-017")
    assert f.severity is sosreg.Severity.ERROR and f.line is None
    assert "0180" in f.message() and "0330" in f.message("en")
    assert not {"EKB-080", "EKB-081", "SOS-016"} & report.codes()
    ours = _write(tmp_path / "Ekb_0330_202212_x.txt", _as_month([M_SOLO, M_MED, EXTRA], "202212"))
    report = sosreg.validate(now, previous=ours)
    assert "SOS-017" not in report.codes() and "EKB-080" in report.codes()


def test_sol1_and_khsl_compared(tmp_path: Path) -> None:
    before = _write(tmp_path / "SOL1_0330_202212_x.txt", _as_month([S1, S1_B], "202212"))
    now = _write(tmp_path / "SOL1_0330_202301_x.txt", [S1])
    report = sosreg.validate(now, previous=before)
    assert [f.severity for f in report.by_code("SOL-080")] == [sosreg.Severity.WARNING]
    same = sosreg.validate(_write(tmp_path / "SOL1_0330_202301_y.txt", [S1, S1_B]), previous=before)
    assert "SOL-080" not in same.codes()

    kb = _write(tmp_path / "KHSL1_0330_202212_x.txt", _as_month([K1, K1_B], "202212"))
    kn = _write(tmp_path / "KHSL1_0330_202301_x.txt", [K1])
    assert sosreg.validate(kn, previous=kb).by_code("KHSL-080")
    k2b = _write(tmp_path / "KHSL2_0330_202212_x.txt", [K2.replace("20230124", "20221224")])
    k2n = _write(tmp_path / "KHSL2_0330_202301_x.txt", [K2, K2_B])
    assert sosreg.validate(k2n, previous=k2b).by_code("KHSL-080")


def test_cli_previous(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = _write(tmp_path / "Ekb_0330_202212_x.txt", _as_month([M_SOLO, M_MED, EXTRA], "202212"))
    now = _write(tmp_path / "Ekb_0330_202301_x.txt", [M_SOLO])
    assert main(["validate", str(now), "--previous", str(before)]) == 1
    assert "EKB-080" in capsys.readouterr().out


pd = pytest.importorskip("pandas")


def test_dataframe_typed_and_masked() -> None:
    examples = Path(__file__).parent.parent / "examples"
    df = sosreg.frames.read_pandas(examples / "Ekb_0330_2023_20240410T0900.txt")
    assert list(df["line"]) == [1, 2, 3]
    assert str(df["belopp_01"].dtype) == "Int64"
    assert df["sokande"].str.match(r"^p_[0-9a-f]{16}$").all()  # pseudonyms by default
    assert df["medsokande"].isna().tolist() == [False, True, True]
    masked = sosreg.frames.read_pandas(
        examples / "Ekb_0330_2023_20240410T0900.txt", identities="mask"
    )
    assert masked["sokande"].iloc[0] == "19850312-****"
    kept = sosreg.frames.read_pandas(
        examples / "Ekb_0330_2023_20240410T0900.txt", identities="keep"
    )
    assert kept["sokande"].iloc[0] == "198503122346"
    dropped = sosreg.frames.read_pandas(
        examples / "Ekb_0330_2023_20240410T0900.txt", identities="drop"
    )
    assert "sokande" not in dropped.columns


def test_dataframe_number_too_large_for_int64_is_null_not_an_overflow() -> None:
    """A 20-digit amount is SOS-203 (not godkänd), and the frame of the file still
    builds: the value is null (as in ``scan``), the other lines keep theirs."""
    examples = Path(__file__).parent.parent / "examples"
    data = (examples / "Ekb_0330_202301_20230214T0930.txt").read_bytes()
    first, rest = data.split(b"\r\n", 1)
    parts = first.split(b";")
    parts[7] = b"9" * 20
    damaged = b";".join(parts) + b"\r\n" + rest
    args = {"register": "ekb", "file": "manad"}
    report = sosreg.validate(damaged, **args)
    assert [(f.code, f.line, f.field) for f in report.findings if f.code == "SOS-203"] == [
        ("SOS-203", 1, "belopp_forsorjningsstod")
    ]
    assert report.status is sosreg.Status.INTE_GODKAND
    df = sosreg.frames.read_pandas(damaged, **args)
    assert df["belopp_forsorjningsstod"].isna().tolist() == [True, False, False, False, False]


def test_dataframe_special_codes_and_dates() -> None:
    sol2 = "9999;;202101;191212121212;0;88;88;8;1;20190503;20190503;20191124;2;0;1;0;0;0;0;0;0;0;0;0;0;9;1;1;0;0;3;3"
    df = sosreg.frames.read_pandas((sol2 + "\n").encode(), register="sol", file="sol2")
    assert df["korttid_dygn_beviljade"].isna().all()
    assert df["korttid_dygn_beviljade_kod"].iloc[0] == "88"
    assert str(df["beslutsdatum"].dtype).startswith("datetime64")
    assert df["period"].iloc[0] == "202101"
