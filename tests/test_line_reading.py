"""Reading lines whatever the block sizes: every reader of :mod:`sosreg.engine.source`
(the streaming line reader, the byte-line splitter of the encoding check, the
whole-file splitter of the columnar engine) finds the same lines and endings, with
blocks of one byte or of the real size, and a read of the whole input never disturbs
a stream of its lines (issue 19 item 4)."""

from __future__ import annotations

import codecs
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sosreg.engine import source
from sosreg.engine.source import BlockSizes, Input, byte_lines, iter_lines, split_lines

BLOCKS = st.builds(BlockSizes, read=st.integers(1, 9), text=st.integers(1, 9))
TEXT = st.text(st.sampled_from("ab;ö\r\n"), max_size=60)


def _expected(text: str, cap: int) -> list[tuple[int, str, str, int]]:
    lines, endings = split_lines(text)
    return [
        (i, line[: cap + 1], ending, len(line))
        for i, (line, ending) in enumerate(zip(lines, endings, strict=True), 1)
    ]


@settings(max_examples=300, deadline=None)
@given(TEXT, BLOCKS, st.integers(1, 6), st.sampled_from(["utf-8", "utf-16-le", "cp1252"]))
def test_the_line_reader_finds_the_lines_of_split_lines(
    text: str, blocks: BlockSizes, cap: int, encoding: str
) -> None:
    """``iter_lines`` over a decoding stream with blocks of a few bytes and a line
    limit of a few characters (so CRLFs fall across every boundary and the read limit)
    gives the lines and endings of ``split_lines``, over-long lines cut and measured."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(source, "BLOCKS", blocks)
        mp.setattr(source, "MAX_LINE", cap)
        stream = io.TextIOWrapper(io.BytesIO(text.encode(encoding)), encoding=encoding, newline="")
        stream._CHUNK_SIZE = blocks.text  # type: ignore[attr-defined]
        got = [tuple(line) for line in iter_lines(stream)]
    assert got == _expected(text, cap)


@settings(max_examples=300, deadline=None)
@given(TEXT, BLOCKS)
def test_byte_lines_finds_the_lines_of_split_lines(text: str, blocks: BlockSizes) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(source, "BLOCKS", blocks)
        got = list(byte_lines(io.BytesIO(text.encode("utf-8"))))
    assert got == [line.encode("utf-8") for line in split_lines(text)[0]]


def test_byte_lines_keeps_the_start_of_a_line_without_breaks() -> None:
    data = b"x" * 1000 + b"\r" + b"y" * 10
    assert list(byte_lines(io.BytesIO(data), keep=7)) == [b"x" * 7, b"y" * 7]


@pytest.mark.parametrize("read", ["text", "utf8_bytes"])
@pytest.mark.parametrize("blocks", [BlockSizes(), BlockSizes(read=3, text=2)])
def test_reading_the_whole_input_does_not_disturb_its_lines(
    read: str, blocks: BlockSizes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The row engine streams the head of a file before an engine is chosen; the
    columnar engine then reads the whole file. That read moved the position the stream
    reads from, so the stream lost every line after its buffer (issue 19 item 4:
    2,000 CR-only lines, 1,039 read)."""
    monkeypatch.setattr(source, "BLOCKS", blocks)
    lines = [f"line {i};" + "x" * (i % 50) for i in range(3000)]
    data = codecs.BOM_UTF8 + "\r".join(lines).encode("utf-8")
    with Input(data) as opened:
        stream = opened.lines()
        head = [next(stream) for _ in range(10)]
        whole = getattr(opened, read)()
        rest = list(stream)
    assert [line.text for line in head + rest] == lines
    assert [line.number for line in head + rest] == list(range(1, 3001))
    assert len(whole) == len(data) - 3
