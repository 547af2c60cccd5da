"""Reading bytes: encodings, line endings, long lines, non-text input, file names."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from helpers import M_MED, M_SOLO, run

import sosreg
from sosreg.engine.filename import parse_filename
from sosreg.engine.source import MAX_LINE, iter_lines


def test_cp1252_detected_and_decoded() -> None:
    data = (M_SOLO.replace(";;", ";Söd;", 1) + "\r\n").encode("cp1252")
    report = run(data)
    assert report.encoding == "cp1252"
    assert "Windows-1252" in report.by_code("SOS-003")[0].message()
    records = sosreg.load(data, register="ekb", file="manad")
    assert records[0].stadsdel == "Söd"


def test_utf8_with_swedish_characters() -> None:
    data = (M_SOLO.replace(";;", ";Söd;", 1) + "\r\n").encode("utf-8")
    assert run(data).encoding == "utf-8"


def test_utf16_is_read_and_warned() -> None:
    data = ("\r\n".join([M_SOLO, M_MED]) + "\r\n").encode("utf-16")
    report = run(data)
    assert report.records == 2
    assert report.status is sosreg.Status.GODKAND_MED_VARNINGAR
    assert report.codes() & {"SOS-004"}


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_endings(newline: str) -> None:
    data = newline.join([M_SOLO, M_MED]).encode()
    parsed = sosreg.parse(data, register="ekb", file="manad")
    rows = list(parsed)
    assert [r.line for r in rows] == [1, 2]
    assert parsed.format.newline == newline
    assert parsed.format.final_newline is False


def test_over_long_line_is_reported_and_the_next_line_keeps_its_number() -> None:
    data = ("0330;" + "1" * (3 * MAX_LINE) + "\r\n" + M_SOLO + "\r\n").encode()
    parsed = sosreg.parse(data, register="ekb", file="manad", period="202301")
    rows = list(parsed)
    assert [r.line for r in rows] == [1, 2]
    assert rows[1].record is not None
    long = [f for f in parsed.findings if f.code == "SOS-102"]
    assert long[0].line == 1
    assert long[0].param_dict["length"] == str(5 + 3 * MAX_LINE)


def test_lines_longer_than_1024_are_fine() -> None:
    text = "x" * 5000 + "\r\n" + "y"
    lines = list(iter_lines(io.StringIO(text, newline="")))
    assert [(pl.number, pl.length, pl.ending) for pl in lines] == [(1, 5000, "\r\n"), (2, 1, "")]


def test_crlf_split_at_the_read_limit() -> None:
    text = "a" * (MAX_LINE + 1) + "\r\nb\r\n"
    lines = list(iter_lines(io.StringIO(text, newline="")))
    assert [(pl.number, pl.ending) for pl in lines] == [(1, "\r\n"), (2, "\r\n")]
    assert lines[1].text == "b"


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"PK\x03\x04rest-of-zip", "Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Excel"),
        (b"%PDF-1.4", "PDF"),
    ],
)
def test_non_text_files(data: bytes, kind: str) -> None:
    report = run(data)
    assert report.status is sosreg.Status.INTE_GODKAND
    assert kind in report.by_code("SOS-002")[0].message()


def test_inputs_path_file_object_and_text(tmp_path: Path) -> None:
    path = tmp_path / "Ekb_0330_202301_20230214T0930.txt"
    path.write_bytes((M_SOLO + "\r\n").encode())
    for source in (path, str(path)):
        assert sosreg.validate(source).status is sosreg.Status.GODKAND
    with open(path, "rb") as fh:
        report = sosreg.validate(fh)
        assert report.name == path.name and report.status is sosreg.Status.GODKAND
    report = sosreg.validate(io.StringIO(M_SOLO + "\n"), register="ekb", file="manad")
    assert report.records == 1 and report.encoding == "text"


def test_a_str_is_a_path_and_content_gets_a_hint() -> None:
    with pytest.raises(sosreg.UsageError, match=r"io\.StringIO") as exc:
        sosreg.validate(M_SOLO + "\n", register="ekb", file="manad")
    assert "199201014579" not in str(exc.value)


def test_empty_and_whitespace_only() -> None:
    assert run(b"").codes() >= {"SOS-001"}
    report = run(b"\r\n\r\n")
    assert report.codes() >= {"SOS-101", "SOS-008"}
    assert [f.line for f in report.by_code("SOS-101")] == [1, 2]


@pytest.mark.parametrize(
    ("name", "register", "kommun", "period", "problems"),
    [
        ("Ekb_0330_201707_20170815T1011.txt", "ekb", "0330", "201707", 0),
        ("EKB_AO_0330_201707_20170815T1011.txt", "ekb", "0330", "201707", 0),
        ("Ekb_0330_2023_20240410T0900.txt", "ekb", "0330", "2023", 0),
        ("Ekb_0330_201707.txt.csv", "ekb", "0330", "201707", 1),
        ("report.xlsx", None, None, None, 1),
    ],
)
def test_filenames(
    name: str, register: str | None, kommun: str | None, period: str | None, problems: int
) -> None:
    fn = parse_filename(name, {"ekb": "ekb"})
    assert (fn.register, fn.kommun, fn.period, len(fn.problems)) == (
        register,
        kommun,
        period,
        problems,
    )


@pytest.mark.parametrize(
    ("name", "file"),
    [
        ("Ekb_0330_201707_20170815T1011.txt", "manad"),
        ("Ekb_AO_0330_201707_20170815T1011.txt", "ao"),
        ("Ekb_0330_2017_20180410T1011.txt", "ar"),
    ],
)
def test_file_inferred_from_name(name: str, file: str) -> None:
    parsed = sosreg.parse(b"", name=name)
    assert parsed.file == file


def test_fifteen_lines_of_template_text_at_the_top() -> None:
    template = [
        "Mall för inrapportering av ekonomiskt bistånd",
        "Version 2.1, uppdaterad 2023-01-15",
        "",
        "Fyll i en rad per hushåll och månad.",
        "Kolumn A: Kommunkod (4 siffror)",
        "Kolumn B: Stadsdel",
        "Kolumn C: Period ÅÅÅÅMM",
        "Kolumn D: Avseendemånad ÅÅÅÅMM",
        "Kolumn E: Personnummer sökande ÅÅÅÅMMDDNNNN",
        "Kolumn F: Personnummer medsökande",
        "Kolumn G: Antal barn",
        "Kolumn H-I: Belopp i hela kronor",
        "Kolumn J-K: Hinderkoder (tre siffror, t.ex. 021)",
        "Kolumn L-O: Arbetsmarknadsinsatser",
        "Kommun;Stadsdel;Period;Avseendemånad;Sökande;Medsökande;Barn;Fs;Övr;Hs;Hm;Is;Im;Ds;Dm",
    ]
    report = run([*template, M_SOLO, M_MED], period=None)
    assert report.period == "202301"  # found below the template
    assert [f.line for f in report.by_code("SOS-106")] == [
        1,
        2,
        4,
        5,
        6,
        7,
        8,
        9,
        10,
        11,
        12,
        13,
        14,
        15,
    ]
    assert [f.line for f in report.by_code("SOS-101")] == [3]
    assert report.records == 2
    errors = {f.code for f in report.findings if f.severity is sosreg.Severity.ERROR}
    assert errors == {"SOS-106"}


def test_ctrl_z_at_the_end_is_one_finding() -> None:
    report = run(("\r\n".join([M_SOLO, M_MED]) + "\r\n\x1a").encode())
    assert [(f.line, f.code) for f in report.findings if f.severity] == [(3, "SOS-103")]
    assert report.records == 2
