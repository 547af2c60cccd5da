"""The columnar engine's input: a file as blocks of lines, each a polars table (one row
per physical line: ``line``, ``ending``, ``text`` and the spec's fields), in bounded
memory whatever the file's size or shape (:func:`plans`; :mod:`sosreg.engine.columnar`
checks them).

UTF-8 bytes (:data:`~sosreg.engine.source.BLOCKS` ``.rows`` at a time) are cut after
their last line ending, the rest carried to the next block, and read by polars' CSV
reader (a block it cannot read exactly, with a lone CR or a second BOM, is split in
Python); a line longer than :data:`LONG_BYTES` is drained, its head kept, never held
whole; other input (another encoding, text) is read as the row engine's lines,
``BLOCKS.batch`` at a time. :data:`STATS` says what a run held."""

from __future__ import annotations

import codecs
import contextlib
import gc
import re
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, Final

import attrs

from sosreg.engine import source
from sosreg.engine.runner import Runner
from sosreg.engine.source import LINE_END, MAX_LINE, PhysicalLine, split_lines

ENDINGS: Final = ("", "\n", "\r\n", "\r")
"""The line endings by their code in a plan's ``ending`` column (``""``: a last line
without one)."""
_CODE: Final = {e: i for i, e in enumerate(ENDINGS)}

LONG_BYTES: Final = 4 * (MAX_LINE + 1)
"""Bytes of a line without an end the reader holds before it takes it for an over-long
line (at least ``MAX_LINE + 1`` characters in UTF-8): it keeps the head, reads the rest
without holding it and hands the line to the row engine (as
:func:`sosreg.engine.source.byte_lines` does)."""


@attrs.define
class Stats:
    """What the last run held at most (for tests: memory bounded by the block size,
    whatever the file's size)."""

    blocks: int = 0
    """Blocks checked (both passes)."""
    rows: int = 0
    """Lines of the largest block."""
    bytes: int = 0
    """Estimated size of the largest block's table."""
    passes: int = 0
    """Reads of the file: 1, or 2 when a cross-record rule's keys need a first pass."""
    keys: int = 0
    """Blocks of key hashes the first pass kept (a hash per line and key)."""
    spilled: bool = False
    """Whether the key hashes went to temporary files (:data:`~sosreg.engine.crosskeys.SPILL`)."""
    again: int = 0
    """Blocks the second pass read into columns again (those with a repeated key, and
    those with a suspect or flagged line whose lines the first pass could not keep;
    none for a clean file)."""
    held: int = 0
    """Blocks whose candidate lines the first pass kept for the second
    (:mod:`sosreg.engine.held`), which did not read them again."""
    held_rows: int = 0
    """Lines of the largest table of kept lines the second pass checked."""
    fields_counted: int = 0
    """Lines with findings of their fields only, counted without the row engine
    (:mod:`sosreg.engine.fieldcount`)."""

    def seen(self, plan: Plan) -> None:
        self.blocks += 1
        self.rows = max(self.rows, plan.total)
        if plan.table is not None:
            self.bytes = max(self.bytes, int(plan.table.estimated_size()))


STATS = Stats()
"""The figures of the last run (:func:`run` or :func:`explain`) in this process."""


@attrs.define
class Known:
    """What a first read of the file learnt of its blocks, for a second read: the
    blocks are cut the same way each time, so the second read takes each chunk's
    line-ending counts from the first and does not read into columns a block it does
    not ``need`` (:func:`plans` gives it as a :class:`Plan` without a table, of the
    same number of lines)."""

    counts: list[tuple[int, int, int]] = attrs.field(factory=list)
    """Per chunk of bytes cut after its last line ending, in order: :func:`_counts`."""
    totals: list[int] = attrs.field(factory=list)
    """Per plan, in order: its lines."""
    need: list[bool] | None = None
    """Per plan, in order: whether the second read needs its table; ``None``: the first
    read (which records ``counts`` and ``totals``)."""

    _chunk: int = attrs.field(default=0, init=False)
    _plan: int = attrs.field(default=0, init=False)

    def start(self) -> None:
        """A read begins: chunks and plans are counted from the first again."""
        self._chunk = self._plan = 0

    def count(self, data: bytes) -> tuple[int, int, int]:
        """The next chunk's :func:`_counts` (the first read's, on the second)."""
        at, self._chunk = self._chunk, self._chunk + 1
        if self.need is not None and at < len(self.counts):
            return self.counts[at]
        got = _counts(data)
        if self.need is None:
            self.counts.append(got)
        return got

    def plan(self, make: Callable[[], Plan], *, skippable: bool = True) -> Plan:
        """The next plan: ``make()``, or on the second read a :class:`Plan` without a
        table where it is not needed (``skippable``: an over-long line is drained
        whatever the need, to stay in step)."""
        at, self._plan = self._plan, self._plan + 1
        need = self.need
        if skippable and need is not None and at < len(need) and not need[at]:
            return Plan(None, self.totals[at])
        plan = make()
        if need is None and at == len(self.totals):
            self.totals.append(plan.total)
        return plan


@attrs.define
class Plan:
    """A block of the file read into columns: one row per physical line (``line``,
    ``ending`` as a code of :data:`ENDINGS`, ``text`` and the line split into the
    spec's fields); the suspect lines, once through the line and field stages of the
    row engine, in ``done``."""

    table: Any
    """``None``: a block skipped (see :class:`Known`)."""
    total: int
    loose: dict[int, PhysicalLine] = attrs.field(factory=dict)
    """Lines whose text in ``table`` is cut (over-long): the row engine gets these."""
    done: dict[int, tuple[Any, list[Any]]] = attrs.field(factory=dict)
    extra: list[Any] = attrs.field(factory=list)
    """The records of the suspect lines."""
    suspect: Any = None
    """The suspect lines (a boolean Series), once known."""

    def physical(self, number: int, line_text: str, ending: int) -> PhysicalLine:
        got = self.loose.get(number)
        if got is not None:
            return got
        return PhysicalLine(number, line_text[: MAX_LINE + 1], ENDINGS[ending], len(line_text))


def table_of(
    pl: Any, names: Sequence[str], frame: Any, fields: Any, only: Sequence[str] | None = None
) -> Any:
    """``frame`` (line, ending, text) with the fields: ``fields`` as read, or split here
    (lines of another field count are suspect anyway). With ``only``, just those fields
    (the first pass reads the fields its masks need)."""
    if only is not None and not only:
        return frame
    if only is not None:
        if fields is None:
            last = max((names.index(n) for n in only), default=0)
            fields = frame.select(
                pl.col("text")
                .str.split_exact(";", last)
                .struct.rename_fields(list(names[: last + 1]))
                .alias("f")
            ).unnest("f")
        fields = fields.select(list(only))
    elif fields is None:
        fields = frame.select(
            pl.col("text")
            .str.split_exact(";", len(names) - 1)
            .struct.rename_fields(list(names))
            .alias("f")
        ).unnest("f")
    if any(fields.null_count().row(0)):  # a missing field (a short line): ""
        fields = fields.select(pl.all().fill_null(""))
    return pl.concat([frame, fields], how="horizontal")


def add_runs(runs: list[list[Any]], more: list[list[Any]]) -> None:
    """``more`` line endings in runs ([code, lines] in order) after ``runs``, a run that
    goes on merged."""
    for code, n in more:
        if runs and runs[-1][0] == code:
            runs[-1][1] += n
        else:
            runs.append([code, n])


def lines_frame(pl: Any, first: int, total: int, ending: Any, text: Any) -> Any:
    return pl.DataFrame(
        {
            "line": pl.int_range(first, first + total, dtype=pl.Int64, eager=True),
            "ending": ending,
            "text": text,
        }
    )


_LONE_CR: Final = re.compile(rb"\r(?:[^\n]|\Z)")
"""A CR that is not the start of a CRLF."""


def _counts(data: bytes) -> tuple[int, int, int]:
    """The CRLF, LF and CR bytes of ``data`` (each counted once per block: a third of
    the time of a clean file went to counting them again). The two-byte count is the
    slow one (twice a byte's): a block without CR has no CRLF, and a block with as many
    CR as LF and no lone CR has every CR in one. (Counting in polars, without the GIL,
    took half the time but held ~20 MiB more at ten million lines.)"""
    lf, cr = data.count(b"\n"), data.count(b"\r")
    if not cr:
        return 0, lf, 0
    if cr == lf and _LONE_CR.search(data) is None:
        return cr, lf, cr
    return data.count(b"\r\n"), lf, cr


def _read_utf8(
    pl: Any,
    data: bytes,
    first: int,
    names: Sequence[str],
    only: Sequence[str] | None = None,
    counts: tuple[int, int, int] | None = None,
) -> Any | None:
    """Lines of a block of UTF-8 bytes (whole lines) read by polars' CSV reader as one
    column (no decoding or splitting in Python), with the fields split by the same
    reader; a table (see :class:`Plan`). ``None`` where it cannot be used exactly: not
    UTF-8 bytes, a unit separator byte in the data, a lone CR, mixed line endings, a
    BOM at the start (polars would drop it; it is a character of the line: see
    :meth:`sosreg.engine.source.Input.text`), or another count of lines."""
    if b"\x1f" in data or data.startswith(codecs.BOM_UTF8):
        return None
    crlf, lf, cr = counts if counts is not None else _counts(data)
    if cr != crlf or (crlf and crlf != lf):
        return None
    final = data.endswith(b"\n")
    total = lf + (0 if final else 1)
    try:
        raw = pl.read_csv(
            data,
            has_header=False,
            separator="\x1f",
            quote_char=None,
            new_columns=["text"],
            infer_schema=False,
        )
    except pl.exceptions.PolarsError:  # e.g. bytes that are not UTF-8
        return None
    if raw.height != total:
        return None
    try:
        if only is not None and not only:
            raise TypeError  # no field: the text only
        fields = pl.read_csv(
            data,
            has_header=False,
            separator=";",
            quote_char=None,
            schema=dict.fromkeys(names, pl.String),
            columns=None if only is None else [names.index(n) for n in only],
            truncate_ragged_lines=True,
            missing_columns="insert",
            empty_string_is_null=False,  # null: a missing field only (filled below)
        )
    except (pl.exceptions.PolarsError, TypeError):  # TypeError: an older polars
        fields = None  # split the clean lines as text instead
    if fields is not None and fields.height != total:
        fields = None
    code = _CODE["\r\n" if crlf else "\n"]
    ending = pl.Series("ending", [code], dtype=pl.UInt8).new_from_index(0, total)
    if not final:
        ending[total - 1] = _CODE[""]
    frame = raw.select(
        pl.int_range(first, first + total, dtype=pl.Int64).alias("line"),
        pl.lit(ending).alias("ending"),
        pl.col("text").fill_null(""),
    )
    return table_of(pl, names, frame, fields, only)


def _read_text(
    pl: Any, text: str, first: int, names: Sequence[str], only: Sequence[str] | None = None
) -> Any:
    """Lines of decoded text split in Python, as :func:`sosreg.engine.source.split_lines`
    splits them (any line endings)."""
    lines, endings = split_lines(text)
    ending = pl.Series([_CODE[e] for e in endings], dtype=pl.UInt8)
    frame = lines_frame(pl, first, len(lines), ending, pl.Series(lines, dtype=pl.String))
    return table_of(pl, names, frame, None, only)


def _cut(data: bytes) -> int:
    """Where the last line ending in ``data`` ends (0: none). A CR as the last byte is
    no end yet (a LF may follow in the next block)."""
    lf = data.rfind(b"\n")
    cr = data.rfind(b"\r", 0, len(data) - 1)
    return max(lf, cr) + 1


def _byte_plans(
    pl: Any,
    names: Sequence[str],
    blocks: Iterator[bytes],
    only: Sequence[str] | None = None,
    known: Known | None = None,
) -> Iterator[Plan]:
    """The blocks of lines of UTF-8 bytes: each block is cut after its last line ending,
    the rest carried to the next; a line longer than :data:`LONG_BYTES` is drained
    (:func:`_long_line`) and never held whole."""
    number = 1
    pieces: list[bytes] = []  # the start of a line that has not ended yet
    held = 0
    back: list[bytes] = []  # bytes read past an over-long line, to read next
    known = Known() if known is None else known
    known.start()

    def plans_of(data: bytes) -> Iterator[Plan]:
        """A block of whole lines, in pieces of at most ``BLOCKS.batch`` lines (a block
        of short lines is as many rows as one of long ones)."""
        most = max(1, source.BLOCKS.batch)
        crlf, lf, cr = counts = known.count(data)
        if lf + cr - crlf <= most:
            yield plan_of(data, counts)
            return
        start = 0
        for i, m in enumerate(LINE_END.finditer(data), 1):
            if i % most == 0:
                yield plan_of(data[start : m.end()])
                start = m.end()
        if start < len(data):
            yield plan_of(data[start:])

    def plan_of(data: bytes, counts: tuple[int, int, int] | None = None) -> Plan:
        nonlocal number

        def make() -> Plan:
            table = _read_utf8(pl, data, number, names, only, counts)
            if table is None:
                table = _read_text(pl, data.decode("utf-8", "replace"), number, names, only)
            return Plan(table, table.height)

        plan = known.plan(make)
        number += plan.total
        return plan

    def next_block() -> bytes | None:
        return back.pop() if back else next(blocks, None)

    while (chunk := next_block()) is not None:
        if pieces and pieces[-1].endswith(b"\r") and not chunk.startswith(b"\n"):
            yield from plans_of(b"".join(pieces))  # the held line ended in a lone CR
            pieces, held = [], 0
        cut = _cut(chunk)
        if cut:
            data = b"".join([*pieces, chunk[:cut]]) if pieces else chunk[:cut]
            rest = chunk[cut:]
            pieces, held = ([rest], len(rest)) if rest else ([], 0)
            yield from plans_of(data)
            del data
        else:
            pieces.append(chunk)
            held += len(chunk)
        if held > LONG_BYTES:
            line, after = _long_line(number, b"".join(pieces), next_block)
            pieces, held = [], 0
            if after:
                back.append(after)
            frame = lines_frame(
                pl,
                number,
                1,
                pl.Series([_CODE[line.ending]], dtype=pl.UInt8),
                pl.Series([line.text], dtype=pl.String),
            )
            number += 1
            table = table_of(pl, names, frame, None, only)
            # drained already: never skipped (a long line is suspect anyway)
            yield known.plan(partial(Plan, table, 1, {line.number: line}), skippable=False)
    if pieces:
        yield from plans_of(b"".join(pieces))


def _long_line(
    number: int, start: bytes, next_block: Callable[[], bytes | None]
) -> tuple[PhysicalLine, bytes]:
    """Line ``number``, which begins with ``start`` (no line ending in it but maybe a
    last CR), read to its end: (the line as the row engine reads it: its first
    ``MAX_LINE + 1`` characters and its length; the bytes read after it)."""
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    kept = ""
    length = 0
    buf: bytes | None = start

    def take(piece: bytes, final: bool) -> None:
        nonlocal kept, length
        text = decoder.decode(piece, final)
        length += len(text)
        if len(kept) <= MAX_LINE:
            kept += text[: MAX_LINE + 1 - len(kept)]

    while buf is not None:
        lf = buf.find(b"\n")
        cr = buf.find(b"\r")
        end = min(e for e in (lf, cr) if e >= 0) if lf >= 0 or cr >= 0 else -1
        if end < 0:
            take(buf, False)
            buf = next_block()
            continue
        take(buf[:end], True)
        if buf[end : end + 2] == b"\r\n":
            return PhysicalLine(number, kept, "\r\n", length), buf[end + 2 :]
        if buf[end : end + 1] == b"\r" and end == len(buf) - 1:  # a LF may follow
            after = next_block()
            if after is not None and after.startswith(b"\n"):
                return PhysicalLine(number, kept, "\r\n", length), after[1:]
            return PhysicalLine(number, kept, "\r", length), after or b""
        return PhysicalLine(number, kept, buf[end : end + 1].decode(), length), buf[end + 1 :]
    take(b"", True)
    return PhysicalLine(number, kept, "", length), b""


def _line_plans(
    pl: Any,
    names: Sequence[str],
    lines: Iterator[PhysicalLine],
    only: Sequence[str] | None = None,
    known: Known | None = None,
) -> Iterator[Plan]:
    """The blocks of lines of any decoded input (another encoding than UTF-8, text),
    :data:`~sosreg.engine.source.BLOCKS` ``.batch`` lines at a time."""
    size = max(1, source.BLOCKS.batch)
    known = Known() if known is None else known
    known.start()
    batch: list[PhysicalLine] = []

    def plan_of() -> Plan:
        return known.plan(lambda: _lines_plan(pl, names, batch, only))

    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield plan_of()
            batch = []
    if batch:
        yield plan_of()


def _lines_plan(
    pl: Any, names: Sequence[str], batch: list[PhysicalLine], only: Sequence[str] | None = None
) -> Plan:
    ending = pl.Series([_CODE[line.ending] for line in batch], dtype=pl.UInt8)
    text = pl.Series([line.text for line in batch], dtype=pl.String)
    frame = lines_frame(pl, batch[0].number, len(batch), ending, text)
    loose = {line.number: line for line in batch if line.too_long}
    return Plan(table_of(pl, names, frame, None, only), len(batch), loose)


def plans(
    pl: Any, runner: Runner, only: Sequence[str] | None = None, known: Known | None = None
) -> Iterator[Plan]:
    """The file in blocks of lines (see :class:`Plan`): UTF-8 bytes cut by the engine
    (:func:`_byte_plans`), any other input as the row engine's lines. With ``only``,
    just those fields. ``known``: what a first read learns (``known.need`` ``None``), or
    what it learnt, for a second read (see :class:`Known`)."""
    names = runner.parser.names
    blocks = runner.input.utf8_blocks(source.BLOCKS.rows)
    if blocks is not None:
        return _byte_plans(pl, names, blocks, only, known)
    return _line_plans(pl, names, runner.input.lines(), only, known)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a slice of lines is parsed and checked:
    its records and findings are kept until the slice ends (``Plan.done``), so every
    collection would walk a growing heap of live objects for nothing (a third of the
    time on a file with 10 % damaged lines). The collector is back on (if it was on)
    between slices, however a slice ends, so what the row engine leaves in cycles is
    collected as it goes (a file of two million suspect lines grew by 300 MB when the
    collector was off for the whole run)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def read_ahead(plans: Iterator[Plan]) -> Iterator[Plan]:
    """``plans``, each read by a thread while the one before is checked (polars reads
    without holding the GIL; :data:`sosreg.engine.columnar.READ_AHEAD`); an error of the
    reader is raised here, and a consumer that stops early stops the reader."""
    import queue
    import threading

    box: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def read() -> None:
        try:
            for plan in plans:
                if stop.is_set():
                    return
                box.put(("plan", plan))
            box.put(("end", None))
        except BaseException as exc:  # handed to the reader of the plans
            box.put(("error", exc))

    thread = threading.Thread(target=read, name="sosreg-blocks", daemon=True)
    thread.start()
    try:
        while True:
            kind, item = box.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item
            del item
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            box.get_nowait()
        thread.join()
