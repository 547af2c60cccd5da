"""The columnar engine: whole columns checked at once with polars (``sosreg[fast]``).

The row engine stays the reference; this engine decides, column by column, which lines
*cannot* give a finding, and hands every other line to the row engine. So its findings
are the row engine's by construction (the differential tests in
``tests/test_engines.py`` check that on generated files with injected damage):

1. The file is split into lines; a line is *suspect* when it is not plain printable
   ASCII starting with a digit, holds a quote, or has the wrong number of fields (the
   line stage's findings all need one of those).
2. The other lines are split into fields. Each field gets a **mask**: a polars
   expression that is true where the value is valid as it stands, exactly as the
   compiled line function's fast test (:mod:`sosreg.engine.compiled`), both the
   field type's (:mod:`sosreg.engine.types`): in the year's code set, a canonical
   number in range, a real date, a personnummer with a right check digit…
3. Each record rule may declare a mask of its own (``@REGISTER.record(...,
   mask=...)``): the rows where it *might* fire, assuming valid fields. A rule without
   one makes every line need the row engine.
4. Each cross-record rule likewise declares the rows that can matter to it (for
   ``REGISTER.unique(..., fields=...)``: the duplicated keys).

Lines flagged by any of these go through the row engine in line order (the same
compiled function and :class:`~sosreg.engine.core.LineParser`, the same record and
cross-record rules); the rest are counted as clean records. Masks detect; the row engine
diagnoses.

Polars is imported on first use.
"""

from __future__ import annotations

import builtins
import codecs
import contextlib
import datetime as dt
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

import attrs

from sosreg.engine import linestage
from sosreg.engine.errors import optional_import
from sosreg.engine.pipeline import REQUIRES, RUNNERS, Parsed
from sosreg.engine.runner import Runner
from sosreg.engine.source import MAX_LINE, PhysicalLine, split_lines
from sosreg.engine.types import field_type
from sosreg.engine.types.base import last_day, whole
from sosreg.engine.types.dates import YEARMONTH
from sosreg.engine.values import YearMonth
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

    def __init__(self, parser: LineParser, extra: list[Any], frame: Any = None) -> None:
        pl = polars()

        self.pl = pl
        self.extra = extra
        """The records of the suspect lines (which the row engine reads)."""
        self.frame = frame
        """The clean rows (a DataFrame of the raw fields and ``line``), for masks that
        must look at the whole column (e.g. duplicates across two columns)."""
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

    def duplicated(self, fields: tuple[str, ...], required: tuple[str, ...] | None = None) -> Any:
        """True where the key of ``fields`` (the ``required`` ones, default all,
        non-empty) occurs more than once in the file: twice among the clean rows, or
        also in a record of a suspect line."""
        pl = self.pl
        from sosreg.engine.values import to_text

        needed = required if required is not None else fields
        present = pl.all_horizontal([pl.col(n) != "" for n in needed])
        others = [
            "\x1f".join(to_text(getattr(r, n)) for n in fields)
            for r in self.extra
            if all(getattr(r, n) is not None for n in needed)
        ]
        if len(fields) == 1:
            col = pl.col(fields[0])
            # 12-digit numbers are hashed as integers (faster than strings), the rest
            # (temporary ids, damaged values) as text
            num = col.cast(pl.Int64, strict=False)
            text = pl.when(num.is_null()).then(col)
            dup = (num.is_not_null() & num.is_duplicated()) | (num.is_null() & text.is_duplicated())
            return present & (dup | col.is_in(others))
        key = pl.concat_str([pl.col(n) for n in fields], separator="\x1f")
        return present & (key.is_duplicated() | key.is_in(others))

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


ENDINGS: Final = ("", "\n", "\r\n", "\r")
"""The line endings by their code in a plan's ``ending`` column (``""``: a last line
without one)."""
_CODE: Final = {e: i for i, e in enumerate(ENDINGS)}


@attrs.define
class _Plan:
    """The file read into columns: one row per physical line (``line``, ``ending`` as
    a code of :data:`ENDINGS`, ``text`` and the line split into the spec's fields); the
    suspect lines, once through the line and field stages of the row engine, in
    ``done``."""

    table: Any
    total: int
    done: dict[int, tuple[Any, list[Any]]] = attrs.field(factory=dict)
    extra: list[Any] = attrs.field(factory=list)
    """The records of the suspect lines."""
    stage: Any = None
    """The line stage in columns (:class:`sosreg.engine.linestage.LineStage`)."""

    def physical(self, number: int, line_text: str, ending: int) -> PhysicalLine:
        return PhysicalLine(number, line_text[: MAX_LINE + 1], ENDINGS[ending], len(line_text))


def _plan(runner: Runner) -> _Plan | None:
    """The file as a table (see :class:`_Plan`); ``None`` where the row engine must
    read the file (not text)."""
    pl = polars()

    parser = runner.parser
    if not runner.text_input:
        return None
    frame, fields, total = _read_utf8(pl, runner) or _read_text(pl, runner)
    if fields is None:  # split here; lines of another field count are suspect anyway
        fields = frame.select(
            pl.col("text")
            .str.split_exact(";", parser.n - 1)
            .struct.rename_fields(parser.names)
            .alias("f")
        ).unnest("f")
    table = pl.concat([frame, fields.select(pl.all().fill_null(""))], how="horizontal")
    return _Plan(table, total)


def _suspect(pl: Any, names: Sequence[str]) -> Any:
    """Lines the row engine reads whole: not printable ASCII starting with a digit, a
    quote, or another number of fields (every line-stage finding needs one of these).
    The field count is checked by length: the fields as split (at most ``len(names)``,
    missing ones empty) and their separators make up the whole line exactly when the
    line has ``len(names) - 1`` separators."""
    text = pl.col("text")
    split = pl.sum_horizontal([pl.col(n).str.len_bytes() for n in names]) + (len(names) - 1)
    return text.str.contains(r"[^\x21\x23-\x7e]|^[^0-9]|^$") | (text.str.len_bytes() != split)


def _parse_suspects(runner: Runner, plan: _Plan, suspect: Any) -> Any:
    """The suspect lines through the line stage in columns
    (:func:`sosreg.engine.linestage.bulk`), then those it leaves through the line and
    field stages of the row engine (step 1). Returns the lines that are not clean
    records (the suspect ones less those repaired in columns)."""
    plan.stage = linestage.bulk(polars(), plan.table, suspect, runner.parser)
    plan.table, suspect = plan.stage.table, plan.stage.suspect
    plan.done.update(plan.stage.done)
    plan.extra += plan.stage.records
    rows = plan.table.filter(plan.stage.reference).select("line", "text", "ending")
    for number, line_text, ending in rows.iter_rows():
        record, out = runner.parse_line(plan.physical(number, line_text, ending))
        plan.done[number] = (record, out)
        if record is not None:
            plan.extra.append(record)
    return suspect


_Read = tuple[Any, Any, int]
"""(frame of line, ending, text; the fields split, or ``None``; lines)."""


def _endings(pl: Any, total: int, code: Any, final: bool) -> Any:
    """The ``ending`` column: ``code`` (an expression), and no ending on the last line
    of a file without a final newline."""
    if not final:
        last = pl.int_range(0, total, dtype=pl.Int64) == total - 1
        code = pl.when(last).then(0).otherwise(code)
    return code.cast(pl.UInt8).alias("ending")


def _read_utf8(pl: Any, runner: Runner) -> _Read | None:
    """Lines of a UTF-8 file read by polars' CSV reader as one column (no decoding or
    splitting in Python). ``None`` where it cannot be used exactly: not UTF-8 bytes, a
    unit separator byte in the data, a lone CR, mixed line endings, or a second BOM
    (polars would drop it; it is a character of the first line: see
    :meth:`sosreg.engine.source.Input.text`)."""
    data = runner.input.utf8_bytes()
    if data is None or not data or b"\x1f" in data or data.startswith(codecs.BOM_UTF8):
        return None
    crlf = data.count(b"\r\n")
    lf = data.count(b"\n")
    if data.count(b"\r") != crlf or (crlf and crlf != lf):
        return None
    final = data.endswith(b"\n")
    try:
        raw = pl.read_csv(
            data,
            has_header=False,
            separator="\x1f",
            quote_char=None,
            new_columns=["text"],
            infer_schema=False,
        )
    except pl.exceptions.PolarsError:  # e.g. a BOM, then bytes that are not UTF-8
        return None
    # The fields, split by the same reader; lines with another number of fields are
    # suspect (from ``raw``) and never read from here.
    names = runner.parser.names
    try:
        fields = pl.read_csv(
            data,
            has_header=False,
            separator=";",
            quote_char=None,
            schema=dict.fromkeys(names, pl.String),
            truncate_ragged_lines=True,
            missing_columns="insert",
        )
    except (pl.exceptions.PolarsError, TypeError):  # TypeError: an older polars
        fields = None  # split the clean lines as text instead
    del data
    if fields is not None and fields.height != raw.height:
        fields = None
    total = raw.height
    frame = raw.select(
        pl.int_range(1, total + 1, dtype=pl.Int64).alias("line"),
        _endings(pl, total, pl.lit(_CODE["\r\n" if crlf else "\n"]), final),
        pl.col("text").fill_null(""),
    )
    return frame, fields, total


def _read_text(pl: Any, runner: Runner) -> _Read:
    """Lines of any decoded input, split in Python (any encoding, any line endings,
    as :func:`sosreg.engine.source.split_lines` splits them)."""
    text = runner.input.text()
    if text.count("\r") == text.count("\r\n"):  # no lone CR: split at LF, fast
        final = text.endswith("\n")
        parts = text.split("\n")
        del text
        if final or parts[-1] == "":
            parts.pop()
        total = len(parts)
        frame = pl.DataFrame({"raw": pl.Series(parts, dtype=pl.String)})
        del parts
        crlf = pl.col("raw").str.ends_with("\r")
        frame = frame.select(
            pl.int_range(1, total + 1, dtype=pl.Int64).alias("line"),
            _endings(pl, total, pl.when(crlf).then(_CODE["\r\n"]).otherwise(_CODE["\n"]), final),
            pl.col("raw").str.strip_suffix("\r").alias("text"),
        )
        return frame, None, total
    lines, endings = split_lines(text)
    del text
    total = len(lines)
    frame = pl.DataFrame(
        {
            "line": pl.int_range(1, total + 1, dtype=pl.Int64, eager=True),
            "ending": pl.Series([_CODE[e] for e in endings], dtype=pl.UInt8),
            "text": pl.Series(lines, dtype=pl.String),
        }
    )
    return frame, None, total


def _flags(runner: Runner, plan: _Plan, *, cross: bool) -> list[tuple[str, Any]]:
    """The masks, named: true where a line may give a finding. ``cross=False``: the
    fields', the period's, the kommun's and the record rules'; ``cross=True``: the
    cross-record rules', which need the records of the suspect lines (step 1 first).
    Masks see every row; a suspect row's flags are never used (a superset is safe)."""
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
    else:
        for factory in runner.cross_factories:
            mask = pl.lit(True) if factory.mask is None else factory.mask(cols)
            flags.append(("cross:" + ",".join(factory.codes), mask))
    return [(name, expr.fill_null(True)) for name, expr in flags]


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while the flagged lines are checked: their
    records and findings are kept until the end (``_Plan.done``), so every collection
    would walk a growing heap of live objects for nothing (a third of the time on a file
    with 10 % damaged lines). They make no reference cycles; the collector is back on
    (if it was on) when the block ends, however it ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def run(runner: Runner) -> None:
    """Validate ``runner`` column by column; findings go to ``runner.log`` exactly as
    the row engine's would."""
    pl = polars()
    plan = _plan(runner)
    if plan is None:
        return runner.run_rows()
    suspect = plan.table.lazy().select(_suspect(pl, runner.parser.names)).collect().to_series()
    with _gc_paused():
        _run_plan(runner, plan, suspect)


def _run_plan(runner: Runner, plan: _Plan, suspect: Any) -> None:
    """The suspect lines through the line and field stages, the masks, then every
    suspect or flagged line through the rest of the row engine."""
    pl = polars()

    suspect = _parse_suspects(runner, plan, suspect)
    # one lazy query: common subexpressions once, expressions in parallel
    named = _flags(runner, plan, cross=False) + _flags(runner, plan, cross=True)
    flags = [expr for _, expr in named]
    if flags:
        flag = plan.table.lazy().select(pl.any_horizontal(flags)).collect().to_series()
    else:
        flag = pl.Series([False] * plan.total)
    todo_mask = suspect | flag
    skipped = int((~todo_mask).sum())
    # the repaired lines (counted as clean records unless flagged), for their findings
    todo_mask = todo_mask | linestage.settle(pl, runner.parser, plan.stage, flag, plan.done)
    # every line that may give a finding, in order, through the rest of the row engine
    todo = plan.table.filter(todo_mask).select("line", "text", "ending")
    runs = plan.table.select(pl.col("ending").rle()).unnest("ending").iter_rows()
    plan.table = None
    lines = (plan.physical(*row) for row in todo.iter_rows())
    for _ in runner.process(lines, plan.done, count=False):
        pass
    runner.account(lines=plan.total, skipped=skipped, runs=[(ENDINGS[c], n) for n, c in runs])


def explain(parsed: Parsed | Runner) -> dict[str, set[int]]:
    """For tests and curious users: the clean lines each mask flags (``"suspect"``: the
    lines that are not clean records, read whole by the row engine or finished by the
    line stage in columns; a line it repaired counts as clean). Consumes ``parsed``
    (iterate a new one to validate)."""
    pl = polars()

    runner = parsed.runner if isinstance(parsed, Parsed) else parsed
    plan = _plan(runner)
    if plan is None:
        return {}
    suspect = plan.table.select(_suspect(pl, runner.parser.names)).to_series()
    suspect = _parse_suspects(runner, plan, suspect)
    flags = _flags(runner, plan, cross=False) + _flags(runner, plan, cross=True)
    table = (
        plan.table.lazy()
        .select("line", *(expr.alias(name) for name, expr in flags))
        .filter(~suspect)
        .collect()
    )
    out = {name: set(table.filter(pl.col(name)).get_column("line").to_list()) for name, _ in flags}
    out["suspect"] = set(plan.done)
    return out


Mask = Callable[[Columns], Any]


RUNNERS["columnar"] = run
REQUIRES["columnar"] = polars
