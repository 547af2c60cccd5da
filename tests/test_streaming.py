"""The columnar engine reads and checks a file in blocks of lines (issue 22 item 1): the
row engine's findings across block boundaries (a duplicate whose two lines are in two
blocks, a CRLF cut by a boundary, a line longer than a block, every register's
cross-record rules), and memory bounded by the block size, whatever the file's size or
shape (measured by what the engine held, not by RSS, so that it is deterministic)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from test_engines import assert_same

import sosreg
from sosreg.engine import source

pytest.importorskip("polars")

from sosreg.engine import columnar, crosskeys, held, masks


def _lines(register: str, file: str, n: int, seed: int = 3) -> list[str]:
    generated = sosreg.generate(register, file, 2023, n, seed=seed, out=None)
    (data,) = [gf.data for gf in generated.files if gf.file == file]
    return data.decode("utf-8").split("\r\n")[:-1]


def _blocks(monkeypatch: pytest.MonkeyPatch, rows: int, batch: int = 7) -> None:
    monkeypatch.setattr(source, "BLOCKS", source.BlockSizes(rows=rows, batch=batch))


SOL = {"register": "sol", "file": "sol1", "year": 2023}
EKB = {"register": "ekb", "file": "manad", "year": 2023}
BU = {"register": "bu", "file": "barn", "year": 2023}


def _field(line: str, i: int, value: str) -> str:
    parts = line.split(";")
    parts[i] = value
    return ";".join(parts)


def test_a_duplicate_in_two_blocks_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """SOL-030: the person of line 3 again on line 250, ~40 lines a block; the first
    pass finds the repeated key, the second hands both lines to the row engine."""
    lines = _lines("sol", "sol1", 300)
    lines[249] = _field(lines[249], 3, lines[2].split(";")[3])
    _blocks(monkeypatch, rows=3000)
    report = assert_same(("\r\n".join(lines) + "\r\n").encode(), **SOL)
    assert [(f.code, f.line) for f in report.by_code("SOL-030")] == [("SOL-030", 250)]
    assert columnar.STATS.passes == 2 and columnar.STATS.blocks > 10
    assert columnar.STATS.rows < 60


def test_the_second_pass_reads_again_only_the_blocks_it_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first pass runs every mask; the second reads into columns again only the
    blocks with a suspect line, a flagged line or a repeated key: none of a clean file,
    and of a file with one bad value, one duplicate across blocks and one quoted line,
    the blocks that hold them (the findings the row engine's)."""
    lines = _lines("sol", "sol1", 300)
    data = ("\r\n".join(lines) + "\r\n").encode()
    _blocks(monkeypatch, rows=3000, batch=1000)
    report = assert_same(data, **SOL)
    assert report.findings == [] or all(f.line is None for f in report.findings)
    assert columnar.STATS.passes == 2 and columnar.STATS.keys > 5  # blocks of the first
    assert columnar.STATS.again == 0
    lines[9] = _field(lines[9], 4, "7")  # a kön that is no code: field mask (block 1)
    lines[249] = _field(lines[249], 3, lines[2].split(";")[3])  # SOL-030 (blocks 1, 6)
    lines[150] = '"' + lines[150] + '"'  # the line stage in columns repairs it
    report = assert_same(("\r\n".join(lines) + "\r\n").encode(), **SOL)
    codes = {(f.code, f.line) for f in report.findings}
    assert {("SOL-030", 250), ("SOS-104", 151)} <= codes and any(n == 10 for _, n in codes)
    # lines 3 and 10 may share a block; 151 and 250 are blocks of their own. Those of
    # lines 3 and 250 are read again (a key repeats: their lines not flagged matter);
    # the lines flagged of the others, 10 (if apart) and 151, the first pass kept
    assert 2 <= columnar.STATS.again <= 3 < columnar.STATS.keys
    assert 3 <= columnar.STATS.again + columnar.STATS.held <= 4
    assert columnar.STATS.held >= 1 and columnar.STATS.held_rows == 1  # line 151's block
    # with nothing kept, every block with a flagged line is read again
    monkeypatch.setattr(held, "HOLD_BYTES", 0)
    assert_same(("\r\n".join(lines) + "\r\n").encode(), **SOL)
    assert 3 <= columnar.STATS.again <= 4 < columnar.STATS.keys
    assert columnar.STATS.held == 0


@pytest.mark.parametrize("hold", [700, 2500])
def test_kept_lines_and_blocks_read_again_take_turns(
    hold: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past :data:`~sosreg.engine.held.HOLD_BYTES` the first pass keeps no more lines:
    the second checks the kept lines of the first blocks, then reads the others again,
    and a block with a repeated key in between is read again too; in line order, with
    the row engine's findings (a short line at a block's end, quoted lines, bad values,
    a duplicate across kept and read blocks)."""
    lines = _lines("sol", "sol1", 400)
    for i in range(5, 400, 23):
        lines[i] = '"' + lines[i] + '"'
    for i in range(11, 400, 37):
        lines[i] = _field(lines[i], 4, "7")  # a kön that is no code
    for i in range(17, 400, 41):
        lines[i] = ";".join(lines[i].split(";")[:6])  # cut short
    lines[300] = _field(lines[300], 3, lines[20].split(";")[3])  # SOL-030, far apart
    _blocks(monkeypatch, rows=2000)
    monkeypatch.setattr(held, "HOLD_BYTES", hold)
    data = ("\r\n".join(lines) + "\r\n").encode()
    report = assert_same(data, **SOL)
    assert [f.line for f in report.by_code("SOL-030")] == [301]
    # two details a rule: those of the first lines in line order, so the kept lines
    # and the blocks read again must be checked in turns, not one kind after the other
    row, col = (sosreg.validate(data, engine=e, max_details=2, **SOL) for e in ("row", "columnar"))
    assert col.findings == row.findings and col.rule_counts == row.rule_counts
    assert columnar.STATS.held >= 5 and columnar.STATS.again >= 5  # both, in turns


def test_a_duplicate_on_a_damaged_line_in_another_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key of a line the row engine repairs (quoted, spaces around a value, a
    trailing semicolon) is its record's: the clean line in another block is flagged."""
    lines = _lines("sol", "sol1", 200)
    person = lines[5].split(";")[3]
    lines[120] = '"' + _field(lines[120], 3, person) + '"'
    lines[150] = _field(lines[150], 3, " " + lines[9].split(";")[3])
    lines[180] = _field(lines[180], 3, lines[11].split(";")[3]) + ";"
    _blocks(monkeypatch, rows=2000)
    report = assert_same(("\r\n".join(lines) + "\r\n").encode(), **SOL)
    assert [f.line for f in report.by_code("SOL-030")] == [121, 151, 181]


def test_same_person_and_temporary_ids_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """EKB-050/051 (per period, TF00 left out) and BU-053/054 (two kön, two birth dates
    of one temporary id's number) with their lines in different blocks."""
    ekb = _lines("ekb", "manad", 200)
    ekb[150] = _field(ekb[150], 4, ekb[3].split(";")[4])  # EKB-050
    ekb[170] = _field(_field(ekb[170], 5, ekb[4].split(";")[4]), 10, "021")  # EKB-051
    ekb[190] = '"' + _field(ekb[190], 4, ekb[6].split(";")[4]) + '"'
    _blocks(monkeypatch, rows=1500)
    report = assert_same(("\r\n".join(ekb) + "\r\n").encode(), **EKB)
    assert {f.line for f in report.findings if f.code in ("EKB-050", "EKB-051")} >= {151, 191}
    bu = _lines("bu", "barn", 200)
    bu[10] = _field(_field(bu[10], 3, "20200101T123"), 4, "1")
    bu[150] = _field(_field(bu[150], 3, "20200101T123"), 4, "2")  # BU-053
    bu[160] = _field(_field(bu[160], 3, "20210202T123"), 4, "2")  # BU-054
    bu[20] = _field(_field(bu[20], 3, "20190303T456"), 4, "1")
    bu[170] = _field(_field(bu[170], 3, "20190303T456"), 4, "1")  # BU-050 only
    report = assert_same(("\r\n".join(bu) + "\r\n").encode(), **BU)
    assert [f.line for f in report.by_code("BU-053")] == [151]
    assert [f.line for f in report.by_code("BU-054")] == [161]


@pytest.mark.parametrize("rows", range(60, 100, 3))
@pytest.mark.parametrize("newline", ["\r\n", "\r", "mixed"])
def test_endings_cut_by_a_block_boundary(
    rows: int, newline: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A CRLF split between two blocks, a lone CR as a block's last byte, a missing
    final newline: the lines and endings of the row engine."""
    lines = _lines("sol", "sol1", 12)
    lines[4] = lines[1]  # a duplicate
    each = [("\r\n", "\n", "\r")[i % 3] if newline == "mixed" else newline for i in range(12)]
    data = "".join(line + ending for line, ending in zip(lines, each, strict=True))
    _blocks(monkeypatch, rows=rows)
    for raw in (data, data.rstrip("\r\n")):
        report = assert_same(raw.encode(), **SOL)
        assert report.lines == 12


@pytest.mark.parametrize(
    ("long", "ending"),
    [
        ("x" * 500_000, "\r\n"),
        ("1;" * 300_000, "\n"),
        ("å" * 300_000, "\r"),  # two bytes a character: counted in characters
        ("0180;" + "9" * 450_000, ""),  # the last line, without a newline
    ],
    ids=["ascii", "separators", "utf8-cr", "last"],
)
def test_a_line_longer_than_any_block(
    long: str, ending: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A line past MAX_LINE (and past LONG_BYTES) is never held whole: its head and
    length are the row engine's (SOS-102 with the length), the lines around it read."""
    lines = _lines("sol", "sol1", 20)
    lines[3] = lines[15]
    middle = "\r\n".join(lines[:10]) + "\r\n" + long + ending
    data = middle if not ending else middle + "\r\n".join(lines[10:]) + "\r\n"
    _blocks(monkeypatch, rows=4096)
    report = assert_same(data.encode(), **SOL)
    assert [f.line for f in report.by_code("SOS-102")] == [11]
    assert columnar.STATS.bytes < 1_000_000  # the line is 500-600 KB; its head 100,000


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_a_file_of_one_field_per_line(newline: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every line suspect; a block holds at most ``batch`` lines, however short; the
    lines the first pass keeps are checked ``batch`` at a most (read again, the second
    pass checks :data:`~sosreg.engine.columnar.JOIN_AGAIN` blocks together)."""
    join = columnar.JOIN_AGAIN
    data = b"".join(b"%d" % (i % 7) + newline.encode() for i in range(3000))
    _blocks(monkeypatch, rows=1000)
    assert_same(data, **SOL)
    assert columnar.STATS.rows <= 1000 // 2 + 1 and columnar.STATS.again == 0
    _blocks(monkeypatch, rows=1 << 20, batch=100)
    assert_same(data, **SOL)
    assert columnar.STATS.rows == columnar.STATS.held_rows == 100
    monkeypatch.setattr(held, "HOLD_BYTES", 0)
    _blocks(monkeypatch, rows=1000)
    assert_same(data, **SOL)
    assert columnar.STATS.rows <= join * (1000 // 2 + 1) and columnar.STATS.held == 0
    _blocks(monkeypatch, rows=1 << 20, batch=100)
    assert_same(data, **SOL)
    assert columnar.STATS.rows == join * 100
    monkeypatch.setattr(columnar, "JOIN_AGAIN", 1)
    assert_same(data, **SOL)
    assert columnar.STATS.rows == 100


@pytest.mark.parametrize("encoding", ["cp1252", "utf-16-le"])
def test_other_encodings_in_batches_of_lines(
    encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Input that is not UTF-8 is read as the row engine's lines, ``batch`` at a time,
    in two passes for the keys."""
    lines = _lines("sol", "sol1", 60)
    lines[50] = lines[2]
    lines[30] = "Å" + lines[30]
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    _blocks(monkeypatch, rows=500, batch=7)
    report = assert_same(data, **SOL)
    assert [f.line for f in report.by_code("SOL-030")] == [51]
    assert columnar.STATS.rows <= 7 and columnar.STATS.passes == 2


def test_the_blocks_held_are_bounded_by_the_block_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """However long the file, the engine holds one block's table at a time: the
    largest block is about the same for 500 and for 5,000 lines; a file of one block is
    read twice too (its keys, then its checks)."""
    lines = _lines("ekb", "manad", 5000)
    held = {}
    for n in (500, 5000):
        _blocks(monkeypatch, rows=8192)
        sosreg.validate(("\r\n".join(lines[:n]) + "\r\n").encode(), engine="columnar", **EKB)
        assert columnar.STATS.passes == 2
        held[n] = (columnar.STATS.rows, columnar.STATS.bytes)
        assert columnar.STATS.blocks >= 2 * (n * 50 // 8192)
    assert max(held[500][0], held[5000][0]) <= 8192 // 40
    assert held[5000][1] <= 2 * held[500][1]
    _blocks(monkeypatch, rows=1 << 22)
    sosreg.validate(("\r\n".join(lines) + "\r\n").encode(), engine="columnar", **EKB)
    assert columnar.STATS.passes == 2  # one block too: the line stage in columns sees it


def test_explain_across_blocks_is_explain_of_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """The masks flag the same lines whatever the blocks (explain reads in blocks too)."""
    lines = _lines("ekb", "manad", 300)
    lines[250] = _field(lines[250], 4, lines[3].split(";")[4])
    lines[260] = '"' + lines[260] + '"'
    data = ("\r\n".join(lines) + "\r\n").encode()
    whole = columnar.explain(sosreg.parse(data, engine="columnar", **EKB))
    _blocks(monkeypatch, rows=700)
    small = columnar.explain(sosreg.parse(data, engine="columnar", **EKB))
    assert columnar.STATS.blocks > 20
    assert small == whole
    assert {4, 251} <= whole["cross:EKB-050,EKB-051"]


def _key_hashes(values: list[Any]) -> Any:
    import polars as pl

    return pl.select(crosskeys._h64(pl, pl.lit(pl.Series(values, dtype=pl.String)))).to_series()


def test_a_records_key_hashes_as_a_lines() -> None:
    """The first pass hashes keys from raw columns and from records' fields as text
    (built in Python): the same text gives the same hash, None none."""
    import polars as pl

    raw = pl.read_csv(b"202301|197704068555\n", has_header=False, new_columns=["k"])
    from_csv = raw.select(crosskeys._h64(pl, pl.col("k"))).to_series()
    built = _key_hashes(["202301|197704068555", None])
    assert from_csv[0] == built[0] and built[1] is None


@pytest.mark.parametrize("rows", [1 << 21, 300])
def test_analysts_read_each_file_once(
    rows: int, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``scan`` takes the typed rows from the columnar engine's check (issue 21 item 5:
    one read per file), block by block, and they equal those of a second read (what
    the row engine leaves it to do); damaged lines (quotes, spaces, a wrong count,
    invalid values) included."""
    from sosreg import analysts

    lines = _lines("ekb", "manad", 120)
    lines[7] = '"' + lines[7] + '"'
    lines[30] = _field(lines[30], 6, " 2")
    lines[50] = lines[50] + ";;"
    lines[70] = _field(lines[70], 7, "12x")
    lines[90] = lines[90].rsplit(";", 3)[0]
    path = tmp_path / "Ekb_0180_202301_20230214T0900.txt"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode())
    key = bytes(range(32))
    again = sosreg.scan(path, include="all", key=key, engine="row").frame.collect()
    _blocks(monkeypatch, rows=rows)

    def no_second_read(*args: Any) -> Any:
        raise AssertionError("read twice")

    monkeypatch.setattr(analysts, "_read_again", no_second_read)
    once = sosreg.scan(path, include="all", key=key, engine="columnar").frame.collect()
    assert once.equals(again)
    assert once.height == 119  # the cut line made no record


@pytest.mark.parametrize("rows", [1 << 21, 200])
def test_a_line_cut_in_two_is_seen_whatever_is_parsed_first(
    rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regression (fuzz): a line cut in two whose second half the first pass must parse
    (a control character) lost its SOS-111 in a file of one block: the row engine saw
    the second half before the first. Every suspect line is now parsed in line order."""
    lines = _lines("sol", "sol1", 12)
    parts = lines[7].split(";")
    lines[7:8] = [";".join(parts[:10]), "\x01" + ";".join(parts[9:])]  # cut in field 10
    _blocks(monkeypatch, rows=rows)
    report = assert_same(("\r\n".join(lines) + "\r\n").encode(), **SOL)
    assert [f.line for f in report.by_code("SOS-111")] == [8]


def test_key_hashes_past_the_memory_budget_go_to_temporary_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past ``SPILL`` bytes the first pass's hashes are written to temporary files and
    read back a block at a time: the same findings, the files gone afterwards."""
    import tempfile
    from pathlib import Path

    lines = _lines("ekb", "manad", 400)
    lines[300] = _field(lines[300], 4, lines[3].split(";")[4])
    lines[350] = '"' + _field(lines[350], 4, lines[5].split(";")[4]) + '"'
    _blocks(monkeypatch, rows=2000)
    monkeypatch.setattr(crosskeys, "SPILL", 1000)
    before = set(Path(tempfile.gettempdir()).glob("sosreg-keys-*"))
    report = assert_same(("\r\n".join(lines) + "\r\n").encode(), **EKB)
    assert columnar.STATS.spilled
    assert {301, 351} <= {f.line for f in report.by_code("EKB-050")}
    assert set(Path(tempfile.gettempdir()).glob("sosreg-keys-*")) == before


def test_the_read_ahead_hands_on_blocks_errors_and_stops() -> None:
    """The first pass reads the next block in a thread (``READ_AHEAD``): blocks come in
    order, a reader's error is raised to the consumer, and a consumer that stops early
    stops the reader (no thread left behind)."""
    import threading

    def blocks(n: int, fail: bool = False) -> Any:
        yield from range(n)
        if fail:
            raise OSError("disk gone")

    assert list(columnar._ahead_of(blocks(5))) == [0, 1, 2, 3, 4]
    got = []
    with pytest.raises(OSError, match="disk gone"):
        for b in columnar._ahead_of(blocks(3, fail=True)):
            got.append(b)
    assert got == [0, 1, 2]
    early = columnar._ahead_of(blocks(1000))
    assert next(early) == 0
    early.close()
    assert not any(t.name == "sosreg-blocks" for t in threading.enumerate())


@pytest.mark.parametrize("ahead", [True, False])
def test_findings_with_and_without_the_read_ahead(
    ahead: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read-ahead changes when a block is read, never what is found."""
    lines = _lines("ekb", "manad", 200)
    lines[20] = _field(lines[20], 4, lines[150].split(";")[4])  # a person twice
    lines[60] = '"' + lines[60] + '"'
    lines[90] = _field(lines[90], 6, "12x")
    monkeypatch.setattr(columnar, "READ_AHEAD", ahead)
    _blocks(monkeypatch, rows=2000)
    report = assert_same(("\r\n".join(lines) + "\r\n").encode(), **EKB)
    assert columnar.STATS.keys > 5 and report.findings


@pytest.mark.parametrize(
    ("spill", "chunk", "estimate", "spilled"),
    [
        (1000, 0, True, True),  # expected past the budget: written from the first block
        (1000, 5000, True, True),  # several blocks to a file
        (6000, 5000, False, True),  # no estimate: written once past the budget
        (10**9, 5000, True, False),  # held in memory
    ],
)
def test_key_hashes_spill_by_the_files_expected_size(
    monkeypatch: pytest.MonkeyPatch, spill: int, chunk: int, estimate: bool, spilled: bool
) -> None:
    """A file expected (its size over its first block's) to hold more than ``SPILL``
    bytes of hashes writes them from its first block on, ``SPILL_CHUNK`` bytes of
    consecutive blocks to a file; without an estimate, past ``SPILL``. Repeated keys
    in blocks written to different files, to one file and held are found alike."""
    lines = _lines("ekb", "manad", 400)
    lines[300] = _field(lines[300], 4, lines[3].split(";")[4])
    lines[120] = _field(lines[120], 4, lines[110].split(";")[4])
    lines[350] = '"' + _field(lines[350], 4, lines[5].split(";")[4]) + '"'
    _blocks(monkeypatch, rows=2000)
    monkeypatch.setattr(crosskeys, "SPILL", spill)
    monkeypatch.setattr(crosskeys, "SPILL_CHUNK", chunk)
    held: list[int] = []
    add = crosskeys._Hashes.add

    def spy(self: Any, first: int, frame: Any) -> None:
        add(self, first, frame)
        held.append(crosskeys._Hashes.held)

    monkeypatch.setattr(crosskeys._Hashes, "add", spy)
    if not estimate:
        monkeypatch.setattr(crosskeys.KeyPass, "expect", lambda *a: None)
    report = assert_same(("\r\n".join(lines) + "\r\n").encode(), **EKB)
    assert columnar.STATS.spilled is spilled
    assert {121, 301, 351} <= {f.line for f in report.by_code("EKB-050")}
    if estimate and spilled:  # never more than the first block held
        assert held[0] > 0 and max(held[1:]) == 0
    elif spilled:
        assert max(held) <= spill and held[-1] == 0
    else:
        assert held == sorted(held) and held[-1] > spill // 10**6


@given(st.binary(max_size=40).map(lambda b: bytes(b"\r\nx;"[c % 4] for c in b)))
@example(b"\r\r\n\n")  # as many CR as LF, one of them lone
@example(b"a\r\nb\r")  # a CR last
@example(b"a\r\nb\n")
def test_line_ending_counts_are_exact(data: bytes) -> None:
    """The block's CRLF, LF and CR counts (taken the cheap way where they can be) are
    the plain counts, whatever the mix of endings."""
    from sosreg.engine.blocks import _counts

    assert _counts(data) == (data.count(b"\r\n"), data.count(b"\n"), data.count(b"\r"))


@pytest.mark.parametrize("at_once", [1, 3, columnar.LEFT_AT_ONCE])
def test_values_quick_masks_leave_are_tested_in_any_batch(
    monkeypatch: pytest.MonkeyPatch, at_once: int
) -> None:
    """The temporary ids EKB-Månad's quick masks leave are tested together, after
    ``LEFT_AT_ONCE`` of them or at the end of the first pass: an invalid one (a bad
    date, a letter for the T) is flagged on its line in whatever block it is, a valid
    one (the same value on many lines) on none."""
    lines = _lines("ekb", "manad", 300)
    bad = {20: "19561003X274", 120: "19560231T274", 220: "195713TF00", 280: "19560231T274"}
    for i in range(0, 300, 7):
        lines[i] = _field(lines[i], 4, "1957TF00")
    for n, (i, value) in enumerate(bad.items()):  # sökande and medsökande in turn
        lines[i] = _field(lines[i], 4 + n % 2, value)
    _blocks(monkeypatch, rows=1500, batch=40)
    monkeypatch.setattr(columnar, "LEFT_AT_ONCE", at_once)
    settled = []
    settle = masks.Leftover.settle
    monkeypatch.setattr(
        masks.Leftover,
        "settle",
        lambda self: settled.append(self.size) or settle(self),
    )
    report = assert_same(("\r\n".join(lines) + "\r\n").encode(), **EKB)
    flagged = {f.line for f in report.findings if f.field in ("sokande", "medsokande")}
    assert flagged == {i + 1 for i in bad}
    assert (len([n for n in settled if n]) > 2) == (at_once < 10)
