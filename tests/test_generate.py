"""sosreg.generate: valid files for every register and file, and damage that makes
exactly the injected rules fire (as ``sosreg validate`` sees them, read back from the
``<file>.expected.json`` written beside each file)."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest

import sosreg
from sosreg import codelists
from sosreg.cli import main
from sosreg.engine.rules import CATALOGUE
from sosreg.generate import (
    NOT_INJECTABLE,
    Generated,
    files_for,
    injectable,
    injectors,
    parse_inject,
)
from sosreg.registers import all_registers

YEAR = 2023
TARGETS = [
    ("ekb", "manad"),
    ("ekb", "ao"),
    ("ekb", "ar"),
    ("ekb", "manad,ao"),  # a month's delivery of both files, checked together
    ("sol", "sol1"),
    ("sol", "sol2"),
    ("khsl", "khsl1"),
    ("khsl", "khsl2"),
    ("lss", None),
    ("bu", None),  # the delivery of all three files, checked together
    ("bu", "barn"),
    ("bu", "insats"),
    ("bu", "placering"),
]
"""Every file :func:`sosreg.generate` writes: each register's files, and EKB's month and
BU both as a delivery and one file at a time."""


def _ids(target: tuple[str, str | None]) -> str:
    return f"{target[0]}-{target[1] or 'all'}"


def found(result: Generated, **kw: Any) -> set[tuple[str, str, int | None]]:
    """(file, code, line) of every finding of severity warning or error that
    ``sosreg validate`` gives the files written (a delivery: checked together)."""
    paths = result.paths
    if len(paths) == 1:
        reports, cross = [sosreg.validate(paths[0], **kw)], []
    else:
        delivery = sosreg.validate_delivery(paths, **kw)
        reports, cross = list(delivery.reports), list(delivery.findings)
    out = {
        (r.name, f.code, f.line)
        for r in reports
        for f in r.findings
        if f.severity is not sosreg.Severity.INFO
    }
    out |= {
        (str(f.param_dict.get("name")), f.code, f.line)
        for f in cross
        if f.severity is not sosreg.Severity.INFO
    }
    return out


def expected(result: Generated) -> set[tuple[str, str, int | None]]:
    """(file, code, line) of the findings the ``.expected.json`` files list."""
    out: set[tuple[str, str, int | None]] = set()
    for path in result.paths:
        data = json.loads(path.with_name(path.name + ".expected.json").read_text("utf-8"))
        assert data["name"] == path.name
        out |= {(f["file"], f["code"], f["line"]) for f in data["findings"]}
    return out


# --- valid files ------------------------------------------------------------------------


@pytest.mark.parametrize("target", TARGETS, ids=_ids)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_files_are_godkand_without_warnings(
    target: tuple[str, str | None], seed: int, tmp_path: Path
) -> None:
    register, file = target
    result = sosreg.generate(register, file, YEAR, 300, seed=seed, out=tmp_path)
    assert result.paths and all(p.stat().st_size > 0 for p in result.paths)
    assert found(result) == set()
    assert expected(result) == set()
    for f in result.files:
        data = json.loads(f.expected_json())
        assert data["status"] == "godkand" and data["findings"] == []


@pytest.mark.parametrize("register", ["ekb", "sol", "khsl", "lss", "bu"])
def test_other_kommun_and_period_are_godkand(register: str, tmp_path: Path) -> None:
    file = {"ekb": "ao", "sol": "sol2", "khsl": "khsl2"}.get(register)
    monthly = register in ("ekb", "sol", "khsl")
    result = sosreg.generate(
        register,
        file,
        2020,
        200,
        seed=11,
        kommun="2480",
        period="202012" if monthly else "2020",
        out=tmp_path,
    )
    for f in result.files:
        assert f.kommun == "2480" and f.period == ("202012" if monthly else "2020")
        assert "_2480_" in f.name
    assert found(result) == set()


@pytest.mark.parametrize("target", TARGETS, ids=_ids)
def test_same_seed_same_bytes_other_seed_other_bytes(target: tuple[str, str | None]) -> None:
    register, file = target
    one = sosreg.generate(register, file, YEAR, 80, seed=5, out=None)
    two = sosreg.generate(register, file, YEAR, 80, seed=5, out=None)
    other = sosreg.generate(register, file, YEAR, 80, seed=6, out=None)
    assert [f.data for f in one] == [f.data for f in two]
    assert [f.name for f in one] == [f.name for f in other]
    for a, b in zip(one, other, strict=True):
        assert a.data != b.data


def test_output_is_pinned() -> None:
    """The bytes for a seed are the same on every platform and Python version: all
    randomness goes through ``random.Random.random()``. (If the generator is changed
    on purpose, update the digest; vendors' fixtures made with a seed then change.)"""
    result = sosreg.generate("sol", "sol1", YEAR, 50, seed=7, out=None)
    data = result.files[0].data
    assert data is not None
    assert data.startswith(b"0180;;202301;")
    assert hashlib.sha256(data).hexdigest() == PINNED_SOL1


PINNED_SOL1 = "f5825fd865182d94ad481b25f4ef8e7d75c0e0fcd1eb44b64f86bf6ddf6446af"


def test_written_file_and_in_memory_file_are_the_same(tmp_path: Path) -> None:
    written = sosreg.generate("ekb", "ar", YEAR, 40, seed=3, inject="EKB-041:2", out=tmp_path)
    memory = sosreg.generate("ekb", "ar", YEAR, 40, seed=3, inject="EKB-041:2", out=None)
    (w,), (m,) = written.files, memory.files
    assert w.path is not None and m.path is None and w.data is None
    assert w.path.read_bytes() == m.data == w.read()
    assert w.expected == m.expected and len(w.expected) == 2
    assert len(m.records()) == 40


@pytest.mark.parametrize(
    ("register", "file", "period", "name"),
    [
        ("sol", "sol1", "202303", "SOL1_0180_202303_20230414T0900.txt"),
        ("sol", "sol2", "202312", "SOL2_0180_202312_20240114T0900.txt"),
        ("ekb", "manad", "202303", "Ekb_0180_202303_20230414T0900.txt"),
        ("ekb", "ao", "202303", "Ekb_AO_0180_202303_20230414T0900.txt"),
        ("ekb", "ar", None, "Ekb_0180_2023_20240414T0900.txt"),
        ("khsl", "khsl2", "202303", "KHSL2_0180_202303_20230530T0900.txt"),
        ("lss", None, None, "LSS_0180_2023_20231024T0900.txt"),
        ("bu", "barn", None, "BU_BARN_0180_2023_20240131T0900.txt"),
    ],
)
def test_filip_names_from_the_deadline(
    register: str, file: str | None, period: str | None, name: str
) -> None:
    result = sosreg.generate(register, file, YEAR, 3, period=period, out=None)
    assert result.files[0].name == name
    # the validator reads the register, file, period and kommun from the name
    report = sosreg.validate(result.files[0].data, name=name)
    assert report.status is sosreg.Status.GODKAND
    assert report.kommun == "0180" and report.period == (period or "2023")


def test_bu_delivery_is_three_files_named_by_level(tmp_path: Path) -> None:
    result = sosreg.generate("bu", None, YEAR, 40, seed=2, out=tmp_path)
    assert [f.file for f in result] == ["barn", "insats", "placering"]
    assert [p.name.split("_")[1] for p in result.paths] == ["BARN", "INSATS", "PLACERING"]
    barn, insats, placering = result.files
    assert barn.lines == 40 and insats.lines >= 40 and placering.lines >= insats.lines
    # each file alone is godkänd too, and the same as in the delivery
    alone = sosreg.generate("bu", "insats", YEAR, 40, seed=2, out=None)
    assert alone.files[0].data == insats.read()


@pytest.mark.parametrize("register", ["ekb", "sol", "khsl", "lss", "bu"])
def test_records_function_of_each_register(register: str) -> None:
    from sosreg.generate import records

    for spec in sosreg.registers.specs(register):
        period: Any = sosreg.YearMonth(YEAR, 5) if spec.period == "month" else YEAR
        lines = list(records(spec, YEAR, period, random.Random(1), 25, "0114"))
        assert len(lines) >= 25
        data = ("\r\n".join(lines) + "\r\n").encode()
        report = sosreg.validate(
            data, register=register, file=spec.file, year=YEAR, period=str(period)
        )
        bad = [(f.code, f.line) for f in report.findings if f.severity is not sosreg.Severity.INFO]
        assert bad == [], spec.key


# --- injected damage -----------------------------------------------------------------------


def _cases() -> list[Any]:
    cases = []
    for i, (register, file) in enumerate(TARGETS):
        files = files_for(register, file)
        for j, code in enumerate(injectors(register, files, YEAR)):
            seed = 7 * i + j
            cases.append(
                pytest.param(register, file, code, seed, id=f"{_ids((register, file))}-{code}")
            )
    return cases


ELSEWHERE = {"SOS-207": "test_seeds.py: SoL before 202206, a förenklat beslut"}
"""Injectable rules that need another year or month than the cases' (tested there)."""


def test_the_cases_cover_every_injectable_rule() -> None:
    covered = {case.values[2] for case in _cases()} | set(ELSEWHERE)
    assert covered == {code for code, ok in injectable().items() if ok}


@pytest.mark.parametrize(("register", "file", "code", "seed"), _cases())
def test_injected_rule_is_found_exactly(
    register: str, file: str | None, code: str, seed: int, tmp_path: Path
) -> None:
    times = 1 + seed % 3
    result = sosreg.generate(
        register, file, YEAR, 60, seed=seed, inject=f"{code}:{times}", out=tmp_path
    )
    want = expected(result)
    assert {c for _, c, _ in want} >= {code}
    injected = [e for e in result.expected if e.code == code]
    assert len({(e.file, e.line) for e in injected}) >= times
    assert all(e.injected == code for e in result.expected)
    assert found(result) == want


@pytest.mark.parametrize("target", TARGETS, ids=_ids)
def test_every_rule_of_a_file_injected_at_once(
    target: tuple[str, str | None], tmp_path: Path
) -> None:
    """Damage of different rules does not interact: each on lines of its own."""
    register, file = target
    codes = injectors(register, files_for(register, file), YEAR)
    result = sosreg.generate(
        register, file, YEAR, 500, seed=4, inject={c: 2 for c in codes}, out=tmp_path
    )
    want = expected(result)
    assert {c for _, c, _ in want} == set(codes)
    assert found(result) == want


@pytest.mark.parametrize("target", [t for t in TARGETS if t != ("bu", None)], ids=_ids)
def test_columnar_engine_finds_the_same(target: tuple[str, str | None], tmp_path: Path) -> None:
    pytest.importorskip("polars")
    register, file = target
    codes = injectors(register, files_for(register, file), YEAR)
    result = sosreg.generate(
        register, file, YEAR, 300, seed=9, inject={c: 1 for c in codes}, out=tmp_path
    )
    assert found(result, engine="columnar") == expected(result)


def test_damaged_file_is_the_clean_file_but_for_the_damaged_lines() -> None:
    clean = sosreg.generate("sol", "sol2", YEAR, 200, seed=8, out=None).files[0].read()
    damaged = sosreg.generate(
        "sol", "sol2", YEAR, 200, seed=8, inject="SOS-104:3,SOL-026:2,SOS-210", out=None
    ).files[0]
    a, b = clean.split(b"\r\n"), damaged.read().split(b"\r\n")
    assert len(a) == len(b)
    differ = {i + 1 for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y}
    assert differ == {e.line for e in damaged.expected}
    assert len(differ) == 6


def test_inserted_lines_shift_the_line_numbers() -> None:
    result = sosreg.generate("khsl", "khsl1", YEAR, 30, seed=1, inject="SOS-101:3", out=None)
    (f,) = result.files
    assert f.lines == 33
    lines = f.read().split(b"\r\n")
    assert [e.line for e in f.expected] == [i + 1 for i, x in enumerate(lines[:-1]) if x == b""]


def test_companion_findings_are_expected_with_the_rule_injected(tmp_path: Path) -> None:
    result = sosreg.generate("sol", "sol1", YEAR, 30, seed=1, inject="SOS-111", out=tmp_path)
    got = sorted((e.line, e.code, e.injected) for e in result.expected)
    (first, _, _), _, (second, _, _) = got
    assert got == [
        (first, "SOS-108", "SOS-111"),
        (first, "SOS-111", "SOS-111"),
        (second, "SOS-108", "SOS-111"),
    ]
    assert second == first + 1
    assert found(result) == expected(result)


def test_bad_byte_makes_a_file_with_a_bom() -> None:
    result = sosreg.generate("lss", None, YEAR, 20, seed=2, inject="SOS-112", out=None)
    data = result.files[0].read()
    assert data.startswith(b"\xef\xbb\xbf") and b"\xff" in data
    report = sosreg.validate(data, name=result.files[0].name)
    assert [f.line for f in report.by_code("SOS-112")] == [e.line for e in result.expected]
    assert "BOM" in report.by_code("SOS-003")[0].message()


def test_an_imported_kva_list_is_drawn_from_and_injectable(tmp_path: Path) -> None:
    kva = codelists.make(
        "kva",
        "KVÅ",
        [
            codelists.Code("PD008", "a"),
            codelists.Code("QB010", "b"),
            codelists.Code("AW003", "c"),
            codelists.Code("DV051", "d", valid_to=2021),
        ],
    )
    lists = {"kva": kva}
    offered = injectors("khsl", ("khsl2",), YEAR, lists)
    assert "KHSL-014" in offered and "KHSL-015" in offered
    assert "KHSL-014" not in injectors("khsl", ("khsl2",), YEAR)
    result = sosreg.generate(
        "khsl",
        "khsl2",
        YEAR,
        60,
        seed=3,
        inject="KHSL-014,KHSL-015:2",
        codelists=lists,
        out=tmp_path,
    )
    lines = result.files[0].read().decode().splitlines()
    damaged = {e.line for e in result.expected}
    drawn = {x.split(";")[5] for i, x in enumerate(lines, 1) if i not in damaged}
    assert drawn == {"PD008", "QB010", "AW003"}  # the valid codes of the list given
    assert found(result, codelists=lists) == expected(result)
    assert {e.code for e in result.expected} == {"KHSL-014", "KHSL-015"}


# --- what can be injected ------------------------------------------------------------------


def test_every_rule_is_injectable_or_says_why_not() -> None:
    all_registers()
    can = injectable()
    assert set(can) == {r.code for r in CATALOGUE}
    for rule in CATALOGUE:
        if can[rule.code]:
            assert rule.code not in NOT_INJECTABLE, f"{rule.code} is injectable after all"
        else:
            assert rule.code in NOT_INJECTABLE, f"{rule.code}: neither injectable nor explained"
    # every line, field and record rule of every register can be injected
    for rule in CATALOGUE:
        if rule.category.value in ("line", "record", "cross-record") and rule.code != "SOS-900":
            assert can[rule.code], rule.code


def test_injectable_per_register() -> None:
    bu = injectable("bu")
    assert bu["BU-065"] and bu["SOS-104"] and not bu["SOS-001"]
    assert "EKB-013" not in bu
    assert injectable("ekb")["EKB-013"] and not injectable("ekb")["EKB-061"]
    assert injectable("ekb")["EKB-060"]  # into a month's delivery of both files


@pytest.mark.parametrize(
    ("inject", "parsed"),
    [
        ("EKB-013,SOS-104:5", {"EKB-013": 1, "SOS-104": 5}),
        (" sos-104 : 2 , SOS-104", {"SOS-104": 3}),
        (["EKB-013:2"], {"EKB-013": 2}),
        ({"SOL-024": 4}, {"SOL-024": 4}),
        (None, {}),
    ],
)
def test_parse_inject(inject: Any, parsed: dict[str, int]) -> None:
    assert parse_inject(inject) == parsed


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"register": "nope"}, "nope"),
        ({"register": "ekb", "file": None}, "give the file"),
        ({"register": "sol", "file": "sol3"}, "unknown file"),
        ({"inject": "SOS-999"}, "unknown rule"),
        ({"inject": "SOS-001"}, "file level"),
        ({"inject": "EKB-013"}, "a rule of register ekb"),
        ({"inject": "SOL-030:x"}, "CODE:N"),
        ({"inject": "SOL-030:0"}, "1 or more"),
        ({"inject": "SOS-104:11"}, "at least as many records"),
        ({"n": 0}, "n must be"),
        ({"seed": -7}, "seed must be"),
        ({"period": "202213"}, "period"),
        ({"period": "202201"}, "not in statistikår 2023"),
        ({"period": "2023"}, "monthly period"),
        ({"kommun": "180"}, "4 digits"),
        ({"kommun": "0001"}, "not in the code list"),
        ({"register": "bu", "file": None, "inject": "BU-031"}, "bu/insats"),
        ({"register": "sol", "file": "sol1", "inject": "SOL-020"}, "sol/sol2"),
    ],
)
def test_arguments_that_cannot_be_met(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"register": "sol", "file": "sol1", "year": YEAR, "n": 10, "out": None}
    args.update(kwargs)
    with pytest.raises(sosreg.UsageError, match=message):
        sosreg.generate(**args)


def test_too_few_lines_for_the_damage_is_a_usage_error() -> None:
    # EKB-020 needs lines with a medsökande: 2 lines rarely have 2
    with pytest.raises(sosreg.UsageError, match="too few lines"):
        for seed in range(50):
            sosreg.generate("ekb", "manad", YEAR, 2, seed=seed, inject="EKB-020:2", out=None)


# --- the command line ----------------------------------------------------------------------


def test_cli_generate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["generate", "--register", "sol", "--file", "sol1", "--year", "2023", "-n", "500"]
    args += ["--seed", "7", "-o", str(tmp_path), "--kommun", "0180", "--period", "202303"]
    assert main([*args, "--inject", "SOS-104:5,SOL-024"]) == 0
    out = capsys.readouterr().out
    path = tmp_path / "SOL1_0180_202303_20230414T0900.txt"
    assert out.split("\t")[:3] == [str(path), "500", "6"]
    data = json.loads((tmp_path / f"{path.name}.expected.json").read_text("utf-8"))
    assert data["seed"] == 7 and data["inject"] == {"SOS-104": 5, "SOL-024": 1}
    assert data["status"] == "inte_godkand"
    assert [f["code"] for f in data["findings"]].count("SOS-104") == 5
    assert main(["validate", str(path), "--format", "json"]) == 2
    report = json.loads(capsys.readouterr().out)
    (file,) = report["deliveries"][0]["files"]
    codes = sorted(
        f["code"]
        for f in file["findings"]
        if f["severity"] != "info" and f["category"] != "portal"  # the contents only
    )
    assert codes == sorted(f["code"] for f in data["findings"])


def test_cli_generate_bu_delivery_and_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["generate", "--register", "bu", "--year", "2023", "-n", "20", "-o", str(tmp_path)])
        == 0
    )
    assert len(capsys.readouterr().out.splitlines()) == 3
    assert main(["validate", *map(str, sorted(tmp_path.glob("BU_*.txt")))]) == 0
    capsys.readouterr()
    assert main(["generate", "--register", "ekb", "--year", "2023"]) == 3
    assert "give the file" in capsys.readouterr().err
    assert main(["generate", "--register", "lss", "--year", "2023", "--inject", "EKB-013"]) == 3


def test_cli_lists_the_injectors(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["generate", "--register", "khsl", "--file", "khsl2", "--year", "2023", "--injectors"])
        == 0
    )
    out = capsys.readouterr().out
    codes = [line.split()[0] for line in out.splitlines()]
    assert codes == list(injectors("khsl", ("khsl2",), YEAR))
    assert "KHSL-012" in codes and "KHSL-030" not in codes
    # the damage is described for the field's type: a KVÅ code is not given "a day 32"
    (kva,) = [line for line in out.splitlines() if line.startswith("KHSL-010")]
    assert "the code in lower case (kva)" in kva and "day 32" not in kva
    (dates,) = [line for line in out.splitlines() if line.startswith("SOS-202")]
    assert "a day 32" in dates and "lower case" not in dates


def test_rules_command_marks_injectable_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--register", "ekb"]) == 0
    lines = capsys.readouterr().out.splitlines()
    marked = {line.split()[0] for line in lines if " * " in line}
    assert "EKB-013" in marked and "SOS-104" in marked
    assert "EKB-061" not in marked and "SOS-001" not in marked
    assert main(["rules", "--format", "json"]) == 0
    data = {r["code"]: r["injectable"] for r in json.loads(capsys.readouterr().out)}
    assert data["BU-065"] is True and data["SOS-900"] is False
    assert data == injectable()


# --- the documentation -----------------------------------------------------------------------

DOC = Path(__file__).parent.parent / "docs" / "generate.md"


def _codes_in(text: str) -> set[str]:
    """Rule codes named in ``text``; ``A``…``B`` names every code from A to B."""
    import re

    all_registers()
    codes = {r.code for r in CATALOGUE}
    out = set(re.findall(r"`([A-Z]+-\d{3})`", text))
    for a, b in re.findall(r"`([A-Z]+-\d{3})`…`([A-Z]+-\d{3})`", text):
        prefix = a.split("-")[0]
        lo, hi = int(a.split("-")[1]), int(b.split("-")[1])
        out |= {c for c in codes if c.split("-")[0] == prefix and lo <= int(c[-3:]) <= hi}
    return out


def test_docs_list_what_can_and_cannot_be_injected() -> None:
    page = DOC.read_text("utf-8")
    can_part, cannot_part = page.split("### What cannot be injected")
    can = injectable()
    assert f"{sum(can.values())} of the {len(can)} rules" in page
    registers_can = {c for c, ok in can.items() if ok and CATALOGUE[c].register is not None}
    table = can_part.split("Register rules, the damage")[1]
    assert _codes_in(table) - {"KHSL-014", "KHSL-015"} == registers_can
    assert _codes_in(cannot_part) == set(NOT_INJECTABLE)
    for name in ("ekb", "sol", "khsl", "lss", "bu"):
        mine = injectable(name)
        own = [c for c in mine if CATALOGUE[c].register == name]
        engine = sum(ok for c, ok in mine.items() if CATALOGUE[c].register is None)
        label = {"sol": "SoL"}.get(name, name.upper())
        row = f"| {label} | {sum(mine[c] for c in own)} of {len(own)} | {engine} |"
        assert row in page, row


def test_doctests() -> None:
    """The examples in the docstring of the package ``sosreg.generate`` run."""
    import doctest
    import importlib

    assert doctest.testmod(importlib.import_module("sosreg.generate")).failed == 0
