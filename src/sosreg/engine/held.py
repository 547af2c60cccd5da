"""What the columnar engine's first pass keeps for its second (polars passed in): what it
learnt of each block (:class:`Ahead`) and the flagged lines themselves.

A file whose cross-record rules have keys is read twice (:mod:`sosreg.engine.columnar`):
the first pass flags the lines that may give a finding, the second hands them to the
line stage in columns and the row engine. Reading a whole block again for the few lines
it flags has fixed costs (a block's bytes read into columns again, a few queries of a
few milliseconds each), and a file with a damaged line in every block paid them for
every block.

So the first pass keeps the *candidate* lines of a block with a flagged line (those it
flags, and those whose values the quick masks left to test later:
:class:`~sosreg.engine.masks.Leftover`), their number, ending and text (copied: a
filtered string column would share, and keep alive, the whole block's text), up to
:data:`HOLD_BYTES` for the whole file. A block with no flagged line keeps nothing (if a
value the quick masks left turns out invalid, the block is read again, as before). The
second pass then reads again only the blocks it could not keep (and those where a key
repeats: their lines that are not flagged matter too); the lines kept of consecutive
blocks are checked together, :func:`groups` at a time, as one *sparse* table: the lines
not in it are clean (neither suspect nor flagged), which the line stage's test of a
short line's neighbours takes into account (:func:`sosreg.engine.linestage.bulk`'s
``bounds``).
Memory stays bounded: :data:`HOLD_BYTES` in all, whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from sosreg.engine import source
from sosreg.engine.blocks import STATS, Plan, add_runs
from sosreg.engine.source import PhysicalLine

HOLD_BYTES: int = 32 << 20
"""Bytes of kept lines (their text and numbers, as polars estimates them) the first
pass may hold for the whole file; the blocks past it are read again."""


@attrs.define
class Budget:
    """What is kept so far, against :data:`HOLD_BYTES`."""

    left: int = attrs.field(factory=lambda: HOLD_BYTES)

    def keep(self, pl: Any, table: Any, rows: Any, extra: int = 0) -> Any:
        """The lines of ``table`` (a block's) where ``rows`` (a boolean Series) is true,
        as a frame of ``_row`` (the row in the block), ``line``, ``ending`` and
        ``text``, kept if they fit what is left (``extra``: bytes held beside them);
        ``None`` if not (the block is read again)."""
        frame = table.select("line", "ending", "text").with_row_index("_row").filter(rows)
        # the text anew: a filtered string column shares the block's buffers (views),
        # which would keep every block's text alive
        text = pl.Series("text", frame.get_column("text").to_list(), dtype=pl.String)
        frame = frame.with_columns(text)
        size = int(frame.estimated_size()) + extra
        if size > self.left:
            return None
        self.left -= size
        return frame


@attrs.define
class Group:
    """Consecutive blocks whose kept lines are checked together: the physical lines
    ``first`` (inclusive) to ``end`` (exclusive), ``lines`` of them, their endings in
    ``runs`` ([code, lines] in order)."""

    first: int
    end: int
    lines: int
    runs: list[list[Any]]


def groups(pl: Any, blocks: list[Ahead]) -> Iterator[tuple[Any, Group]]:
    """The kept lines of ``blocks`` (consecutive, each with lines kept; let go of as
    they are taken), whose final flags are still true, as tables of ``line``,
    ``ending`` and ``text`` of at most about a block's bytes (``BLOCKS.rows``) and
    ``BLOCKS.batch`` lines each; each with its :class:`Group`. The first tables are
    smaller (a quarter, a half): a rule's findings past those a log keeps are counted
    in bulk from the next check on (:mod:`sosreg.engine.fieldcount`), so the sooner
    the first check ends, the fewer lines the row engine reads."""
    most_bytes = max(1, source.BLOCKS.rows)
    most_rows = max(1, source.BLOCKS.batch)
    limit_bytes, limit_rows = max(1, most_bytes // 4), max(1, most_rows // 4)
    parts: list[Any] = []
    group: Group | None = None
    size = rows = 0
    for block in blocks:
        assert block.kept is not None and block.runs is not None
        frame = block.kept.filter(block.flags(pl).gather(block.kept.get_column("_row")))
        block.kept = block.flag = None
        if group is None:
            group = Group(block.first, block.first, 0, [])
        group.end = block.first + block.total
        group.lines += block.total
        add_runs(group.runs, block.runs)
        parts.append(frame.drop("_row"))
        size += int(frame.estimated_size())
        rows += frame.height
        if size >= limit_bytes or rows >= limit_rows:
            yield pl.concat(parts, rechunk=False), group
            parts, group, size, rows = [], None, 0, 0
            limit_bytes = min(most_bytes, 2 * limit_bytes)
            limit_rows = min(most_rows, 2 * limit_rows)
    if group is not None:
        yield pl.concat(parts, rechunk=False), group


@attrs.define
class Ahead:
    """What the first pass learnt of one block for the second: its first line and
    lines, its flags (true on every suspect line too; ``None``: it has no suspect and
    no flagged line), its line endings where the second pass may not read it (a block
    without flags, or whose lines it kept) and the lines kept."""

    first: int
    total: int
    flag: Any
    runs: list[list[Any]] | None
    kept: Any = None
    """The block's candidate lines, kept for the second pass (:meth:`Budget.keep`): it
    reads the block again only if ``None``."""

    def flags(self, pl: Any) -> Any:
        """:attr:`flag`, or a Series of false where it is ``None``."""
        if self.flag is None:
            return pl.zeros(self.total, dtype=pl.Boolean, eager=True)
        return self.flag


def joined(
    pl: Any, pairs: Iterator[tuple[Plan, Ahead]], most: int
) -> Iterator[tuple[Plan, Ahead | Group]]:
    """The second pass's checks, in order: ``pairs`` of (block read again or not, what
    the first pass learnt of it), up to ``most`` consecutive blocks read again
    (:data:`~sosreg.engine.columnar.JOIN_AGAIN`) joined into one; the lines kept of
    consecutive blocks not read again as tables of those lines (:func:`groups`), each
    with its :class:`Group`; a block not read again with nothing to check as it is."""
    group: list[tuple[Plan, Ahead]] = []
    kept: list[Ahead] = []
    for plan, seen in pairs:
        if plan.table is None and seen.kept is not None:
            yield from _join(pl, group)
            group = []
            kept.append(seen)
            continue
        if kept:
            yield from groups(pl, kept)
            kept = []
        if plan.table is None:
            yield from _join(pl, group)
            group = []
            yield plan, seen
            continue
        STATS.again += 1
        group.append((plan, seen))
        if len(group) >= most:
            yield from _join(pl, group)
            group = []
    yield from _join(pl, group)
    yield from groups(pl, kept)


def _join(pl: Any, group: list[tuple[Plan, Ahead]]) -> Iterator[tuple[Plan, Ahead]]:
    """Consecutive blocks read again (``group``) as one."""
    if len(group) <= 1:
        yield from group
        return
    plans = [p for p, _ in group]
    aheads = [a for _, a in group]
    loose: dict[int, PhysicalLine] = {}
    for p in plans:
        loose.update(p.loose)
    total = sum(p.total for p in plans)
    yield (
        Plan(pl.concat([p.table for p in plans], rechunk=False), total, loose),
        Ahead(aheads[0].first, total, pl.concat([a.flags(pl) for a in aheads]), None),
    )
