"""The bundled examples: the valid ones are godkänd, the damaged one says why, per line."""

from __future__ import annotations

from pathlib import Path

import pytest

import sosreg

EXAMPLES = Path(__file__).parent.parent / "examples"
VALID = sorted(p for p in EXAMPLES.iterdir() if p.suffix == ".txt" and "med-fel" not in p.name)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_examples(path: Path) -> None:
    report = sosreg.validate(path)
    assert report.status is sosreg.Status.GODKAND, report.to_text()
    parsed = sosreg.parse(path)
    records = list(parsed.records())
    assert sosreg.serialize(records, format=parsed.format) == path.read_bytes()


def test_damaged_example() -> None:
    report = sosreg.validate(EXAMPLES / "Ekb_0330_202302_20230314T1200.txt.csv")
    got = sorted((f.line or 0, f.code) for f in report.findings if f.severity)
    assert got == [
        (0, "SOS-006"),
        (1, "SOS-106"),
        (2, "SOS-104"),
        (3, "EKB-013"),
        (3, "SOS-211"),
        (4, "EKB-070"),
        (4, "SOS-109"),
        (5, "SOS-110"),
        (6, "EKB-020"),
        (6, "EKB-028"),
        (6, "EKB-029"),
        (8, "EKB-050"),
        (9, "SOS-108"),
    ]


def test_delivery_of_examples() -> None:
    result = sosreg.validate_delivery(
        [
            EXAMPLES / "Ekb_0330_202301_20230214T0930.txt",
            EXAMPLES / "Ekb_AO_0330_202301_20230214T0931.txt",
        ]
    )
    assert result.status is sosreg.Status.GODKAND


def test_damaged_khsl2_example() -> None:
    report = sosreg.validate(EXAMPLES / "KHSL2_0330_202301_20230314T0952_med-fel.txt")
    got = sorted((f.line or 0, f.code) for f in report.findings if f.severity)
    assert got == [
        (2, "KHSL-012"),
        (3, "KHSL-011"),
        (4, "KHSL-013"),
        (5, "SOS-108"),
        (6, "KHSL-002"),
    ]


def test_every_register_has_examples() -> None:
    names = [p.name.lower() for p in VALID]
    for prefix in (
        "ekb_0",
        "ekb_ao",
        "sol1",
        "sol2",
        "khsl1",
        "khsl2",
        "bu_barn",
        "bu_insats",
        "bu_placering",
    ):
        assert any(n.startswith(prefix) for n in names), prefix
