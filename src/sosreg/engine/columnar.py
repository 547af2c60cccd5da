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
2. The other lines are split into fields. Each field gets a **mask**
   (:mod:`sosreg.engine.masks`): a polars expression that is true where the value is
   valid as it stands, exactly as the compiled line function's fast test
   (:mod:`sosreg.engine.compiled`), both the field type's (:mod:`sosreg.engine.types`):
   in the year's code set, a canonical number in range, a real date, a personnummer
   with a right check digit…
3. Each record rule may declare a mask of its own (``@REGISTER.record(...,
   mask=...)``): the rows where it *might* fire, assuming valid fields. A rule without
   one makes every line need the row engine.
4. Each cross-record rule declares **keys**
   (:class:`~sosreg.engine.register.CrossKey`, e.g. ``REGISTER.unique(...,
   fields=...)``'s fields): the rows that can matter to it are those whose key repeats
   in the file (or has two values), found by hashing every line's keys
   (:mod:`sosreg.engine.crosskeys`).

A file with keys gets two passes (a file of one block too). The **first**
(:func:`_first_pass`) makes, per block and in one query, every mask's flags but the
keys' (true on the suspect lines too) and the keys' hashes. It splits only the fields
that masks and keys read: one regular expression over the whole line
(:func:`sosreg.engine.masks.plain_line`) tests at once that the line is not suspect
and that the fields whose type gives a
:meth:`~sosreg.engine.types.base.FieldType.line_pattern` (code fields, numbers, months)
are valid. It reads the next block in a thread while it checks one
(:data:`READ_AHEAD`), and keeps the flagged lines of the blocks that have some
(:mod:`sosreg.engine.held`, in bounded memory). The **second** checks the lines kept
of consecutive blocks together, as one sparse table, and reads again only the blocks
with a repeated key or whose lines were not kept
(:class:`~sosreg.engine.blocks.Known`; none of a clean file), their lines only, not
split into fields (but for a sink, which takes the clean lines' fields), up to
:data:`JOIN_AGAIN` consecutive ones together (each check has fixed costs); it tests
only the flagged lines for being suspect, and adds to the first pass's flags the keys'
and those of the lines the line stage repairs (their masks run again on their repaired
text, split).
A file without keys is read once, each block's masks and row engine together
(:func:`_check`).

A line whose only findings are its fields', where the log only counts their codes, is
counted in columns (:mod:`sosreg.engine.fieldcount`). The other lines flagged go
through the row engine in line order (the same compiled function
and :class:`~sosreg.engine.core.LineParser`, the same record and cross-record rules,
whose state runs on from block to block); the rest are counted as clean records, and
nothing of a block is kept. Masks detect; the row engine diagnoses (the field
converters, for lines only counted). Memory is bounded by the block size
(:data:`JOIN_AGAIN` blocks' lines in the second pass), the flagged lines kept
(:data:`~sosreg.engine.held.HOLD_BYTES`) and 8 bytes a line and key slot for the
first pass (spilled to temporary files past :data:`~sosreg.engine.crosskeys.SPILL`),
whatever the file's size or shape: :data:`STATS` says what a run held.

Polars is imported on first use.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

from sosreg.engine import blocks, crosskeys, fieldcount, held, linestage
from sosreg.engine.blocks import (
    ENDINGS,
    STATS,
    Plan,
    add_runs,
    gc_paused,
    lines_frame,
    table_of,
)
from sosreg.engine.findings import Stamp
from sosreg.engine.masks import (
    LEFT_AT_ONCE,
    Columns,
    Leftover,
    Mask,
    available,
    by_pattern,
    field_ok,
    plain_line,
    polars,
    suspect_line,
)
from sosreg.engine.masks import flags as mask_flags
from sosreg.engine.pipeline import REQUIRES, RUNNERS, Parsed
from sosreg.engine.register import CrossKey
from sosreg.engine.runner import Runner
from sosreg.engine.source import PhysicalLine
from sosreg.engine.types import field_type

__all__ = [
    "READ_AHEAD",
    "SLICE",
    "STATS",
    "Columns",
    "Mask",
    "available",
    "explain",
    "field_ok",
    "polars",
    "run",
]


def _suspect_of(pl: Any, runner: Runner, plan: Plan, within: Any = None) -> Any:
    """The block's suspect lines (:func:`sosreg.engine.masks.suspect_line`, and every
    line cut: the row engine reports those); ``within``: a boolean Series true on every
    suspect line (the first pass's flags), so that only those lines are tested."""
    if plan.suspect is None:
        expr = suspect_line(pl, runner.parser.names)
        if plan.loose:
            expr = expr | pl.col("line").is_in(list(plan.loose))
        if within is None:
            plan.suspect = plan.table.lazy().select(expr).collect().to_series()
        else:
            suspect = pl.zeros(plan.total, dtype=pl.Boolean, eager=True)
            rows = within.arg_true()
            if len(rows):
                found = plan.table.filter(within).lazy().select(expr).collect().to_series()
                suspect = suspect.scatter(rows, found)
            plan.suspect = suspect
    return plan.suspect


def _parse_suspects(runner: Runner, plan: Plan, suspect: Any) -> None:
    """The suspect lines through the line and field stages of the row engine (step 1)."""
    rows = plan.table.filter(suspect).select("line", "text", "ending")
    for number, line_text, ending in rows.iter_rows():
        record, out = runner.parse_line(plan.physical(number, line_text, ending))
        plan.done[number] = (record, out)
        if record is not None:
            plan.extra.append(record)


def _named(
    pl: Any, runner: Runner, repeated: Sequence[Any] | None = None, *, quick: bool = False
) -> list[Any]:
    """Every mask of the file, named (:func:`sosreg.engine.masks.flags`; the keys' with
    ``repeated``; the fields' quick masks with ``quick``), made once: masks see no
    block's data, so they are made over an empty table of every column."""
    nothing = lines_frame(pl, 1, 0, pl.Series([], dtype=pl.UInt8), pl.Series([], dtype=pl.String))
    empty = Plan(table_of(pl, runner.parser.names, nothing, None), 0)
    return mask_flags(runner, empty, cross=False, quick=quick) + mask_flags(
        runner, empty, cross=True, repeated=repeated
    )


def _any(pl: Any, named: list[Any]) -> Any:
    """True where one of the ``named`` masks is (``None``: no mask)."""
    return pl.any_horizontal([e for _, e in named]) if named else None


def _key_flags(pl: Any, plan: Plan, repeated: Sequence[Any]) -> Any:
    """True where a line of the block has a key that repeats (``repeated``: the lines
    per key, from :class:`~sosreg.engine.crosskeys.KeyPass`); ``None`` where none
    does."""
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


READ_AHEAD: bool = True
"""Whether the engine reads the next block (in a thread: polars reads and checks
without holding the GIL) while it checks one, in every pass: about 15 % faster on two
cores, one more block in memory (~10 MiB at 2 MiB blocks; docs/performance.md)."""


def _ahead_of(plans: Iterator[Plan]) -> Iterator[Plan]:
    """``plans``, each read by a thread while the one before is checked
    (:func:`sosreg.engine.blocks.read_ahead`), if :data:`READ_AHEAD`."""
    return blocks.read_ahead(plans) if READ_AHEAD else plans


def _flag_left(pl: Any, left: Leftover, ahead: list[held.Ahead]) -> None:
    """The lines with a value the quick masks left that is invalid, flagged."""
    for block, rows in left.settle():
        seen = ahead[block]
        seen.flag = seen.flags(pl).scatter(rows, True)
        if seen.kept is None:
            seen.runs = None


def _first_pass(
    runner: Runner, keyed: list[CrossKey], known: blocks.Known, named: list[tuple[str, Any]]
) -> tuple[list[held.Ahead], list[Any], Any]:
    """The first pass over a file whose cross-record rules have keys: per block, in one
    query, every mask but the keys' (true on its suspect lines too; fields with a
    :meth:`~sosreg.engine.types.base.FieldType.quick_mask` by it, the few values it
    leaves tested again, together, by the field's mask:
    :class:`~sosreg.engine.masks.Leftover`)
    and the plain lines' keys
    (:class:`~sosreg.engine.crosskeys.KeyPass`); returns what it learnt of each block,
    the lines whose key repeats and the masks (one expression, for the lines the second
    pass repairs).
    The second pass then reads again only the blocks with a flagged line or a repeated
    key (``known.need``): of a clean file, none."""
    pl = polars()
    parser = runner.parser
    ahead: list[held.Ahead] = []
    flag_full = _any(pl, named)
    # true where a line is suspect or may give a finding; the plain lines' keys are
    # read from their fields. With quick masks (FieldType.quick_mask), the values they
    # leave are tested again by the fields' masks, together (masks.Leftover)
    line = plain_line(pl, parser)
    plain = line[0]
    first_named = by_pattern(parser, _named(pl, runner, quick=True), line)
    by_name = dict(first_named)  # the fields there are not tested by their line pattern
    full = dict(named)
    quicker = [  # (a quick field's values left are tested by its mask alone: Leftover)
        cf
        for cf in parser.fields
        if f"field:{cf.spec.name}" in by_name
        and field_type(cf.spec).quick_mask(pl, pl.col(cf.spec.name), cf) is not None
        and set(full[f"field:{cf.spec.name}"].meta.root_names()) == {cf.spec.name}
    ]
    quick = bool(quicker)
    by_quick = {f"field:{cf.spec.name}" for cf in quicker}
    flag_expr = _any(pl, [(n, e) for n, e in first_named if n not in by_quick])
    if flag_expr is None:
        flag_expr = pl.lit(False)
    # each quick field's flags apart: the values they leave are tested once each
    quick_exprs = [
        by_name[f"field:{cf.spec.name}"].alias(f"_quick{i}") for i, cf in enumerate(quicker)
    ]
    left = Leftover(pl, [(cf, full[f"field:{cf.spec.name}"]) for cf in quicker])
    keys = crosskeys.KeyPass(runner, keyed, plain=plain, quick=quick)
    slots = [e for exprs in keys.slots for e in exprs]
    # the fields the masks and keys read (the rest the patterns test in the text)
    roots = {
        name
        for expr in (flag_expr, *quick_exprs, keys.plain, *slots)
        for name in expr.meta.root_names()
    }
    only = [n for n in parser.names if n in roots]
    # the candidate lines kept for the second pass (but for a sink: it reads every line)
    budget = held.Budget() if runner.rows is None else None
    for plan in _ahead_of(blocks.plans(pl, runner, only=only, known=known)):
        STATS.seen(plan)
        first = plan.table.item(0, "line") if plan.total else 0
        # one query a block: flags (suspect lines too) and the plain lines' keys
        frame = (
            plan.table.lazy()
            .select(
                flag_expr.alias("_flag"),
                *quick_exprs,
                keys.plain.alias("_plain"),
                *slots,
            )
            .collect()
        )
        flag = frame.get_column("_flag")
        candidates = flag
        if quick:  # the few values quick masks leave: tested later, together
            rest = ~flag
            for i, cf in enumerate(quicker):
                maybe = frame.get_column(f"_quick{i}") & rest
                if maybe.any():
                    column = plan.table.get_column(cf.spec.name)
                    left.add(len(ahead), i, maybe.arg_true(), column.filter(maybe))
                    candidates = candidates | maybe
        if plan.loose:
            flag = flag | plan.table.get_column("line").is_in(list(plan.loose))
        if not plan.loose and frame.get_column("_plain").all():
            keys.took(first, frame)
        else:
            keys.add(plan, frame)
        if not ahead:  # the first block's hashes: how many the file will hold
            keys.expect(plan, runner.input.sniff.size)
        busy = bool(flag.any())
        del frame
        block_runs = _runs_of(pl, plan)
        kept = None
        if busy and budget is not None and not plan.loose:
            kept = budget.keep(pl, plan.table, candidates, 16 * len(block_runs))
        # (a block read again: its endings then)
        runs = None if busy and kept is None else block_runs
        ahead.append(held.Ahead(first, plan.total, flag if busy else None, runs, kept))
        plan.table = plan.suspect = None  # before the next block is read
        if left.size >= LEFT_AT_ONCE:
            _flag_left(pl, left, ahead)
    _flag_left(pl, left, ahead)
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
    known.need = []
    for a, h in zip(ahead, hit, strict=True):
        if h or sink:  # (a key repeats: its lines not flagged matter too)
            a.kept = None
        known.need.append(sink or h or (a.flag is not None and a.kept is None))
    STATS.held = sum(a.kept is not None for a in ahead)
    return ahead, repeated, flag_full


def run(runner: Runner) -> None:
    """Validate ``runner`` in blocks of lines, column by column; findings go to
    ``runner.log`` exactly as the row engine's would."""
    pl = polars()
    if not runner.text_input:
        return runner.run_rows()
    STATS.__init__()  # type: ignore[misc]
    keyed = crosskeys.of(runner)
    lines = skipped = 0
    runs: list[list[Any]] = []
    named = _named(pl, runner)  # every mask of the file, made once
    counter = fieldcount.of(pl, runner, named)
    if not keyed:
        STATS.passes = 1
        masks = _any(pl, named)
        for plan in _ahead_of(blocks.plans(pl, runner)):
            n, k = _check(runner, plan, None, runs, masks=masks, counter=counter)
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
        ahead, repeated, masks = _first_pass(runner, keyed, known, named)
        # the second pass reads the lines only (the few repaired ones are split when
        # their masks are run again); a sink wants the clean lines' fields too
        only: list[str] | None = None if runner.rows is not None else []
        again = _ahead_of(blocks.plans(pl, runner, only=only, known=known))
        if not any(known.need or ()):  # no block to read again: not even its bytes
            again = (Plan(None, seen.total) for seen in ahead)
        for plan, seen in held.joined(pl, zip(again, ahead, strict=True), JOIN_AGAIN):
            if isinstance(seen, held.Group):  # lines kept by the first pass
                n, k = _check_kept(runner, plan, seen, runs, masks, counter)
            elif plan.table is None:  # nothing to check
                STATS.seen(plan)
                assert seen.runs is not None
                add_runs(runs, seen.runs)
                n = k = plan.total
            else:
                n, k = _check(
                    runner, plan, repeated, runs, ahead=seen, masks=masks, counter=counter
                )
            lines += n
            skipped += k
            runner.lines_read = lines
            runner.report_progress()
    runner.account(lines=lines, skipped=skipped, runs=[(ENDINGS[c], n) for c, n in runs])


JOIN_AGAIN: Final = 2
"""Blocks read again that the second pass checks together, at most (consecutive ones:
each check has fixed costs, a few milliseconds of polars planning per query, worth
sharing; the lines held are those of this many blocks' text)."""


SLICE: Final = 10_000
"""Lines of a block whose suspect lines are parsed, then checked, at a time: the row
engine's records and findings of a slice are all that is held (a block of short lines,
every one of them suspect, holds no more than one of long ones)."""


def _check(
    runner: Runner,
    plan: Plan,
    repeated: Sequence[Any] | None,
    runs: list[list[Any]] | None,
    ahead: held.Ahead | None = None,
    masks: Any = None,
    bounds: tuple[int, int] | None = None,
    counter: fieldcount.FieldCount | None = None,
) -> tuple[int, int]:
    """One block: the masks, then, :data:`SLICE` lines at a time, the suspect lines
    through the line and field stages and every suspect or flagged line through the
    rest of the row engine, in order. Returns (lines, records cleared); the block's
    endings are added to ``runs``. ``masks``: every mask of the file in one expression
    (:func:`_any`), the block's flags; or, with ``ahead`` (the block's flags from the
    first pass, true on its suspect lines too: only those are tested for being
    suspect), the flags of the lines the line stage repairs, the repeated keys' flags
    added. ``counter``: the lines whose findings are only counted
    (:mod:`sosreg.engine.fieldcount`) are counted there. ``bounds``: the table holds
    the lines kept of the lines ``first`` to ``last`` only, the others clean
    (:mod:`sosreg.engine.held`; ``runs`` is then ``None``, the endings added by the
    caller)."""
    pl = polars()
    STATS.seen(plan)
    within = keyed = None
    if ahead is not None:
        within = ahead.flags(pl)
    suspect = _suspect_of(pl, runner, plan, within)
    # the line stage in columns: the lines it repairs are checked as clean ones
    stage = linestage.bulk(pl, plan.table, suspect, runner.parser, bounds)
    plan.table, suspect, reference = stage.table, stage.suspect, stage.reference
    if ahead is None:
        # one lazy query: common subexpressions once, expressions in parallel
        flag = None if masks is None else plan.table.lazy().select(masks).collect().to_series()
    else:
        flag = ahead.flag
        rows, repaired = linestage.repaired_lines(pl, stage)
        if len(rows) and flag is not None and masks is not None:
            # the first pass saw these lines unrepaired: their masks again, on their
            # repaired text split (the block's table holds the text only)
            again = (
                table_of(pl, runner.parser.names, repaired, None)
                .lazy()
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
    settled = linestage.settle(pl, runner.parser, stage, flag)
    if counter is not None:  # lines whose fields' findings are only counted
        candidates = flag & ~suspect & ~settled
        if keyed is not None:
            candidates = candidates & ~keyed
        rows = counter.count(plan.table, candidates)
        if len(rows):
            todo_mask = todo_mask & ~linestage.rows_mask(pl, plan.total, rows)
            skipped += len(rows)
    todo_mask = todo_mask | settled
    if stage.tallied:  # lines of findings only counted: counted here, in bulk
        todo_mask = todo_mask & ~linestage.rows_mask(pl, plan.total, stage.tallied)
        for code, (severity, n) in stage.tally.items():
            runner.log.count(code, severity, n)
    plan.done.update(stage.done)
    if runs is not None:
        add_runs(runs, _runs_of(pl, plan))
    table = plan.table.select("line", "text", "ending")
    plan.table = None
    made: list[tuple[int, Any]] = []
    for start in range(0, plan.total, SLICE):
        part = Plan(table.slice(start, SLICE), 0, plan.loose, plan.done)
        with gc_paused():
            _parse_suspects(runner, part, reference.slice(start, SLICE))
        todo = part.table.filter(todo_mask.slice(start, SLICE))
        lines = _feed(runner, part, todo, stage.quiet)
        numbers: list[int] = []
        with gc_paused():
            for line, record, _ in runner.process(lines, part.done, count=False):
                numbers.append(line.number)
                if sink is not None and record is not None:
                    made.append((line.number, record))
        for number in numbers:
            part.done.pop(number, None)
    if sink is not None:
        sink(cleared, made)
    return plan.total, skipped


def _check_kept(
    runner: Runner,
    table: Any,
    group: held.Group,
    runs: list[list[Any]],
    masks: Any,
    counter: fieldcount.FieldCount | None,
) -> tuple[int, int]:
    """The lines kept of ``group``'s blocks (``table``: each flagged by the first pass,
    the rest of the blocks' lines clean) checked as a block's flagged lines are
    (:func:`_check`); returns (the blocks' lines, records cleared)."""
    pl = polars()
    STATS.held_rows = max(STATS.held_rows, table.height)
    add_runs(runs, group.runs)
    if not table.height:
        return group.lines, group.lines
    plan = Plan(table, table.height)
    flags = pl.repeat(True, table.height, dtype=pl.Boolean, eager=True)
    seen = held.Ahead(group.first, table.height, flags, None)
    bounds = (group.first, group.end - 1)
    _, skipped = _check(
        runner, plan, None, None, ahead=seen, masks=masks, bounds=bounds, counter=counter
    )
    return group.lines, skipped + group.lines - table.height


def _feed(
    runner: Runner, part: Plan, todo: Any, quiet: dict[int, list[Stamp]]
) -> Iterator[PhysicalLine]:
    """The lines of ``todo`` (rows of ``part``) for the row engine, in order; a line
    with findings only (``quiet``, or parsed already without a record) has them added
    to the log here instead, in line order among the others: the row engine asks for
    the next line only once it has logged the one before."""
    log = runner.log
    add, add_at = log.add, log.add_at
    done = part.done
    for number, text, ending in todo.iter_rows():
        stamps = quiet.pop(number, None)
        if stamps is not None:
            for stamp in stamps:
                add_at(stamp, number)
            continue
        entry = done.get(number)
        if entry is not None and entry[0] is None:
            for f in entry[1]:
                add(f)
            del done[number]
            continue
        yield part.physical(number, text, ending)


def explain(parsed: Parsed | Runner) -> dict[str, set[int]]:
    """For tests and curious users: the clean lines each mask flags (``"suspect"``: the
    lines the row engine reads whole). Consumes ``parsed`` (iterate a new one to
    validate)."""
    pl = polars()

    runner = parsed.runner if isinstance(parsed, Parsed) else parsed
    if not runner.text_input:
        return {}
    STATS.__init__()  # type: ignore[misc]
    keyed = crosskeys.of(runner)
    repeated = crosskeys.key_pass(runner, keyed, blocks.plans(pl, runner)) if keyed else []
    out: dict[str, set[int]] = {}
    suspects: set[int] = set()
    flags = _named(pl, runner, repeated)
    for plan in blocks.plans(pl, runner):
        suspect = _suspect_of(pl, runner, plan)
        _parse_suspects(runner, plan, suspect)
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
        out = {name: set() for name, _ in flags}
    out["suspect"] = suspects
    return out


RUNNERS["columnar"] = run
REQUIRES["columnar"] = polars
