"""Round trips and robustness, property-based."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sosreg
from sosreg import strategies as sos_st
from sosreg.engine.records import from_dict, to_dict
from sosreg.engine.source import TextFormat
from sosreg.registers import all_registers, specs

FILES = {
    "manad": sosreg.YearMonth(2023, 5),
    "ao": sosreg.YearMonth(2023, 5),
    "ar": 2023,
}

formats = st.builds(
    TextFormat,
    encoding=st.sampled_from(["utf-8", "cp1252"]),
    bom=st.booleans(),
    newline=st.sampled_from(["\r\n", "\n"]),
    final_newline=st.booleans(),
).filter(lambda f: not (f.bom and f.encoding != "utf-8"))


def _check_round_trip(register: str, file: str, records: list[object], fmt: TextFormat) -> None:
    data = sosreg.serialize(records, format=fmt)
    period = _period(file, register)
    parsed = sosreg.parse(data, register=register, file=file, year=2023, period=period)
    rows = list(parsed)
    assert [r.record for r in rows] == records
    assert [r.line for r in rows] == list(range(1, len(records) + 1))
    assert sosreg.serialize([r.record for r in rows], format=parsed.format) == data
    report = sosreg.validate(data, register=register, file=file, year=2023, period=period)
    assert report.status is sosreg.Status.GODKAND, [
        (f.code, f.line, f.message()) for f in report.findings if f.severity
    ]


ALL_FILES = [(reg.name, file) for reg in all_registers() for file in reg.files]
"""Every file of every register: a new register is covered without editing this list."""


def _period(file: str, register: str = "") -> sosreg.YearMonth | int:
    if file in FILES:
        return FILES[file]
    spec = next(s for s in specs(register or None) if s.file == file and s.covers(2023))
    return 2023 if spec.period == "year" else sosreg.YearMonth(2023, 5)


@pytest.mark.parametrize(("register", "file"), ALL_FILES)
def test_round_trip_and_valid(register: str, file: str) -> None:
    @given(sos_st.files(register, file, 2023, _period(file, register), 1, 8), formats)
    def check(records: list[object], fmt: TextFormat) -> None:
        _check_round_trip(register, file, records, fmt)

    check()


@pytest.mark.parametrize(("register", "file"), ALL_FILES)
def test_cattrs_dict_round_trip(register: str, file: str) -> None:
    spec = sosreg.get_spec(register, file, 2023)

    @given(sos_st.records(register, file, 2023, _period(file, register)))
    def check(record: object) -> None:
        assert from_dict(to_dict(record), spec) == record

    check()


@given(st.binary(max_size=2000), st.sampled_from(ALL_FILES))
def test_any_bytes_give_findings_not_exceptions(
    data: bytes, register_file: tuple[str, str]
) -> None:
    register, file = register_file
    report = sosreg.validate(data, register=register, file=file, year=2023)
    assert report.size == len(data)
    assert report.status in tuple(sosreg.Status)


@given(
    st.lists(
        st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80).map(
            lambda s: s.replace("\n", "").replace("\r", "")
        ),
        max_size=8,
    ),
    st.sampled_from(ALL_FILES),
)
def test_any_text_gives_findings_not_exceptions(
    lines: list[str], register_file: tuple[str, str]
) -> None:
    data = "\r\n".join(lines).encode("utf-8")
    register, file = register_file
    report = sosreg.validate(data, register=register, file=file, year=2023)
    # every physical line is accounted for: a record, or at least one finding on it
    lines_with_findings = {f.line for f in report.findings if f.line}
    assert report.records + len(lines_with_findings) >= report.lines


@given(sos_st.files("ekb", "manad", 2023, FILES["manad"], 2, 6), st.data())
def test_excel_damage_is_found_on_the_right_line(
    records: list[object], data: st.DataObject
) -> None:
    clean = sosreg.serialize(records).decode("utf-8").split("\r\n")[:-1]
    target = data.draw(st.integers(0, len(clean) - 1))
    damage = data.draw(st.sampled_from(["quote", "semicolon", "space", "header"]))
    damaged = list(clean)
    if damage == "quote":
        damaged[target] = f'"{damaged[target]}"'
        code = "SOS-104"
    elif damage == "semicolon":
        damaged[target] += ";"
        code = "SOS-109"
    elif damage == "space":
        parts = damaged[target].split(";")
        parts[7] = " " + parts[7]
        damaged[target] = ";".join(parts)
        code = "SOS-110"
    else:
        damaged.insert(target, "Kommun;Stadsdel;Period;Sökande")
        code = "SOS-106"
    report = sosreg.validate(
        ("\r\n".join(damaged) + "\r\n").encode(),
        register="ekb",
        file="manad",
        year=2023,
        period="202305",
    )
    assert [f.line for f in report.by_code(code)] == [target + 1]
    assert report.status is sosreg.Status.INTE_GODKAND


def test_cp1252_file_round_trips_byte_for_byte() -> None:
    line = "0330;Söd;202301;202301;198503122346;;0;5230;0;021;;0;;;"
    data = (line + "\r\n").encode("cp1252")
    parsed = sosreg.parse(data, register="ekb", file="manad")
    records = list(parsed.records())
    assert records[0].stadsdel == "Söd"
    assert parsed.format.encoding == "cp1252"
    assert sosreg.serialize(records, format=parsed.format) == data


def test_utf8_bom_round_trips() -> None:
    data = codecs.BOM_UTF8 + b"0330;;202301;202301;198503122346;;0;5230;0;021;;0;;;"
    parsed = sosreg.parse(data, register="ekb", file="manad")
    records = list(parsed.records())
    assert parsed.format == TextFormat("utf-8", True, "\r\n", False)
    assert sosreg.serialize(records, format=parsed.format) == data


EXAMPLE = Path(__file__).parent.parent / "examples" / "Ekb_0330_202301_20230214T0930.txt"


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (b"", "utf-8"),
        (codecs.BOM_UTF8, "utf-8"),
        (b"", "cp1252"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ],
)
def test_serialize_a_parse_directly(bom: bytes, encoding: str) -> None:
    """``serialize(parse(x))`` takes the rows and the format of the parse: the same bytes."""
    text = EXAMPLE.read_bytes().decode("utf-8")
    data = bom + text.encode(encoding)
    assert sosreg.serialize(sosreg.parse(data, register="ekb", file="manad")) == data
    rows = list(sosreg.parse(data, register="ekb", file="manad"))
    assert sosreg.serialize(rows) == text.encode("utf-8")  # rows alone: the default format


def test_serialize_refuses_a_row_without_a_record() -> None:
    data = b"Kommun;Stadsdel;Period\r\n" + EXAMPLE.read_bytes()
    with pytest.raises(ValueError, match=r"line 1 gave no record \(findings: SOS-106"):
        sosreg.serialize(sosreg.parse(data, register="ekb", file="manad", period="202301"))


@st.composite
def line_endings(draw: st.DrawFn, n: int) -> list[str]:
    """``n`` line endings, mixed line by line (CRLF, LF, CR) or all alike; the last
    one ``""`` (no final newline) or not."""
    if draw(st.booleans()):
        each = draw(st.lists(st.sampled_from(["\r\n", "\n", "\r"]), min_size=n, max_size=n))
    else:
        each = [draw(st.sampled_from(["\r\n", "\n", "\r"]))] * n
    if n and draw(st.booleans()):
        each[-1] = ""
    return each


@pytest.mark.parametrize(("register", "file"), ALL_FILES)
def test_each_lines_ending_round_trips(register: str, file: str) -> None:
    """Issue 19 item 7: ``serialize(parse(f))`` gives ``f`` back byte for byte with
    each line's own ending (mixed line by line, CR only, with or without a final
    newline), in UTF-8, Windows-1252 and UTF-16; so does serializing the records with
    ``parsed.format``, and the columnar engine's ``format`` is the row engine's."""

    @settings(max_examples=15, deadline=None)
    @given(
        sos_st.files(register, file, 2023, _period(file, register), 1, 8),
        st.data(),
        st.sampled_from(
            [
                ("utf-8", b""),
                ("utf-8", codecs.BOM_UTF8),
                ("cp1252", b""),
                ("utf-16-le", codecs.BOM_UTF16_LE),
            ]
        ),
    )
    def check(records: list[object], data: st.DataObject, encoded: tuple[str, bytes]) -> None:
        lines = sosreg.serialize(records).decode("utf-8").split("\r\n")[:-1]
        each = data.draw(line_endings(len(lines)))
        encoding, bom = encoded
        raw = bom + "".join(a + b for a, b in zip(lines, each, strict=True)).encode(encoding)
        args = {"register": register, "file": file, "year": 2023, "period": _period(file, register)}
        assert sosreg.serialize(sosreg.parse(raw, **args)) == raw
        parsed = sosreg.parse(raw, **args)
        rows = list(parsed)
        assert [r.ending for r in rows] == each
        assert sosreg.serialize([r.record for r in rows], format=parsed.format) == raw
        mixed = len(set(each) - {""}) > 1
        assert (parsed.format.endings is not None) is mixed
        columnar = sosreg.parse(raw, engine="columnar", **args)
        columnar.report()
        assert columnar.format == parsed.format

    check()


def test_mixed_endings_and_no_final_newline_round_trip() -> None:
    """The reproducer of issue 19 item 7: CRLF, LF, CR and no final newline."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()[:4]
    data = (lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3]).encode()
    parsed = sosreg.parse(data, register="ekb", file="manad")
    assert sosreg.serialize(parsed) == data
    assert parsed.format.endings == ("\r\n", "\n", "\r", "")
    assert parsed.format.newline == "\r\n"  # the first of the most common
    assert parsed.format.final_newline is False


def test_text_format_endings() -> None:
    """``TextFormat.endings`` is checked, and lines past it get ``newline`` (never
    two lines joined into one)."""
    with pytest.raises(ValueError, match=r"endings\[0\]"):
        TextFormat(endings=("", "\n"))
    with pytest.raises(ValueError, match=r"endings\[1\]"):
        TextFormat(endings=("\n", "\t"))
    fmt = TextFormat(newline="\n", final_newline=False, endings=("\r", ""))
    assert fmt.join(["a", "b", "c"]) == "a\rb\nc"
    assert fmt.join(["a"]) == "a\r"
    assert TextFormat(endings=("\r",)).join(["a", "b"]) == "a\rb\r\n"
