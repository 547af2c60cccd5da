"""The BU register: three files (barn, insats, placering) validated alone and together.

The per-file rules have their cases in ``cases_bu.py``; here: the delivery's rules
(references, joined rules, the cross-file rule), each on the right file and line and
quiet on the valid delivery, the bundled examples, the CLI and the strategies."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from cases_bu import (
    BARN,
    BARN_A,
    BARN_C,
    INS_A,
    INS_B2,
    INS_C,
    INSATS,
    PL_A1,
    PL_A2,
    PL_B1,
    PL_B2,
    PL_B3,
    PL_C1,
    PLACERING,
    A,
    P,
    _replace,
)
from helpers import run
from hypothesis import given

import sosreg
from sosreg import registers
from sosreg.cli import main
from sosreg.engine.rules import CATALOGUE
from sosreg.registers.bu.strategies import delivery

EXAMPLES = Path(__file__).parent.parent / "examples"
VALID = [
    EXAMPLES / "BU_BARN_0330_2023_20240125T0900.txt",
    EXAMPLES / "BU_INSATS_0330_2023_20240125T0901.txt",
    EXAMPLES / "BU_PLACERING_0330_2023_20240125T0902.txt",
]
DAMAGED = [
    EXAMPLES / "BU_BARN_0330_2023_20240125T1000_med-fel.txt",
    EXAMPLES / "BU_INSATS_0330_2023_20240125T1001_med-fel.txt",
    EXAMPLES / "BU_PLACERING_0330_2023_20240125T1002_med-fel.txt",
]
NAMES = {
    "barn": "BU_BARN_0330_2023_20240125T0900.txt",
    "insats": "BU_INSATS_0330_2023_20240125T0901.txt",
    "placering": "BU_PLACERING_0330_2023_20240125T0902.txt",
}
CROSS = ("BU-060", "BU-061", "BU-062", "BU-063", "BU-064", "BU-065", "BU-066")


def _write(path: Path, lines: list[str]) -> Path:
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    return path


def deliver(
    tmp_path: Path,
    barn: list[str] | None = BARN,
    insats: list[str] | None = INSATS,
    placering: list[str] | None = PLACERING,
) -> sosreg.DeliveryReport:
    """The files given (``None``: left out of the delivery), validated together."""
    paths = [
        _write(tmp_path / NAMES[file], lines)
        for file, lines in (("barn", barn), ("insats", insats), ("placering", placering))
        if lines is not None
    ]
    return sosreg.validate_delivery(paths)


def cross(result: sosreg.DeliveryReport, *codes: str) -> list[tuple[str, str, int | None]]:
    """(code, file, line) of the delivery's findings of ``codes`` (all BU cross-file
    rules by default), the file read from the file name the finding names."""
    wanted = codes or CROSS
    file_of = {name: file for file, name in NAMES.items()}
    return sorted(
        (f.code, file_of.get(str(f.param_dict.get("name")), "?"), f.line)
        for f in result.findings
        if f.code in wanted
    )


# --- the valid delivery --------------------------------------------------------------------


def test_valid_delivery_is_godkand(tmp_path: Path) -> None:
    result = deliver(tmp_path)
    assert not result.findings, [(f.code, f.line, f.message()) for f in result.findings]
    assert result.status is sosreg.Status.GODKAND
    assert all(r.status is sosreg.Status.GODKAND for r in result.reports)


@pytest.mark.parametrize(
    ("file", "lines"), [("barn", BARN), ("insats", INSATS), ("placering", PLACERING)]
)
def test_each_file_alone_is_godkand(file: str, lines: list[str]) -> None:
    report = run(lines, file)
    assert report.status is sosreg.Status.GODKAND, report.to_text()
    assert report.records == len(lines)


def test_cross_file_rules_need_the_other_file(tmp_path: Path) -> None:
    """A delivery without a file of the level referred to checks nothing against it."""
    assert not cross(deliver(tmp_path, barn=None))
    assert not cross(deliver(tmp_path, placering=None))
    assert not cross(deliver(tmp_path, barn=None, insats=None))


# --- references ------------------------------------------------------------------------------


def test_insats_without_child_is_an_error(tmp_path: Path) -> None:
    result = deliver(tmp_path, barn=[b for b in BARN if b != BARN_C])
    assert cross(result, "BU-060") == [("BU-060", "insats", INSATS.index(INS_C) + 1)]
    (f,) = [f for f in result.findings if f.code == "BU-060"]
    assert f.severity is sosreg.Severity.ERROR
    assert NAMES["barn"] in f.message() and "2023" in f.message("en")
    assert result.status is sosreg.Status.INTE_GODKAND


def test_child_without_insats_is_a_warning(tmp_path: Path) -> None:
    result = deliver(tmp_path, insats=[i for i in INSATS if i != INS_C])
    # the placeringar of that insats now lack it too
    assert cross(result, "BU-061") == [("BU-061", "barn", BARN.index(BARN_C) + 1)]
    (f,) = [f for f in result.findings if f.code == "BU-061"]
    assert f.severity is sosreg.Severity.WARNING
    assert NAMES["insats"] in f.message("en")
    assert "20070115-****" in f.message() and "T104" not in f.message()


def test_placering_without_insats_is_an_error(tmp_path: Path) -> None:
    stray = _replace(PL_A2, 4, "7")
    result = deliver(tmp_path, placering=[*PLACERING, stray])
    assert cross(result, "BU-062") == [("BU-062", "placering", len(PLACERING) + 1)]
    (f,) = [f for f in result.findings if f.code == "BU-062"]
    assert f.severity is sosreg.Severity.ERROR
    assert "insats 7" in f.message() and "measure 7" in f.message("en")


def test_insats_without_placering_is_a_warning(tmp_path: Path) -> None:
    result = deliver(tmp_path, placering=[p for p in PLACERING if p != PL_B2 and p != PL_B3])
    assert cross(result) == [("BU-063", "insats", INSATS.index(INS_B2) + 1)]
    assert result.status is sosreg.Status.GODKAND_MED_VARNINGAR


def test_references_are_within_the_statistical_year(tmp_path: Path) -> None:
    """A child file of another year is not the one the insatser refer to."""
    barn_2022 = [_replace(b, 2, "2022") for b in BARN]
    paths = [
        _write(tmp_path / "BU_BARN_0330_2022_20230125T0900.txt", barn_2022),
        _write(tmp_path / NAMES["insats"], INSATS),
    ]
    result = sosreg.validate_delivery(paths)
    assert not cross(result)


# --- joined rules: placeringar within their insats -------------------------------------------


def test_placering_before_its_insats(tmp_path: Path) -> None:
    # insats B2 starts 20230301; its first placering may start then, not the day before
    index = PLACERING.index(PL_B2) + 1
    for start, fires in (("20230228", True), ("20230301", False)):
        placering = [_replace(PL_B2, 7, start) if p == PL_B2 else p for p in PLACERING]
        result = deliver(tmp_path, placering=placering)
        found = [f for f in result.findings if f.code == "BU-064"]
        assert [(f.line, f.field) for f in found] == ([(index, "startdatum")] if fires else [])
        if fires:
            assert found[0].severity is sosreg.Severity.ERROR
            assert NAMES["insats"] in found[0].message()
            assert "20230228" in found[0].message("en") and "20230301" in found[0].message("en")


def test_placering_after_its_insats_ended(tmp_path: Path) -> None:
    # insats B1 ended 20230228: its placering ends by then; later, or never, is outside it
    index = PLACERING.index(PL_B1) + 1
    for end, fires in (("20230301", True), ("", True), ("20230228", False), ("20230227", False)):
        placering = [_replace(PL_B1, 8, end) if p == PL_B1 else p for p in PLACERING]
        result = deliver(tmp_path, placering=placering)
        found = [f for f in result.findings if f.code == "BU-064"]
        assert [(f.line, f.field) for f in found] == ([(index, "slutdatum")] if fires else []), end
        if fires:
            assert ("pågår" in found[0].message()) == (end == "")
            assert ("ongoing" in found[0].message("en")) == (end == "")


def test_overlapping_placeringar(tmp_path: Path) -> None:
    # C's first placering ends 20230601, the second starts then: a move, not an overlap
    c1 = PL_C1
    late_end = _replace(c1, 8, "20230602")
    placering = [late_end if p == c1 else p for p in PLACERING]
    result = deliver(tmp_path, placering=placering)
    second = PLACERING.index(c1) + 2
    assert cross(result) == [("BU-065", "placering", second)]
    (f,) = [f for f in result.findings if f.code == "BU-065"]
    assert f.severity is sosreg.Severity.ERROR
    assert f"rad {second - 1}" in f.message() and f"line {second - 1}" in f.message("en")
    # an open placering overlaps every later one of its insats, once each
    open_first = [_replace(PL_A1, 8, "") if p == PL_A1 else p for p in PLACERING]
    result = deliver(tmp_path, placering=open_first)
    assert cross(result) == [("BU-065", "placering", 2)]
    three = [*PLACERING, f"{P}{A};1;3;3;20230301;"]
    result = deliver(tmp_path, placering=three)
    assert cross(result) == [("BU-065", "placering", len(three))]


# --- the cross-file rule -----------------------------------------------------------------


def test_temporary_id_with_another_birth_date_than_in_the_child_file(tmp_path: Path) -> None:
    typo = "20070116T104"  # C is 20070115T104
    insats = [i.replace(BARN_C.split(";")[3], typo) if i == INS_C else i for i in INSATS]
    result = deliver(tmp_path, insats=insats)
    line = INSATS.index(INS_C) + 1
    assert ("BU-066", "insats", line) in cross(result)
    (f,) = [f for f in result.findings if f.code == "BU-066"]
    assert f.severity is sosreg.Severity.WARNING
    assert "20070115" in f.message() and "T104" in f.message("en")
    assert typo not in f.message()  # the id is masked
    # another number is a child not in the file, nothing more
    other = [i.replace(BARN_C.split(";")[3], "20070116T105") if i == INS_C else i for i in INSATS]
    assert "BU-066" not in {c for c, _, _ in cross(deliver(tmp_path, insats=other))}


# --- the examples --------------------------------------------------------------------------


def test_example_delivery_is_godkand() -> None:
    result = sosreg.validate_delivery(VALID)
    assert result.status is sosreg.Status.GODKAND, result.findings
    assert not result.findings
    for path in VALID:
        assert sosreg.validate(path).status is sosreg.Status.GODKAND


@pytest.mark.parametrize("path", VALID + DAMAGED, ids=lambda p: p.name)
def test_examples_round_trip(path: Path) -> None:
    parsed = sosreg.parse(path)
    records = list(parsed.records())
    assert parsed.register.name == "bu" and parsed.period == 2023 and parsed.kommun == "0330"
    assert sosreg.serialize(records, format=parsed.format) == path.read_bytes()
    assert path.read_bytes().count(b"\r\n") == len(records)


def test_damaged_example_delivery() -> None:
    result = sosreg.validate_delivery(DAMAGED)
    per_file = {
        r.file: sorted((f.line or 0, f.code) for f in r.findings if f.severity)
        for r in result.reports
    }
    assert per_file == {
        "barn": [
            (2, "BU-021"),
            (4, "BU-050"),
            (4, "BU-053"),
            (5, "BU-054"),
            (6, "BU-011"),
            (6, "BU-020"),
        ],
        "insats": [
            (2, "BU-036"),
            (3, "BU-030"),
            (4, "BU-035"),
            (5, "BU-032"),
            (6, "BU-033"),
            (7, "BU-034"),
            (8, "BU-037"),
            (9, "BU-051"),
            (11, "BU-010"),
            (12, "BU-038"),
        ],
        "placering": [(5, "BU-052"), (6, "BU-041"), (11, "BU-040"), (12, "BU-042")],
    }
    names = {p.name: p.name.split("_")[1].lower() for p in DAMAGED}
    across = sorted(
        (names[str(f.param_dict["name"])], f.line or 0, f.code) for f in result.findings
    )
    assert across == [
        ("barn", 5, "BU-061"),
        ("insats", 10, "BU-060"),
        ("insats", 13, "BU-063"),
        ("placering", 3, "BU-065"),
        ("placering", 14, "BU-064"),
        ("placering", 16, "BU-062"),
        ("placering", 17, "BU-062"),
        ("placering", 17, "BU-066"),
    ]
    assert result.status is sosreg.Status.INTE_GODKAND


def test_cli_validates_the_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", *map(str, VALID)]) == 0
    assert "GODKÄND" in capsys.readouterr().out
    assert main(["validate", *map(str, DAMAGED)]) == 2
    out = capsys.readouterr().out
    assert "INTE GODKÄND" in out and "BU-065" in out


def test_cli_lists_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--register", "bu"]) == 0
    out = capsys.readouterr().out
    codes = {r.code for r in CATALOGUE.for_register("bu")}
    bu = sorted(c for c in codes if c.startswith("BU-"))
    assert len(bu) == 30
    assert all(c in out for c in bu)
    assert "EKB-010" not in out


# --- names, deadline, register -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "file"),
    [
        ("BU_BARN_0330_2023_20240125T0900.txt", "barn"),
        ("bu_insats_0330_2023_20240125T0900.txt", "insats"),
        ("Bu_Placering_0330_2023_20240125T0900.txt", "placering"),
    ],
)
def test_the_level_token_names_the_file(name: str, file: str) -> None:
    lines = {"barn": [BARN_A], "insats": [INS_A], "placering": [PL_A1]}[file]
    parsed = sosreg.parse(("\r\n".join(lines) + "\r\n").encode(), name=name)
    assert (parsed.register.name, parsed.file, parsed.period, parsed.kommun) == (
        "bu",
        file,
        2023,
        "0330",
    )


def test_a_bu_name_without_a_level_needs_the_file() -> None:
    with pytest.raises(sosreg.UsageError, match="barn, insats, placering"):
        sosreg.parse(b"", name="BU_0330_2023_20240125T0900.txt")


def test_deadline_is_1_february_the_year_after() -> None:
    for file in ("barn", "insats", "placering"):
        assert sosreg.deadline("bu", file, 2023) == dt.date(2024, 2, 1)
        assert sosreg.deadline("bu", file, "2017") == dt.date(2018, 2, 1)


def test_layouts_are_provisional_and_start_2017() -> None:
    specs = registers.specs("bu")
    assert [s.file for s in specs] == ["barn", "insats", "placering"]
    assert all(s.provenance == "provisional" and s.years_from == 2017 for s in specs)
    with pytest.raises(sosreg.UsageError):
        run([BARN_A], "barn", year=2016)


# --- the strategies ------------------------------------------------------------------------


@given(delivery(2023))
def test_strategy_delivery_is_godkand(files: dict[str, list[object]]) -> None:
    assert set(files) == {"barn", "insats", "placering"}
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for file, records in files.items():
            assert records
            kommun = getattr(records[0], "kommun")  # noqa: B009
            path = Path(tmp) / f"BU_{file.upper()}_{kommun}_2023_20240125T0900.txt"
            path.write_bytes(sosreg.serialize(records))
            paths.append(path)
        result = sosreg.validate_delivery(paths)
        assert result.status is sosreg.Status.GODKAND, [
            (f.code, f.line, f.message()) for r in result.reports for f in r.findings if f.severity
        ] + [(f.code, f.line, f.message()) for f in result.findings]
