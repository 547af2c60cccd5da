"""The facts of a file (``sosreg.engine.facts.decide``), each with where it came from,
and the runner interface the columnar engine uses (issue 21 item 5)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import sosreg
from sosreg.codelists import CodeList
from sosreg.engine import facts as facts_mod
from sosreg.engine.facts import Input, decide
from sosreg.engine.register import REGISTRY
from sosreg.engine.values import YearMonth

NAME = "Ekb_0180_202301_20230215T1000.txt"


def line(kommun: str = "0180", period: str = "202302") -> str:
    """An EKB-Månad line's text: only the kommun and period fields matter here."""
    return ";".join([kommun, "", period] + [""] * 12)


def codes(f: facts_mod.FileFacts) -> list[str]:
    return [x.code for x in f.findings]


def test_register_file_period_and_kommun_from_a_filip_name() -> None:
    f = decide(NAME, [])
    assert (f.register.name, f.register_source) == ("ekb", "name")
    assert (f.file, f.file_source) == ("manad", "name")
    assert (f.period, f.period_source) == (YearMonth(2023, 1), "name")
    assert (f.year, f.year_source) == (2023, "name")
    assert (f.kommun, f.kommun_source) == ("0180", "name")
    assert f.spec_source == "default" and f.spec.key.startswith("ekb/manad/")
    assert f.codelists_source == "default" and dict(f.codelists) == {}
    assert codes(f) == ["SOS-014"]


def test_arguments_win_and_say_so() -> None:
    f = decide(
        NAME, [line(period="202301")] * 3, register="ekb", file="MANAD", period=YearMonth(2023, 3)
    )
    assert (f.register_source, f.file_source, f.file) == ("argument", "argument", "manad")
    assert (f.period, f.period_source, f.year_source) == (
        YearMonth(2023, 3),
        "argument",
        "argument",
    )
    assert f.period_from_lines == YearMonth(2023, 1)
    # the name says 202301, the file is checked as 202303: SOS-007 before SOS-014
    assert codes(f) == ["SOS-007", "SOS-014"]


def test_period_and_kommun_from_the_lines_by_majority() -> None:
    head = [line("0180", "202302"), line("0181", "202302"), line("0181", "202303")]
    f = decide(None, head, register="ekb", file="manad")
    assert (f.period, f.period_source) == (YearMonth(2023, 2), "lines")
    assert (f.kommun, f.kommun_source) == ("0181", "lines")
    assert f.fname is None and f.year == 2023


def test_a_register_with_one_file_gives_it() -> None:
    f = decide(None, [], register="lss", year=2023)
    assert (f.file, f.file_source) == ("lss", "only")
    assert (f.period, f.period_source, f.year_source) == (2023, "argument", "argument")


def test_the_spec_argument_gives_register_and_file() -> None:
    spec = REGISTRY.resolve_spec("sol", "sol1", 2023)
    f = decide(None, [line(period="202305")], spec=spec)
    assert (f.register.name, f.register_source, f.file, f.file_source) == (
        "sol",
        "spec",
        "sol1",
        "spec",
    )
    assert f.spec is spec and f.spec_source == "argument"


def test_no_period_anywhere_is_assumed_with_sos_009() -> None:
    f = decide(None, [], register="ekb", file="manad", year=2023)
    assert f.assumed and f.period_source == "assumed" and f.period == YearMonth(2023, 1)
    assert f.year_given and codes(f) == ["SOS-009", "SOS-014"]
    # an empty or non-text input gets neither
    assert codes(decide(None, [], register="ekb", file="manad", input=Input(size=0))) == []
    assert codes(decide(None, [], register="ekb", file="manad", input=Input(text=False))) == [
        "SOS-014"
    ]


def test_a_period_outside_the_year_given_is_sos_010() -> None:
    f = decide(None, [line(period="202212")] * 2, register="ekb", file="manad", year=2023)
    assert (f.period, f.period_source, f.year) == (YearMonth(2022, 12), "lines", 2023)
    assert codes(f) == ["SOS-010", "SOS-014"]


def test_name_findings_sos_006_020_216() -> None:
    f = decide("SOL1_0180_202301_20230215T1000.txt.csv", [], register="ekb", file="manad")
    assert codes(f)[:2] == ["SOS-006", "SOS-020"]
    # the portal stage reports a doubled extension itself (SOS-031)
    assert "SOS-006" not in codes(
        decide(
            "SOL1_0180_202301_20230215T1000.txt.csv", [], register="ekb", file="manad", portal=True
        )
    )
    f = decide("ekb_manad_19121212-1212.txt", [], file="manad", year=2023)
    assert "SOS-216" in codes(f)


def test_codelists_given_are_the_files() -> None:
    kva = CodeList(name="kva", title="KVÅ", codes=())
    f = decide(NAME, [], codelists={"kva": kva})
    assert f.codelists_source == "argument" and f.codelists["kva"] is kva


def test_usage_errors_are_the_same() -> None:
    with pytest.raises(sosreg.UsageError, match="give register="):
        decide(None, [])
    with pytest.raises(sosreg.UsageError, match="unknown file"):
        decide(None, [], register="ekb", file="nope")


@pytest.mark.parametrize("engine", ["row", "columnar"])
def test_parsed_is_its_facts(engine: str) -> None:
    parsed = sosreg.parse(b"", name=NAME, engine=engine)
    assert parsed.facts == decide(NAME, [], input=Input(size=0))
    assert (parsed.register, parsed.file, parsed.period) == (
        parsed.facts.register,
        parsed.facts.file,
        parsed.facts.period,
    )
    assert parsed.runner.parser is parsed.parser and parsed.runner.log is parsed.log


def test_columnar_engine_uses_no_private_state() -> None:
    """The columnar engine talks to the runner through its public interface only."""
    import sosreg.engine.columnar as columnar

    text = Path(columnar.__file__).read_text(encoding="utf-8")
    assert not re.findall(r"\b(?:parsed|runner)\._\w+", text)
    assert not re.findall(r"\b(?:parsed|runner)\.(?:parser|input)\._\w+", text)
    # an engine is a function of the runner, not of the caller's Parsed
    assert columnar.run.__annotations__["runner"] == "Runner"
    assert not re.findall(r"def \w+\(parsed: Parsed\)", text)


def test_doctests() -> None:
    import doctest

    assert doctest.testmod(facts_mod).failed == 0
