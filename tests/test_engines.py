"""One truth: the compiled row engine, the reference LineParser and the columnar engine
give identical findings (code, severity, line, field, masked value, message, params),
counts and totals on every input.

The differential tests run over the rule cases, the examples, and generated valid files
of every register and file with damage injected (hypothesis)."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from helpers import DEFAULTS
from hypothesis import given, settings
from hypothesis import strategies as st
from test_rules import CASES, Case

import sosreg
from sosreg import identity
from sosreg import strategies as sos_st
from sosreg.engine import pipeline, source
from sosreg.engine.values import to_text
from sosreg.registers import all_registers, specs

pytest.importorskip("polars")

ALL_FILES = [(reg.name, file) for reg in all_registers() for file in reg.files]
EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*_*.txt*"))


def _summary(report: sosreg.Report) -> tuple[Any, ...]:
    return (
        report.status,
        report.counts(),
        report.findings,
        tuple(f.message("sv") for f in report.findings),
        tuple(f.message("en") for f in report.findings),
        report.lines,
        report.records,
        report.period,
        report.kommun,
        report.encoding,
    )


def assert_same(data: Any, **kwargs: Any) -> sosreg.Report:
    """Both engines give the same report, and the same :attr:`Parsed.format` (each
    line's ending, the final newline, the encoding and BOM)."""
    if "previous" in kwargs:
        row = sosreg.validate(data, max_details=None, engine="row", **kwargs)
        col = sosreg.validate(data, max_details=None, engine="columnar", **kwargs)
        assert _summary(col) == _summary(row)
        return row
    row_parse = sosreg.parse(data, max_details=None, engine="row", **kwargs)
    col_parse = sosreg.parse(data, max_details=None, engine="columnar", **kwargs)
    row, col = row_parse.report(), col_parse.report()
    assert _summary(col) == _summary(row)
    assert col_parse.format == row_parse.format
    return row


def _bytes(lines: Any) -> bytes:
    if isinstance(lines, list):
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    return lines.encode("utf-8") if isinstance(lines, str) else lines


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.file}")
def test_rule_cases_agree(case: Case) -> None:
    args = dict(DEFAULTS[case.file]) | case.kw
    assert_same(_bytes(case.bad), **args)
    assert_same(_bytes(case.good), **(dict(DEFAULTS[case.file]) | (case.good_kw or case.kw)))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_agree(path: Path) -> None:
    assert_same(path)


# -- damage ------------------------------------------------------------------------------

FOREIGN = [
    "",
    " ",
    "x",
    "0",
    "00",
    "-1",
    "999999",
    "1,5",
    "２",
    "٢",
    "¹",
    '"',
    "1e5",
    "20230230",
    "202313",
    "19121212-1212",
    "191212121212",
    "9999",
    "TF00",
    "88",
    "888",
    "777",
    "021",
    "21",
    "XS919",
    "PD000",
    "20240101",
    "20220101",
    "2022",
    "0114",
]


@st.composite
def damaged_lines(draw: st.DrawFn, lines: list[str], spec: Any = None) -> list[str]:
    """``lines`` with a few lines damaged the ways files are damaged, or given another
    value that is valid for its field alone (which record and cross-record rules may
    then find wrong)."""
    lines = list(lines)
    for _ in range(draw(st.integers(0, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        line = lines[i]
        fields = line.split(";")
        kind = draw(
            st.sampled_from(
                [
                    "field",
                    "field",
                    "valid",
                    "valid",
                    "reroll",
                    "reroll",
                    "copy_field",
                    "trailing",
                    "quoted",
                    "space",
                    "cut",
                    "duplicate",
                    "blank",
                    "header",
                    "tab",
                    "bom_like",
                    "control",
                ]
            )
        )
        if kind == "valid" and spec is not None and len(fields) == spec.n_fields:
            j = draw(st.integers(0, len(fields) - 1))
            f = spec.fields[j]
            period = 2023 if spec.period == "year" else sosreg.YearMonth(2023, 1)
            value = draw(sos_st.field_values(f, 2023, period))
            fields[j] = to_text(value)
            lines[i] = ";".join(fields)
        elif kind == "reroll" and spec is not None:
            # every field valid on its own, no register constraint: record rules fire
            period = 2023 if spec.period == "year" else sosreg.YearMonth(2023, 1)
            rec = draw(sos_st.generic_records(spec, 2023, period))
            new = [to_text(getattr(rec, f.name)) for f in spec.fields]
            for keep in (spec.kommun_field, spec.period_field):  # the file's, as before
                if keep is not None and len(fields) == spec.n_fields:
                    k = spec.field(keep).position - 1
                    new[k] = fields[k]
            lines[i] = ";".join(new)
        elif kind == "field":
            j = draw(st.integers(0, len(fields) - 1))
            fields[j] = draw(st.sampled_from(FOREIGN) | st.text(max_size=6))
            lines[i] = ";".join(fields)
        elif kind == "copy_field":  # a value from another line: duplicates, wrong periods
            other = lines[draw(st.integers(0, len(lines) - 1))].split(";")
            j = draw(st.integers(0, min(len(fields), len(other)) - 1))
            fields[j] = other[j]
            lines[i] = ";".join(fields)
        elif kind == "trailing":
            lines[i] = line + ";"
        elif kind == "quoted":
            lines[i] = f'"{line}"'
        elif kind == "space":
            j = draw(st.integers(0, len(fields) - 1))
            fields[j] = " " + fields[j]
            lines[i] = ";".join(fields)
        elif kind == "cut":
            lines[i] = ";".join(fields[: draw(st.integers(1, len(fields)))])
        elif kind == "duplicate":
            lines.insert(i, line)
        elif kind == "blank":
            lines.insert(i, "")
        elif kind == "header":
            lines.insert(0, "Kommun;Stadsdel;Period")
        elif kind == "tab":
            lines[i] = line.replace(";", "\t")
        elif kind == "bom_like":
            lines[i] = "ï»¿" + line
        else:
            lines[i] = line + "\x1a"
    return lines


def _period(register: str, file: str) -> sosreg.YearMonth | int:
    spec = next(s for s in specs(register) if s.file == file and s.covers(2023))
    return 2023 if spec.period == "year" else sosreg.YearMonth(2023, 1)


# -- line endings, encodings, block sizes ----------------------------------------------

NEWLINES = ("\r\n", "\n", "\r")
HEAD = pipeline.HEAD_LINES
SMALL_BLOCKS = [
    (source.BlockSizes(read=1, text=1, rows=1, batch=1), 1),
    (source.BlockSizes(read=7, text=3, rows=150, batch=2), 2),
    (source.BlockSizes(read=64, text=16, rows=500, batch=5), 5),
]
"""Block sizes (and head lengths: the lines read before an engine is chosen) small
enough that a file of a few lines crosses many of each boundary (the columnar engine's
blocks too: ``rows`` bytes, ``batch`` lines)."""


def _shrink(monkeypatch: pytest.MonkeyPatch, blocks: source.BlockSizes, head: int) -> None:
    monkeypatch.setattr(source, "BLOCKS", blocks)
    monkeypatch.setattr(pipeline, "HEAD_LINES", head)


@st.composite
def endings(draw: st.DrawFn, n: int) -> tuple[list[str], str]:
    """``n`` line endings, all alike (CRLF, LF, CR) or mixed line by line, and the
    last line's (``""``: no final newline)."""
    if draw(st.booleans()):
        each = [draw(st.sampled_from(NEWLINES))] * n
    else:
        each = draw(st.lists(st.sampled_from(NEWLINES), min_size=n, max_size=n))
    if n and not draw(st.booleans()):
        each[-1] = ""
    return each, each[-1] if n else ""


def _join(lines: list[str], each: list[str]) -> str:
    return "".join(line + ending for line, ending in zip(lines, each, strict=True))


ENCODED = st.sampled_from(
    [
        ("utf-8", b""),
        ("utf-8", codecs.BOM_UTF8),
        ("utf-8", codecs.BOM_UTF8 * 2),
        ("cp1252", b""),
        ("utf-16-le", codecs.BOM_UTF16_LE),
        ("utf-16-be", b""),
    ]
)
"""Encodings and what precedes the text (a BOM, two BOMs)."""


@pytest.mark.parametrize(("register", "file"), ALL_FILES)
def test_generated_files_with_damage_agree(
    register: str, file: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Generated files with damage, in every line ending (CRLF, LF, CR, mixed line by
    line, with and without a final newline), encoding and BOM (none, one, two), read
    with the real block sizes or with block sizes of a few bytes (so that every line
    crosses block boundaries, and the head read before the engine runs ends early)."""
    period = _period(register, file)

    @settings(max_examples=25, deadline=None)
    @given(
        sos_st.files(register, file, 2023, period, 1, 12),
        st.data(),
        ENCODED,
        st.sampled_from([None, *SMALL_BLOCKS]),
    )
    def check(
        records: list[Any],
        data: st.DataObject,
        encoded: tuple[str, bytes],
        blocks: tuple[source.BlockSizes, int] | None,
    ) -> None:
        _shrink(monkeypatch, *(blocks or (source.BlockSizes(), HEAD)))
        text = sosreg.serialize(records).decode("utf-8")
        spec = sosreg.get_spec(register, file, 2023)
        lines = data.draw(damaged_lines(text.split("\r\n")[:-1], spec))
        each, _ = data.draw(endings(len(lines)))
        encoding, prefix = encoded
        raw = prefix + _join(lines, each).encode(encoding, "replace")
        assert_same(raw, register=register, file=file, year=2023)

    check()


SOL1_LINES = (
    (Path(__file__).parent.parent / "examples" / "SOL1_0330_202301_20230214T0940.txt")
    .read_text(encoding="utf-8")
    .splitlines()
)
SOL1_LINE = SOL1_LINES[0]


@pytest.mark.parametrize("newline", [*NEWLINES, "mixed"], ids=["CRLF", "LF", "CR", "mixed"])
def test_a_file_larger_than_every_block_agrees(newline: str) -> None:
    """Issue 19 item 4: 2,000 SOL1 lines (142 KB: over the 1,000-line head, the 64 KiB
    read block and the 8 KiB decoding block) ending in a lone CR lost lines in the
    columnar engine (SOL-030 ×1037 and an SOS-108 instead of SOL-030 ×1999): reading
    the whole file moved the position the row engine streamed the head from. Every
    ending gives every line, in both engines."""
    each = [NEWLINES[i % 3] if newline == "mixed" else newline for i in range(2000)]
    data = _join([SOL1_LINE] * 2000, each).encode()
    assert len(data) > 2 * source.BlockSizes().read
    report = assert_same(data, register="sol", file="sol1", year=2023)
    assert report.lines == 2000
    assert report.rule_counts["SOL-030"] == 1999
    assert "SOS-108" not in report.rule_counts
    assert ("SOS-005" in report.rule_counts) is (newline == "mixed")


def damaged_ekb_lines(*, more: bool = False) -> list[str]:
    """20,000 EKB lines with a quoted line every 397 and a line with an extra field and
    a trailing ``;`` every 499; with ``more``, also a line cut short every 311 (quoted
    every other time), a trailing ``;`` every 211, spaces before a value every 173, and
    invalid values: a hinderkod not in the list every 131 (with no medsökande but a
    medsökande's hinder every other time: EKB-024 too), a wrong check digit every 137,
    an amount that is no number every 139 and a month that is none every 149; each
    person on one line only (so that no key repeats)."""
    base = EXAMPLES[0].parent / "Ekb_0330_202301_20230214T0930.txt"
    good = base.read_text(encoding="utf-8").splitlines()
    lines: list[str] = []
    for i in range(20_000):
        line = good[i % len(good)]
        if more:  # a person of their own
            born = dt.date(1950, 1, 1) + dt.timedelta(days=i // 400)
            fields = line.split(";")
            fields[4] = identity.make(born, serial=i % 400)
            if fields[5]:
                fields[5] = identity.make(born + dt.timedelta(days=20_000), serial=i % 400)
            line = ";".join(fields)
        if i % 397 == 5:
            line = '"' + line + '"'
        elif i % 499 == 7:
            line = line.replace(";", ";Söd;", 1) + ";"
        elif more and i % 311 == 3:
            line = ";".join(line.split(";")[:5])
            line = f'"{line}"' if i % 2 else line
        elif more and i % 211 == 1:
            line += ";"
        elif more and i % 173 == 2:
            line = line.replace(";", ";  ", 2)
        elif more and i % 131 == 4:
            line = _with(line, {9: "999"} | ({5: "", 10: "051"} if i % 2 else {}))
        elif more and i % 137 == 6:
            pnr = line.split(";")[4]
            line = _with(line, {4: pnr[:-1] + str((int(pnr[-1]) + 1) % 10)})
        elif more and i % 139 == 8:
            line = _with(line, {8: "12a"})
        elif more and i % 149 == 9:
            line = _with(line, {3: "202313"})
        lines.append(line)
    return lines


def _with(line: str, values: dict[int, str]) -> str:
    """``line`` with the fields at the positions of ``values`` (0-based) set to them."""
    fields = line.split(";")
    for at, value in values.items():
        fields[at] = value
    return ";".join(fields)


@pytest.mark.parametrize("newline", [*NEWLINES, "mixed"], ids=["CRLF", "LF", "CR", "mixed"])
@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-16-le"])
def test_a_damaged_file_of_megabytes_agrees(newline: str, encoding: str) -> None:
    """About 1.5 MB of EKB lines (over every block size of both engines, and large
    enough for polars to split its reading between threads) with damage every few
    hundred lines, in every line ending and three encodings."""
    lines = damaged_ekb_lines()
    each = [NEWLINES[(i * 7) % 3] if newline == "mixed" else newline for i in range(len(lines))]
    data = _join(lines, each).encode(encoding)
    report = assert_same(data, register="ekb", file="manad", year=2023)
    assert report.lines == 20_000
    assert report.rule_counts["SOS-104"] == len(range(5, 20_000, 397))


@pytest.mark.parametrize(
    "prefix",
    [
        codecs.BOM_UTF8 * 2,
        codecs.BOM_UTF8 * 3,
        codecs.BOM_UTF16_LE * 2,
        codecs.BOM_UTF16_BE * 2,
        codecs.BOM_UTF8 + "\ufeff".encode("cp1252", "replace"),
    ],
    ids=["utf8-two", "utf8-three", "utf16le-two", "utf16be-two", "utf8-then-?"],
)
def test_a_second_bom_is_a_character_of_the_first_line(prefix: bytes) -> None:
    """Issue 19 item 5: the collector takes one BOM as the encoding's mark; a second
    U+FEFF is a character of the data (an invisible one in the kommun field). Both
    engines say so: SOS-019 (the invisible character named), SOS-205 and SOS-214 on
    line 1, field kommun (the columnar engine used to let polars drop it and gave no
    finding on the line)."""
    encoding = {codecs.BOM_UTF16_LE[:2]: "utf-16-le", codecs.BOM_UTF16_BE[:2]: "utf-16-be"}.get(
        prefix[:2], "utf-8"
    )
    lines = SOL1_LINES[:3]
    data = prefix + ("\r\n".join(lines) + "\r\n").encode(encoding)
    report = assert_same(data, register="sol", file="sol1", year=2023)
    assert report.encoding == encoding + "+bom"
    first = [(f.code, f.line, f.field) for f in report.findings if f.line == 1]
    assert ("SOS-214", 1, "kommun") in first
    assert ("SOS-205", 1, "kommun") in first or prefix.count(b"?")
    assert (("SOS-019", 1, None) in first) is not prefix.endswith(b"?")
    assert not [f for f in report.findings if f.line and f.line > 1]


@pytest.mark.parametrize(("blocks", "head"), [(source.BlockSizes(), HEAD), *SMALL_BLOCKS])
@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 * 2,
        codecs.BOM_UTF8 + b"\r",
        codecs.BOM_UTF8 + b"\r\n\r\n",
        codecs.BOM_UTF8 * 2 + b"\n" + SOL1_LINE.encode(),
        codecs.BOM_UTF16_LE + "\ufeff\r".encode("utf-16-le"),
        b"\r",
        b"\r\r\n\n\r",
        b"\xef\xbb",
        b"\xef\xbb\xbf\xef\xbb",
        ("\r".join([SOL1_LINE] * 5)).encode("cp1252") + b"\xef\xbb\xbf",
    ],
)
def test_first_and_last_lines_agree(
    data: bytes, blocks: source.BlockSizes, head: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A BOM alone, two, a BOM before an empty line or a lone CR, broken BOMs, a BOM
    at the end: the two engines read the first and the last line alike, whatever the
    block sizes."""
    _shrink(monkeypatch, blocks, head)
    assert_same(data, register="sol", file="sol1", year=2023)


@given(st.binary(max_size=600), st.sampled_from(ALL_FILES))
def test_any_bytes_agree(data: bytes, register_file: tuple[str, str]) -> None:
    register, file = register_file
    assert_same(data, register=register, file=file, year=2023)


LINE_BYTES = st.lists(
    st.sampled_from(
        [b"\r", b"\n", b"\r\n", b";", b"0330", b"\xef\xbb\xbf", b"\xf6", b"\xc3\xb6", b"\x00", b'"']
        + [line.encode() for line in SOL1_LINES[:3]]
    ),
    max_size=40,
).map(b"".join)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF8 * 2, codecs.BOM_UTF16_LE]),
    LINE_BYTES,
    st.sampled_from([None, *SMALL_BLOCKS]),
)
def test_lines_of_any_bytes_agree_at_any_block_size(
    prefix: bytes, data: bytes, blocks: tuple[source.BlockSizes, int] | None
) -> None:
    """Bytes made of line endings, separators, BOMs, Windows-1252 and UTF-8 letters,
    NULs, quotes and whole lines, after no BOM, one, two or a UTF-16 one, at the real
    block sizes and at a few bytes: both engines read the same lines (the first one
    too) and say the same."""
    with pytest.MonkeyPatch.context() as mp:
        _shrink(mp, *(blocks or (source.BlockSizes(), HEAD)))
        assert_same(prefix + data, register="sol", file="sol1", year=2023)


@given(
    st.integers(0, 9999), st.integers(0, 99), st.integers(0, 99), st.integers(0, 999), st.booleans()
)
def test_fast_identity_test_agrees_with_parse(
    y: int, m: int, d: int, serial: int, luhn: bool
) -> None:
    body = f"{y:04d}{m:02d}{d:02d}{serial:03d}"
    value = body + (identity.luhn_digit(body[2:]) if luhn else "0")
    parsed = identity.parse(value)
    kind = parsed.kind if isinstance(parsed, identity.Identity) else None
    assert identity.twelve_digit_kind(value) == kind


@pytest.mark.parametrize("accept", [("pnr", "snr"), ("pnr",), ("snr",)])
def test_columnar_identity_mask_agrees_with_parse(accept: tuple[str, ...]) -> None:
    """Every month and day (00–99) in a leap, a non-leap, a century and the year 0000,
    with a right and a wrong check digit: the columnar mask (lookup tables) accepts
    exactly what the row engine's fast test accepts."""
    pl = pytest.importorskip("polars")
    from sosreg.engine.types.identity import mask as identity_ok

    values = []
    for year in (0, 4, 1900, 2000, 2001, 2023):
        for mmdd in range(10_000):
            body = f"{year:04d}{mmdd:04d}123"
            digit = identity.luhn_digit(body[2:])
            values += [body + digit, body + str((int(digit) + 1) % 10)]
    values += ["", "x" * 12, "+19121212121", "-19121212121", "1912121212120"]
    # a sign for a leading zero: the same number, 12 bytes, not 12 digits
    values += ["+" + v[1:] for v in values if v.startswith("0004")]
    values += ["-" + v[1:] for v in values if v.startswith("0004")]
    frame = pl.DataFrame({"v": values})
    got = frame.lazy().select(identity_ok(pl, pl.col("v"), accept)).collect().to_series()
    expected = [identity.twelve_digit_kind(v) in accept for v in values]
    assert got.to_list() == expected


@pytest.mark.parametrize("accept", [("t3",), ("tf",), ("pnr", "snr", "t3"), identity.KINDS])
def test_columnar_temporary_id_mask_agrees_with_parse(accept: tuple[str, ...]) -> None:
    """Temporary ids (``ÅÅÅÅMMDDT123``, ``ÅÅÅÅ[MM[DD]]TF00``) of every month and day
    (00–99) in a leap, a non-leap, a century and the year 0000, and near misses: the
    columnar mask accepts exactly what :func:`sosreg.identity.parse` accepts, but for
    ``ÅÅÅÅMM00TF00``, which parse reads as "no day" (and ``age_range`` then fails): the
    mask leaves those to the row engine."""
    pl = pytest.importorskip("polars")
    from sosreg.engine.types.identity import mask as identity_ok

    values = []
    for year in (0, 4, 1900, 2000, 2023):
        values += [f"{year:04d}TF00", *(f"{year:04d}{mm:02d}TF00" for mm in range(100))]
        for mmdd in range(10_000):
            values += [f"{year:04d}{mmdd:04d}T123", f"{year:04d}{mmdd:04d}TF00"]
    values += ["20230101T12", "20230101T1234", "20230101TF01", "2023010TF00", "202301TF0"]
    values += ["20230101tf00", "20230101t123", "20230101X123", "TF00", "T123", "2023T123"]
    values += ["", "+2023TF00", "2023-01-01T123", "20230101T12a", "202301011TF00"]
    frame = pl.DataFrame({"v": values})
    got = frame.lazy().select(identity_ok(pl, pl.col("v"), accept)).collect().to_series()
    expected = [
        identity.is_valid(v, accept) and not (len(v) == 12 and v.endswith("00TF00")) for v in values
    ]
    assert got.to_list() == expected


@given(
    st.lists(sos_st.identities(), min_size=1, max_size=20),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.integers(0, 30),
    st.booleans(),
)
def test_columnar_ages_agree_with_age_range(
    values: list[str], on: dt.date, age: int, as_number: bool
) -> None:
    """``Columns.oldest_under`` and ``youngest_over`` (the age masks) agree with
    :meth:`sosreg.identity.Identity.age_range` for ids of every kind and precision, with
    the day given as a date or as an expression of ÅÅÅÅMMDD."""
    pl = pytest.importorskip("polars")
    from sosreg.engine.columnar import Columns

    c = Columns(sosreg.parse(b"", register="ekb", file="manad", year=2023).parser, [])
    day: Any = pl.lit(on.year * 10000 + on.month * 100 + on.day) if as_number else on
    got = pl.DataFrame({"v": values}).select(
        c.oldest_under("v", age, day).alias("under"), c.youngest_over("v", age, day).alias("over")
    )
    for value, under, over in zip(values, got["under"], got["over"], strict=True):
        who = identity.parse(value)
        assert isinstance(who, identity.Identity)
        youngest, oldest = who.age_range(on)
        assert (under, over) == (oldest < age, youngest > age), value


@pytest.mark.parametrize(("register", "file"), ALL_FILES)
def test_every_rule_mask_covers_the_lines_its_rule_fires_on(register: str, file: str) -> None:
    """A rule's mask may assume valid fields; on a line whose fields are valid, every
    finding of the rule must be on a line its mask flags. (The differential test alone
    can miss a broken mask when another mask flags the same line.)"""
    from sosreg.engine import columnar

    period = _period(register, file)
    spec = sosreg.get_spec(register, file, 2023)

    @settings(max_examples=25)
    @given(sos_st.files(register, file, 2023, period, 1, 12), st.data())
    def check(records: list[Any], data: st.DataObject) -> None:
        text = sosreg.serialize(records).decode("utf-8")
        lines = data.draw(damaged_lines(text.split("\r\n")[:-1], spec))
        raw = ("\r\n".join(lines) + "\r\n").encode("utf-8")
        args = {"register": register, "file": file, "year": 2023}
        report = sosreg.validate(raw, max_details=None, engine="row", **args)
        flags = columnar.explain(sosreg.parse(raw, engine="columnar", **args))
        if not flags:
            return
        invalid = set(flags["suspect"])
        for name, flagged in flags.items():
            if name.startswith("field:") or name in ("period", "kommun"):
                invalid |= flagged
        for name, flagged in flags.items():
            if not name.startswith(("record:", "cross:")):
                continue
            codes = set(name.split(":", 1)[1].split(","))
            fired = {f.line for f in report.findings if f.code in codes and f.line}
            missed = fired - flagged - invalid
            assert not missed, (name, sorted(missed))

    check()


MAX_MASK_SHARE = 0.02
"""The share of a valid file's lines one mask may flag (but those in BROAD_MASKS)."""
MAX_FLAGGED_SHARE = 0.05
"""The share of a valid file's lines all masks together may flag."""
BROAD_MASKS: dict[tuple[str, str, str], str] = {}
"""(register, file, mask name) -> why the mask must flag more of a valid file. None
today: every record and cross-record rule of every register has a tight mask."""


@pytest.mark.parametrize(("register", "file"), ALL_FILES)
def test_masks_are_tight_on_valid_files(register: str, file: str) -> None:
    """On a valid generated file the columnar engine leaves few lines to the row engine:
    a rule without a mask, or a mask that flags a line for a null (an empty optional
    field), flags every line and fails here."""
    from sosreg.engine import columnar

    generated = sosreg.generate(register, file, 2023, 2000, seed=7, out=None)
    (data,) = [gf.data for gf in generated.files if gf.file == file]
    args = {"register": register, "file": file, "year": 2023}
    flags = columnar.explain(sosreg.parse(data, engine="columnar", **args))
    assert flags, "the columnar engine handed the whole file to the row engine"
    total = data.count(b"\n")
    assert total >= 2000
    broad = {
        name: f"{len(lines)}/{total}"
        for name, lines in flags.items()
        if len(lines) > MAX_MASK_SHARE * total and (register, file, name) not in BROAD_MASKS
    }
    assert not broad
    flagged = set().union(*flags.values())
    assert len(flagged) <= MAX_FLAGGED_SHARE * total, f"{len(flagged)}/{total}"


def _fed_only(raw: bytes, args: dict[str, Any], lines: set[int], factory: Any) -> list[Any]:
    """The findings of a fresh cross-record rule of ``factory`` fed, in order, only the
    records of ``lines``."""
    parsed = sosreg.parse(raw, **args)
    ctx = parsed.context
    rule = factory.factory()
    out = []
    for row in parsed:
        if row.record is not None and row.line in lines:
            out += list(rule.feed(row.record, row.line, ctx))
    return out + list(rule.finish(ctx))


def assert_cross_masks_keep_findings(raw: bytes, **args: Any) -> None:
    """Feeding a cross-record rule only the lines its mask flags (and the lines the row
    engine reads anyway: suspect lines, invalid fields) gives the findings of feeding it
    every line."""
    from sosreg.engine import columnar

    flags = columnar.explain(sosreg.parse(raw, engine="columnar", **args))
    if not flags:
        return
    every = set(range(1, raw.count(b"\n") + 2))
    invalid = set(flags["suspect"])
    for name, flagged in flags.items():
        if name.startswith("field:") or name in ("period", "kommun"):
            invalid |= flagged
    for factory in sosreg.parse(b"", **args).runner.cross_factories:
        if factory.mask is None and not factory.keys:
            continue
        flagged = flags["cross:" + ",".join(factory.codes)]
        want = _fed_only(raw, args, every, factory)
        assert _fed_only(raw, args, flagged | invalid, factory) == want, factory.codes


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.file}")
def test_cross_masks_keep_the_findings_of_the_rule_cases(case: Case) -> None:
    assert_cross_masks_keep_findings(_bytes(case.bad), **(dict(DEFAULTS[case.file]) | case.kw))


@pytest.mark.parametrize(("register", "file"), ALL_FILES)
def test_every_cross_mask_keeps_the_findings_of_its_rule(register: str, file: str) -> None:
    """The mask holds every line that matters to its rule, not only the lines it fires
    on (the first of two duplicates, the first kön of a temporary id); on generated
    files with damage."""
    period = _period(register, file)
    spec = sosreg.get_spec(register, file, 2023)
    args = {"register": register, "file": file, "year": 2023}

    @settings(max_examples=25)
    @given(sos_st.files(register, file, 2023, period, 1, 12), st.data())
    def check(records: list[Any], data: st.DataObject) -> None:
        text = sosreg.serialize(records).decode("utf-8")
        lines = data.draw(damaged_lines(text.split("\r\n")[:-1], spec))
        raw = ("\r\n".join(lines) + "\r\n").encode("utf-8")
        assert_cross_masks_keep_findings(raw, **args)

    check()


@given(sos_st.identities(), st.dates())
def test_fast_oldest_age_agrees_with_parse(value: str, on: Any) -> None:
    who = identity.parse(value)
    assert isinstance(who, identity.Identity)
    assert identity.oldest_age(value, on) == who.age_range(on)[1]


@pytest.mark.parametrize(
    "data",
    [
        b"\xef\xbb\xbf0330;;202301;202301;199201014579;;0;5230;0;021;;0;;;\r\n\xff\xfe;x\r\n",
        b"0330;;202301;202301;199201014579;;0;5230;0;021;;0;;;\r0330;;\r\n",
        b"0330;;202301;202301;199201014579;;0;5230;0;021;;0;;;\x1f\n",
        b"\n\n\n",
        b"",
        "0330;;202301;202301;199201014579;;0;5230;0;021;;0;;;\r\n".encode("utf-16"),
    ],
    ids=["bom-then-bad-utf8", "lone-cr", "unit-separator", "blank", "empty", "utf-16"],
)
def test_inputs_the_columnar_reader_hands_back_agree(data: bytes) -> None:
    assert_same(data, register="ekb", file="manad", year=2023)


def _both(data: bytes, **args: Any) -> tuple[list[Any], list[Any]]:
    """Every line through the compiled path (the pipeline's) and through the reference
    LineParser with its converters one by one."""
    from sosreg.engine.core import LineParser

    compiled = sosreg.parse(data, **args)
    reference = sosreg.parse(data, **args)
    p = reference.parser
    plain = LineParser(
        p.ctx,
        p.record_cls,
        period_source=p.period_source,
        kommun=p.kommun,
        kommun_source=p.kommun_source,
    )
    assert plain.fields_fn is None
    lines = list(compiled.input.lines())
    got = [compiled.runner.parse_line(pl) for pl in lines]
    want = [plain.parse(pl) for pl in lines]
    return got, want


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.code}-{c.file}")
def test_compiled_line_functions_agree_with_the_reference(case: Case) -> None:
    args = dict(DEFAULTS[case.file]) | case.kw
    got, want = _both(_bytes(case.bad), **args)
    assert got == want


@pytest.mark.parametrize(("register", "file"), ALL_FILES)
def test_compiled_agrees_with_the_reference_on_damaged_files(register: str, file: str) -> None:
    period = _period(register, file)
    spec = sosreg.get_spec(register, file, 2023)

    @settings(max_examples=20)
    @given(sos_st.files(register, file, 2023, period, 1, 8), st.data())
    def check(records: list[Any], data: st.DataObject) -> None:
        text = sosreg.serialize(records).decode("utf-8")
        lines = data.draw(damaged_lines(text.split("\r\n")[:-1], spec))
        raw = ("\r\n".join(lines) + "\r\n").encode("utf-8")
        got, want = _both(raw, register=register, file=file, year=2023)
        assert got == want

    check()


def test_same_person_mask_keys_numbers_and_temporary_ids_as_the_index_does() -> None:
    """EKB-050/051 by the columnar mask: 12-digit numbers keyed as integers, temporary
    ids as text, a person on a clean line and on a suspect (quoted) line, an empty
    medsökande never a person."""
    from sosreg.engine import columnar

    base = "0180;;202301;202301;{s};{m};0;8777;0;021;{hm};0;{im};;"

    def line(s: str, m: str = "") -> str:
        return base.format(s=s, m=m, hm="021" if m else "", im="0" if m else "")

    lines = [
        line("197704068555"),
        # a quoted value: suspect, the row engine reads it (a line in quotes is
        # repaired in columns, see sosreg.engine.linestage)
        line("198508147413").replace("0180", '"0180"', 1),
        line("198508147413"),  # clean, the same person as the suspect line
        line("19770406T123"),
        line("196306010734", "19770406T123"),  # the temporary id again, as medsökande
        line("197402017037", "197704068555"),  # line 1's sökande as medsökande
        line("193811268295"),
    ]
    raw = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    args = {"register": "ekb", "file": "manad", "year": 2023, "period": "202301"}
    report = assert_same(raw, **args)
    found = [(f.code, f.line) for f in report.findings if f.code.startswith("EKB")]
    assert found == [("EKB-050", 3), ("EKB-051", 5), ("EKB-051", 6)]
    assert_cross_masks_keep_findings(raw, **args)
    flags = columnar.explain(sosreg.parse(raw, engine="columnar", **args))
    flagged = flags["cross:EKB-050,EKB-051"]
    assert flagged == {1, 3, 4, 5, 6}  # line 2 is suspect; line 7's person is alone


_PERSONS = st.sampled_from(
    ["197704068555", "198508147413", "19770406T123", "19770406TF00", "１９７７０４０６８５５５", ""]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), _PERSONS), max_size=30))
def test_a_key_that_is_the_fields_value_is_fed_as_the_general_path_feeds_it(
    values: list[str | None],
) -> None:
    """SOL-030, LSS-030, BU-050, KHSL-030: the inlined feed of a one-field key (12-digit
    values straight into the integer index) gives the general path's findings, in the
    same order, for numbers, temporary ids, non-ASCII digits and empty values mixed."""
    from sosreg.registers import get

    reg = get("sol")
    factory = next(f for f in reg.cross_rules if f.codes == ("SOL-030",))
    parsed = sosreg.parse(b"", register="sol", file="sol1", year=2023, period="202301")
    ctx = parsed.context

    class Rec:
        def __init__(self, personnummer: str | None) -> None:
            self.personnummer = personnummer

    def run(general: bool) -> list[Any]:
        rule: Any = factory.factory()
        feed = rule.general_feed if general else rule.feed
        assert general or feed != rule.general_feed  # the inlined feed is in use
        out: list[Any] = []
        for line, value in enumerate(values, start=1):
            out.extend(feed(Rec(value), line, ctx))
        out.extend(rule.finish(ctx))
        return out

    inlined = run(general=False)
    assert inlined == run(general=True)
    assert len(inlined) == sum(1 for i, v in enumerate(values) if v is not None and v in values[:i])


@pytest.mark.parametrize(("register", "file"), ALL_FILES)
def test_plain_line_is_not_suspect_and_its_patterned_fields_valid(register: str, file: str) -> None:
    """The first pass's one match over a line (:func:`sosreg.engine.masks.plain_line`)
    is true exactly where the line is not suspect and every field it tests is valid by
    its mask (the kommun and period fields: the file's), on generated lines with damage, a
    letter or ``;`` first, spaces, quotes, tabs and other characters."""
    import polars as pl

    from sosreg.engine.blocks import lines_frame, table_of
    from sosreg.engine.masks import field_ok, plain_line, suspect_line

    period = _period(register, file)

    @settings(max_examples=15, deadline=None)
    @given(sos_st.files(register, file, 2023, period, 1, 12), st.data())
    def check(records: list[Any], data: st.DataObject) -> None:
        text = sosreg.serialize(records).decode("utf-8")
        spec = sosreg.get_spec(register, file, 2023)
        lines = data.draw(damaged_lines(text.split("\r\n")[:-1], spec))
        odd = st.sampled_from(["A", ";", " ", '"', "\t", "é", "\x00", "", "0;", "1"])
        lines += [data.draw(odd) + line for line in lines[:3]]
        lines += [line + data.draw(odd) for line in lines[:3]] + ["", ";", "0"]
        parsed = sosreg.parse(text.encode(), register=register, file=file, year=2023)
        parser = parsed.runner.parser
        frame = lines_frame(
            pl, 1, len(lines), pl.zeros(len(lines), dtype=pl.UInt8, eager=True), pl.Series(lines)
        )
        table = table_of(pl, parser.names, frame, None)
        ok, taken = plain_line(pl, parser)
        valid = [
            (pl.col(cf.spec.name) == parser.kommun)
            if i == parser.kommun_index
            else (pl.col(cf.spec.name) == str(parser.period))
            if i == parser.period_index
            else field_ok(pl, cf, parser.ctx)
            for i, cf in enumerate(parser.fields)
            if cf.spec.name in taken
        ]
        expected = ~suspect_line(pl, parser.names) & pl.all_horizontal([pl.lit(True), *valid])
        got = table.select(ok.alias("got"), expected.alias("expected"))
        for line, g, e in zip(lines, got["got"], got["expected"], strict=True):
            assert g == e, (line, g, e)

    check()
