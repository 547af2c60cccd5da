"""The cross-record rules' keys in the columnar engine's first pass: each line's keys
hashed (8 bytes a line and key slot, in memory up to :data:`SPILL` bytes, then in
temporary files), the hashes that repeat found at the end (by sorting, a part of the
hash space at a time), and the lines that hold them (:class:`KeyPass`).

A cross-record rule declares its keys (:class:`~sosreg.engine.register.CrossKey`): the
rows that can matter to it are those whose key repeats in the file (or has two values).
A line's key is read as the row engine's record holds it: from its fields where the
line is plain, through the line stage's repairs as expressions where that is certain
(:func:`_as_records`), from the record the row engine makes of it otherwise. Two keys
with one hash only flag more lines (safe: masks detect, the row engine diagnoses).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Final

from sosreg.engine.blocks import STATS, Plan, gc_paused
from sosreg.engine.masks import ROW, Columns, field_ok, polars, suspect_line
from sosreg.engine.register import CrossKey
from sosreg.engine.runner import Runner
from sosreg.engine.source import MAX_LINE
from sosreg.engine.types import field_type
from sosreg.engine.values import to_text

_SEED: Final = 0x5EED
_BUCKET_BITS: Final = 3
"""The repeated keys are found an eighth of the hash space at a time (a copy of an
eighth of the hashes, not of all)."""


def _h64(pl: Any, expr: Any) -> Any:
    """A String expression's hash (UInt64; null stays null). Two keys with one hash only
    flag more lines (safe: masks detect, the row engine diagnoses); with 64 bits, about
    one file in 370,000 of ten million keys has such a pair, so a clean file's second
    pass has nothing to read again."""
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


def _as_records(
    pl: Any, runner: Runner, used: Sequence[str]
) -> tuple[list[list[Any]], Any, Any, dict[str, Any]]:
    """The line stage of :meth:`~sosreg.engine.core.LineParser.parse` as expressions,
    for the first pass, which needs the key fields of every line as the row engine's
    records hold them: (*stages*: the columns the others read, each list of them for one
    ``with_columns`` in turn, so that the line unquoted and split is made once;
    *certain*: the lines where these expressions give exactly what the row engine makes
    of the line; *record*: whether it makes a record; the fields ``used``, as the
    record's text).

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
    c = pl.col
    t = c("text")
    stripped = c("_k_stripped")
    quoted = (
        t.str.contains('"', literal=True)
        & (stripped.str.len_bytes() >= 2)
        & stripped.str.starts_with('"')
        & stripped.str.ends_with('"')
    )
    inner = stripped.str.slice(1, stripped.str.len_bytes() - 2).str.replace_all(
        '""', '"', literal=True
    )
    line = c("_k_line")
    count = c("_k_count")
    # split only as far as the last field used (the rest of the line in one piece)
    last = max((parser.names.index(name) for name in used), default=0)
    stages = [
        [t.str.strip_chars(" \t").alias("_k_stripped")],
        [pl.when(quoted).then(inner).otherwise(t).alias("_k_line")],
        [
            line.str.count_matches(";", literal=True).alias("_k_count"),
            (line.str.contains(" ", literal=True) | line.str.contains('"', literal=True)).alias(
                "_k_spaced"
            ),
            line.str.splitn(";", last + 2).alias("_k_pieces"),
        ],
    ]
    blank = stripped == ""
    fits = (count == n - 1) | (
        (count > n - 1) & (line.str.strip_chars_end(";").str.count_matches(";", literal=True) < n)
    )
    simple = t.str.contains(r"^[\x20-\x7e\t]*$") & (t.str.len_bytes() <= MAX_LINE)
    certain = simple & (blank | (line.str.contains(r"^[0-9]") & ((count > 0) | (n == 1))))
    record = certain & ~blank & fits
    spaced = c("_k_spaced")
    pieces = c("_k_pieces")
    fields: dict[str, Any] = {}
    for name in used:
        v = pieces.struct.field(f"field_{parser.names.index(name)}")
        s = v.str.strip_chars(" \t")
        unquoted = (s.str.len_bytes() >= 2) & s.str.starts_with('"') & s.str.ends_with('"')
        s = pl.when(unquoted).then(s.str.slice(1, s.str.len_bytes() - 2)).otherwise(s)
        fields[name] = pl.when(spaced).then(s).otherwise(v).fill_null("")
    return stages, certain, record, fields


class KeyPass:
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

    def __init__(
        self, runner: Runner, keyed: list[CrossKey], plain: Any = None, *, quick: bool = False
    ) -> None:
        pl = self.pl = polars()
        self.runner = runner
        self.keyed = keyed
        parser = runner.parser
        self.saved = (parser.data_lines, parser.pending_short)
        _Hashes.held = 0
        _Hashes.spill_all = False
        self.blocks = 0
        """Blocks whose keys were hashed."""
        self.chunks = [_Hashes() for _ in keyed]
        self.used = used = _key_fields(runner, keyed)
        self.stages, self.certain, self.record, self.fields = _as_records(pl, runner, used)
        # the lines whose fields are read as split: not suspect, the key fields the
        # record may hold other than as written valid. ``plain``: a stricter test of
        # the line may be given, such as the first pass's
        # :func:`~sosreg.engine.masks.plain_line` (one evaluation in its query); the
        # other lines are then tested for this one first (:attr:`loose`)
        # (with ``quick``, the plain lines' key fields are tested by their quick masks,
        # the rest by their masks as loose)
        valid = quick_valid = pl.lit(True)
        for cf in parser.fields:
            f = cf.spec
            if f.name in used and (field_type(f).python_type(f) is not str or f.pad_width):
                ok = field_ok(pl, cf, parser.ctx)  # of the column named f.name (below)
                valid = valid & ok
                quick_valid = quick_valid & (
                    field_ok(pl, cf, parser.ctx, quick=True) if quick else ok
                )
                self.certain = self.certain & (~self.record | ok)
        loose = ~suspect_line(pl, parser.names) & valid
        self.loose = None if plain is None else loose
        plain = loose if plain is None else plain & quick_valid
        self.plain = plain
        cols = Columns(parser)
        self.slots = [
            [e.alias(f"{j}:{e.meta.output_name()}") for e in _hash_exprs(pl, key, cols)]
            for j, key in enumerate(keyed)
        ]
        """Per key, its slots' hashes of every line as split, for the block's query: a
        line that is not plain has them set again by :meth:`add` (a ``when(plain)``
        around them cost a fifth of the first pass's query: polars evaluates the
        condition apart inside a ``when``)."""

    def expect(self, plan: Plan, size: int) -> None:
        """After the first block's hashes (``plan``): the file holds ``size`` bytes, so
        about ``size`` over the block's bytes as many hashes as the block; a file
        expected to hold more than :data:`SPILL` bytes of them writes them all to files
        from now on."""
        text = plan.table.get_column("text") if plan.table is not None else None
        if text is None or not plan.total:
            return
        block = int(text.str.len_bytes().sum() or 0) + plan.total
        if _Hashes.held * size / block > SPILL:
            _Hashes.spill_all = True

    def took(self, first: int, frame: Any) -> None:
        """The keys of a block all of whose lines are plain, hashed in ``frame`` (the
        block's query selected :attr:`slots` with the rest of its masks)."""
        for j in range(len(self.slots)):
            self.chunks[j].add(first, self.pl.DataFrame(self._slots_of(frame, j)))
        self.blocks += 1

    def _slots_of(self, frame: Any, j: int) -> list[Any]:
        """Key ``j``'s slots as :attr:`slots` put them in ``frame``, named ``k0``… again."""
        return [
            frame.get_column(name).alias(name.split(":")[1])
            for name in (e.meta.output_name() for e in self.slots[j])
        ]

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
        # the others': as written where they are plain in the looser sense
        # (:attr:`loose`), else in columns where that is certain, else from their
        # records
        rest_rows = plan.table.filter(~ok)
        mid = None
        if self.loose is not None and rest_rows.height:
            mid_ok = rest_rows.select(self.loose).to_series()
            if plan.loose:
                mid_ok = mid_ok & ~rest_rows.get_column("line").is_in(list(plan.loose))
            mid = rest_rows.filter(mid_ok)
            rest_rows = rest_rows.filter(~mid_ok)
        records = []
        at = []
        rest = None
        if rest_rows.height:
            query = rest_rows.lazy().select("line", "text", "ending")
            for stage in self.stages:
                query = query.with_columns(stage)
            rest = (
                query.with_columns(e.alias(k) for k, e in self.fields.items())
                .with_columns(self.certain.alias("_certain"), self.record.alias("_record"))
                .select("line", "text", "ending", *self.fields, "_certain", "_record")
                .collect()
            )
            sure = rest.get_column("_certain")
            if plan.loose:
                sure = sure & ~rest.get_column("line").is_in(list(plan.loose))
            with gc_paused():
                for number, line_text, ending in rest.filter(~sure).select(*ROW).iter_rows():
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
                slots = self._slots_of(fused, i)
            if mid is not None and mid.height:
                slots = _scatter(slots, mid.get_column("line") - first, mid.select(exprs))
            if rest is not None:
                use = pl.lit(sure) & pl.col("_record")
                theirs = rest.select([pl.when(use).then(e) for e in exprs])
                slots = _scatter(slots, rest.get_column("line") - first, theirs)
            if recs is not None:
                slots = _scatter(slots, at, recs.select(exprs))
            self.chunks[i].add(first, pl.DataFrame(slots))
        self.blocks += 1

    def lines(self) -> list[Any]:
        """After the last block: per key, the lines flagged (the parser's counters as
        they were before the first block)."""
        pl = self.pl
        parser = self.runner.parser
        parser.data_lines, parser.pending_short = self.saved
        STATS.keys = self.blocks
        STATS.spilled = any(c.folder is not None for c in self.chunks)
        return [
            _lines_of(pl, group, distinct=key.values is not None)
            for key, group in zip(self.keyed, self.chunks, strict=True)
        ]


def _scatter(slots: list[Any], rows: Any, theirs: Any) -> list[Any]:
    """``slots`` (a key's hash columns of a block) with ``theirs`` (a frame of the same
    columns) set at ``rows``."""
    return [s.scatter(rows, t) for s, t in zip(slots, theirs.get_columns(), strict=True)]


def key_pass(runner: Runner, keyed: list[CrossKey], plans: Iterator[Plan]) -> list[Any]:
    """The keys alone in a first pass (see :class:`KeyPass`)."""
    keys = KeyPass(runner, keyed)
    for plan in plans:
        STATS.seen(plan)
        keys.add(plan)
    return keys.lines()


SPILL: Final = 32 << 20
"""Bytes of key hashes the first pass holds in memory at most; past them the hashes go
to temporary files (Arrow IPC), :data:`SPILL_CHUNK` bytes at a time, and are read back
a part at a time. A file expected to hold more (its size over its first block's, times
the first block's hashes: a file of ten million lines and a key holds ~80 MB) writes
them from its first block on, so that it never holds this much."""

SORT_AT_ONCE: Final = 16 << 20
"""Bytes of hashes (in memory) sorted at once to find the repeated ones; more (or
spilled ones) are sorted an eighth of the hash space at a time (a copy of an eighth,
not of all). An eighth at a time reads every part eight times: a million EKB lines'
16 MB of hashes took 0.075 s so, 0.025 s at once (at most 16 MiB more held, after the
blocks are gone; was 2 MiB)."""


SPILL_CHUNK: Final = 1 << 20
"""Bytes of spilled hashes (of consecutive blocks) gathered in memory before they are
written to one file: fewer, larger files to read back."""


class _Hashes:
    """The first pass's hashes of one key: per block, its first line and one column per
    key slot (a hash per line, null: no key), in line order; in memory up to
    :data:`SPILL` bytes (all keys together), then in temporary files, written
    :data:`SPILL_CHUNK` bytes at a time."""

    held = 0
    """Bytes held in memory by every instance of this run."""
    spill_all = False
    """Whether this run writes every block's hashes to files (:meth:`KeyPass.expect`)."""

    def __init__(self) -> None:
        self.parts: list[tuple[int, Any]] = []
        """Per part, its first line and its hashes (of one block, or of consecutive
        blocks one after the other): a frame in memory, or the file it was written
        to."""
        self.folder: tempfile.TemporaryDirectory[str] | None = None
        self.pending: list[tuple[int, Any]] = []
        self.pending_size = 0

    def add(self, first: int, frame: Any) -> None:
        size = int(frame.estimated_size())
        if self.folder is None and (_Hashes.spill_all or _Hashes.held + size > SPILL):
            self.folder = tempfile.TemporaryDirectory(prefix="sosreg-keys-")
            parts, self.parts = self.parts, []
            for at, held in parts:
                held_size = int(held.estimated_size())
                _Hashes.held -= held_size
                self._spill(at, held, held_size)
        if self.folder is None:
            _Hashes.held += size
            self.parts.append((first, frame))
        else:
            self._spill(first, frame, size)

    def _spill(self, first: int, frame: Any, size: int) -> None:
        """A block's hashes (``size`` bytes) to the pending ones, written to a file
        once they hold :data:`SPILL_CHUNK` bytes."""
        self.pending.append((first, frame))
        self.pending_size += size
        self._flush(SPILL_CHUNK)

    def _flush(self, at_least: int = 0) -> None:
        """The pending blocks' hashes to a file, once they hold ``at_least`` bytes."""
        if not self.pending or self.pending_size < at_least:
            return
        assert self.folder is not None
        pl = polars()
        folder = Path(self.folder.name)
        n = len(self.parts)
        first = self.pending[0][0]  # of consecutive blocks: their lines follow on
        frame = pl.concat([f for _, f in self.pending])
        self.pending, self.pending_size = [], 0
        frame.write_ipc(folder / f"{n}.arrow")
        self.parts.append((first, folder / f"{n}.arrow"))

    def __iter__(self) -> Iterator[tuple[int, Any]]:
        """Each part's first line and hashes, in line order."""
        pl = polars()
        self._flush()
        for first, part in self.parts:
            yield first, pl.read_ipc(part.read_bytes()) if isinstance(part, Path) else part

    def close(self) -> None:
        for _, part in self.parts:
            if not isinstance(part, Path):
                _Hashes.held -= int(part.estimated_size())
        self.parts, self.pending, self.pending_size = [], [], 0
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
    # a few hashes in memory: all at once; more, or spilled: an eighth at a time
    small = hashes.folder is None and _Hashes.held <= SORT_AT_ONCE
    buckets = 1 if small else 1 << _BUCKET_BITS
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
                # a spilled part is read from its file: its eighth kept, not all of it
                part.append(query if hashes.folder is None else query.collect().lazy())
            del frame
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


def of(runner: Runner) -> list[CrossKey]:
    """The keys of the file's cross-record rules, in order."""
    return [key for factory in runner.cross_factories for key in factory.keys]
