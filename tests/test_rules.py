"""Every rule: one input that fires it (code, severity, line checked) and a near-identical
one that does not. ``test_every_rule_has_a_case`` fails when a rule is added without a case.
"""

from __future__ import annotations

import codecs
import io
from pathlib import Path
from typing import Any

import attrs
import pytest
from helpers import (
    A_MED,
    A_SOLO,
    AO_MED,
    AO_SOLO,
    CHILD,
    K1,
    K1_B,
    K2,
    K2_B,
    M_MED,
    M_SOLO,
    P0,
    P1,
    P2,
    P3,
    S1,
    S1_B,
    S2,
    S2_OPEN,
    UNBORN,
    Case,
    annual,
    run,
)

import sosreg
from sosreg import codelists
from sosreg.engine.rules import CATALOGUE
from sosreg.registers import all_registers


def _replace(line: str, index: int, value: str) -> str:
    parts = line.split(";")
    parts[index] = value
    return ";".join(parts)


def _insats_list(**changes: dict[str, int]) -> codelists.CodeList:
    base = codelists.get("ekb_arbetsmarknadsinsats")
    codes = [attrs.evolve(c, **changes[c.code]) if c.code in changes else c for c in base.codes]
    return attrs.evolve(base, codes=tuple(codes))


def _user_spec(tmp_text_edit: Any) -> sosreg.FileSpec:
    from importlib import resources

    text = (
        resources.files("sosreg.registers.ekb")
        .joinpath("specs", "manad_2017.toml")
        .read_text("utf-8")
    )
    return sosreg.engine.spec.spec_from_dict(  # type: ignore[attr-defined]
        __import__("tomllib").loads(tmp_text_edit(text))
    )


def _khsl2_spec(edit: Any) -> sosreg.FileSpec:
    from importlib import resources

    text = (
        resources.files("sosreg.registers.khsl")
        .joinpath("specs", "khsl2_2019.toml")
        .read_text("utf-8")
    )
    return sosreg.engine.spec.spec_from_dict(__import__("tomllib").loads(edit(text)))  # type: ignore[attr-defined]


def _kva(*entries: tuple[str, int | None, int | None]) -> dict[str, codelists.CodeList]:
    codes = [codelists.Code(c, "x", a, b) for c, a, b in entries]
    return {"kva": codelists.make("kva", "KVÅ", codes)}


def _spec_without_period_override() -> sosreg.FileSpec:
    return _user_spec(lambda t: t.replace('rules = { "period.mismatch" = "EKB-001" }', ""))


def _spec_with_missing_list() -> sosreg.FileSpec:
    return _user_spec(
        lambda t: t.replace('codelist = "ekb_arbetsmarknadsinsats"', 'codelist = "no_such_list"')
    )


LONG = "0330;" + "9" * 100_050


def _sod(line: str) -> str:
    """``line`` with a stadsdel that is not ASCII."""
    return line.replace(";;", ";Söd;", 1)


SPLIT_A = f"0330;;202301;202301;{P2};;0;52"
SPLIT_B = "30;0;021;;0;;;"

A_SOLO_FEB = ("5230", "021", "", "0", "")
"""A month of an EKB-År line without a medsökande."""

CASES = [
    # --- file stage ---
    Case("SOS-001", b"", [M_SOLO], None),
    Case("SOS-002", b"PK\x03\x04" + b"\x00" * 40, [M_SOLO], None),
    Case("SOS-002", b"0330;;\x00\x00\x00\r\n", [M_SOLO], None),
    Case("SOS-003", [M_SOLO], b"", None),
    Case("SOS-004", (M_SOLO + "\r\n").encode("utf-16"), [M_SOLO], None),
    Case("SOS-005", (M_SOLO + "\r\n" + M_MED + "\n").encode(), [M_SOLO, M_MED], None),
    Case(
        "SOS-006",
        [M_SOLO],
        [M_SOLO],
        None,
        kw={"name": "Ekb_0330_202301_20230214T0930.txt.csv"},
        good_kw={"name": "Ekb_0330_202301_20230214T0930.txt"},
    ),
    Case(
        "SOS-007",
        [M_SOLO],
        [M_SOLO],
        None,
        kw={"name": "Ekb_0330_202302_20230314T0930.txt", "period": None},
        good_kw={"name": "Ekb_0330_202301_20230214T0930.txt", "period": None},
    ),
    Case("SOS-008", ["Kommun;Stadsdel;Period"], [M_SOLO], None),
    Case("SOS-018", b'{\n  "seed": 7,\n  "findings": [{"code": "SOS-104"}]\n}\n', [M_SOLO], None),
    Case("SOS-018", b'<?xml version="1.0"?>\r\n<rows><r>0330;;</r></rows>\r\n', [M_SOLO], None),
    Case(
        "SOS-020",
        [M_SOLO],
        [M_SOLO],
        None,
        kw={"name": "SOL1_0330_202301_20230214T0940.txt"},
        good_kw={"name": "Ekb_0330_202301_20230214T0930.txt"},
    ),
    Case(
        "SOS-020",
        [M_SOLO],
        [M_SOLO],
        None,
        kw={"name": "Ekb_AO_0330_202301_20230214T0930.txt"},
        good_kw={"name": "export.txt"},
    ),
    Case(
        "SOS-009",
        [_replace(M_SOLO, 2, "2023-1")],
        [M_SOLO],
        None,
        kw={"year": None, "period": None},
        good_kw={"year": None, "period": None},
    ),
    Case("SOS-010", [M_SOLO], [M_SOLO], None, kw={"year": 2022}, good_kw={}),
    Case("SOS-011", b"0330;;202301;\x81\r\n", [M_SOLO], None),
    Case(
        "SOS-019",
        codecs.BOM_UTF8 * 2 + (M_SOLO + "\r\n").encode(),
        codecs.BOM_UTF8 + (M_SOLO + "\r\n").encode(),
        1,
    ),
    Case(
        "SOS-012",
        _sod(M_SOLO).encode("utf-8") + b"\r\n" + _sod(M_MED).encode("cp1252") + b"\r\n",
        _sod(M_SOLO).encode("cp1252") + b"\r\n" + _sod(M_MED).encode("cp1252") + b"\r\n",
        None,
    ),
    Case(
        "SOS-013",
        [M_SOLO],
        [M_SOLO],
        None,
        kw={"spec": _spec_with_missing_list()},
        good_kw={},
    ),
    Case("SOS-014", [M_SOLO], b"", None),
    # --- line stage ---
    Case("SOS-101", [M_SOLO, "", M_MED], [M_SOLO, M_MED], 2),
    Case("SOS-102", [M_SOLO, LONG], [M_SOLO], 2),
    Case("SOS-202", [_replace(M_SOLO, 3, "2023-1")], [M_SOLO], 1),
    Case("SOS-103", [M_SOLO.replace(";;", ";\x00;", 1)], [M_SOLO], 1),
    Case("SOS-104", [M_MED, f'"{M_SOLO}"'], [M_MED, M_SOLO], 2),
    Case("SOS-105", [_replace(M_SOLO, 4, f'"{P2}"')], [M_SOLO], 1),
    Case("SOS-106", ["Kommun;Stadsdel;Period;Avseendemånad;Sökande", M_SOLO], [M_SOLO], 1),
    Case("SOS-107", [M_SOLO.replace(";", "\t")], [M_SOLO], 1),
    Case("SOS-108", [M_SOLO, M_MED.rsplit(";", 2)[0]], [M_SOLO, M_MED], 2),
    Case("SOS-109", [M_SOLO + ";"], [M_SOLO], 1),
    Case("SOS-110", [_replace(M_SOLO, 7, " 5230")], [M_SOLO], 1),
    Case("SOS-111", [M_MED, SPLIT_A, SPLIT_B], [M_MED, M_SOLO], 2),
    Case("SOS-112", M_SOLO.replace("0330", "03\ufffd0") + "\r\n", [M_SOLO], 1),
    # --- field stage ---
    Case("SOS-201", [_replace(M_SOLO, 4, "")], [M_SOLO], 1),
    Case("SOS-202", [M_MED, _replace(M_SOLO, 7, "5230,50")], [M_MED, M_SOLO], 2),
    Case("SOS-203", [_replace(M_SOLO, 1, "12345")], [_replace(M_SOLO, 1, "1234")], 1),
    # a number field without a length holds 18 characters (fits Int64), not 19
    Case("SOS-203", [_replace(M_SOLO, 7, "9" * 19)], [_replace(M_SOLO, 7, "9" * 18)], 1),
    Case("SOS-204", [_replace(M_MED, 13, "45")], [M_MED], 1),
    Case("SOS-205", [_replace(M_SOLO, 11, "9")], [M_SOLO], 1),
    Case(
        "SOS-206",
        [_replace(M_SOLO, 11, "8")],
        [M_SOLO],
        1,
        kw={"codelists": {"ekb_arbetsmarknadsinsats": _insats_list(**{"8": {"valid_to": 2020}})}},
    ),
    Case(
        "SOS-207",
        [_replace(M_SOLO, 11, "8")],
        [M_SOLO],
        1,
        kw={"codelists": {"ekb_arbetsmarknadsinsats": _insats_list(**{"8": {"valid_from": 2030}})}},
    ),
    Case("SOS-208", [_replace(M_SOLO, 0, "330")], [M_SOLO], 1),
    Case("SOS-209", [_replace(M_SOLO, 0, "9999")], [M_SOLO], 1),
    Case("SOS-210", [_replace(M_SOLO, 4, P2[:-1] + str((int(P2[-1]) + 1) % 10))], [M_SOLO], 1),
    Case("SOS-211", [M_MED, _replace(M_SOLO, 4, "1,99201E+11")], [M_MED, M_SOLO], 2),
    Case(
        "SOS-212",
        [M_SOLO, _replace(M_MED, 2, "202302")],
        [M_SOLO, M_MED],
        2,
        kw={"spec": _spec_without_period_override()},
    ),
    # --- EKB field checks ---
    Case("EKB-001", [M_SOLO, _replace(M_MED, 2, "202302")], [M_SOLO, M_MED], 2),
    Case("EKB-010", [_replace(M_SOLO, 9, "999")], [M_SOLO], 1),
    Case("EKB-011", [M_MED, _replace(M_SOLO, 9, "011")], [M_MED, M_SOLO], 2),
    Case("EKB-013", [_replace(M_SOLO, 9, "21")], [M_SOLO], 1),
    Case("EKB-069", [_replace(M_MED, 10, "999")], [M_MED], 1),
    Case("EKB-070", [_replace(M_MED, 10, "080")], [M_MED], 1),
    # --- EKB record stage ---
    Case(
        "EKB-012",
        [A_MED, annual(P2, None, {})],
        [A_MED, A_SOLO],
        2,
        file="ar",
    ),
    # the FAQ's example: no amount in the year, only an avslutsorsak for December before
    Case(
        "EKB-012",
        [A_MED, annual(P2, None, {}, ("202302", "1", "", "1"))],
        [A_MED, annual(P2, None, {}, ("202212", "1", "", "1"))],
        2,
        file="ar",
    ),
    Case(
        "EKB-014",
        [A_MED, annual(P2, None, {2: A_SOLO_FEB}, ("202302", "1", "", ""))],
        [A_MED, annual(P2, None, {2: A_SOLO_FEB}, ("202302", "1", "", "1"))],
        2,
        file="ar",
    ),
    Case(
        "EKB-015",
        [A_MED, annual(P2, None, {2: A_SOLO_FEB}, ("202303", "1", "", "1"))],
        [A_MED, annual(P2, None, {2: A_SOLO_FEB}, ("202302", "1", "", "1"))],
        2,
        file="ar",
    ),
    Case("EKB-020", [_replace(M_MED, 5, P0)], [M_MED], 1),
    Case("EKB-021", [_replace(M_SOLO, 4, CHILD)], [M_SOLO], 1),
    Case("EKB-022", [M_SOLO, _replace(M_MED, 5, CHILD)], [M_SOLO, M_MED], 2),
    Case("EKB-023", [_replace(M_SOLO, 4, UNBORN)], [M_SOLO], 1),
    Case("EKB-024", [_replace(M_SOLO, 10, "111")], [M_SOLO], 1),
    Case("EKB-025", [_replace(M_SOLO, 5, P1)], [M_SOLO], 1),
    Case("EKB-027", [_replace(M_SOLO, 13, "5")], [M_SOLO], 1),
    Case("EKB-028", [_replace(_replace(M_SOLO, 7, "0"), 8, "0")], [M_SOLO], 1),
    Case("EKB-029", [_replace(M_SOLO, 3, "202212")], [M_SOLO], 1),
    Case("EKB-029", [AO_MED, _replace(AO_SOLO, 3, "202209")], [AO_MED, AO_SOLO], 2, file="ao"),
    Case(
        "EKB-040",
        [annual(P2, None, {1: ("5230", "021", "", "0", ""), 2: ("", "021", "", "", "")})],
        [A_SOLO],
        1,
        file="ar",
    ),
    Case(
        "EKB-041",
        [annual(P2, None, {1: ("5230", "", "", "0", "")})],
        [A_SOLO],
        1,
        file="ar",
    ),
    # --- SoL ---
    Case("SOL-001", [S1, _replace(S1_B, 2, "202302")], [S1, S1_B], 2, file="sol1"),
    Case("SOL-010", [S2_OPEN, _replace(S2, 9, "20221232")], [S2_OPEN, S2], 2, file="sol2"),
    Case("SOL-020", [_replace(S2, 9, "20230106")], [S2], 1, file="sol2"),
    Case("SOL-021", [_replace(S2, 11, "20230104")], [S2], 1, file="sol2"),
    Case("SOL-022", [_replace(_replace(S2, 10, "20221201"), 11, "20221224")], [S2], 1, file="sol2"),
    Case("SOL-023", [S2, _replace(S2_OPEN, 10, "20230201")], [S2, S2_OPEN], 2, file="sol2"),
    Case("SOL-024", [_replace(S1, 22, "1")], [S1], 1, file="sol1"),
    Case("SOL-024", [_replace(S1_B, 22, "0")], [S1_B], 1, file="sol1"),
    Case("SOL-025", [S1_B, _replace(S1, 5, "0")], [S1_B, S1], 2, file="sol1"),
    Case("SOL-026", [_replace(S2, 12, "8")], [S2], 1, file="sol2"),
    Case("SOL-026", [_replace(S2_OPEN, 12, "3")], [S2_OPEN], 1, file="sol2"),
    Case("SOL-030", [S1, S1_B, _replace(S1, 4, "1")], [S1, S1_B], 3, file="sol1"),
    Case("SOL-031", [S2, S2_OPEN, _replace(S2, 12, "3")], [S2, S2_OPEN], 3, file="sol2"),
    # --- KHSL ---
    Case("KHSL-001", [K1, _replace(K1_B, 2, "202212")], [K1, K1_B], 2, file="khsl1"),
    Case("KHSL-002", [K2, _replace(K2_B, 6, "20230201")], [K2, K2_B], 2, file="khsl2"),
    Case("KHSL-010", [_replace(K2, 5, "P0008")], [K2], 1, file="khsl2"),
    Case("KHSL-011", [_replace(K2, 5, "PD000")], [K2], 1, file="khsl2"),
    Case("KHSL-012", [K2_B, _replace(K2, 5, "XS919")], [K2_B, K2], 2, file="khsl2"),
    Case("KHSL-013", [_replace(K2, 5, "PD008  ")], [K2], 1, file="khsl2"),
    Case("KHSL-013", [_replace(K2, 5, "PD00800")], [K2], 1, file="khsl2"),
    Case(
        "SOS-213",
        [_replace(K2, 5, "PD00800")],
        [K2],
        1,
        file="khsl2",
        kw={"spec": _khsl2_spec(lambda t: t.replace('"code.padded" = "KHSL-013", ', ""))},
    ),
    Case(
        "KHSL-014",
        [K2],
        [K2],
        1,
        file="khsl2",
        kw={"codelists": _kva(("QB010", 2019, None))},
        good_kw={"codelists": _kva(("QB010", 2019, None), ("PD008", 2019, None))},
    ),
    Case(
        "KHSL-015",
        [K2],
        [K2],
        1,
        file="khsl2",
        kw={"codelists": _kva(("QB010", 2019, None), ("PD008", 2019, 2022))},
        good_kw={"codelists": _kva(("QB010", 2019, None), ("PD008", 2019, 2023))},
    ),
    Case("KHSL-016", [_replace(K2, 7, "PD008")], [K2], 1, file="khsl2"),
    Case("KHSL-020", [_replace(_replace(K2, 9, "XS910"), 8, "")], [K2], 1, file="khsl2"),
    Case("KHSL-021", [_replace(K2_B, 8, "XS919")], [K2_B], 1, file="khsl2"),
    Case("KHSL-022", [_replace(K2, 3, "1")], [K2], 1, file="khsl2"),
    Case("KHSL-030", [K1, K1_B, _replace(K1, 5, "2")], [K1, K1_B], 3, file="khsl1"),
    Case("KHSL-031", [K2, K2_B, K2], [K2, K2_B], 3, file="khsl2"),
    Case(
        "SOS-214",
        [M_MED, _replace(M_SOLO, 0, "0114"), _replace(M_SOLO, 4, P3)],
        [M_MED, M_SOLO, _replace(M_SOLO, 4, P3)],
        2,
    ),
    Case(
        "SOS-214",
        [M_SOLO],
        [M_SOLO],
        1,
        kw={"name": "Ekb_0114_202301_20230214T0930.txt"},
        good_kw={"name": "Ekb_0330_202301_20230214T0930.txt"},
    ),
    # a personnummer where a number belongs (issue 19): never a number in a table
    Case(
        "SOS-216",
        [M_SOLO],
        [M_SOLO],
        None,
        kw={"name": "Ekb_198903075094_202301.txt"},
        good_kw={"name": "Ekb_0330_202301_20230214T0930.txt"},
    ),
    Case("SOS-215", [M_MED, _replace(M_SOLO, 7, "194609869740")], [M_MED, M_SOLO], 2),
    Case("SOS-215", [_replace(M_SOLO, 8, "-8503122345")], [_replace(M_SOLO, 8, "-85031")], 1),
    Case("SOS-215", [_replace(M_SOLO, 6, "0194609869740")], [_replace(M_SOLO, 6, "1")], 1),
    Case("SOS-215", [_replace(M_SOLO, 13, "198503122345")], [M_SOLO], 1),
    Case("SOS-215", [_replace(S1, 6, "8503122345")], [S1, _replace(S1, 6, "744")], 1, file="sol1"),
    Case(
        "EKB-020",
        [_replace(_replace(M_MED, 4, "19700101T123"), 5, "19700101T123")],
        [_replace(_replace(M_MED, 4, "1970TF00"), 5, "1970TF00")],
        1,
    ),
    Case("EKB-030", [_replace(M_SOLO, 6, "11")], [_replace(M_SOLO, 6, "10")], 1),
    Case(
        "EKB-031", [M_MED, _replace(M_SOLO, 7, "60001")], [M_MED, _replace(M_SOLO, 7, "60000")], 2
    ),
    Case(
        "EKB-031",
        [annual(P2, None, {3: ("75000", "021", "", "0", "")})],
        [annual(P2, None, {3: ("60000", "021", "", "0", "")})],
        1,
        file="ar",
    ),
    # --- EKB cross-record ---
    Case("EKB-050", [M_SOLO, M_MED, _replace(M_SOLO, 7, "100")], [M_SOLO, M_MED], 3),
    Case("EKB-051", [M_MED, _replace(M_SOLO, 4, P1)], [M_MED, M_SOLO], 2),
]


def _register_cases() -> tuple[list[Case], dict[str, str]]:
    """Rule cases of registers kept in modules of their own: ``tests/cases_<name>.py``
    with ``CASES`` (a list of :class:`Case`) and, optionally, ``ELSEWHERE`` (rule code ->
    test module, for rules tested elsewhere, e.g. cross-file)."""
    import importlib

    cases: list[Case] = []
    elsewhere: dict[str, str] = {}
    for path in sorted(Path(__file__).parent.glob("cases_*.py")):
        module = importlib.import_module(path.stem)
        cases.extend(module.CASES)
        elsewhere.update(getattr(module, "ELSEWHERE", {}))
    return cases, elsewhere


_MORE_CASES, _MORE_ELSEWHERE = _register_cases()
CASES.extend(_MORE_CASES)


def _ids(case: Case) -> str:
    return f"{case.code}-{case.file}"


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_rule_fires(case: Case) -> None:
    report = run(case.bad, case.file, **case.kw)
    hits = report.by_code(case.code)
    assert hits, f"{case.code} did not fire: {[(f.code, f.line) for f in report.findings]}"
    rule = CATALOGUE[case.code]
    assert hits[0].severity is rule.severity
    assert hits[0].line == case.line
    assert hits[0].message("sv") != hits[0].message("en")


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_rule_quiet_on_good_input(case: Case) -> None:
    kw = case.kw if case.good_kw is None else case.good_kw
    report = run(case.good, case.file, **kw)
    assert case.code not in report.codes(), [(f.code, f.line, f.message()) for f in report.findings]


def test_every_rule_says_where_it_comes_from() -> None:
    """A source per rule, as data (`source` in its rules.toml), ending in the provenance
    of the facts it rests on, or saying that it is sosreg's own check."""
    import re

    all_registers()
    tag = re.compile(r"\[(seed|public|provisional)\]")
    for rule in CATALOGUE:
        assert rule.source, f"{rule.code} has no source"
        assert "\n" not in rule.source and len(rule.source) <= 400, rule.code
        assert tag.search(rule.source) or "sosreg" in rule.source, (
            f"{rule.code}: no [seed]/[public]/[provisional] tag in {rule.source!r}"
        )


def test_every_rule_has_a_case() -> None:
    all_registers()
    # rules with tests of their own (several files, a raising rule, a previous period)
    elsewhere = {
        "SOS-900": "test_rules.py",
        "SOS-301": "test_delivery.py",
        "SOS-302": "test_delivery.py",
        "SOS-303": "test_delivery.py",
        "SOS-304": "test_deliveries.py",
        "SOS-305": "test_deliveries.py",
        "SOS-306": "test_deliveries.py",
        "EKB-060": "test_rules.py",
        "EKB-061": "test_rules.py",
        "EKB-062": "test_rules.py",
        "EKB-063": "test_rules.py",
        "SOS-015": "test_previous_and_frames.py",
        "SOS-016": "test_previous_and_frames.py",
        "SOS-017": "test_previous_and_frames.py",
        "EKB-080": "test_previous_and_frames.py",
        "EKB-081": "test_previous_and_frames.py",
        "SOL-080": "test_previous_and_frames.py",
        "KHSL-080": "test_previous_and_frames.py",
        # the portal stage (a day, a name) and declarations
        "SOS-030": "test_collection.py",
        "SOS-031": "test_collection.py",
        "SOS-032": "test_collection.py",
        "SOS-033": "test_collection.py",
        "SOS-034": "test_collection.py",
        "SOS-035": "test_collection.py",
    }
    elsewhere.update(_MORE_ELSEWHERE)
    here = Path(__file__).parent
    for code, module in elsewhere.items():
        assert f'"{code}"' in (here / module).read_text("utf-8"), (code, module)
    covered = {c.code for c in CASES} | set(elsewhere)
    missing = sorted(r.code for r in CATALOGUE if r.code not in covered)
    assert not missing, f"rules without a test case: {missing}"


def test_every_register_rule_is_implemented_or_named_by_a_field() -> None:
    for reg in all_registers():
        named = {code for s in sosreg.registers.specs(reg.name) for code in s.named_codes()}
        implemented = reg.implemented_codes()
        for rule in CATALOGUE.for_register(reg.name):
            if rule.register != reg.name:
                continue
            assert rule.code in implemented | named, f"{rule.code} is neither implemented nor named"
            if rule.check is not None:
                assert rule.code in named, f"{rule.code} is a field check no field names"


def test_messages_have_no_unknown_placeholders() -> None:
    """Every placeholder in a message is filled by the finding that fires it."""
    for case in CASES:
        report = run(case.bad, case.file, **case.kw)
        for f in report.by_code(case.code):
            rule = CATALOGUE[f.code]
            params = {k.removesuffix("_sv").removesuffix("_en") for k, _ in f.params}
            params |= {"field", "value"}
            missing = rule.placeholders() - params
            assert not missing, (f.code, missing)


def test_rule_that_raises_becomes_one_internal_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    reg = sosreg.registers.get("ekb")
    rule = next(r for r in reg.record_rules if "EKB-020" in r.codes)

    def boom(rec: Any, line: int, ctx: Any) -> Any:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(rule, "fn", boom)
    report = run([M_SOLO, M_MED])
    internal = report.by_code("SOS-900")
    assert [f.line for f in internal] == [1, 2]
    assert internal[0].param_dict["rule"] == "EKB-020"
    assert internal[0].param_dict["error"] == "ZeroDivisionError"
    assert report.status is sosreg.Status.INTE_GODKAND
    # the other rules still ran: EKB-021 fires beside the broken rule
    other = run([M_SOLO.replace(P2, CHILD)])
    assert {"SOS-900", "EKB-021"} <= other.codes()


def test_cross_file_rules(tmp_path: Any) -> None:
    manad = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    manad.write_bytes(("\r\n".join([M_SOLO, M_MED]) + "\r\n").encode())
    ao = tmp_path / "Ekb_AO_0330_202301_20230214T0931.txt"
    ao.write_bytes(("\r\n".join([AO_MED, _replace(AO_SOLO, 3, "202301")]) + "\r\n").encode())
    result = sosreg.validate_delivery([manad, ao])
    e60 = [f for f in result.findings if f.code == "EKB-060"]
    assert [f.line for f in e60] == [2]
    assert e60[0].severity is sosreg.Severity.WARNING
    assert "EKB-061" not in {f.code for f in result.findings}
    assert result.status is sosreg.Status.GODKAND_MED_VARNINGAR

    good_ao = tmp_path / "Ekb_AO_0330_202301_20230214T0932.txt"
    good_ao.write_bytes((AO_MED + "\r\n").encode())
    result = sosreg.validate_delivery([manad, good_ao])
    assert not result.findings
    assert result.status is sosreg.Status.GODKAND

    result = sosreg.validate_delivery([manad])
    e61 = [f for f in result.findings if f.code == "EKB-061"]
    assert len(e61) == 1 and e61[0].line is None
    assert e61[0].severity is sosreg.Severity.WARNING
    assert "EKB-AO" in e61[0].message()


def test_bom_is_reported_not_an_error() -> None:
    report = run(codecs.BOM_UTF8 + (M_SOLO + "\r\n").encode())
    assert report.status is sosreg.Status.GODKAND
    assert "BOM" in report.by_code("SOS-003")[0].message()


def test_annual_file_against_monthly_files(tmp_path: Any) -> None:
    manad = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    manad.write_bytes(("\r\n".join([M_SOLO, M_MED]) + "\r\n").encode())
    ar = tmp_path / "Ekb_0330_2023_20240410T0900.txt"
    # A_MED pays 8450 in January; the monthly file paid 8450 + 1200 to that household
    ar.write_bytes(("\r\n".join([A_SOLO, A_MED]) + "\r\n").encode())
    result = sosreg.validate_delivery([manad, ar])
    e62 = [f for f in result.findings if f.code == "EKB-062"]
    assert [(f.line, f.field, f.severity) for f in e62] == [
        (2, "belopp_01", sosreg.Severity.WARNING)
    ]
    assert "9650" in e62[0].message() and "8450" in e62[0].message()

    agreeing = annual(P0, P1, {1: ("9650", "111", "051", "2", "0")})
    ar.write_bytes(("\r\n".join([A_SOLO, agreeing]) + "\r\n").encode())
    result = sosreg.validate_delivery([manad, ar])
    assert not {"EKB-062", "EKB-063"} & {f.code for f in result.findings}

    ar.write_bytes((A_SOLO + "\r\n").encode())
    result = sosreg.validate_delivery([manad, ar])
    e63 = [f for f in result.findings if f.code == "EKB-063"]
    assert [(f.line, f.severity) for f in e63] == [(2, sosreg.Severity.WARNING)]


@pytest.mark.parametrize(
    ("sokande", "medsokande"),
    [(P0, P1), ("19850312T123", "19870521T456"), (P0, "19870521T456"), ("19850312T123", P1)],
    ids=["personnummer", "temporary ids", "mixed", "mixed-2"],
)
def test_a_household_repeated_is_one_finding(sokande: str, medsokande: str) -> None:
    """A line that repeats an earlier line's household (the same sökande and medsökande)
    is EKB-050 only; a medsökande who is medsökande of *another* sökande elsewhere is
    EKB-051 (two households); the same for personnummer and temporary ids."""
    household = _replace(_replace(M_MED, 4, sokande), 5, medsokande)
    again = _replace(household, 7, "100")
    report = run([household, M_SOLO, again], "manad")
    found = [(f.code, f.line, f.field) for f in report.findings if f.code.startswith("EKB-05")]
    assert found == [("EKB-050", 3, "sokande")]
    other = _replace(household, 4, P3)  # another sökande with the same medsökande
    report = run([household, M_SOLO, other], "manad")
    found = [(f.code, f.line, f.field) for f in report.findings if f.code.startswith("EKB-05")]
    assert found == [("EKB-051", 3, "medsokande")]
    assert report.by_code("EKB-051")[0].severity is sosreg.Severity.ERROR


def test_wrong_count_messages_say_what_is_missing_and_what_a_split_half_is() -> None:
    """One field missing is "fält 15 saknas" (not "fält 15–15"); the second half of a
    split line is "the rest of line N", not where that half happens to end."""
    report = run([M_MED, M_SOLO.rsplit(";", 1)[0]], "manad")
    (short,) = report.by_code("SOS-108")
    assert short.line == 2
    assert "fält 15 saknas" in short.message() and "15–15" not in short.message()
    assert "field 15 is missing" in short.message("en")
    report = run([M_MED, SPLIT_A, SPLIT_B, M_SOLO], "manad")
    first, second = report.by_code("SOS-108")
    assert (first.line, second.line) == (2, 3)
    assert "fält 9–15 saknas" in first.message()
    assert "resten av rad 2 (fält 8–15)" in second.message()
    assert "the rest of line 2 (fields 8–15)" in second.message("en")
    assert "slutar efter" not in second.message()
    assert [(f.line, f.code) for f in report.by_code("SOS-111")] == [(2, "SOS-111")]


def test_no_data_lines_message_counts_without_grammar_trouble() -> None:
    (f,) = run(["Kommun;Stadsdel;Period"], "manad").by_code("SOS-008")
    assert "(rader lästa: 1)" in f.message() and "(lines read: 1)" in f.message("en")


# -- plurals: {n|singular|plural} in messages and headings (issue 19 item 12) -------------


def test_inflect_chooses_the_word_for_the_count() -> None:
    from sosreg.engine.rules import inflect, say

    assert say("{n} {n|varning|varningar}", n=1) == "1 varning"
    assert say("{n} {n|varning|varningar}", n=0) == "0 varningar"
    assert say("{n} {n|varning|varningar}", n=2) == "2 varningar"
    assert say("{n} {n|field|fields}", n=-1) == "-1 field"
    assert say("{n} {n|field|fields}", n=11) == "11 fields"
    assert inflect("{n} {n|a|b} {other}", {}) == "{n} b {other}"  # unknown count: plural
    assert inflect("no plural here {x}", {"x": 1}) == "no plural here {x}"


def test_messages_inflect_their_counts() -> None:
    """Every rule with {n|singular|plural}: the singular for 1, the plural for 2."""
    import re

    from sosreg.engine.findings import Category, Finding
    from sosreg.engine.severity import Severity

    plural = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")
    seen = 0
    for rule in CATALOGUE:
        for lang, text in (("sv", rule.message_sv), ("en", rule.message_en)):
            for m in plural.finditer(text):
                seen += 1
                name, one, many = m.groups()
                for n, word in (("1", one), ("2", many)):
                    f = Finding(rule.code, Severity.ERROR, Category.LINE, 1, None, None, {name: n})
                    assert f"{n} {word}" in f.message(lang), (rule.code, lang, f.message(lang))
    assert seen >= 10


def test_a_real_count_of_one_is_singular() -> None:
    one = sosreg.validate(io.BytesIO((M_SOLO + ";\r\n").encode()), register="ekb", file="manad")
    (extra,) = one.by_code("SOS-109")
    assert "with 1 semicolon too many" in extra.message("en"), extra.message("en")
    two = sosreg.validate(io.BytesIO((M_SOLO + ";;\r\n").encode()), register="ekb", file="manad")
    assert "2 semicolons too many" in two.by_code("SOS-109")[0].message("en")


def test_every_count_in_a_message_is_inflected() -> None:
    """A placeholder followed by a counted noun that has a plural must use
    {n|singular|plural} (English: the noun ends in s; Swedish: a noun whose plural differs)."""
    import re

    counted_en = re.compile(
        r"\{(\w+)\} (characters|fields|semicolons|lines|records|persons|people|households|"
        r"children|files|rows|errors|warnings|days|months|times)\b"
    )
    counted_sv = re.compile(
        r"\{(\w+)\} (rader|poster|personer|filer|varningar|dagar|månader|gånger)\b"
    )
    bad = [
        (rule.code, m.group(0))
        for rule in CATALOGUE
        for text, rx in ((rule.message_en, counted_en), (rule.message_sv, counted_sv))
        for m in rx.finditer(text)
        if m.group(1) not in ("kind",)  # "two {kind} files": a name, not a count
    ]
    assert not bad, bad
