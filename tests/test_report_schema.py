"""The JSON report is an interface: every report the tests make validates against the
schema shipped in the package, one file and several files have one shape, and status and
severity are stable ASCII codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import AO_MED, M_MED, M_SOLO, run
from test_rules import CASES, Case

import sosreg
from sosreg.cli import main
from sosreg.engine.report import SCHEMA_VERSION
from sosreg.engine.rules import CATALOGUE
from sosreg.reports.json_report import schema

VALIDATOR = jsonschema.Draft202012Validator(
    schema(), format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


def check(doc: dict[str, Any]) -> None:
    errors = sorted(VALIDATOR.iter_errors(doc), key=lambda e: list(e.path))
    assert not errors, [(list(e.path), e.message) for e in errors[:5]]


def test_schema_is_a_valid_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(schema())
    assert schema()["properties"]["schema_version"]["pattern"].startswith(
        "^" + SCHEMA_VERSION.split(".")[0]
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.file}")
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_rule_case_report_validates(case: Case, lang: str) -> None:
    report = run(case.bad, case.file, **case.kw)
    doc = json.loads(report.to_json(lang))
    check(doc)
    assert doc["schema_version"] == SCHEMA_VERSION
    (delivery,) = doc["deliveries"]
    assert delivery["status"]["code"] == doc["summary"]["status"]["code"] == report.status.code
    findings = delivery["files"][0]["findings"]
    assert all(f["severity"] in ("error", "warning", "info") for f in findings)
    assert all(f["file"] is None for f in findings)


def test_delivery_and_cli_outputs_validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manad = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    manad.write_bytes((M_SOLO + "\r\n" + M_MED + ";\r\n").encode())
    ao = tmp_path / "Ekb_AO_0330_202301_20230214T0931.txt"
    ao.write_bytes((AO_MED + "\r\n").encode())
    check(sosreg.validate_delivery([manad, ao, manad]).to_dict("en"))
    for argv in (
        [str(manad)],
        [str(manad), str(ao)],
        [str(manad), "--max-details", "0"],
        [str(manad), str(ao), "--max-details", "all", "--lang", "en"],
    ):
        main(["validate", *argv, "--format", "json"])
        check(json.loads(capsys.readouterr().out))


def _many(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A folder with three deliveries: godkänd, inte godkänd (two files), and one that
    cannot be checked (no spec: a year long before any)."""
    folder = tmp_path / "in"
    folder.mkdir()
    manad = folder / "Ekb_0330_202301_20230214T0930.txt"
    manad.write_bytes((M_SOLO + "\r\n").encode())
    ao = folder / "Ekb_AO_0330_202301_20230214T0931.txt"
    ao.write_bytes((AO_MED + "\r\n").encode())
    bad = folder / "Ekb_0114_202301_20230214T0930.txt"
    bad.write_bytes((M_SOLO.replace("0330", "0114") + "\r\nx;y\r\n").encode())
    old = folder / "Ekb_0330_190001_19000214T0930.txt"
    old.write_bytes((M_SOLO.replace("202301", "190001") + "\r\n").encode())
    return folder, [manad, ao, bad, old]


@pytest.mark.parametrize(
    "extra", [[], ["-j", "2"], ["--max-details", "all"], ["--max-details", "all", "-j", "2"]]
)
def test_many_deliveries_are_one_report_with_a_summary(
    extra: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 19 item 10: one shape for one delivery and for many (was JSON Lines)."""
    folder, _ = _many(tmp_path)
    code = main(["validate", str(folder), "--format", "json", *extra])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)  # one document, not one per line
    check(doc)
    assert doc["schema_version"] == SCHEMA_VERSION
    statuses = [d["status"]["code"] for d in doc["deliveries"]]
    summary = doc["summary"]
    assert summary["deliveries"] == len(statuses) == len(doc["deliveries"])
    assert summary["by_status"] == {s.code: statuses.count(s.code) for s in sosreg.Status}
    assert summary["files"] == sum(len(d["files"]) for d in doc["deliveries"])
    assert summary["errors"] == sum(
        c["count"]
        for d in doc["deliveries"]
        for counts in [*(f["counts"] for f in d["files"]), d["cross_file"]["counts"]]
        for c in counts
        if c["severity"] == "error" and CATALOGUE[c["code"]].category != "portal"
    )  # the contents' errors: the portal's (judged by today) are not in the summary
    assert summary["status"]["code"] == "inte_godkand"
    assert [n["files"] for n in summary["not_checked"]] == [["Ekb_0330_190001_19000214T0930.txt"]]
    assert code == 3  # one delivery could not be checked
    assert "Ekb_0330_190001" in captured.err


def test_one_delivery_has_the_shape_of_many(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, (manad, ao, _, _) = _many(tmp_path)
    main(["validate", str(manad), str(ao), "--format", "json"])
    one = json.loads(capsys.readouterr().out)
    main(["validate", str(manad), str(ao), "--format", "json", "-j", "1"])
    many = json.loads(capsys.readouterr().out)
    assert one == many
    api = sosreg.validate_delivery([manad, ao], max_details=100).to_dict()
    assert api.keys() == one.keys() and api["summary"] == one["summary"]
    assert one["summary"]["deliveries"] == 1 and one["summary"]["not_checked"] == []


def test_many_deliveries_stream_into_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With one job, each delivery is written into the report as it is checked (never
    held as text), its findings from the spool when all are asked for."""
    from sosreg import batch

    folder, _ = _many(tmp_path)
    seen: list[object] = []
    real = batch.render

    def render(paths: tuple[str, ...], options: batch.Options, out: Any = None, **kw: Any) -> Any:
        seen.append(out)
        outcome = real(paths, options, out, **kw)
        assert outcome.output == ""
        return outcome

    monkeypatch.setattr(batch, "render", render)
    main(["validate", str(folder), "--format", "json", "--max-details", "all"])
    check(json.loads(capsys.readouterr().out))
    assert len(seen) == 3 and all(out is not None for out in seen)


def test_status_and_severity_codes_are_ascii() -> None:
    for status in sosreg.Status:
        assert status.code.isascii() and status.code.isidentifier()
    for sev in sosreg.Severity:
        assert sev.code in ("error", "warning", "info")
