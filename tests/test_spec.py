"""Specs as data: resolution by year, user specs, severity overrides."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import attrs
import pytest
from helpers import CHILD, M_SOLO, P2, run

import sosreg
from sosreg import registers
from sosreg.engine.spec import spec_from_dict


def _manad_text() -> str:
    return (
        resources.files("sosreg.registers.ekb")
        .joinpath("specs", "manad_2017.toml")
        .read_text("utf-8")
    )


def test_spec_is_chosen_by_year() -> None:
    assert sosreg.get_spec("ekb", "manad", 2017).key == "ekb/manad/2017-"
    with pytest.raises(LookupError):
        sosreg.get_spec("ekb", "manad", 2016)
    with pytest.raises(sosreg.UsageError):
        run([M_SOLO.replace("2023", "2016")], year=2016, period="201601")


def test_fields_in_order() -> None:
    spec = sosreg.get_spec("ekb", "ar", 2023)
    # 5 + 12 months of 5 + the avslutsorsak's 4 (provisional positions, after the months)
    assert spec.n_fields == 69
    assert spec.field("belopp_01").alias == "EkbBel01"
    assert [f.position for f in spec.fields] == list(range(1, 70))
    assert spec.field_names()[65:] == [
        "avslut_manad",
        "avslutsorsak_sokande",
        "avslutsorsak_medsokande",
        "avslutsorsak_hushall",
    ]
    assert spec.field_names()[5:10] == [
        "belopp_01",
        "hinder_sokande_01",
        "hinder_medsokande_01",
        "insats_sokande_01",
        "insats_medsokande_01",
    ]


def test_a_later_year_can_change_a_rule_and_earlier_years_keep_theirs() -> None:
    old = sosreg.get_spec("ekb", "manad", 2023)
    data = tomllib.loads(_manad_text())
    data["years"] = {"from": 2025}
    data["severity"] = {"EKB-021": "error"}
    new = spec_from_dict(data)
    registers.SPECS.add(attrs.evolve(old, years_to=2024), replace=True)
    registers.SPECS.add(new)
    try:
        line = M_SOLO.replace(P2, CHILD)
        r2024 = run([line.replace("2023", "2024")], year=2024, period="202401")
        r2025 = run([line.replace("2023", "2025")], year=2025, period="202501")
        assert r2024.by_code("EKB-021")[0].severity is sosreg.Severity.WARNING
        assert r2025.by_code("EKB-021")[0].severity is sosreg.Severity.ERROR
        assert r2025.spec == "ekb/manad/2025-"
        assert r2025.status is sosreg.Status.INTE_GODKAND
    finally:
        registers.SPECS.add(old, replace=True)
    assert sosreg.get_spec("ekb", "manad", 2030) is old


def test_user_spec_from_file(tmp_path: Path) -> None:
    text = _manad_text().replace('provenance = "provisional"', 'provenance = "user"')
    text = text.replace("max = 30", "max = 5")  # a stricter antal_barn
    path = tmp_path / "official.toml"
    path.write_text(text, "utf-8")
    spec = sosreg.load_spec(path)
    line = M_SOLO.replace(";0;5230;", ";7;5230;")
    assert "SOS-204" in run([line], spec=spec).codes()
    assert "SOS-204" not in run([line]).codes()
    assert run([line], spec=spec).spec_provenance == "user"


def test_spec_validation_catches_mistakes() -> None:
    data = tomllib.loads(_manad_text())
    data["fields"][0]["type"] = "colour"
    with pytest.raises(ValueError, match="unknown type"):
        spec_from_dict(data)
    data = tomllib.loads(_manad_text())
    data["fields"][0]["colour"] = "red"
    with pytest.raises(ValueError, match="unknown keys"):
        spec_from_dict(data)
    data = tomllib.loads(_manad_text())
    data["fields"][1]["name"] = "kommun"
    with pytest.raises(ValueError, match="duplicate"):
        spec_from_dict(data)


def test_records_are_typed() -> None:
    import datetime as dt  # noqa: F401

    rec = sosreg.load((M_SOLO + "\r\n").encode(), register="ekb", file="manad")[0]
    assert rec.period == sosreg.YearMonth(2023, 1)
    assert rec.belopp_forsorjningsstod == 5230
    assert rec.hinder_sokande == "021"
    assert rec.medsokande is None
    assert sosreg.to_dict(rec)["period"] == "202301"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        rec.kommun = "0180"
