"""A delivery as a whole: each file once (SOS-301), one register (SOS-302), one kommun
(SOS-303)."""

from __future__ import annotations

from pathlib import Path

from helpers import AO_MED, M_MED, M_SOLO, S1

import sosreg


def _write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def _codes(result: sosreg.DeliveryReport, code: str) -> list[sosreg.Finding]:
    return [f for f in result.findings if f.code == code]


def test_same_file_twice_is_an_error(tmp_path: Path) -> None:
    # the same timestamp: the two cannot be ordered (a later one would replace, SOS-304)
    a = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO])
    b = _write(tmp_path / "Ekb_0330_202301_20230214T0930_b.txt", [M_MED])
    ao = _write(tmp_path / "Ekb_AO_0330_202301_20230214T0931.txt", [AO_MED])
    result = sosreg.validate_delivery([a, ao, b])
    (dup,) = _codes(result, "SOS-301")
    assert dup.severity is sosreg.Severity.ERROR
    assert dup.line is None
    assert b.name in dup.message() and a.name in dup.message() and "EKB-Månad" in dup.message()
    assert result.status is sosreg.Status.INTE_GODKAND
    # a month's EKB-Månad and EKB-AO are two kinds, not the same file twice
    assert not _codes(sosreg.validate_delivery([a, ao]), "SOS-301")
    # the same kind for two months is not a duplicate either
    feb = _write(
        tmp_path / "Ekb_0330_202302_20230314T0930.txt", [M_SOLO.replace("202301", "202302")]
    )
    assert not _codes(sosreg.validate_delivery([a, feb]), "SOS-301")


def test_mixed_registers_are_a_warning(tmp_path: Path) -> None:
    ekb = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO])
    ao = _write(tmp_path / "Ekb_AO_0330_202301_20230214T0931.txt", [AO_MED])
    sol = _write(tmp_path / "SOL1_0330_202301_20230214T0940.txt", [S1])
    result = sosreg.validate_delivery([ekb, ao, sol])
    (mixed,) = _codes(result, "SOS-302")
    assert mixed.severity is sosreg.Severity.WARNING
    assert "EKB" in mixed.message() and "SOL" in mixed.message("en")
    assert not _codes(sosreg.validate_delivery([ekb, ao]), "SOS-302")


def test_mixed_kommuner_are_a_warning(tmp_path: Path) -> None:
    a = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO])
    ao = _write(tmp_path / "Ekb_AO_0114_202301_20230214T0931.txt", [AO_MED.replace("0330", "0114")])
    result = sosreg.validate_delivery([a, ao])
    (mixed,) = _codes(result, "SOS-303")
    assert mixed.severity is sosreg.Severity.WARNING
    assert "0114" in mixed.message() and "0330" in mixed.message()
    same = _write(tmp_path / "Ekb_AO_0330_202301_20230214T0932.txt", [AO_MED])
    assert not _codes(sosreg.validate_delivery([a, same]), "SOS-303")


def test_delivery_json_has_the_shape_of_one_file(tmp_path: Path) -> None:
    a = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO])
    one = sosreg.validate(a).to_dict()
    many = sosreg.validate_delivery([a]).to_dict()
    assert one.keys() == many.keys()
    assert one["files"][0].keys() == many["files"][0].keys()


def test_delivery_totals_count_every_file_and_the_cross_file_findings(tmp_path: Path) -> None:
    a = _write(tmp_path / "Ekb_0330_202301_20230214T0930.txt", [M_SOLO, "x;y"])
    b = _write(tmp_path / "Ekb_0330_202301_20230214T0930_b.txt", [M_MED])
    sol = _write(tmp_path / "SOL1_0330_202301_20230214T0940.txt", [S1])
    result = sosreg.validate_delivery([a, b, sol])
    expected = dict.fromkeys(sorted(sosreg.Severity, reverse=True), 0)
    for f in result.findings:
        expected[f.severity] += 1
    for r in result.reports:
        for code, n in r.counts().items():
            expected[r.severities()[code]] += n
    assert result.totals() == expected
    assert list(result.totals()) == sorted(sosreg.Severity, reverse=True)
    assert result.totals()[sosreg.Severity.ERROR] >= 2  # SOS-301 and the broken line
    assert result.totals()[sosreg.Severity.WARNING] >= 1  # SOS-302
