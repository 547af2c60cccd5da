"""Deliveries as the collector sees them (domain.md §14): re-deliveries (the latest by the
name's timestamp counts, SOS-304; SOS-301 when they cannot be ordered), a missing
mandatory file (SOS-305), and the earlier deliveries found among the files given for the
Jämförelser (SOS-306)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import AO_MED, M_MED, M_SOLO, P3

import sosreg
from sosreg import batch
from sosreg.cli import main
from sosreg.engine.delivery import earlier_files, latest, mandatory_kinds, named
from sosreg.engine.filename import parse_filename
from sosreg.engine.register import REGISTRY

EXAMPLES = Path(__file__).parent.parent / "examples"
BU = {
    kind: EXAMPLES / f"BU_{kind.upper()}_0330_2023_20240125T090{i}.txt"
    for i, kind in enumerate(("barn", "insats", "placering"))
}


def _write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def _as_month(lines: list[str], period: str) -> list[str]:
    return [line.replace("202301", period) for line in lines]


def _cross(result: sosreg.DeliveryReport, code: str) -> list[sosreg.Finding]:
    return [f for f in result.findings if f.code == code]


# --- the hooks ---------------------------------------------------------------------------


def test_the_name_gives_its_timestamp() -> None:
    prefixes = REGISTRY.prefixes()
    assert parse_filename("Ekb_0330_202301_20230214T0930.txt", prefixes).timestamp == (
        "20230214T0930"
    )
    # a descriptive tail after the timestamp (the examples' _med-fel)
    name = parse_filename("BU_BARN_0330_2023_20240125T1000_med-fel.txt", prefixes)
    assert name.timestamp == "20240125T1000" and name.period == "2023"
    assert parse_filename("Ekb_0330_202301.txt", prefixes).timestamp is None
    assert parse_filename("Ekb_0330_202301_20231314T0930.txt", prefixes).timestamp is None
    assert parse_filename("Ekb_0330_202301_x.txt", prefixes).problems == ()


def test_latest_by_the_names_timestamp() -> None:
    a, b = "Ekb_0330_202301_20230214T0930.txt", "dir/Ekb_0330_202301_20230220T1100.txt"
    assert latest([b, a]) == b and latest([a, b]) == b
    assert latest([a]) == a
    # cannot be ordered: a name without a timestamp, or two with the latest one
    assert latest([a, "Ekb_0330_202301.txt"]) is None
    assert latest([a, b, "Ekb_0330_202301_20230220T1100_b.txt"]) is None
    assert latest([]) is None


def test_mandatory_kinds() -> None:
    assert mandatory_kinds("bu", "insats") == ("barn", "insats", "placering")
    # the pairs are separate sub-registers: their absence is the period's matter
    assert mandatory_kinds("ekb", "manad") == ("manad",)
    assert mandatory_kinds("sol", "sol1") == ("sol1",)
    assert mandatory_kinds("lss", "lss") == ("lss",)


# --- re-deliveries -----------------------------------------------------------------------


def test_a_re_delivery_replaces_the_earlier_file(tmp_path: Path) -> None:
    """The reproducer of issue 20: the corrected file counts, the earlier is replaced."""
    early = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO, "x;y"])
    late = _write(tmp_path / "Ekb_0330_202301_20230220T1100.txt", [M_SOLO, M_MED])
    ao = _write(tmp_path / "Ekb_AO_0330_202301_20230214T0931.txt", [AO_MED])
    result = sosreg.validate_delivery([early, late, ao])
    assert not _cross(result, "SOS-301")
    first = result.reports[0]
    (rep,) = first.by_code("SOS-304")
    assert rep.severity is sosreg.Severity.INFO and rep.line is None
    assert late.name in rep.message() and "20230220T1100" in rep.message()
    assert late.name in rep.message("en")
    assert first.replaced and first.status is sosreg.Status.INTE_GODKAND  # its own
    assert not result.reports[1].replaced and not result.reports[1].by_code("SOS-304")
    assert result.counting == result.reports[1:]
    # the earlier file's errors do not count towards the delivery
    assert result.status is sosreg.Status.GODKAND
    assert result.totals()[sosreg.Severity.ERROR] == 0


def test_a_replaced_file_is_not_mixed_into_the_cross_file_checks(tmp_path: Path) -> None:
    # the AO line's household is only in the earlier EKB-Månad: EKB-060 on the AO line
    early = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_MED])
    late = _write(tmp_path / "Ekb_0330_202301_20230220T1100.txt", [M_SOLO])
    ao = _write(tmp_path / "Ekb_AO_0330_202301_20230214T0931.txt", [AO_MED])
    result = sosreg.validate_delivery([ao, late, early])
    (missing,) = _cross(result, "EKB-060")
    assert missing.line == 1 and missing.param_dict["name"] == ao.name
    assert result.status is sosreg.Status.GODKAND_MED_VARNINGAR  # EKB-060 warns
    # with the earlier file alone, the same AO is fine
    assert not _cross(sosreg.validate_delivery([ao, early]), "EKB-060")


def test_files_that_cannot_be_ordered_stay_sos_301(tmp_path: Path) -> None:
    a = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO])
    same = _write(tmp_path / "Ekb_0330_202301_20230214T0930_b.txt", [M_MED])
    bare = _write(tmp_path / "Ekb_0330_202301.txt", [M_MED])
    for other in (same, bare):
        result = sosreg.validate_delivery([a, other])
        (dup,) = _cross(result, "SOS-301")
        assert dup.severity is sosreg.Severity.ERROR
        assert not any(r.replaced for r in result.reports)
        assert result.status is sosreg.Status.INTE_GODKAND


def test_a_folder_with_a_re_delivery(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(EXAMPLES / "Ekb_0330_202301_20230214T0930.txt", tmp_path)
    shutil.copy(EXAMPLES / "Ekb_AO_0330_202301_20230214T0931.txt", tmp_path)
    _write(tmp_path / "Ekb_0330_202301_20230220T1100.txt", [M_SOLO, M_MED])
    groups = batch.deliveries(batch.expand([str(tmp_path)]))
    assert len(groups) == 1 and len(groups[0]) == 3
    code = main(["validate", str(tmp_path), "--format", "json"])
    (doc,) = json.loads(capsys.readouterr().out)["deliveries"]
    assert code == 0 and doc["status"]["code"] == "godkand"
    replaced = [f for f in doc["files"] if any(c["code"] == "SOS-304" for c in f["counts"])]
    assert [f["name"] for f in replaced] == ["Ekb_0330_202301_20230214T0930.txt"]
    assert not doc["cross_file"]["findings"]


def test_the_examples_folder_keeps_each_file_its_own_status() -> None:
    """BU, KHSL and LSS: the damaged file is the later one, a re-delivery; the valid one
    keeps its own status (godkänd) with SOS-304 and the damaged one counts."""
    groups = {g[0].split("/")[-1][:3]: g for g in batch.deliveries(batch.expand([str(EXAMPLES)]))}
    for prefix in ("BU_", "KHS", "LSS"):
        result = sosreg.validate_delivery(list(groups[prefix]))
        assert not _cross(result, "SOS-301")
        for r in result.reports:
            if r.replaced:
                assert r.status is sosreg.Status.GODKAND, r.name
            else:
                assert r.name is not None
        assert {r.name for r in result.reports if r.replaced} == {
            Path(p).name for p in groups[prefix] if "med-fel" not in p and "KHSL1" not in p
        }


# --- a missing mandatory file ------------------------------------------------------------


def test_a_bu_delivery_without_its_barn_file(capsys: pytest.CaptureFixture[str]) -> None:
    """The reproducer of issue 20: was GODKÄND, exit 0."""
    result = sosreg.validate_delivery([BU["insats"], BU["placering"]])
    (missing,) = _cross(result, "SOS-305")
    assert missing.severity is sosreg.Severity.ERROR and missing.line is None
    text = missing.message()
    assert "BU-Barn" in text and "2023" in text and "0330" in text
    assert "BU-060, BU-061, BU-066" in text
    assert "BU-062" not in text  # insats and placering are both there
    assert result.status is sosreg.Status.INTE_GODKAND
    code = main(["validate", str(BU["insats"]), str(BU["placering"])])
    assert code == 2
    assert "SOS-305" in capsys.readouterr().out


def test_a_whole_bu_delivery_lacks_nothing() -> None:
    result = sosreg.validate_delivery(list(BU.values()))
    assert not _cross(result, "SOS-305")
    assert result.status is sosreg.Status.GODKAND


def test_a_bu_file_alone_in_a_folder_is_a_delivery_missing_two(tmp_path: Path) -> None:
    shutil.copy(BU["placering"], tmp_path)
    (group,) = batch.deliveries(batch.expand([str(tmp_path)]))
    outcome = batch.render(group, batch.Options(format="json"), delivery=True)
    (doc,) = json.loads(outcome.output)["deliveries"]
    found = doc["cross_file"]["findings"]
    assert [f["code"] for f in found] == ["SOS-305", "SOS-305"]
    assert "BU-062, BU-063, BU-064, BU-065" in found[1]["message"]
    assert outcome.exit_code == 2
    # named alone, a file is checked as a file (its contents)
    assert batch.render(group, batch.Options()).status is sosreg.Status.GODKAND


def test_a_pair_partner_missing_is_not_a_delivery_finding(tmp_path: Path) -> None:
    """EKB-Månad without EKB-AO: the period's status says it, not the delivery."""
    a = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO])
    sol = EXAMPLES / "SOL1_0330_202301_20230214T0940.txt"
    for result in (sosreg.validate_delivery([a]), sosreg.validate_delivery([sol])):
        assert not _cross(result, "SOS-305")
    # with the partner in the run, the checks between them run (EKB-060 here)
    ao = _write(tmp_path / "Ekb_AO_0330_202301_20230214T0931.txt", [AO_MED])
    assert _cross(sosreg.validate_delivery([a, ao]), "EKB-060")


# --- the earlier deliveries found among the files ----------------------------------------


def _months(tmp_path: Path) -> dict[str, Path]:
    three = [M_SOLO, M_MED, M_SOLO.replace("199201014579", P3)]
    return {
        "202201": _write(
            tmp_path / "Ekb_0330_202201_20220214T0930.txt", _as_month(three, "202201")
        ),
        "202212": _write(
            tmp_path / "Ekb_0330_202212_20230113T0930.txt", _as_month([M_SOLO, M_MED], "202212")
        ),
        "202301": _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO, M_MED]),
    }


def test_earlier_files_by_name(tmp_path: Path) -> None:
    m = _months(tmp_path)
    paths = [str(p) for p in m.values()]
    assert earlier_files(str(m["202301"]), paths) == [
        ("previous", str(m["202212"])),
        ("year", str(m["202201"])),
    ]
    assert earlier_files(str(m["202212"]), paths) == []  # 202211 and 202112 are not there
    # the later of two deliveries of the previous period; not another kommun or file
    again = _write(tmp_path / "Ekb_0330_202212_20230120T0800.txt", [M_SOLO])
    other = tmp_path / "Ekb_0114_202212_20230113T0930.txt"
    ao = tmp_path / "Ekb_AO_0330_202212_20230113T0930.txt"
    found = earlier_files(str(m["202301"]), [*paths, str(again), str(other), str(ao)])
    assert found[0] == ("previous", str(again))
    # annual: the previous year only (it is also the year before)
    years = ["LSS_0330_2022_20221020T0900.txt", "LSS_0330_2021_20211020T0900.txt"]
    assert earlier_files("LSS_0330_2023_20231020T0900.txt", years) == [("previous", years[0])]
    assert named("README.md") is None


def test_a_folder_compares_with_the_previous_month_and_the_year_before(tmp_path: Path) -> None:
    m = _months(tmp_path)
    report = sosreg.validate(m["202301"], earlier=[str(p) for p in m.values()])
    compared = report.by_code("SOS-306")
    assert [f.param_dict["previous"] for f in compared] == [m["202212"].name, m["202201"].name]
    assert all(f.severity is sosreg.Severity.INFO for f in compared)
    assert "föregående period" in compared[0].message()
    assert "the same period the year before" in compared[1].message("en")
    # 2 households now, 2 in December (quiet), 3 a year before (EKB-080 against 202201)
    (e80,) = report.by_code("EKB-080")
    assert str(e80.param_dict["previous_period"]) == "202201"
    assert not report.by_code("SOS-016")  # the year before is not "not the previous period"
    assert report.status is sosreg.Status.GODKAND_MED_VARNINGAR


def test_previous_wins_over_the_files_found(tmp_path: Path) -> None:
    m = _months(tmp_path)
    report = sosreg.validate(
        m["202301"], previous=m["202201"], earlier=[str(p) for p in m.values()]
    )
    (compared,) = report.by_code("SOS-306")
    assert compared.param_dict["previous"] == m["202201"].name
    assert report.by_code("SOS-016")  # given as the previous period, it is not


def test_the_cli_finds_the_previous_period_in_a_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _months(tmp_path)
    assert main(["validate", str(tmp_path), "--format", "json"]) == 1
    docs = json.loads(capsys.readouterr().out)["deliveries"]
    by_name = {d["files"][0]["name"]: d for d in docs}
    jan = by_name["Ekb_0330_202301_20230214T0930.txt"]["files"][0]
    codes = {c["code"]: c["count"] for c in jan["counts"]}
    assert codes["SOS-306"] == 2 and codes["EKB-080"] == 1
    first = by_name["Ekb_0330_202201_20220214T0930.txt"]["files"][0]
    assert "SOS-306" not in {c["code"] for c in first["counts"]}


def test_an_earlier_file_that_cannot_be_read_is_left_out(tmp_path: Path) -> None:
    """Found (not named), an earlier file without a spec does not stop the check."""
    now = _write(tmp_path / "Ekb_0330_201701_20170214T0930.txt", _as_month([M_SOLO], "201701"))
    old = _write(tmp_path / "Ekb_0330_201601_20160214T0930.txt", _as_month([M_SOLO], "201601"))
    report = sosreg.validate(now, earlier=[str(now), str(old)])
    assert report.status is sosreg.Status.GODKAND and not report.by_code("SOS-306")
    result = sosreg.validate_delivery([now], earlier=[str(old)])
    assert not result.reports[0].by_code("SOS-306")
    with pytest.raises(sosreg.UsageError):  # named, it still stops
        sosreg.validate(now, previous=old)
