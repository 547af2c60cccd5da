"""Reports: status, counts, determinism, and no leaks of personnummer."""

from __future__ import annotations

import re

from helpers import CHILD, M_MED, M_SOLO, P0, P1, P2, run
from hypothesis import given
from hypothesis import strategies as st

import sosreg
from sosreg import strategies as sos_st

FULL_NUMBER = re.compile(r"(?<!\d)\d{12}(?!\d)")


def test_status_levels() -> None:
    assert run([M_SOLO]).status is sosreg.Status.GODKAND
    assert run([M_SOLO.replace(P2, CHILD)]).status is sosreg.Status.GODKAND_MED_VARNINGAR
    assert run([M_SOLO + ";"]).status is sosreg.Status.INTE_GODKAND


def test_counts_per_rule_most_serious_first() -> None:
    report = run([M_SOLO + ";", M_MED + ";", M_SOLO.replace(P2, CHILD).replace("0330", "9999")])
    counts = report.counts()
    assert counts["SOS-109"] == 2
    assert next(iter(counts)) == "SOS-109"
    assert list(counts).index("EKB-021") < list(counts).index("SOS-003")


def test_findings_are_sorted_by_line() -> None:
    report = run([M_SOLO, M_SOLO + ";", M_MED.replace(P1, P0)])
    lines = [f.line or 0 for f in report.findings]
    assert lines == sorted(lines)


def test_same_input_same_findings() -> None:
    lines = [M_SOLO, M_SOLO, M_MED.replace(P0, CHILD), "x;y"]
    assert run(lines).findings == run(lines).findings


def test_report_carries_spec_version_size_and_hash() -> None:
    data = (M_SOLO + "\r\n").encode()
    report = run(data)
    assert report.spec == "ekb/manad/2017-"
    assert report.spec_provenance == "provisional"
    assert report.sosreg_version == sosreg.__version__
    assert report.size == len(data)
    import hashlib

    assert report.sha256 == hashlib.sha256(data).hexdigest()


def _leaks(text: str, numbers: list[str]) -> list[str]:
    return [n for n in numbers if n in text]


def test_no_personnummer_in_reports_or_reprs() -> None:
    lines = [
        M_SOLO,
        M_SOLO,  # EKB-050 names the person
        M_MED.replace(P1, P0),  # EKB-020
        M_SOLO.replace(P2, P2[:-1] + "0" if P2[-1] != "0" else P2[:-1] + "1"),  # SOS-210
        f'"{M_SOLO}"',
        "Kommun;" + P0,  # header-like line holding a number
        M_SOLO.replace(P2, CHILD),
    ]
    report = run(lines)
    numbers = [P0, P1, P2, CHILD]
    for text in (report.to_text(), report.to_text("en"), report.to_json(), repr(report)):
        assert not _leaks(text, numbers)
        assert not FULL_NUMBER.findall(text.replace(report.sha256, ""))
    rows = list(sosreg.parse(("\r\n".join([M_SOLO, M_MED])).encode(), register="ekb", file="manad"))
    assert not _leaks(repr(rows), numbers)
    assert rows[0].text == M_SOLO  # the data itself is whole
    records = sosreg.load(("\r\n".join([M_SOLO, M_MED])).encode(), register="ekb", file="manad")
    assert not _leaks(repr(records), numbers)
    assert "19920101-****" in repr(records[0])


@given(sos_st.files("ekb", "manad", 2023, sosreg.YearMonth(2023, 1), 1, 5), st.data())
def test_no_leaks_whatever_breaks(records: list[object], data: st.DataObject) -> None:
    text = sosreg.serialize(records).decode()
    lines = text.split("\r\n")[:-1]
    broken = [
        data.draw(
            st.sampled_from([line, line + ";", f'"{line}"', line[:-3], line.replace(";", ",")])
        )
        for line in lines
    ]
    report = run(broken)
    people = [p for r in records for p in (r.sokande, r.medsokande) if p and p[:8].isdigit()]  # type: ignore[attr-defined]
    out = report.to_json() + report.to_text()
    assert not _leaks(out, [p for p in people if len(p) == 12 and p.isdigit()])
