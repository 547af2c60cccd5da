"""Findings only counted: once a log keeps no more details of a rule (``max_details``
reached, no sink), :meth:`Context.finding` makes that rule's findings as tokens of
their code and severity (:attr:`FindingLog.counted`). Nothing a report says may
change: a log with a sink makes every finding in full, so a run with a sink is the
reference a run without one is checked against (a differential test, both engines,
small and large limits, across block sizes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import DEFAULTS
from hypothesis import given, settings
from hypothesis import strategies as st
from test_engines import (
    ALL_FILES,
    SMALL_BLOCKS,
    _period,
    _shrink,
    damaged_ekb_lines,
    damaged_lines,
)

import sosreg
from sosreg import strategies as sos_st
from sosreg.engine import columnar, fieldcount, pipeline, source
from sosreg.engine.findings import Finding, FindingLog, Severity

pytest.importorskip("polars")

ENGINES = ["row", "columnar"]
EKB = Path(__file__).parent.parent / "examples" / "Ekb_0330_202301_20230214T0930.txt"


def _seen(report: sosreg.Report) -> tuple[Any, ...]:
    return (
        report.status,
        report.counts(),
        report.rule_counts,
        report.findings,
        tuple(f.message("sv") for f in report.findings),
        tuple(f.message("en") for f in report.findings),
        report.lines,
        report.records,
    )


def assert_counted_alike(data: bytes, engine: str, limit: int, **kwargs: Any) -> sosreg.Report:
    """The report of ``data`` at ``limit`` details a rule is the same with a sink (every
    finding made in full) and without (findings past the limit made as tokens), and
    the same as the row engine's (which details are kept depends on the order the
    lines are taken in; a sorted report at no limit would not show it)."""
    sunk: list[Finding] = []
    reference = sosreg.validate(data, max_details=limit, engine=engine, sink=sunk.append, **kwargs)
    report = sosreg.validate(data, max_details=limit, engine=engine, **kwargs)
    assert _seen(report) == _seen(reference)
    assert len(sunk) == sum(reference.rule_counts.values())
    if engine != "row":  # the details kept are the first in line order: the row engine's
        row = sosreg.validate(data, max_details=limit, engine="row", **kwargs)
        assert _seen(report) == _seen(row)
    return report


def _megabyte_of_ekb() -> bytes:
    """:func:`test_engines.damaged_ekb_lines` with every kind of damage: hundreds of
    findings of each of a few rules, over many of the columnar engine's blocks."""
    return ("\r\n".join(damaged_ekb_lines(more=True)) + "\r\n").encode()


@pytest.fixture(autouse=True)
def _count_fields_of_any_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines whose fields' findings are only counted are counted in columns
    (:mod:`sosreg.engine.fieldcount`) however few a check holds: small files too."""
    monkeypatch.setattr(fieldcount, "AT_LEAST", 1)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("limit", [0, 1, 7, 1000])
def test_a_large_file_reports_alike_with_and_without_a_sink(
    engine: str, limit: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # blocks of 64 KiB: the columnar engine decides what to count check by check
    monkeypatch.setattr(source, "BLOCKS", source.BlockSizes(rows=1 << 16))
    report = assert_counted_alike(
        _megabyte_of_ekb(), engine, limit, register="ekb", file="manad", year=2023
    )
    counts = report.rule_counts
    assert counts["SOS-108"] >= len(range(3, 20_000, 311))
    assert counts["SOS-110"] >= len(range(2, 20_000, 173))
    assert counts["EKB-010"] >= len(range(4, 20_000, 131))  # hinderkod not in the list
    assert counts["EKB-024"] >= len(range(4, 20_000, 131)) // 2
    assert counts["SOS-210"] >= len(range(6, 20_000, 137))  # wrong check digit
    assert max(counts.values()) > limit or limit == 1000  # past the limit: tokens made
    if engine == "columnar":  # lines of wrong values counted in columns, once counted only
        assert (columnar.STATS.fields_counted > 0) == (limit < 100)
    for code, n in counts.items():  # the details kept: the limit's worth, each in full
        kept = [f for f in report.findings if f.code == code]
        assert len(kept) == min(n, limit)
        assert all(f.line is not None for f in kept if f.code == "SOS-104")


@pytest.mark.parametrize(("register", "file"), ALL_FILES)
def test_generated_damaged_files_report_alike_with_and_without_a_sink(
    register: str, file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Generated files with damage, at small limits (so that most rules reach theirs),
    in both engines, with the real block sizes and a few bytes' blocks."""
    period = _period(register, file)

    @settings(max_examples=10, deadline=None)
    @given(
        sos_st.files(register, file, 2023, period, 1, 12),
        st.data(),
        st.sampled_from(ENGINES),
        st.sampled_from([0, 1, 2]),
        st.sampled_from([None, *SMALL_BLOCKS]),
    )
    def check(
        records: list[Any],
        data: st.DataObject,
        engine: str,
        limit: int,
        blocks: tuple[source.BlockSizes, int] | None,
    ) -> None:
        _shrink(monkeypatch, *(blocks or (source.BlockSizes(), pipeline.HEAD_LINES)))
        text = sosreg.serialize(records).decode("utf-8")
        spec = sosreg.get_spec(register, file, 2023)
        lines = data.draw(damaged_lines(text.split("\r\n")[:-1], spec))
        raw = ("\r\n".join(lines) + "\r\n").encode()
        assert_counted_alike(raw, engine, limit, register=register, file=file, year=2023)

    check()


@pytest.mark.parametrize("engine", ENGINES)
def test_the_rule_cases_report_alike_with_and_without_a_sink(engine: str) -> None:
    """Every rule case (each rule's bad lines) at a limit of one detail a rule."""
    from test_rules import CASES

    for case in CASES:
        bad = ("\r\n".join(case.bad) + "\r\n").encode() if isinstance(case.bad, list) else case.bad
        if isinstance(bad, str):
            bad = bad.encode()
        assert_counted_alike(bad, engine, 1, **(dict(DEFAULTS[case.file]) | case.kw))


def test_a_log_counts_a_code_only_once_its_details_are_kept() -> None:
    def f(code: str, line: int) -> Finding:
        return Finding(code, Severity.ERROR, sosreg.Category.FIELD, line)

    log = FindingLog(2)
    log.add(f("A", 1))
    assert "A" not in log.counted
    log.add(f("A", 2))
    assert "A" in log.counted and "B" not in log.counted
    log.add(f("A", 3))
    assert [x.line for x in log.kept] == [1, 2] and log.counts["A"] == 3
    log.count("A", Severity.ERROR, 5)  # findings counted in bulk, never made
    assert log.counts["A"] == 8 and len(log.kept) == 2
    with pytest.raises(ValueError, match="still kept"):
        log.count("B", Severity.ERROR, 1)  # B's details are still kept: add them
    with_sink = FindingLog(1, sink=lambda _: None)
    with_sink.add(f("A", 1))
    with_sink.add(f("A", 2))
    assert "A" not in with_sink.counted  # a sink sees every finding whole
    assert "A" in FindingLog(0).counted and "Z" in FindingLog(0).counted
    assert "A" not in FindingLog(0, sink=lambda _: None).counted
    unlimited = FindingLog(None)
    for line in range(5):
        unlimited.add(f("A", line))
    assert "A" not in unlimited.counted


def test_a_counted_code_is_made_as_a_token_only_while_an_engine_runs() -> None:
    parsed = sosreg.parse(EKB, max_details=0)
    ctx = parsed.context
    full = ctx.finding("SOS-110", line=5, field="kommun", value="19121212-1212")
    assert full.line == 5 and full.value is not None
    ctx.counted = {"SOS-110"}
    token = ctx.finding("SOS-110", line=5, field="kommun", value="19121212-1212")
    assert (token.code, token.severity) == ("SOS-110", full.severity)
    assert (token.line, token.field, token.value, token.params) == (None, None, None, ())
    assert ctx.finding("SOS-104", line=5).line == 5  # another code: made in full
    ctx.counted = frozenset()
    report = parsed.report()
    assert report.rule_counts and not report.findings
    assert not ctx.counted  # bound only while the engine ran
