"""The example lines of Socialstyrelsen's FAQ (shared/domain.md §2) and their faulty
variants: the correct lines parse and serialize back identically; every faulty variant
gives the findings a municipality needs to fix it, on the right line."""

from __future__ import annotations

import pytest

import sosreg

SOL1 = "9999;;202101;191212121212;2;1;777;0;0;0;0;9;8;0;0;0;0;0;0;0;0;0;8;88;0"
SOL2 = "9999;;202101;191212121212;0;88;88;8;1;20190503;20190503;20191124;2;0;1;0;0;0;0;0;0;0;0;0;0;9;1;1;0;0;3;3"
KHSL2 = "9999;;191212121212;1;;PD008;20210124;XS919;;;;"

EXAMPLES = [("sol", "sol1", SOL1), ("sol", "sol2", SOL2), ("khsl", "khsl2", KHSL2)]


def _errors(report: sosreg.Report) -> list[tuple[int | None, str]]:
    return sorted(
        ((f.line, f.code) for f in report.findings if f.severity is sosreg.Severity.ERROR),
        key=lambda t: (t[0] or 0, t[1]),
    )


@pytest.mark.parametrize(("register", "file", "line"), EXAMPLES, ids=[e[1] for e in EXAMPLES])
def test_example_lines_round_trip(register: str, file: str, line: str) -> None:
    data = (line + "\r\n").encode()
    parsed = sosreg.parse(data, register=register, file=file)
    records = list(parsed.records())
    assert len(records) == 1
    assert sosreg.serialize(records, format=parsed.format) == data
    report = sosreg.validate(data, register=register, file=file)
    assert _errors(report) == []
    # 9999 is the example municipality: a warning, not an error
    assert report.status is sosreg.Status.GODKAND_MED_VARNINGAR
    assert "SOS-209" in report.codes()


def test_example_values_are_typed() -> None:
    rec = sosreg.load((SOL1 + "\n").encode(), register="sol", file="sol1")[0]
    assert rec.hemtjanst_timmar == sosreg.Special("777")
    assert isinstance(rec.hemtjanst_timmar, sosreg.Special)
    assert rec.korttid_dygn == sosreg.Special("88")
    rec2 = sosreg.load((SOL2 + "\n").encode(), register="sol", file="sol2")[0]
    assert str(rec2.verkstallighet_slut) == "2019-11-24"
    khsl = sosreg.load((KHSL2 + "\n").encode(), register="khsl", file="khsl2")[0]
    assert (khsl.kva, khsl.yrkesbeteckning_1, khsl.yrkesbeteckning_2) == ("PD008", "XS919", None)


def _variants(line: str) -> dict[str, str]:
    parts = line.split(";")
    spaced = list(parts)
    if "88" in spaced:
        spaced[spaced.index("88")] = "  88"
    return {
        "quoted": f'"{line}"',
        "scientific": line.replace("191212121212", "1,9121E+11"),
        "trailing_semicolon": line + ";",
        "spaces_before_88": ";".join(spaced),
    }


EXPECTED = {
    "quoted": ["SOS-104"],
    "scientific": ["SOS-211"],
    "trailing_semicolon": ["SOS-109"],
    "spaces_before_88": ["SOS-110"],
}


FAULTY = [
    (register, file, line, variant)
    for register, file, line in EXAMPLES
    for variant in sorted(EXPECTED)
    if _variants(line)[variant] != line  # KHSL2 has no 88 to put spaces before
]


@pytest.mark.parametrize(
    ("register", "file", "line", "variant"), FAULTY, ids=[f"{f[1]}-{f[3]}" for f in FAULTY]
)
def test_faulty_variants(register: str, file: str, line: str, variant: str) -> None:
    bad = _variants(line)[variant]
    # the faulty line is line 2, after a correct one
    data = ("\r\n".join([line.replace("191212121212", "198503122346"), bad]) + "\r\n").encode()
    report = sosreg.validate(data, register=register, file=file, period="202101")
    assert _errors(report) == [(2, code) for code in EXPECTED[variant]]
    finding = report.by_code(EXPECTED[variant][0])[0]
    assert "191212121212" not in report.to_text() + report.to_json()
    if variant == "spaces_before_88":
        assert finding.field in ("korttid_dygn", "korttid_dygn_beviljade")
    if variant == "scientific":
        assert finding.field == "personnummer"
        assert "Excel" in finding.message()


def test_khsl2_cut_after_first_yrkesbeteckning() -> None:
    cut = "9999;;191212121212;1;;PD008;20210124;XS919"
    report = sosreg.validate((cut + "\r\n").encode(), register="khsl", file="khsl2")
    assert _errors(report) == [(1, "SOS-108")]
    message = report.by_code("SOS-108")[0].message()
    assert "8 fält men ska ha 12" in message
    assert "yrkesbeteckning_1" in message
    assert "11 semikolon" in message
    assert "11 semicolons" in report.by_code("SOS-108")[0].message("en")


def test_khsl2_membership_not_checked_without_a_kva_list() -> None:
    report = sosreg.validate((KHSL2 + "\r\n").encode(), register="khsl", file="khsl2")
    notes = report.by_code("SOS-013")
    assert len(notes) == 1 and notes[0].field == "kva"
    assert notes[0].severity is sosreg.Severity.INFO
    assert "kontrollerades inte mot listan" in notes[0].message()
    assert report.period == "202101"  # from the date field, as KHSL2 has no period field
