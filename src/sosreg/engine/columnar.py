"""The columnar engine: whole columns checked at once with polars (``sosreg[fast]``).

The row engine stays the reference; this engine decides, column by column, which lines
*cannot* give a finding, and hands every other line to the row engine. So its findings
are the row engine's by construction (the differential tests in
``tests/test_engines.py`` check that on generated files with injected damage, and
``tests/test_streaming.py`` across block boundaries):

1. The file is read in **blocks of lines** (:func:`sosreg.engine.blocks.plans`): UTF-8 bytes
   (:data:`~sosreg.engine.source.BLOCKS` ``.rows`` at a time) are cut after their last
   line ending, the rest carried to the next block, and read by polars' CSV reader (a
   block it cannot read exactly, with a lone CR or a second BOM, is split in Python); a
   line longer than :data:`LONG_BYTES` is drained, its head kept, never held whole;
   other input (another encoding, text) is read as the row engine's lines,
   ``BLOCKS.batch`` at a time. A line is *suspect* when it is not plain printable ASCII
   starting with a digit, holds a quote, has the wrong number of fields or is too long
   (the line stage's findings all need one of those).
2. The other lines are split into fields. Each field gets a **mask**: a polars
   expression that is true where the value is valid as it stands, exactly as the
   compiled line function's fast test (:mod:`sosreg.engine.compiled`), both the
   field type's (:mod:`sosreg.engine.types`): in the year's code set, a canonical
   number in range, a real date, a personnummer with a right check digit…
3. Each record rule may declare a mask of its own (``@REGISTER.record(...,
   mask=...)``): the rows where it *might* fire, assuming valid fields. A rule without
   one makes every line need the row engine.
4. Each cross-record rule declares **keys**
   (:class:`~sosreg.engine.register.CrossKey`, e.g. ``REGISTER.unique(...,
   fields=...)``'s fields): the rows that can matter to it are those whose key repeats
   in the file (or has two values). They need the whole file, so a file with keys gets
   a **first pass** (:func:`_first_pass`, a file of one block too): per block, one
   query makes the suspect lines, every other mask's flags and an 8-byte hash of each
   line's keys (:class:`_KeyPass`: the key as the row engine's record holds it, the
   line stage's repairs as expressions, the few uncertain lines parsed); the hashes
   that repeat are found at the end.

Then, per block, lines flagged by any of these go through the row engine in line order
(the same compiled function and :class:`~sosreg.engine.core.LineParser`, the same
record and cross-record rules, whose state runs on from block to block); the rest are
counted as clean records, and nothing of the block is kept. A file with keys is read a
second time for this, but only the blocks with a suspect line, a flagged line or a
repeated key are read into columns again (:class:`~sosreg.engine.blocks.Known`; none of
a clean file); their flags are the first pass's, with the keys' and those of the lines
the line stage repairs added. Masks detect; the row engine diagnoses. Memory is bounded
by the block size (and 8 bytes a line and key slot for the first pass, spilled to
temporary files past :data:`SPILL`), whatever the file's size or shape: :data:`STATS`
says what a run held.

Polars is imported on first use.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import gc
import re
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from sosreg.engine import blocks, linestage
from sosreg.engine.blocks import ENDINGS, STATS, Plan, lines_frame, table_of
from sosreg.engine.errors import optional_import
from sosreg.engine.pipeline import REQUIRES, RUNNERS, Parsed
from sosreg.engine.register import CrossKey
from sosreg.engine.runner import Runner
from sosreg.engine.source import MAX_LINE
from sosreg.engine.types import field_type
from sosreg.engine.types.base import last_day, whole
from sosreg.engine.types.dates import YEARMONTH
from sosreg.engine.values import YearMonth, to_text
from sosreg.identity import UNKNOWN_DAY

if TYPE_CHECKING:
    from sosreg.engine.core import LineParser
    from sosreg.engine.fields import CompiledField


def available() -> bool:
    """Whether polars can be imported (the ``fast`` extra)."""
    try:
        import polars  # noqa: F401
    except ImportError:
        return False
    return True


def polars() -> Any:
    """The ``polars`` module, or a :class:`~sosreg.engine.pipeline.UsageError` with the
    pip hint (``sosreg[fast]``) when it is not installed: every import of polars here
    goes through this."""
    return optional_import("polars", "the columnar engine", "fast")


class Columns:
    """What a rule's mask sees: the raw text of each field of the clean rows (``c["x"]``
    is a polars expression), numbers, the spec's params, the file's period and the
    reference day. Masks may assume every field is valid as it stands: rows where one is
    not go to the row engine anyway."""

    def __init__(self, parser: LineParser, extra: Sequence[Any] = (), frame: Any = None) -> None:
        pl = polars()

        self.pl = pl
        self.extra = extra
        """The records of the block's suspect lines (which the row engine reads)."""
        self.frame = frame
        """The block's rows (a DataFrame of the raw fields and ``line``)."""
        self.names: tuple[str, ...] = tuple(parser.names)
        """The spec's field names (the columns)."""
        self.ctx = parser.ctx
        self.params: Mapping[str, Any] = parser.ctx.params
        self.period: YearMonth | int = parser.ctx.period
        self.reference_date: dt.date = parser.ctx.reference_date

    def __getitem__(self, name: str) -> Any:
        return self.pl.col(name)

    def int(self, name: str) -> Any:
        """The field as an integer (null where it is empty or a special code)."""
        return self.pl.col(name).cast(self.pl.Int64, strict=False)

    def yearmonth_ok(self, name: str) -> Any:
        """True where the field is a month ÅÅÅÅMM the row engine reads (never null)."""
        return self.pl.col(name).str.contains(whole(YEARMONTH)).fill_null(False)

    def empty(self, name: str) -> Any:
        """True where the field is empty."""
        return self.pl.col(name).is_null() | (self.pl.col(name) == "")

    def birth_number(self, name: str) -> Any:
        """The birth date of a 12-digit personnummer or samordningsnummer field as the
        number ÅÅÅÅMMDD (day + 60 taken back), to compare with a date's; null where the
        value is not 12 digits or the day or month is unknown."""
        pl = self.pl
        col = pl.col(name)
        digits = col.str.contains(r"^[0-9]{12}$")
        y = col.str.slice(0, 4).cast(pl.Int64, strict=False)
        m = col.str.slice(4, 2).cast(pl.Int64, strict=False)
        d = col.str.slice(6, 2).cast(pl.Int64, strict=False)
        d = pl.when(d > UNKNOWN_DAY).then(d - UNKNOWN_DAY).otherwise(d)
        known = digits & (m >= 1) & (d >= 1) & (d <= 31)
        return pl.when(known).then(y * 10000 + m * 100 + d).otherwise(None)

    def birth_range(self, name: str) -> tuple[Any, Any]:
        """The earliest and the latest day a person with the valid id in field ``name``
        can have been born (:meth:`sosreg.identity.Identity.earliest_birth`,
        ``latest_birth``), as numbers ÅÅÅÅMMDD, for ids of every kind: personnummer,
        samordningsnummer (day + 60; day 60: the day unknown, month 00: the month too),
        ``ÅÅÅÅMMDDT123`` and ``ÅÅÅÅ[MM[DD]]TF00``. Null where the field is empty.

        The age on a day ``on`` (as ÅÅÅÅMMDD) is under ``k`` exactly when the birth date
        is after ``on - k * 10000`` (see :meth:`oldest_under`, :meth:`youngest_over`)."""
        pl = self.pl
        col = pl.col(name)
        y = col.str.slice(0, 4).cast(pl.Int64, strict=False)
        m = col.str.slice(4, 2).cast(pl.Int64, strict=False)  # null: "TF" of ÅÅÅÅTF00
        d = col.str.slice(6, 2).cast(pl.Int64, strict=False)  # null: "TF" of ÅÅÅÅMMTF00
        month_known = m.is_not_null() & (m >= 1)
        day_known = month_known & d.is_not_null() & (d >= 1) & (d != UNKNOWN_DAY)
        d = pl.when(d > UNKNOWN_DAY).then(d - UNKNOWN_DAY).otherwise(d)
        last = last_day(pl, y, m)
        early_md = pl.when(day_known).then(m * 100 + d).when(month_known).then(m * 100 + 1)
        late_md = pl.when(day_known).then(m * 100 + d).when(month_known).then(m * 100 + last)
        present = col != ""
        earliest = pl.when(present).then(y * 10000 + early_md.otherwise(101))
        latest = pl.when(present).then(y * 10000 + late_md.otherwise(1231))
        return earliest, latest

    def oldest_under(self, name: str, age: builtins.int, on: Any) -> Any:
        """True where the oldest age the id in ``name`` allows on the day ``on`` (a
        date, or an expression of days as ÅÅÅÅMMDD) is under ``age``, as
        ``Identity.age_range(on)[1] < age``; null where the field is empty."""
        earliest, _ = self.birth_range(name)
        return earliest > _day_number(on) - age * 10000

    def youngest_over(self, name: str, age: builtins.int, on: Any) -> Any:
        """True where the youngest age the id in ``name`` allows on the day ``on`` is
        over ``age``, as ``Identity.age_range(on)[0] > age``; null where it is empty."""
        _, latest = self.birth_range(name)
        return latest <= _day_number(on) - (age + 1) * 10000


def _day_number(on: Any) -> Any:
    """A date as the number ÅÅÅÅMMDD (an expression is taken to be one already)."""
    if isinstance(on, dt.date):
        return on.year * 10000 + on.month * 100 + on.day
    return on


def field_ok(pl: Any, cf: CompiledField, ctx: Any) -> Any:
    """The mask of one field: true where the value is valid as it stands (no finding),
    its type's :meth:`~sosreg.engine.types.base.FieldType.mask` (which mirrors the
    converter's fast path and :mod:`sosreg.engine.compiled`), or empty where optional."""
    f = cf.spec
    col = pl.col(f.name)
    ok = field_type(f).mask(pl, col, cf)
    if not f.mandatory:
        ok = ok | (col == "")
    return ok.fill_null(False)


_ROW: Final = ("line", "text", "ending")
_NOT_PLAIN: Final = r"[^\x21\x23-\x7e]|^[^0-9]|^$"
"""A line that is not printable ASCII without quotes starting with a digit."""


def _suspect(pl: Any, names: Sequence[str]) -> Any:
    """Lines the row engine reads whole: not printable ASCII starting with a digit, a
    quote, or another number of fields (every line-stage finding needs one of these).
    From the text alone (the first pass does not split every field)."""
    text = pl.col("text")
    count = text.str.count_matches(";", literal=True)
    return text.str.contains(_NOT_PLAIN) | (count != len(names) - 1)


def _suspect_line(pl: Any, names: Sequence[str]) -> Any:
    """:func:`_suspect`, or longer than :data:`~sosreg.engine.source.MAX_LINE`."""
    return _suspect(pl, names) | (pl.col("text").str.len_bytes() > MAX_LINE)


def _suspect_of(pl: Any, runner: Runner, plan: Plan) -> Any:
    """The block's suspect lines (:func:`_suspect`, and every line longer than
    :data:`~sosreg.engine.source.MAX_LINE` or cut: the row engine reports those)."""
    if plan.suspect is None:
        expr = _suspect_line(pl, runner.parser.names)
        if plan.loose:
            expr = expr | pl.col("line").is_in(list(plan.loose))
        plan.suspect = plan.table.lazy().select(expr).collect().to_series()
    return plan.suspect


def _parse_suspects(runner: Runner, plan: Plan, suspect: Any) -> None:
    """The suspect lines through the line and field stages of the row engine (step 1)."""
    rows = plan.table.filter(suspect).select("line", "text", "ending")
    for number, line_text, ending in rows.iter_rows():
        record, out = runner.parse_line(plan.physical(number, line_text, ending))
        plan.done[number] = (record, out)
        if record is not None:
            plan.extra.append(record)


# -- cross-record keys ------------------------------------------------------------------

_SEED: Final = 0x5EED
_BUCKET_BITS: Final = 3
"""The repeated keys are found an eighth of the hash space at a time (a copy of an
eighth of the hashes, not of all)."""


def _h64(pl: Any, expr: Any) -> Any:
    """A String expression's hash (UInt64; null stays null). Two keys with one hash only
    flag more lines (safe: masks detect, the row engine diagnoses); with 64 bits, a
    file of ten million keys has about one such pair in 370,000, so a clean file's
    second pass has nothing to read again."""
    return pl.when(expr.is_not_null()).then(expr.hash(_SEED))


def _v32(pl: Any, expr: Any) -> Any:
    """A value whose distinct values count, as UInt32: exact for canonical numbers under
    10⁹ (a kön code, a date ÅÅÅÅMMDD), a hash with the top bit set for other text;
    null for null or empty (a record's ``None``)."""
    exact = expr.str.contains(r"^(?:0|[1-9][0-9]{0,8})$")
    hashed = ((expr.hash(_SEED) & 0x7FFFFFFF) | 0x80000000).cast(pl.UInt32)
    return (
        pl.when(expr.is_null() | (expr == ""))
        .then(None)
        .when(exact)
        .then(expr.cast(pl.UInt32, strict=False))
        .otherwise(hashed)
    )


def _hash_exprs(pl: Any, key: CrossKey, cols: Columns) -> list[Any]:
    """The expressions of one key's slots: per slot ``k<i>``, the key's hash (UInt64),
    and with ``values`` ``v<i>``, the value's (:func:`_v32`)."""
    keys = key.keys(cols)
    out = [_h64(pl, k).alias(f"k{i}") for i, k in enumerate(keys)]
    if key.values is not None:
        values = key.values(cols)
        out += [_v32(pl, v).alias(f"v{i}") for i, v in enumerate(values)]
    return out


def _records_frame(pl: Any, records: list[Any], names: Sequence[str]) -> Any:
    """The records' fields as text (``""`` for ``None``), as a block's table holds raw
    fields: a key reads a record as it reads a line."""
    return pl.DataFrame(
        {n: [to_text(getattr(r, n)) for r in records] for n in names},
        schema=dict.fromkeys(names, pl.String),
    )


def _key_fields(runner: Runner, keyed: list[CrossKey]) -> list[str]:
    """The fields the keys read, in the spec's order."""
    cols = Columns(runner.parser)
    roots = {
        name
        for key in keyed
        for expr in (*key.keys(cols), *(key.values(cols) if key.values else ()))
        for name in expr.meta.root_names()
    }
    return [n for n in runner.parser.names if n in roots]


def _as_records(pl: Any, runner: Runner, used: Sequence[str]) -> tuple[Any, Any, dict[str, Any]]:
    """The line stage of :meth:`~sosreg.engine.core.LineParser.parse` as expressions,
    for the first pass, which needs the key fields of every line as the row engine's
    records hold them: (*certain*: the lines where these expressions give exactly what
    the row engine makes of the line; *record*: whether it makes a record; the fields
    ``used``, as the record's text).

    Certain are the lines of printable ASCII, spaces and tabs (no control character, no
    replacement character, no BOM; Python's ``str.strip`` then strips what polars'
    ``strip_chars(" \t")`` strips) that are blank, or start with a digit once a quoted
    line is unquoted (else the header test decides) and have a ``;`` (else the tab and
    comma test decides): the whole line's quotes, a trailing ``;`` run, the spaces and
    quotes around values, a wrong number of fields (no record) as the row engine reads
    them. A key field the record may hold other than as written (not text, or padded)
    must be valid as it stands. The rest (few) the row engine parses."""
    parser = runner.parser
    n = len(parser.names)
    t = pl.col("text")
    stripped = t.str.strip_chars(" \t")
    blank = stripped == ""
    quoted = (
        t.str.contains('"', literal=True)
        & (stripped.str.len_bytes() >= 2)
        & stripped.str.starts_with('"')
        & stripped.str.ends_with('"')
    )
    inner = stripped.str.slice(1, stripped.str.len_bytes() - 2).str.replace_all(
        '""', '"', literal=True
    )
    line = pl.when(quoted).then(inner).otherwise(t)
    count = line.str.count_matches(";", literal=True)
    fits = (count == n - 1) | (
        (count > n - 1) & (line.str.strip_chars_end(";").str.count_matches(";", literal=True) < n)
    )
    simple = t.str.contains(r"^[\x20-\x7e\t]*$") & (t.str.len_bytes() <= MAX_LINE)
    certain = simple & (blank | (line.str.contains(r"^[0-9]") & ((count > 0) | (n == 1))))
    record = certain & ~blank & fits
    spaced = line.str.contains(" ", literal=True) | line.str.contains('"', literal=True)
    pieces = line.str.split_exact(";", n - 1).struct.rename_fields(list(parser.names))
    fields: dict[str, Any] = {}
    for name in used:
        v = pieces.struct.field(name)
        s = v.str.strip_chars(" \t")
        unquoted = (s.str.len_bytes() >= 2) & s.str.starts_with('"') & s.str.ends_with('"')
        s = pl.when(unquoted).then(s.str.slice(1, s.str.len_bytes() - 2)).otherwise(s)
        fields[name] = pl.when(spaced).then(s).otherwise(v).fill_null("")
    return certain, record, fields


class _KeyPass:
    """The keys' part of the first pass: for each key of ``keyed``, the lines whose key
    (or key and value) may repeat in the file (:meth:`lines`, a sorted Int64 Series of
    line numbers per key), from the blocks given to :meth:`add` in order.

    Each line's key is hashed (8 bytes a line and key slot: :func:`_hash_exprs`), kept
    in line order, and the hashes that repeat found at the end (:func:`_repeated`); two
    keys with one hash only flag more lines. A line's key comes from its fields as the
    row engine's record holds them: read in columns where that is certain
    (:func:`_as_records`: the row engine repairs quotes and spaces), from the record
    the row engine makes of the line otherwise. Those parsed lines are dropped and the
    parser's counters restored (:meth:`lines`), so that the second pass counts as if
    the first had not been."""

    def __init__(self, runner: Runner, keyed: list[CrossKey]) -> None:
        pl = self.pl = polars()
        self.runner = runner
        self.keyed = keyed
        parser = runner.parser
        self.saved = (parser.data_lines, parser.pending_short)
        _Hashes.held = 0
        self.chunks = [_Hashes() for _ in keyed]
        self.used = used = _key_fields(runner, keyed)
        self.certain, self.record, self.fields = _as_records(pl, runner, used)
        # the block's suspect lines' expression (one evaluation in the first pass's query)
        plain = ~_suspect_line(pl, parser.names)
        for cf in parser.fields:
            f = cf.spec
            if f.name in used and (field_type(f).python_type(f) is not str or f.pad_width):
                valid = field_ok(pl, cf, parser.ctx)  # of the column named f.name (below)
                plain = plain & valid
                self.certain = self.certain & (~self.record | valid)
        self.plain = plain
        cols = Columns(parser)
        self.slots = [
            [
                pl.when(plain).then(e).alias(f"{j}:{e.meta.output_name()}")
                for e in _hash_exprs(pl, key, cols)
            ]
            for j, key in enumerate(keyed)
        ]
        """Per key, its slots' hashes where a line is plain (see :meth:`took`)."""

    def took(self, first: int, frame: Any) -> None:
        """The keys of a block all of whose lines are plain, hashed in ``frame`` (the
        block's query selected :attr:`slots` with the rest of its masks)."""
        col = self.pl.col
        for j, exprs in enumerate(self.slots):
            names = [e.meta.output_name() for e in exprs]
            self.chunks[j].add(first, frame.select(col(n).alias(n.split(":")[1]) for n in names))

    def add(self, plan: Plan, fused: Any = None) -> None:
        """The keys of one block (a table with the spec's fields as split). ``fused``:
        the block's query with ``_plain`` and :attr:`slots` (a block without over-long
        lines), so that only the other lines' keys are made here."""
        pl = self.pl
        runner = self.runner
        used = self.used
        first = plan.table.item(0, "line") if plan.total else 0
        # the plain lines' keys from their fields as written
        if fused is None or plan.loose:
            fused = None
            frame = plan.table.select("line", *used, self.plain.alias("_plain"))
            ok = frame.get_column("_plain")
            if plan.loose:
                ok = ok & ~frame.get_column("line").is_in(list(plan.loose))
        else:
            ok = fused.get_column("_plain")
        # the others' in columns where that is certain, else from their records
        rest_rows = plan.table.filter(~ok)
        records = []
        at = []
        rest = None
        if rest_rows.height:
            rest = (
                rest_rows.lazy()
                .select("line", "text", "ending", *(e.alias(k) for k, e in self.fields.items()))
                .with_columns(self.certain.alias("_certain"), self.record.alias("_record"))
                .collect()
            )
            sure = rest.get_column("_certain")
            if plan.loose:
                sure = sure & ~rest.get_column("line").is_in(list(plan.loose))
            with _gc_paused():
                for number, line_text, ending in rest.filter(~sure).select(*_ROW).iter_rows():
                    got, _ = runner.parse_line(plan.physical(number, line_text, ending))
                    if got is not None:
                        records.append(got)
                        at.append(number - first)
        cols = Columns(runner.parser, records, plan.table)
        recs = _records_frame(pl, records, used) if records else None
        for i, key in enumerate(self.keyed):
            exprs = _hash_exprs(pl, key, cols)
            if fused is None:
                slots = frame.select([pl.when(pl.lit(ok)).then(e) for e in exprs]).get_columns()
            else:
                slots = [
                    fused.get_column(e.meta.output_name()).alias(e.meta.output_name().split(":")[1])
                    for e in self.slots[i]
                ]
            if rest is not None:
                rest_at = (rest.get_column("line") - first).to_list()
                use = pl.lit(sure) & pl.col("_record")
                theirs = rest.select([pl.when(use).then(e) for e in exprs])
                slots = [
                    s.scatter(rest_at, t) for s, t in zip(slots, theirs.get_columns(), strict=True)
                ]
            if recs is not None:
                theirs = recs.select(exprs)
                slots = [s.scatter(at, t) for s, t in zip(slots, theirs.get_columns(), strict=True)]
            self.chunks[i].add(first, pl.DataFrame(slots))

    def lines(self) -> list[Any]:
        """After the last block: per key, the lines flagged (the parser's counters as
        they were before the first block)."""
        pl = self.pl
        parser = self.runner.parser
        parser.data_lines, parser.pending_short = self.saved
        STATS.keys = sum(len(c.parts) for c in self.chunks)
        STATS.spilled = any(c.folder is not None for c in self.chunks)
        return [
            _lines_of(pl, group, distinct=key.values is not None)
            for key, group in zip(self.keyed, self.chunks, strict=True)
        ]


def _key_pass(runner: Runner, keyed: list[CrossKey], plans: Iterator[Plan]) -> list[Any]:
    """The keys alone in a first pass (see :class:`_KeyPass`)."""
    keys = _KeyPass(runner, keyed)
    for plan in plans:
        STATS.seen(plan)
        keys.add(plan)
    return keys.lines()


SPILL: Final = 16 << 20
"""Bytes of key hashes the first pass holds in memory; past them, each block's hashes
go to a temporary file (Arrow IPC) and are read back one block at a time: a file of
ten million lines and a key holds ~80 MB of hashes."""


class _Hashes:
    """The first pass's hashes of one key: per block, its first line and one column per
    key slot (a hash per line, null: no key), in line order; in memory up to
    :data:`SPILL` bytes (all keys together), then in temporary files."""

    held = 0
    """Bytes held in memory by every instance of this run."""

    def __init__(self) -> None:
        self.parts: list[tuple[int, Any]] = []
        self.folder: tempfile.TemporaryDirectory[str] | None = None

    def add(self, first: int, frame: Any) -> None:
        size = int(frame.estimated_size())
        if self.folder is None and _Hashes.held + size > SPILL:
            self.folder = tempfile.TemporaryDirectory(prefix="sosreg-keys-")
            parts, self.parts = self.parts, []
            for at, held in parts:
                _Hashes.held -= int(held.estimated_size())
                self._write(at, held)
        if self.folder is None:
            _Hashes.held += size
            self.parts.append((first, frame))
        else:
            self._write(first, frame)

    def _write(self, first: int, frame: Any) -> None:
        assert self.folder is not None
        path = Path(self.folder.name) / f"{len(self.parts)}.arrow"
        frame.write_ipc(path)
        self.parts.append((first, path))

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        pl = polars()
        for first, part in self.parts:
            yield first, pl.read_ipc(part.read_bytes()) if isinstance(part, Path) else part

    def close(self) -> None:
        for _, part in self.parts:
            if not isinstance(part, Path):
                _Hashes.held -= int(part.estimated_size())
        self.parts = []
        if self.folder is not None:
            self.folder.cleanup()
            self.folder = None


def _lines_of(pl: Any, hashes: _Hashes, *, distinct: bool) -> Any:
    """The lines whose key hash in ``hashes`` repeats: a sorted Int64 Series."""
    try:
        found = _repeated(pl, hashes, distinct=distinct)
        lines = [pl.Series("line", [], dtype=pl.Int64)]
        if len(found):
            wanted = found.implode()
            for first, frame in hashes:
                for name in frame.columns:
                    if not name.startswith("k"):
                        continue
                    k = frame.get_column(name)
                    hit = pl.select(k.is_in(wanted).fill_null(False).arg_true()).to_series()
                    if len(hit):
                        lines.append(hit.cast(pl.Int64) + first)
    finally:
        hashes.close()
    return pl.concat(lines).unique().sort()


def _repeated(pl: Any, hashes: _Hashes, *, distinct: bool) -> Any:
    """The key hashes (UInt64 Series) that occur more than once in ``hashes``, or, with
    ``distinct``, with more than one distinct value. Nulls (no key, no value) are left
    out. A part of the hash space at a time (a copy of an eighth of the hashes, not of
    all), found by sorting (no hash table)."""
    size = pl.lit(1 << (64 - _BUCKET_BITS), dtype=pl.UInt64)
    found = [pl.Series("k", [], dtype=pl.UInt64)]
    # in memory (at most SPILL bytes, no block held any more): all at once
    buckets = 1 << _BUCKET_BITS if hashes.folder is not None else 1
    for bucket in range(buckets):
        part = []
        for _, frame in hashes:
            for name in frame.columns:
                if not name.startswith("k"):
                    continue
                cols = [pl.col(name).alias("k")]
                if distinct:
                    cols.append(pl.col("v" + name[1:]).alias("v"))
                query = frame.lazy().select(cols)
                if buckets > 1:
                    query = query.filter(pl.col("k") // size == bucket)
                part.append(query)
        if not part:
            continue
        got = pl.concat(part).collect()  # one query a bucket
        del part
        if distinct:  # the distinct pairs, then their keys
            got = got.drop_nulls().unique()
        keys = got.get_column("k").drop_nulls().sort()
        del got
        repeats = keys.filter(keys == keys.shift(1))
        found.append(repeats.filter((repeats != repeats.shift(1)).fill_null(True)))
        del keys
    return pl.concat(found)


def _flags(
    runner: Runner, plan: Plan, *, cross: bool, repeated: Sequence[Any] | None = None
) -> list[tuple[str, Any]]:
    """The masks, named: true where a line may give a finding. ``cross=False``: the
    fields', the period's, the kommun's and the record rules'; ``cross=True``: the
    cross-record rules', by their row masks and their keys (``repeated``: the lines
    whose key repeats, per key of the file's rules in order, from :class:`_KeyPass`;
    ``None``: the row masks only, the keys added later by :func:`_key_flags`). Masks
    see every row of the block; a suspect row's flags are never used (a superset is
    safe)."""
    pl = polars()

    parser = runner.parser
    flags: list[tuple[str, Any]] = []
    cols = Columns(parser, plan.extra, plan.table)
    if not cross:
        names = parser.names
        flags += [(f"field:{cf.spec.name}", ~field_ok(pl, cf, parser.ctx)) for cf in parser.fields]
        if parser.period_index is not None:
            flags.append(("period", pl.col(names[parser.period_index]) != str(parser.period)))
        if parser.kommun_index is not None:
            k = pl.col(names[parser.kommun_index])
            flags.append(("kommun", (k != "") & (k != parser.kommun)))
        for rule in runner.record_rules:
            mask = pl.lit(True) if rule.mask is None else rule.mask(cols)
            flags.append(("record:" + ",".join(rule.codes), mask))
        return [(name, expr.fill_null(True)) for name, expr in flags]
    at = 0
    for factory in runner.cross_factories:
        exprs = [] if factory.mask is None else [factory.mask(cols).fill_null(True)]
        for _ in factory.keys:
            if repeated is None:  # the keys later (_key_flags)
                break
            lines = repeated[at]
            at += 1
            if len(lines):
                exprs.append(pl.col("line").is_in(lines.implode()))
        if exprs:
            mask = pl.any_horizontal(exprs)
        else:
            mask = pl.lit(factory.mask is None and not factory.keys)
        flags.append(("cross:" + ",".join(factory.codes), mask))
    return flags


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
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


def _keyed(runner: Runner) -> list[CrossKey]:
    """The keys of the file's cross-record rules, in order."""
    return [key for factory in runner.cross_factories for key in factory.keys]


def _key_flags(pl: Any, plan: Plan, repeated: Sequence[Any]) -> Any:
    """True where a line of the block has a key that repeats (``repeated``: the lines
    per key, from :class:`_KeyPass`); ``None`` where none does."""
    first = plan.table.item(0, "line") if plan.total else 0
    last = first + plan.total
    exprs = []
    for lines in repeated:
        inside = lines.filter((lines >= first) & (lines < last))
        if len(inside):
            exprs.append(pl.col("line").is_in(inside.implode()))
    if not exprs:
        return None
    return plan.table.lazy().select(pl.any_horizontal(exprs)).collect().to_series()


def _runs_of(pl: Any, plan: Plan) -> list[list[Any]]:
    """The block's line endings in runs: [code, lines] in order."""
    return [
        [code, n]
        for n, code in plan.table.select(pl.col("ending").rle()).unnest("ending").iter_rows()
    ]


def _add_runs(runs: list[list[Any]], more: list[list[Any]]) -> None:
    for code, n in more:
        if runs and runs[-1][0] == code:
            runs[-1][1] += n
        else:
            runs.append([code, n])


@attrs.define
class _Ahead:
    """What the first pass learnt of one block for the second: its first line and
    lines, its masks' flags (``None``: it has no suspect and no flagged line) and, for
    a block without, its line endings (a block the second pass does not read)."""

    first: int
    total: int
    busy: bool
    """Whether the block has a suspect or a flagged line."""
    flag: Any
    suspect: Any
    runs: list[list[Any]] | None


READ_AHEAD: bool = True
"""Whether the first pass reads the next block (in a thread: polars reads and checks
without holding the GIL) while it checks one: about 15 % faster on two cores, one more
block in memory (~10 MiB at 2 MiB blocks; docs/performance.md)."""


def _ahead_of(plans: Iterator[Plan]) -> Iterator[Plan]:
    """``plans``, each read by a thread while the one before is checked (see
    :data:`READ_AHEAD`); an error of the reader is raised here, and a consumer that
    stops early stops the reader."""
    if not READ_AHEAD:
        yield from plans
        return
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


def _first_pass(
    runner: Runner, keyed: list[CrossKey], known: blocks.Known
) -> tuple[list[_Ahead], list[Any], Any]:
    """The first pass over a file whose cross-record rules have keys: per block, in one
    query, its suspect lines, every mask but the keys' and the plain lines' keys
    (:class:`_KeyPass`); returns what it learnt of each block, the lines whose key
    repeats and the masks (one expression, for the lines the second pass repairs).
    The second pass then reads again only the blocks with a suspect line, a flagged
    line or a repeated key (``known.need``): of a clean file, none."""
    pl = polars()
    keys = _KeyPass(runner, keyed)
    parser = runner.parser
    ahead: list[_Ahead] = []
    suspect_expr = _suspect_line(pl, parser.names)
    slots = [e for exprs in keys.slots for e in exprs]
    # the masks (they see no block's data: an empty table of every column)
    nothing = lines_frame(pl, 1, 0, pl.Series([], dtype=pl.UInt8), pl.Series([], dtype=pl.String))
    empty = Plan(table_of(pl, parser.names, nothing, None), 0)
    named = _flags(runner, empty, cross=False) + _flags(runner, empty, cross=True)
    flag_full = pl.any_horizontal([e for _, e in named]) if named else pl.lit(False)
    named = _by_pattern(pl, parser, named)
    flag_expr = pl.any_horizontal([e for _, e in named]) if named else pl.lit(False)
    # the fields the masks and keys read (the rest the patterns test in the text)
    roots = {name for expr in (flag_expr, keys.plain, *slots) for name in expr.meta.root_names()}
    only = [n for n in parser.names if n in roots]
    for plan in _ahead_of(blocks.plans(pl, runner, only=only, known=known)):
        STATS.seen(plan)
        first = plan.table.item(0, "line") if plan.total else 0
        # one query a block: suspects, flags and the plain lines' keys
        frame = (
            plan.table.lazy()
            .select(
                suspect_expr.alias("_suspect"),
                flag_expr.alias("_flag"),
                keys.plain.alias("_plain"),
                *slots,
            )
            .collect()
        )
        suspect = frame.get_column("_suspect")
        if plan.loose:
            suspect = suspect | plan.table.get_column("line").is_in(list(plan.loose))
        if not plan.loose and frame.get_column("_plain").all():
            keys.took(first, frame)
        else:
            keys.add(plan, frame)
        # flags of the lines not suspect now; the second pass adds those of the lines
        # its line stage repairs
        flag = frame.get_column("_flag")
        busy = bool(suspect.any()) or bool(flag.any())
        del frame
        ahead.append(
            _Ahead(
                first,
                plan.total,
                busy,
                flag if busy else None,
                suspect if busy else None,
                None if busy else _runs_of(pl, plan),
            )
        )
        plan.table = plan.suspect = None  # before the next block is read
    repeated = keys.lines()
    hit = [False] * len(ahead)
    found = pl.concat(repeated).unique().sort() if repeated else None
    if found is not None and len(found):
        starts = pl.Series([a.first for a in ahead], dtype=pl.Int64)
        ends = pl.Series([a.first + a.total for a in ahead], dtype=pl.Int64)
        lo = found.search_sorted(starts, side="left")
        hi = found.search_sorted(ends, side="left")
        hit = (hi > lo).to_list()
    sink = runner.rows is not None
    known.need = [sink or h or a.busy for a, h in zip(ahead, hit, strict=True)]
    return ahead, repeated, flag_full


def _by_pattern(pl: Any, parser: LineParser, named: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    """The first pass's masks: ``named`` (the flags of :func:`_flags`), where the fields
    whose type gives a :meth:`~sosreg.engine.types.base.FieldType.line_pattern` are
    tested by one regular expression over the whole line (``line``: true where it does
    not match) instead of their masks, so that the first pass need not split them. The
    kommun field's pattern is the file's kommun (its own flag folded in); the period
    field keeps its mask."""
    patterns: list[str] = []
    taken: set[str] = set()
    for i, cf in enumerate(parser.fields):
        f = cf.spec
        pattern = None if i == parser.period_index else field_type(f).line_pattern(cf)
        if pattern is not None and i == parser.kommun_index:
            pattern = re.escape(parser.kommun) if parser.kommun in cf.fast else None
        if pattern is None:
            patterns.append("[^;]*")
            continue
        taken.add(f.name)
        patterns.append(f"(?:{pattern})" + ("" if f.mandatory else "?"))
    if not taken:
        return named
    kommun = None if parser.kommun_index is None else parser.names[parser.kommun_index]
    out = [
        (name, expr)
        for name, expr in named
        if name.removeprefix("field:") not in taken and not (name == "kommun" and kommun in taken)
    ]
    line = "^" + ";".join(patterns) + "$"
    out.append(("line", ~pl.col("text").str.contains(line)))
    return out


def run(runner: Runner) -> None:
    """Validate ``runner`` in blocks of lines, column by column; findings go to
    ``runner.log`` exactly as the row engine's would."""
    pl = polars()
    if not runner.text_input:
        return runner.run_rows()
    STATS.__init__()  # type: ignore[misc]
    keyed = _keyed(runner)
    lines = skipped = 0
    runs: list[list[Any]] = []
    if not keyed:
        STATS.passes = 1
        for plan in blocks.plans(pl, runner):
            n, k = _check(runner, plan, None, runs)
            lines += n
            skipped += k
            runner.lines_read = lines
            runner.report_progress()
    else:
        # every file, one block or many: a file of one block read once would have its
        # suspect lines parsed in the first pass, out of reach of the line stage in
        # columns; the second pass reads again only the blocks that need the row engine
        STATS.passes = 2
        known = blocks.Known()
        ahead, repeated, masks = _first_pass(runner, keyed, known)
        again = blocks.plans(pl, runner, known=known)
        if not any(known.need or ()):  # no block to read again: not even its bytes
            again = (Plan(None, seen.total) for seen in ahead)
        for plan, seen in zip(again, ahead, strict=True):
            if plan.table is None:  # nothing to check
                STATS.seen(plan)
                assert seen.runs is not None
                _add_runs(runs, seen.runs)
                n = k = plan.total
            else:
                n, k = _check(runner, plan, repeated, runs, ahead=seen, masks=masks)
            lines += n
            skipped += k
            runner.lines_read = lines
            runner.report_progress()
    runner.account(lines=lines, skipped=skipped, runs=[(ENDINGS[c], n) for c, n in runs])


SLICE: Final = 10_000
"""Lines of a block whose suspect lines are parsed, then checked, at a time: the row
engine's records and findings of a slice are all that is held (a block of short lines,
every one of them suspect, holds no more than one of long ones)."""


def _check(
    runner: Runner,
    plan: Plan,
    repeated: Sequence[Any] | None,
    runs: list[list[Any]],
    ahead: _Ahead | None = None,
    masks: Any = None,
) -> tuple[int, int]:
    """One block: the masks, then, :data:`SLICE` lines at a time, the suspect lines
    through the line and field stages and every suspect or flagged line through the
    rest of the row engine, in order. Returns (lines, records cleared); the block's
    endings are added to ``runs``. ``ahead``: the block's suspects and flags from the
    first pass; then only the repeated keys' flags are added here, and the flags
    (``masks``) of the lines the line stage repairs."""
    pl = polars()
    STATS.seen(plan)
    if ahead is not None:
        STATS.again += 1
        if ahead.suspect is not None:
            plan.suspect = ahead.suspect
    suspect = _suspect_of(pl, runner, plan)
    # the line stage in columns: the lines it repairs are checked as clean ones
    stage = linestage.bulk(pl, plan.table, suspect, runner.parser)
    plan.table, suspect, reference = stage.table, stage.suspect, stage.reference
    plan.done.update(stage.done)
    if ahead is None:
        # one lazy query: common subexpressions once, expressions in parallel
        named = _flags(runner, plan, cross=False) + _flags(
            runner, plan, cross=True, repeated=repeated
        )
        flags = [expr for _, expr in named]
        flag = None
        if flags:
            flag = plan.table.lazy().select(pl.any_horizontal(flags)).collect().to_series()
    else:
        flag = ahead.flag
        rows = [row for row, _, _, _ in stage.repaired.values()]
        if rows and flag is not None and masks is not None:
            # the first pass saw these lines unrepaired
            again = (
                plan.table.with_row_index("_row")
                .lazy()
                .filter(pl.col("_row").is_in(rows))
                .select(masks)
                .collect()
                .to_series()
            )
            flag = flag.scatter(rows, again)
        keyed = _key_flags(pl, plan, repeated or ())
        if keyed is not None:
            flag = keyed if flag is None else flag | keyed
    if flag is None:
        flag = pl.repeat(False, plan.total, dtype=pl.Boolean, eager=True)
    todo_mask = suspect | flag
    skipped = int((~todo_mask).sum())
    sink = runner.rows
    cleared = None if sink is None else plan.table.filter(~todo_mask).drop("text", "ending")
    # the repaired lines, for their line-stage findings
    todo_mask = todo_mask | linestage.settle(pl, runner.parser, stage, flag, plan.done)
    _add_runs(runs, _runs_of(pl, plan))
    table = plan.table.select("line", "text", "ending")
    plan.table = None
    made: list[tuple[int, Any]] = []
    for start in range(0, plan.total, SLICE):
        part = Plan(table.slice(start, SLICE), 0, plan.loose, plan.done)
        with _gc_paused():
            _parse_suspects(runner, part, reference.slice(start, SLICE))
        todo = part.table.filter(todo_mask.slice(start, SLICE))
        lines = (part.physical(*row) for row in todo.iter_rows())
        numbers: list[int] = []
        with _gc_paused():
            for line, record, _ in runner.process(lines, part.done, count=False):
                numbers.append(line.number)
                if sink is not None and record is not None:
                    made.append((line.number, record))
        for number in numbers:
            part.done.pop(number, None)
    if sink is not None:
        sink(cleared, made)
    return plan.total, skipped


def explain(parsed: Parsed | Runner) -> dict[str, set[int]]:
    """For tests and curious users: the clean lines each mask flags (``"suspect"``: the
    lines the row engine reads whole). Consumes ``parsed`` (iterate a new one to
    validate)."""
    pl = polars()

    runner = parsed.runner if isinstance(parsed, Parsed) else parsed
    if not runner.text_input:
        return {}
    STATS.__init__()  # type: ignore[misc]
    keyed = _keyed(runner)
    repeated = _key_pass(runner, keyed, blocks.plans(pl, runner)) if keyed else []
    out: dict[str, set[int]] = {}
    suspects: set[int] = set()
    for plan in blocks.plans(pl, runner):
        suspect = _suspect_of(pl, runner, plan)
        _parse_suspects(runner, plan, suspect)
        flags = _flags(runner, plan, cross=False) + _flags(
            runner, plan, cross=True, repeated=repeated
        )
        table = (
            plan.table.lazy()
            .select("line", *(expr.alias(name) for name, expr in flags))
            .filter(~suspect)
            .collect()
        )
        for name, _ in flags:
            out.setdefault(name, set()).update(table.filter(pl.col(name)).get_column("line"))
        suspects.update(plan.done)
    if not out:  # no lines: every mask flags none
        frame = lines_frame(pl, 1, 0, pl.Series([], dtype=pl.UInt8), pl.Series([], dtype=pl.String))
        empty = Plan(table_of(pl, runner.parser.names, frame, None), 0)
        flags = _flags(runner, empty, cross=False) + _flags(
            runner, empty, cross=True, repeated=repeated
        )
        out = {name: set() for name, _ in flags}
    out["suspect"] = suspects
    return out


Mask = Callable[[Columns], Any]


RUNNERS["columnar"] = run
REQUIRES["columnar"] = polars
