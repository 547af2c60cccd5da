"""Generated files are consistent deliveries: a folder of them, validated as ``sosreg
validate DIR`` does (grouped into deliveries, each checked as a whole), says exactly what
each ``.expected.json`` says (issue 20: EKB-AO generated against another EKB-Månad got
EKB-060 on every line while its expected findings said godkänd)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import sosreg
from sosreg import batch
from sosreg.cli import main
from sosreg.generate import files_for

SEVERE = ("error", "warning")


def _validated(folder: Path) -> dict[str, Any]:
    """Per file name: the (line, code) of its warnings and errors (its own and the
    cross-file ones that point into it), and its status, as the CLI checks the folder;
    ``"-"``: cross-file findings that point into no file."""
    groups = batch.deliveries(batch.expand([str(folder)]))
    options = batch.Options(format="json", max_details=None)
    got: dict[str, Any] = {}
    for outcome in batch.run(groups, options):
        for doc in json.loads(outcome.output)["deliveries"]:
            for f in doc["files"]:
                got[f["name"]] = {
                    (x["line"], x["code"]) for x in f["findings"] if x["severity"] in SEVERE
                }
            for x in doc["cross_file"]["findings"]:
                if x["severity"] in SEVERE:
                    got.setdefault(x["file"] or "-", set()).add((x["line"], x["code"]))
    return got


def _expected(folder: Path) -> dict[str, Any]:
    out = {}
    for path in sorted(folder.glob("*.expected.json")):
        data = json.loads(path.read_text("utf-8"))
        out[data["name"]] = {(e["line"], e["code"]) for e in data["findings"]}
        status = sosreg.Status.of(sosreg.Severity[e["severity"].upper()] for e in data["findings"])
        assert data["status"] == status.code
    return out


def _agree(folder: Path) -> None:
    expected, got = _expected(folder), _validated(folder)
    assert set(got) <= set(expected), "cross-file findings that point into no file"
    assert {name: got.get(name, set()) for name in expected} == expected


def test_ekb_month_files_made_separately_agree(tmp_path: Path) -> None:
    """The reproducer: EKB-Månad and EKB-AO of one kommun and month, made by two
    commands with the same arguments, are one consistent delivery."""
    for file in ("manad", "ao"):
        sosreg.generate(
            "ekb", file, 2023, 200, seed=3, kommun="0330", period="202305", out=tmp_path
        )
    (group,) = batch.deliveries(batch.expand([str(tmp_path)]))
    assert len(group) == 2
    result = sosreg.validate_delivery(list(group))
    assert not result.findings and result.status is sosreg.Status.GODKAND
    # EKB-AO refers to households of the month: about half of its lines do, all found
    period = [line for line in Path(group[1]).read_text().splitlines() if ";202305;202305;" in line]
    assert 60 < len(period) < 140
    _agree(tmp_path)


@pytest.mark.parametrize(
    ("register", "file", "period", "inject"),
    [
        ("ekb", "manad,ao", "202301", "EKB-021:3,SOS-104:2,EKB-050,EKB-029,EKB-023"),
        ("ekb", "manad,ao", "202306", "EKB-051:2,SOS-210,SOS-108,EKB-020,EKB-024,EKB-025"),
        ("ekb", "manad,ao", "202312", "SOS-211:3,SOS-214,SOS-106,SOS-111,EKB-013"),
        ("ekb", "ar", "2023", "EKB-041:2"),
        ("bu", None, "2023", "BU-060,BU-064,SOS-210"),
        ("lss", None, "2023", "SOS-104"),
        ("sol", "sol1", "202303", "SOS-110"),
        ("khsl", "khsl2", "202303", "SOS-104"),
    ],
)
@pytest.mark.parametrize(("seed", "kommun"), [(0, "0180"), (5, "0330")])
def test_damaged_deliveries_agree(
    tmp_path: Path,
    register: str,
    file: str | None,
    period: str,
    inject: str,
    seed: int,
    kommun: str,
) -> None:
    sosreg.generate(
        register,
        file,
        2023,
        60,
        seed=seed,
        kommun=kommun,
        period=period,
        inject=inject,
        out=tmp_path,
    )
    _agree(tmp_path)


def test_a_folder_of_kommuner_and_months_agrees(tmp_path: Path) -> None:
    """Three kommuner, several months (the Jämförelser with the previous month and the
    year before run and stay quiet), every monthly file, and a year's LSS, BU and EKB-År."""
    for kommun in ("0180", "0330", "1480"):
        for seed, period in enumerate(("202201", "202212", "202301", "202302")):
            year = int(period[:4])
            for register, file in (
                ("ekb", "manad"),
                ("ekb", "ao"),
                ("sol", "sol1"),
                ("sol", "sol2"),
                ("khsl", "khsl1"),
                ("khsl", "khsl2"),
            ):
                sosreg.generate(
                    register, file, year, 40, seed=seed, kommun=kommun, period=period, out=tmp_path
                )
        for register, file in (("lss", None), ("bu", None), ("ekb", "ar")):
            sosreg.generate(register, file, 2023, 30, seed=1, kommun=kommun, out=tmp_path)
    groups = batch.deliveries(batch.expand([str(tmp_path)]))
    assert len(groups) == 3 * (4 * 3 + 3)  # EKB, SoL and KHSL a month; LSS, BU, EKB-År
    _agree(tmp_path)
    assert main(["validate", str(tmp_path), "--quiet"]) == 0


def test_which_files_are_made_together() -> None:
    assert files_for("ekb", "ao,manad") == ("manad", "ao")
    assert files_for("bu", "placering,barn,insats") == ("barn", "insats", "placering")
    with pytest.raises(sosreg.UsageError, match="not made together"):
        files_for("ekb", "manad,ar")
    with pytest.raises(sosreg.UsageError, match="unknown file"):
        files_for("ekb", "manad,xx")
    with pytest.raises(sosreg.UsageError, match="give the file"):
        files_for("ekb", ",")
