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
    assert doc["status"]["code"] == report.status.code
    assert all(f["severity"] in ("error", "warning", "info") for f in doc["files"][0]["findings"])


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


def test_status_and_severity_codes_are_ascii() -> None:
    for status in sosreg.Status:
        assert status.code.isascii() and status.code.isidentifier()
    for sev in sosreg.Severity:
        assert sev.code in ("error", "warning", "info")
