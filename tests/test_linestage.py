"""The line stage in columns (:mod:`sosreg.engine.linestage`): the lines it takes give the
row engine's findings and records, made once, and the reference never reads them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engines import _summary

import sosreg
from sosreg.engine import columnar, held
from sosreg.engine.core import LineParser

pytest.importorskip("polars")

EKB = {"register": "ekb", "file": "manad", "year": 2023, "period": "202301"}
EKB_LINE = "0180;;202301;202301;{s};;0;8777;0;021;;0;;;"
PERSONS = [
    "197704068555",
    "198508147413",
    "196306010734",
    "197402017037",
    "193811268295",
    "19770406T123",
    "1977TF00",
    "198005TF00",
]
SOL = {"register": "sol", "file": "sol1", "year": 2023, "period": "202301"}
SOL_LINE = "0180;;202301;{s};1;1;79;0;0;9;9;1;8;1;8;9;9;1;8;0;0;8;9;88;0"
SOL_PERSONS = PERSONS[:5]
ENDINGS = ("\r\n", "\n", "")
"""CRLF, LF, and LF without a final newline (the reader's other paths)."""


@pytest.fixture
def referenced(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The lines the reference line stage (``LineParser.parse``) reads, in order."""
    seen: list[int] = []
    parse = LineParser.parse
    first_pass_fn = columnar._first_pass
    first_pass = [False]

    def spy(self: LineParser, pl: Any) -> Any:
        if not first_pass[0]:  # the first pass parses the lines whose key is uncertain
            seen.append(pl.number)
        return parse(self, pl)

    def keys(*args: Any, **kwargs: Any) -> Any:
        first_pass[0] = True
        try:
            return first_pass_fn(*args, **kwargs)
        finally:
            first_pass[0] = False

    monkeypatch.setattr(LineParser, "parse", spy)
    monkeypatch.setattr(columnar, "_first_pass", keys)
    yield seen


def _file(lines: list[str], ending: str) -> bytes:
    if ending:
        return "".join(line + ending for line in lines).encode()
    return "\n".join(lines).encode()


def _both(data: bytes, args: dict[str, Any], seen: list[int]) -> tuple[Any, list[int]]:
    """The row engine's report, after checking the columnar one is the same; and the
    lines the columnar engine sent to the reference."""
    row = sosreg.validate(data, max_details=None, engine="row", **args)
    seen.clear()
    col = sosreg.validate(data, max_details=None, engine="columnar", **args)
    assert _summary(col) == _summary(row)
    return row, list(seen)


def _fed_to_the_row_engine(
    data: bytes, args: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> list[int]:
    """The lines the columnar engine hands to the row engine's ``process``."""
    from sosreg.engine.runner import Runner

    fed: list[int] = []
    process = Runner.process

    def spy(self: Runner, lines: Any, *more: Any, **kwargs: Any) -> Any:
        return process(self, (fed.append(line.number) or line for line in lines), *more, **kwargs)

    monkeypatch.setattr(Runner, "process", spy)
    sosreg.validate(data, max_details=None, engine="columnar", **args)
    return fed


def _clean(n: int = 5) -> list[str]:
    return [EKB_LINE.format(s=PERSONS[i]) for i in range(n)]


@pytest.mark.parametrize("ending", ENDINGS, ids=repr)
def test_a_line_in_quotes_is_repaired_in_columns(ending: str, referenced: list[int]) -> None:
    lines = _clean()
    lines[1] = f'"{lines[1]}"'
    lines[3] = f'  "{lines[3]}" '  # spaces outside the quotes: stripped first
    report, seen = _both(_file(lines, ending), EKB, referenced)
    found = [(f.code, f.severity.code, f.line) for f in report.findings if f.line]
    assert found == [("SOS-104", "error", 2), ("SOS-104", "error", 4)]
    assert report.records == 5
    assert seen == []  # neither line went through the reference line stage


@pytest.mark.parametrize("ending", ENDINGS, ids=repr)
def test_trailing_semicolons_are_repaired_in_columns(ending: str, referenced: list[int]) -> None:
    lines = _clean()
    lines[0] += ";"
    lines[2] = f'"{lines[2]};;;"'  # in quotes too: both findings, in the reference's order
    report, seen = _both(_file(lines, ending), EKB, referenced)
    found = [(f.code, f.line, f.param_dict.get("extra")) for f in report.findings if f.line]
    assert found == [("SOS-109", 1, "1"), ("SOS-104", 3, None), ("SOS-109", 3, "3")]
    assert seen == []


@pytest.mark.parametrize("ending", ENDINGS, ids=repr)
def test_a_repaired_line_a_mask_flags_gets_its_line_findings_once(
    ending: str, referenced: list[int]
) -> None:
    """A repaired line with a wrong code: the row engine diagnoses the code, the line
    stage's finding comes once, before it."""
    lines = _clean()
    lines[1] = '"' + lines[1].replace(";021;", ";999;") + ';"'
    report, seen = _both(_file(lines, ending), EKB, referenced)
    found = [f.code for f in report.findings if f.line == 2]
    assert found == ["SOS-104", "SOS-109", "EKB-010"]
    assert seen == []


@pytest.mark.parametrize("ending", ENDINGS, ids=repr)
def test_a_repaired_line_no_mask_flags_skips_the_row_engine(
    ending: str, referenced: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repaired line's masks are run again on its repaired fields (the first pass saw
    it unrepaired): one no mask flags counts as a clean record, its line-stage finding
    only, without the row engine; one with a wrong code goes to the row engine."""
    lines = _clean()
    lines[0] += ";"
    lines[2] = f'"{lines[2]}"'
    lines[4] = '"' + lines[4].replace(";021;", ";999;") + '"'
    data = _file(lines, ending)
    report, _ = _both(data, EKB, referenced)
    found = [(f.code, f.line) for f in report.findings if f.line]
    assert found == [("SOS-109", 1), ("SOS-104", 3), ("SOS-104", 5), ("EKB-010", 5)]
    assert _fed_to_the_row_engine(data, EKB, monkeypatch) == [5]


@pytest.mark.parametrize("ending", ENDINGS, ids=repr)
def test_a_spaced_line_no_mask_flags_skips_the_row_engine(
    ending: str, referenced: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spaces around values are stripped in the line stage, and the line is then a
    repaired one: its masks run on the stripped values; one no mask flags counts as a
    clean record with its SOS-110 findings only, one with a wrong code (after the
    spaces) goes to the row engine, its line-stage findings first."""
    lines = _clean()
    lines[0] = lines[0].replace(";8777;", "; 8777 ;")
    lines[2] = lines[2].replace(";021;", ";021 ;").replace(";0;;", "; 0;;", 1)
    lines[3] = lines[3].replace(";021;", "; 999;")
    data = _file(lines, ending)
    report, seen = _both(data, EKB, referenced)
    found = [(f.code, f.line, f.field) for f in report.findings if f.line]
    assert found == [
        ("SOS-110", 1, "belopp_forsorjningsstod"),
        ("SOS-110", 3, "hinder_sokande"),
        ("SOS-110", 3, "insats_sokande"),
        ("SOS-110", 4, "hinder_sokande"),
        ("EKB-010", 4, "hinder_sokande"),
    ]
    assert seen == []
    assert report.records == 5
    assert _fed_to_the_row_engine(data, EKB, monkeypatch) == [4]


@pytest.mark.parametrize("ending", ENDINGS, ids=repr)
def test_wrong_field_counts_are_found_in_columns(ending: str, referenced: list[int]) -> None:
    lines = _clean(7)
    lines[1] = ";".join(lines[1].split(";")[:6])  # short, between two whole lines
    lines[3] += ";x"  # one field too many (not empty: no SOS-109)
    lines[5] = '"' + ";".join(lines[5].split(";")[:3]) + '"'
    report, seen = _both(_file(lines, ending), EKB, referenced)
    found = [(f.code, f.line, f.param_dict.get("count")) for f in report.findings if f.line]
    assert found == [
        ("SOS-108", 2, "6"),
        ("SOS-108", 4, "16"),
        ("SOS-104", 6, None),
        ("SOS-108", 6, "3"),
    ]
    assert report.records == 4
    # without a final newline the last line is a block of its own (the reader cuts a
    # block after its last line ending), so short line 6 ends its block and stays with
    # the reference: its neighbour is in the next block (whether the first pass kept
    # the block's flagged lines or the second reads it again)
    assert seen == ([] if ending else [6])
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(held, "HOLD_BYTES", 0)
        _, seen = _both(_file(lines, ending), EKB, referenced)
    assert seen == ([] if ending else [6])


def test_a_short_line_next_to_another_stays_with_the_reference(referenced: list[int]) -> None:
    """Two short lines that make one (SOS-111): the reference's state, so both are its."""
    lines = _clean(6)
    fields = lines[2].split(";")
    lines[2:3] = [";".join(fields[:6]), ";".join(fields[5:])]
    report, seen = _both(_file(lines, "\r\n"), EKB, referenced)
    found = sorted((f.code, f.line) for f in report.findings if f.line)
    assert found == [("SOS-108", 3), ("SOS-108", 4), ("SOS-111", 3)]
    assert seen == [3, 4]


@pytest.mark.parametrize("ending", ENDINGS, ids=repr)
def test_spaces_around_values_are_repaired_in_columns(ending: str, referenced: list[int]) -> None:
    lines = _clean(6)
    lines[1] = lines[1].replace(";021;", "; 021 ;")
    lines[2] = '"' + lines[2].replace(";;", "; ;", 1) + ' "'  # in quotes too
    lines[4] = lines[4].replace(";8777;", "; 8777;").replace(";0;;", ";0 ;;") + ";"
    report, seen = _both(_file(lines, ending), EKB, referenced)
    found = [(f.code, f.line, f.field) for f in report.findings if f.line]
    assert found == [
        ("SOS-110", 2, "hinder_sokande"),
        ("SOS-104", 3, None),
        ("SOS-110", 3, "stadsdel"),
        ("SOS-110", 3, "insatsdagar_medsokande"),  # the space before the closing quote
        ("SOS-109", 5, None),
        ("SOS-110", 5, "belopp_forsorjningsstod"),
        ("SOS-110", 5, "insats_sokande"),
    ]
    assert seen == []


def test_a_padded_code_is_told_from_spaces_around_it(referenced: list[int]) -> None:
    """KHSL2's KVÅ code padded to its width with spaces after it (the field's own
    finding), or spaces before it or past the width (SOS-110); a wrong code after
    the spaces goes on to the field stage."""
    args = {"register": "khsl", "file": "khsl2", "year": 2023, "period": "202301"}
    line = "0330;;193402172849;2;;PD008;20230103;XS919;;;;"
    lines = [line] * 6
    lines[1] = line.replace("PD008", "PD008  ")
    lines[2] = line.replace("PD008", " PD008")
    lines[3] = line.replace("PD008", "PD008   ")
    lines[4] = line.replace("PD008", "XX000  ")
    report, seen = _both(_file(lines, "\r\n"), args, referenced)
    padded = sosreg.get_spec("khsl", "khsl2", 2023).field("kva").rule_for("code.padded")
    found = [(f.code, f.line) for f in report.findings if f.code in (padded, "SOS-110")]
    assert found == [(padded, 2), ("SOS-110", 3), ("SOS-110", 4), (padded, 5)]
    assert any(f.line == 5 and f.field == "kva" and f.code != padded for f in report.findings)
    assert seen == []


def test_what_stays_with_the_reference(referenced: list[int]) -> None:
    """Quoted values, a header, one field, a control character, non-ASCII, a space
    before the first value: the reference reads these lines whole."""
    lines = _clean(8)
    lines[1] = " " + lines[1]
    lines[2] = lines[2].replace(";021;", ';"021";')
    lines[3] = '"Kommun;Stadsdel;Period"'
    lines[4] = "0180"
    lines[5] = lines[5] + "\x1a"
    lines[6] = lines[6].replace(";;0;8777", ";å;0;8777")
    _, seen = _both(_file(lines, "\r\n"), EKB, referenced)
    assert seen == [2, 3, 4, 5, 6, 7]


DAMAGES = st.sampled_from(
    [
        "quoted",
        "quoted_spaced",
        "trailing",
        "cut",
        "split",
        "extra",
        "inner_quotes",
        "space",
        "code",
    ]
)


@st.composite
def damaged(draw: st.DrawFn, base: list[str]) -> list[str]:
    """``base`` with each line given a few of the line stage's damages, composed."""
    out = []
    for line in base:
        for kind in draw(st.lists(DAMAGES, max_size=3)):
            if kind == "split":  # the line broken in two (SOS-108 twice, SOS-111)
                cut = line.split(";")
                if len(cut) < 2:
                    continue
                j = draw(st.integers(1, len(cut) - 1))
                out.append(";".join(cut[:j]))
                line = ";".join(cut[j - 1 :])
                continue
            fields = line.split(";")
            if kind == "quoted":
                line = f'"{line}"'
            elif kind == "quoted_spaced":
                line = f' "{line}"  '
            elif kind == "trailing":
                line += ";" * draw(st.integers(1, 3))
            elif kind == "cut":
                line = ";".join(fields[: draw(st.integers(1, max(1, len(fields) - 1)))])
            elif kind == "extra":
                line += ";" + draw(st.sampled_from(["x", "", "1", " "]))
            elif kind == "inner_quotes":
                j = draw(st.integers(0, len(fields) - 1))
                fields[j] = f'"{fields[j]}"'
                line = ";".join(fields)
            elif kind == "space":
                j = draw(st.integers(0, len(fields) - 1))
                fields[j] = draw(st.sampled_from([" ", "  "])) + fields[j]
                line = ";".join(fields)
            else:  # a code not in the list: the masks flag it
                line = line.replace(";021;", ";999;").replace(";0180;;202301;", ";0180;;202301;")
                line = line.replace(";9;9;1;8;", ";9;7;1;8;", 1)
        out.append(line)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), ending=st.sampled_from(ENDINGS))
def test_bulk_line_stage_gives_the_row_engines_findings_and_records(
    data: st.DataObject, ending: str
) -> None:
    """Lines built from the damages the line stage takes in columns (and some it does
    not), composed, in EKB-Månad and SOL1: the same findings and records as the row
    engine, across line endings."""
    ekb = data.draw(st.booleans())
    base = (
        [EKB_LINE.format(s=p) for p in PERSONS]
        if ekb
        else [SOL_LINE.format(s=p) for p in SOL_PERSONS]
    )
    lines = data.draw(damaged(base))
    args = EKB if ekb else SOL
    raw = _file(lines, ending)
    row = sosreg.validate(raw, max_details=None, engine="row", **args)
    col = sosreg.validate(raw, max_details=None, engine="columnar", **args)
    assert _summary(col) == _summary(row)


def test_the_sol1_base_line_is_valid() -> None:
    """The property test's SOL1 lines are clean (else it tests little)."""
    raw = _file([SOL_LINE.format(s=p) for p in SOL_PERSONS], "\r\n")
    report = sosreg.validate(raw, **SOL)
    assert [f.code for f in report.findings if f.line] == []


@pytest.mark.parametrize("limit", [0, 1, 3, None])
def test_findings_only_lines_keep_the_logs_order_and_cap(limit: int | None) -> None:
    """Lines with findings only (in quotes, trailing ``;``, a wrong number of fields)
    go straight to the log as stamps, among lines the row engine reads with the same
    codes (a quoted line with a wrong code): the sink gets every finding in the row
    engine's order, and under a cap the same details are kept and counted."""
    lines = _clean(8) * 3
    for i in range(0, len(lines), 3):
        lines[i] = f'"{lines[i]}"'  # SOS-104, findings only
    for i in range(1, len(lines), 6):
        lines[i] = '"' + lines[i].replace(";021;", ";999;") + '"'  # SOS-104 + EKB-010
    for i in range(2, len(lines), 4):
        lines[i] += ";;"  # SOS-109, findings only
    lines[5] = ";".join(lines[5].split(";")[:4]) + ";x;"  # SOS-108 (short, alone)
    data = _file(lines, "\r\n")
    seen: dict[str, list[tuple[str, int | None]]] = {"row": [], "columnar": []}
    reports = {}
    for engine in seen:
        reports[engine] = sosreg.validate(
            data,
            max_details=limit,
            engine=engine,
            sink=lambda f, e=engine: seen[e].append((f.code, f.line)),  # type: ignore[misc]
            **EKB,
        )
        # without a sink the log makes only the findings it keeps
        alone = sosreg.validate(data, max_details=limit, engine=engine, **EKB)
        assert _summary(alone) == _summary(reports[engine])
    assert seen["columnar"] == seen["row"]
    assert _summary(reports["columnar"]) == _summary(reports["row"])
    codes = [code for code, _ in seen["row"]]
    assert {"SOS-104", "SOS-109", "SOS-108", "EKB-010"} <= set(codes)
    report = reports["row"]
    assert report.counts()["SOS-104"] == codes.count("SOS-104") >= 8
    kept = [f.line for f in report.findings if f.code == "SOS-104"]
    every = [line for code, line in seen["row"] if code == "SOS-104"]
    assert kept == every[: len(every) if limit is None else limit]


def test_a_stamp_added_past_the_cap_is_counted_not_made() -> None:
    from sosreg.engine.findings import FindingLog, Severity, Stamp

    made: list[int] = []

    class Spy(Stamp):
        def at(self, line: int) -> sosreg.Finding:
            made.append(line)
            return super().at(line)

    stamp = Spy(sosreg.Finding("SOS-104", Severity.ERROR, sosreg.Category.LINE, 1))
    log = FindingLog(limit=2)
    for line in (3, 5, 7, 9):
        log.add_at(stamp, line)
    assert log.counts["SOS-104"] == 4
    assert [f.line for f in log.kept] == [3, 5] == made
    assert log.kept[0] == sosreg.Finding("SOS-104", Severity.ERROR, sosreg.Category.LINE, 3)
    assert log.omitted() == {"SOS-104": 2}
    assert log.status is sosreg.Status.INTE_GODKAND
