"""Encodings: UTF-16 without a BOM, byte order kept, byte-identical round trips in every
encoding sosreg reads, broken UTF-16 and UTF-8 that give findings."""

from __future__ import annotations

import codecs
import io
import random
import re
import struct
import zipfile
from typing import Any

import attrs
import pytest
from helpers import CHILD, M_MED, M_SOLO, P2, run
from hypothesis import given, settings
from hypothesis import strategies as st

import sosreg
from sosreg import strategies as sos_st
from sosreg.engine.source import TextFormat, utf16_without_bom

BOMS = {
    "utf-8": codecs.BOM_UTF8,
    "utf-16-le": codecs.BOM_UTF16_LE,
    "utf-16-be": codecs.BOM_UTF16_BE,
}
# every encoding sosreg reads, with and without a BOM where it has one
ENCODINGS = [
    ("utf-8", False),
    ("utf-8", True),
    ("cp1252", False),
    ("latin-1", False),
    ("utf-16-le", False),
    ("utf-16-le", True),
    ("utf-16-be", False),
    ("utf-16-be", True),
]
NEWLINES = ["\r\n", "\n", "\r"]
NEWLINE_IDS = ["CRLF", "LF", "CR"]
SOD = M_SOLO.replace(";;", ";Söd;", 1)  # a line with a Swedish letter


def _encode(text: str, encoding: str, bom: bool) -> bytes:
    """``text`` as a file in ``encoding``, written by Python's codecs (not sosreg)."""
    return (BOMS[encoding] if bom else b"") + text.encode(encoding)


def _decode(data: bytes, encoding: str, bom: bool) -> str:
    return data[len(BOMS[encoding]) if bom else 0 :].decode(encoding)


def _findings(report: sosreg.Report) -> list[tuple[str, int | None, str]]:
    """The findings, but for those that name the encoding."""
    return [
        (f.code, f.line, f.message())
        for f in report.findings
        if f.code not in ("SOS-003", "SOS-004")
    ]


# -- 7: UTF-16 without a BOM -----------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("newline", NEWLINES, ids=NEWLINE_IDS)
def test_utf16_without_bom_is_detected_and_read_like_utf8(encoding: str, newline: str) -> None:
    lines = [M_SOLO, M_MED, SOD.replace(P2, CHILD), "0330;;202301"]
    text = newline.join(lines) + newline
    utf8 = run(text.encode("utf-8"))
    report = run(text.encode(encoding))
    assert report.encoding == encoding
    assert (report.lines, report.records) == (utf8.lines, utf8.records) == (4, 3)
    assert _findings(report) == _findings(utf8)
    assert report.codes() >= {"SOS-004", "SOS-108"}
    assert not report.codes() & {"SOS-002", "SOS-005", "SOS-103"}
    advice = report.by_code("SOS-004")[0]
    assert advice.severity is sosreg.Severity.WARNING
    assert "UTF-8" in advice.message("en") and "Windows-1252" in advice.message("en")
    name = "UTF-16LE" if encoding == "utf-16-le" else "UTF-16BE"
    assert report.by_code("SOS-003")[0].message("en") == f"The file was read as {name}."
    records = sosreg.load(text.encode(encoding), register="ekb", file="manad")
    assert records[2].stadsdel == "Söd"


@pytest.mark.parametrize(
    ("encoding", "bom", "expected"),
    [
        ("utf-8", False, "utf-8"),
        ("utf-8", True, "utf-8+bom"),
        ("cp1252", False, "cp1252"),
        ("utf-16-le", False, "utf-16-le"),
        ("utf-16-le", True, "utf-16-le+bom"),
        ("utf-16-be", False, "utf-16-be"),
        ("utf-16-be", True, "utf-16-be+bom"),
    ],
)
def test_the_report_names_encoding_byte_order_and_bom(
    encoding: str, bom: bool, expected: str
) -> None:
    report = run(_encode(SOD + "\r\n", encoding, bom))
    assert report.encoding == expected
    assert report.status is (
        sosreg.Status.GODKAND_MED_VARNINGAR if "16" in encoding else sosreg.Status.GODKAND
    )


def _xlsx() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>' * 50)
        z.writestr("xl/worksheets/sheet1.xml", "<row><c>0330</c></row>" * 500)
    return buf.getvalue()


NOT_UTF16 = {
    "random": random.Random(7).randbytes(20_000),
    "random, odd length": random.Random(8).randbytes(20_001),
    "all NUL": b"\x00" * 4096,
    "all NUL, odd length": b"\x00" * 4095,
    "xlsx": _xlsx(),
    "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 5000 /Filter /FlateDecode >>\nstream\n"
    + random.Random(9).randbytes(5000),
    "utf-32-le": ("\r\n".join([M_SOLO, M_MED]) + "\r\n").encode("utf-32-le"),
    "utf-32-be": ("\r\n".join([M_SOLO, M_MED]) + "\r\n").encode("utf-32-be"),
    # 16-bit integers below 32: every high byte is zero, but it is not text
    "small 16-bit integers": struct.pack("<2000H", *(i % 31 + 1 for i in range(2000))),
}


@pytest.mark.parametrize("name", NOT_UTF16)
def test_binary_files_are_not_taken_for_utf16(name: str) -> None:
    data = NOT_UTF16[name]
    assert utf16_without_bom(data) is None
    report = run(data)
    assert "SOS-004" not in report.codes()
    assert "16" not in report.encoding
    assert "SOS-002" in report.codes()
    assert report.status is sosreg.Status.INTE_GODKAND


def test_utf16_detection_realistic_cases() -> None:
    line = M_SOLO + "\r\n"
    assert utf16_without_bom(line.encode("utf-16-le")) == "utf-16-le"
    assert utf16_without_bom(line.encode("utf-16-be")) == "utf-16-be"
    # a few characters beyond Latin-1 (a non-zero high byte) are fine ...
    few = line.replace("0330;;", "0330;€€;")
    assert utf16_without_bom(few.encode("utf-16-le")) == "utf-16-le"
    assert run(few.encode("utf-16-be")).encoding == "utf-16-be"
    # ... a text mostly beyond Latin-1 is not recognised without a BOM
    assert utf16_without_bom(("€" * 40 + line).encode("utf-16-le")) is None
    # too short to tell
    assert utf16_without_bom("0".encode("utf-16-le")) is None
    assert utf16_without_bom("03".encode("utf-16-le")) == "utf-16-le"
    # NUL padding after the text
    assert utf16_without_bom((line + "\x00" * 30).encode("utf-16-le")) is None


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize(
    ("text", "found"),
    [
        # 90 % of the high bytes zero, and no more: U+0100 has a non-zero high byte
        ("a" * 90 + "\u0101" * 10, True),
        ("a" * 89 + "\u0101" * 11, False),
        # at most 10 % of the low bytes zero: U+0100 has a zero low byte
        ("a" * 90 + "\u0100" * 10, True),
        ("a" * 80 + "\u0100" * 10 + "\x00" * 10, False),
        # at most 10 % control characters (tab, LF and CR are text)
        ("a" * 90 + "\x01" * 10, True),
        ("a" * 89 + "\x01" * 11, False),
        ("a" * 10 + "\t\r\n" * 30, True),
    ],
    ids=["high-90", "high-89", "low-10", "low-20", "control-10", "control-11", "whitespace"],
)
def test_utf16_detection_thresholds(encoding: str, text: str, found: bool) -> None:
    assert len(text) == 100
    assert utf16_without_bom(text.encode(encoding)) == (encoding if found else None)


# -- 8: the byte order and the BOM are kept ----------------------------------------------


@pytest.mark.parametrize(("encoding", "bom"), ENCODINGS)
@pytest.mark.parametrize("newline", NEWLINES, ids=NEWLINE_IDS)
@pytest.mark.parametrize("final_newline", [True, False])
def test_byte_identical_round_trip(
    encoding: str, bom: bool, newline: str, final_newline: bool
) -> None:
    line = SOD if encoding != "latin-1" else SOD.replace("Söd", "ÿð")
    text = newline.join([line, M_MED]) + (newline if final_newline else "")
    data = _encode(text, encoding, bom)
    parsed = sosreg.parse(data, register="ekb", file="manad")
    records = list(parsed.records())
    assert records[0].stadsdel == ("Söd" if encoding != "latin-1" else "ÿð")
    # latin-1 bytes that Windows-1252 reads alike are read as Windows-1252
    detected = "cp1252" if encoding == "latin-1" else encoding
    assert parsed.format == TextFormat(detected, bom, newline, final_newline)
    assert sosreg.serialize(records, format=parsed.format) == data
    assert (
        sosreg.serialize(records, format=TextFormat(encoding, bom, newline, final_newline)) == data
    )


def test_utf16_be_with_bom_is_written_back_big_endian() -> None:
    data = codecs.BOM_UTF16_BE + ("\r\n".join([M_SOLO, M_MED]) + "\r\n").encode("utf-16-be")
    parsed = sosreg.parse(data, register="ekb", file="manad")
    out = sosreg.serialize(list(parsed.records()), format=parsed.format)
    assert out[:4] == b"\xfe\xff\x000"
    assert out == data


def test_latin1_fallback_is_written_as_latin1() -> None:
    # \x81 is not a character in Windows-1252: the file is read as ISO-8859-1
    data = (SOD.replace("Söd", "S\x81d") + "\r\n" + M_MED + "\r\n").encode("latin-1")
    parsed = sosreg.parse(data, register="ekb", file="manad", year=2023)
    records = list(parsed.records())
    report = parsed.report()
    assert parsed.format == TextFormat("latin-1", False, "\r\n", True)
    assert report.encoding == "latin-1"
    assert report.codes() >= {"SOS-011", "SOS-103"}
    # the control character is dropped from the record: what is left round-trips
    assert records[0].stadsdel == "Sd"
    written = sosreg.serialize(records, format=parsed.format)
    assert written == data.replace(b"\x81", b"")
    assert sosreg.load(written, register="ekb", file="manad") == records


def test_ascii_is_read_as_utf8_and_written_back_the_same_in_any_8_bit_encoding() -> None:
    data = ("\r\n".join([M_SOLO, M_MED]) + "\r\n").encode("ascii")
    parsed = sosreg.parse(data, register="ekb", file="manad")
    records = list(parsed.records())
    assert parsed.format == TextFormat("utf-8", False, "\r\n", True)
    for encoding in ("utf-8", "cp1252", "latin-1"):
        assert sosreg.serialize(records, format=TextFormat(encoding)) == data


def test_windows1252_that_is_also_valid_utf8_is_read_as_utf8() -> None:
    # "Ö€" in Windows-1252 is D6 80, which is also UTF-8 (U+0580): the file is read as
    # UTF-8, its record differs, and its bytes still round-trip
    data = SOD.replace("Söd", "Ö€").encode("cp1252") + b"\r\n"
    parsed = sosreg.parse(data, register="ekb", file="manad")
    records = list(parsed.records())
    assert parsed.format.encoding == "utf-8"
    assert records[0].stadsdel == "\u0580"
    assert sosreg.serialize(records, format=parsed.format) == data


def test_old_and_alias_encoding_names() -> None:
    records = sosreg.load((M_SOLO + "\r\n").encode(), register="ekb", file="manad")
    le_bom = codecs.BOM_UTF16_LE + (M_SOLO + "\r\n").encode("utf-16-le")
    # "utf-16", the name sosreg used to report, is written as UTF-16LE with a BOM
    assert sosreg.serialize(records, format=TextFormat("utf-16", bom=True)) == le_bom
    assert sosreg.serialize(records, format=TextFormat("utf-16", bom=False)) == le_bom
    assert sosreg.serialize(records, format=TextFormat("UTF_16LE", bom=True)) == le_bom
    utf8_bom = codecs.BOM_UTF8 + (M_SOLO + "\r\n").encode()
    assert sosreg.serialize(records, format=TextFormat("utf-8-sig")) == utf8_bom
    assert sosreg.serialize(records, format=TextFormat("UTF8", bom=True)) == utf8_bom
    assert sosreg.serialize(records, format=TextFormat("iso-8859-1")) == (M_SOLO + "\r\n").encode()


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_bom_in_an_8_bit_encoding_is_refused(encoding: str) -> None:
    records = sosreg.load((M_SOLO + "\r\n").encode(), register="ekb", file="manad")
    with pytest.raises(ValueError, match="byte order mark"):
        sosreg.serialize(records, format=TextFormat(encoding, bom=True))


# -- broken input: findings, not exceptions ------------------------------------------------


@pytest.mark.parametrize(("encoding", "bom"), [e for e in ENCODINGS if "16" in e[0]])
def test_utf16_with_an_odd_number_of_bytes(encoding: str, bom: bool) -> None:
    data = _encode("\r\n".join([M_SOLO, M_MED]) + "\r\n0", encoding, bom)[:-1]
    assert len(data) % 2 == 1
    report = run(data)
    assert report.encoding == encoding + ("+bom" if bom else "")
    assert report.records == 2
    assert [f.line for f in report.by_code("SOS-112")] == [3]
    assert "SOS-002" not in report.codes()


@pytest.mark.parametrize(("encoding", "bom"), [e for e in ENCODINGS if "16" in e[0]])
def test_utf16_with_a_lone_surrogate(encoding: str, bom: bool) -> None:
    surrogate = b"\x00\xd8" if encoding == "utf-16-le" else b"\xd8\x00"
    first, second = _encode(M_SOLO + "\r\n", encoding, bom), (M_MED + "\r\n").encode(encoding)
    half = len(second) // 2 // 2 * 2
    report = run(first + second[:half] + surrogate + second[half:])
    assert report.encoding == encoding + ("+bom" if bom else "")
    assert report.lines == 2
    assert [f.line for f in report.by_code("SOS-112")] == [2]


def test_utf8_bom_decides_even_if_later_bytes_are_not_utf8() -> None:
    # a UTF-8 file with a BOM to which a Windows-1252 line was appended
    data = codecs.BOM_UTF8 + (M_SOLO + "\r\n").encode() + (SOD + "\r\n").encode("cp1252")
    report = run(data)
    assert report.encoding == "utf-8+bom"
    assert [f.line for f in report.by_code("SOS-112")] == [2]
    assert not [f for f in report.findings if f.line == 1]


@given(
    st.sampled_from([codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, b""]),
    st.sampled_from(["utf-16-le", "utf-16-be"]),
    st.text(max_size=200),
    st.binary(max_size=20),
    st.integers(0, 400),
)
def test_damaged_utf16_gives_findings_not_exceptions(
    bom: bytes, encoding: str, text: str, junk: bytes, at: int
) -> None:
    body = text.encode(encoding, "surrogatepass")
    data = bom + body[:at] + junk + body[at:]
    report = sosreg.validate(data, register="ekb", file="manad", year=2023)
    assert report.size == len(data)
    assert report.status in tuple(sosreg.Status)


# -- property: every register file, every encoding -----------------------------------------

ALL_FILES = [
    ("ekb", "manad"),
    ("ekb", "ao"),
    ("ekb", "ar"),
    ("sol", "sol1"),
    ("sol", "sol2"),
    ("khsl", "khsl1"),
    ("khsl", "khsl2"),
]
PERIODS: dict[str, sosreg.YearMonth | int] = {"ar": 2023}

# Letters for the text fields (stadsdel, enhet), by what the encoding can write. In
# Windows-1252 "€" is byte 0x80, a UTF-8 continuation byte: "Ö€" is valid UTF-8 and
# is read as such (the mojibake case the property allows for). UTF-16 without a BOM
# is recognised by its zero high bytes, so it gets Latin-1 letters only (what a
# Swedish file has); with a BOM it gets anything, a surrogate pair included.
LATIN1 = "åäöÅÄÖéüß"
ALPHABETS = {
    "utf-8": LATIN1 + "€Łω😀",
    "cp1252": LATIN1 + "€",
    "latin-1": LATIN1,
    "utf-16-le": LATIN1,
    "utf-16-be": LATIN1,
}


def detected(fmt: TextFormat, data: bytes, n_records: int) -> TextFormat:
    """The format sosreg reads ``data`` (written in ``fmt``) as.

    An 8-bit file that is valid UTF-8 (e.g. ASCII only) is read as UTF-8, and an
    ISO-8859-1 file that Windows-1252 decodes is read as Windows-1252 (the two agree
    on every byte a valid file can hold); a file with no line ending at all has the
    default one, CRLF. Everything else is detected as written."""
    encoding = fmt.encoding
    if encoding in ("cp1252", "latin-1"):
        try:
            data.decode("utf-8")
            encoding = "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    has_ending = fmt.final_newline or n_records > 1
    return TextFormat(encoding, fmt.bom, fmt.newline if has_ending else "\r\n", fmt.final_newline)


def _utf8_lines_among_others(data: bytes, encoding: str) -> bool:
    """Whether a Windows-1252 file (no BOM) has a line that is valid UTF-8 with letters
    outside ASCII beside one that is not UTF-8: SOS-012. Bytes alone cannot tell a
    Windows-1252 line that happens to be valid UTF-8 (``Ã©``, ``Ä€``) from UTF-8 read
    as Windows-1252; both count as UTF-8 (the first is almost always the second)."""
    if encoding not in ("cp1252", "latin-1"):
        return False
    kinds = set()
    for line in re.split(rb"\r\n|\r|\n", data):
        if not line.isascii():
            try:
                line.decode("utf-8")
                kinds.add("utf-8")
            except UnicodeDecodeError:
                kinds.add("other")
    return kinds == {"utf-8", "other"}


@st.composite
def with_text(draw: st.DrawFn, records: list[Any], spec: sosreg.FileSpec, alphabet: str) -> Any:
    """``records`` with some text fields rewritten with non-ASCII letters."""
    out = []
    for rec in records:
        changes = {
            f.name: draw(st.text(alphabet, min_size=1, max_size=f.length or 10))
            for f in spec.fields
            if f.type == "text" and draw(st.booleans())
        }
        out.append(attrs.evolve(rec, **changes))
    return out


@pytest.mark.parametrize(("encoding", "bom"), ENCODINGS)
@pytest.mark.parametrize(("register", "file"), ALL_FILES)
def test_every_encoding_round_trips(register: str, file: str, encoding: str, bom: bool) -> None:
    period = PERIODS.get(file, sosreg.YearMonth(2023, 5))
    spec = sosreg.get_spec(register, file, 2023)
    files = sos_st.files(register, file, 2023, period, 1, 5).flatmap(
        lambda records: with_text(records, spec, ALPHABETS[encoding])
    )

    # 56 combinations: a few examples each (newline, final newline and records vary)
    @settings(max_examples=min(settings().max_examples, 5))
    @given(files, st.sampled_from(NEWLINES), st.booleans())
    def check(records: list[Any], newline: str, final_newline: bool) -> None:
        fmt = TextFormat(encoding, bom, newline, final_newline)
        data = sosreg.serialize(records, format=fmt)
        parsed = sosreg.parse(data, register=register, file=file, year=2023, period=period)
        rows = list(parsed)
        expected = detected(fmt, data, len(records))
        assert parsed.format == expected
        again = sosreg.serialize([r.record for r in rows], format=parsed.format)
        assert again == data
        if _decode(data, expected.encoding, bom) == _decode(data, encoding, bom):
            assert [r.record for r in rows] == records
        report = parsed.report()
        assert report.lines == len(records)
        problems = {f.code for f in report.findings if f.severity}
        mixed = {"SOS-012"} if _utf8_lines_among_others(data, expected.encoding) else set()
        assert problems == ({"SOS-004"} if "16" in encoding else mixed)

    check()


# -- issue 19 item 6: UTF-8 and Windows-1252 lines in one file --------------------------

SODERMALM = M_SOLO.replace(";;", ";Södermalm;", 1)


def _mixed(kinds: str, newline: str = "\r\n") -> bytes:
    """A file of one line per letter of ``kinds``: ``u`` a UTF-8 line with ö, ``w`` a
    Windows-1252 one, ``a`` an ASCII line."""
    lines = [
        M_SOLO.encode() if k == "a" else SODERMALM.encode("utf-8" if k == "u" else "cp1252")
        for k in kinds
    ]
    return newline.encode().join(lines) + newline.encode()


@pytest.mark.parametrize("engine", ["row", "columnar"])
def test_utf8_and_cp1252_lines_in_one_file_are_an_error_naming_the_lines(engine: str) -> None:
    """The reproducer: UTF-8 lines (``SÃ¶dermalm`` when read as Windows-1252) beside
    Windows-1252 lines, no BOM. SOS-012, an error, says which lines are which."""
    pytest.importorskip("polars")
    data = _mixed("auwuuuuuuwa")
    report = sosreg.validate(data, register="ekb", file="manad", engine=engine)
    assert report.encoding == "cp1252"
    [found] = report.by_code("SOS-012")
    assert (found.severity, found.line) == (sosreg.Severity.ERROR, None)
    assert found.message("en").startswith(
        "The file mixes character encodings: 7 lines (lines 2, 4, 5, 6, 7 …) are UTF-8 and "
        "2 lines (lines 3 and 10) are Windows-1252. It was read as Windows-1252,"
    )
    assert found.message("sv").startswith(
        "Filen blandar teckenkodningar: 7 rader (rad 2, 4, 5, 6, 7 …) är UTF-8 och "
        "2 rader (rad 3 och 10) är Windows-1252."
    )
    params = found.param_dict
    assert (params["utf8_count"], params["utf8_lines"]) == ("7", "2,4,5,6,7")
    assert (params["other_count"], params["other_lines"]) == ("2", "3,10")
    assert report.status is sosreg.Status.INTE_GODKAND


@pytest.mark.parametrize("newline", NEWLINES, ids=NEWLINE_IDS)
def test_one_line_of_each_encoding(newline: str) -> None:
    data = _mixed("wu", newline)
    [found] = run(data).by_code("SOS-012")
    assert "1 line (line 2) is UTF-8 and 1 line (line 1) is Windows-1252" in found.message("en")


@pytest.mark.parametrize("kinds", ["uuu", "www", "aaa", "uau", "waw", ""])
def test_a_file_in_one_encoding_is_not_mixed(kinds: str) -> None:
    assert not run(_mixed(kinds)).by_code("SOS-012")


def test_a_bom_file_with_cp1252_lines_gets_a_finding_per_line() -> None:
    """With a UTF-8 BOM the file says it is UTF-8 and is read so: each line that is not
    gets SOS-112 (never silent), and there is no guess to report (no SOS-012)."""
    data = codecs.BOM_UTF8 + _mixed("uwu")
    report = run(data)
    assert report.encoding == "utf-8+bom"
    assert not report.by_code("SOS-012")
    assert [f.line for f in report.by_code("SOS-112")] == [2]


def test_lines_neither_utf8_nor_cp1252_are_named_iso_8859_1() -> None:
    data = SODERMALM.encode("utf-8") + b"\r\n" + M_SOLO.encode().replace(b";;", b";\x81;", 1)
    report = run(data + b"\r\n")
    assert report.encoding == "latin-1"
    [found] = report.by_code("SOS-012")
    assert "1 line (line 2) is ISO-8859-1" in found.message("en")


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from("uwa"), min_size=1, max_size=40),
    st.sampled_from(NEWLINES),
    st.integers(1, 9),
)
def test_the_mix_is_found_whatever_the_block_size(
    kinds: list[str], newline: str, read: int
) -> None:
    """The counts and line numbers do not depend on where the read blocks fall."""
    from sosreg.engine import source

    data = _mixed("".join(kinds), newline)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(source, "BLOCKS", source.BlockSizes(read=read, text=read))
        found = run(data).by_code("SOS-012")
    utf8 = [i for i, k in enumerate(kinds, 1) if k == "u"]
    other = [i for i, k in enumerate(kinds, 1) if k == "w"]
    if not (utf8 and other):
        assert not found
        return
    params = found[0].param_dict
    assert params["utf8_count"] == str(len(utf8))
    assert params["utf8_lines"] == ",".join(map(str, utf8[:5]))
    assert params["other_count"] == str(len(other))
    assert params["other_lines"] == ",".join(map(str, other[:5]))
