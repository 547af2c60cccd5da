"""What the columnar engine's masks are made of: the polars vocabulary a rule's mask is
written in (:class:`Columns`), the mask of a field (:func:`field_ok`) and of a line
(:func:`suspect`), and every mask of a file together (:func:`flags`; for the first pass,
:func:`by_pattern`, which tests the fields with a
:meth:`~sosreg.engine.types.base.FieldType.line_pattern` in one match over the line).

A mask is true where a line *may* give a finding (a superset is safe: masks detect, the
row engine diagnoses; :mod:`sosreg.engine.columnar`). Polars is imported on first use
(:func:`polars`).
"""

from __future__ import annotations

import builtins
import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from sosreg.engine.blocks import Plan
from sosreg.engine.errors import optional_import
from sosreg.engine.runner import Runner
from sosreg.engine.source import MAX_LINE
from sosreg.engine.types import field_type
from sosreg.engine.types.base import LITERAL, PLAIN_CHARS, last_day, whole
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


def field_ok(pl: Any, cf: CompiledField, ctx: Any, *, quick: bool = False) -> Any:
    """The mask of one field: true where the value is valid as it stands (no finding),
    its type's :meth:`~sosreg.engine.types.base.FieldType.mask` (which mirrors the
    converter's fast path and :mod:`sosreg.engine.compiled`), or empty where optional.
    ``quick``: its :meth:`~sosreg.engine.types.base.FieldType.quick_mask` where it has
    one (true only where the mask is; the first pass tests the rest with the mask)."""
    f = cf.spec
    col = pl.col(f.name)
    kind = field_type(f)
    ok = kind.quick_mask(pl, col, cf) if quick else None
    if ok is None:
        ok = kind.mask(pl, col, cf)
    if not f.mandatory:
        ok = ok | (col == "")
    return ok.fill_null(False)


def value_ok(cf: CompiledField, value: str) -> bool:
    """What :func:`field_ok` says of one value, from the reference: its converter makes
    no finding of it (an empty optional value is valid, as the compiled line function
    takes it). The tests' reference for the masks (and quick masks) of every built-in
    field."""
    if not value:
        return not cf.spec.mandatory
    out: list[Any] = []
    cf.conv(value, 0, out)
    return not out


ROW: Final = ("line", "text", "ending")


NOT_PLAIN: Final = r"[^\x21\x23-\x7e]|^[^0-9]|^$"
"""A line that is not printable ASCII without quotes starting with a digit."""


def suspect(pl: Any, names: Sequence[str]) -> Any:
    """Lines the row engine reads whole: not printable ASCII starting with a digit, a
    quote, or another number of fields (every line-stage finding needs one of these).
    From the text alone (the first pass does not split every field)."""
    text = pl.col("text")
    count = text.str.count_matches(";", literal=True)
    return text.str.contains(NOT_PLAIN) | (count != len(names) - 1)


def suspect_line(pl: Any, names: Sequence[str]) -> Any:
    """:func:`suspect`, or longer than :data:`~sosreg.engine.source.MAX_LINE`."""
    return suspect(pl, names) | (pl.col("text").str.len_bytes() > MAX_LINE)


def flags(
    runner: Runner,
    plan: Plan,
    *,
    cross: bool,
    repeated: Sequence[Any] | None = None,
    quick: bool = False,
) -> list[tuple[str, Any]]:
    """The masks, named: true where a line may give a finding. ``cross=False``: the
    fields', the period's, the kommun's and the record rules'; ``cross=True``: the
    cross-record rules', by their row masks and their keys (``repeated``: the lines
    whose key repeats, per key of the file's rules in order, from :class:`KeyPass`;
    ``None``: the row masks only, the keys added later by :func:`columnar._key_flags`). Masks
    see every row of the block; a suspect row's flags are never used (a superset is
    safe). ``quick``: the fields' quick masks where they have one (a superset)."""
    pl = polars()

    parser = runner.parser
    flags: list[tuple[str, Any]] = []
    cols = Columns(parser, plan.extra, plan.table)
    if not cross:
        names = parser.names
        flags += [
            (f"field:{cf.spec.name}", ~field_ok(pl, cf, parser.ctx, quick=quick))
            for cf in parser.fields
        ]
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
            if repeated is None:  # the keys later (columnar._key_flags)
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


PLAIN_VALUE: Final = PLAIN_CHARS + "*"
"""A value on a plain line (printable ASCII, no space, quote or ``;``): what
:func:`plain_line` matches a field without a line pattern with."""


def plain_line(pl: Any, parser: LineParser) -> tuple[Any, set[str]]:
    """The first pass's test of a line: an expression true where the line is not
    :func:`suspect_line` *and* every field whose type gives a
    :meth:`~sosreg.engine.types.base.FieldType.line_pattern` matches it, in one regular
    expression over the whole line (so that the first pass need not split those
    fields, nor test the line's characters and ``;`` apart); and the names of the fields
    so tested. A line pattern matches only plain characters (its contract, checked for
    every built-in field in ``tests/test_field_types.py``), every other field
    :data:`PLAIN_VALUE`, the first a digit first. The kommun field's pattern is the
    file's kommun and the period field's the file's period (their own flags, that the
    value is the file's, folded in)."""
    patterns: list[str] = []
    taken: set[str] = set()
    digit_first = True  # whether the pattern lets a line start with a digit only
    for i, cf in enumerate(parser.fields):
        f = cf.spec
        pattern = field_type(f).line_pattern(cf)
        optional = not f.mandatory
        own = None  # the file's own value: its period (never empty), its kommun
        if i == parser.period_index:
            own, optional = str(parser.period), False
        elif i == parser.kommun_index and pattern is not None:
            own = parser.kommun if parser.kommun in cf.fast else None
            pattern = None
        if own is not None:
            pattern = re.escape(own) if LITERAL.fullmatch(own) else None
        if pattern is None:
            patterns.append(("[0-9]" if i == 0 else "") + PLAIN_VALUE)
            continue
        taken.add(f.name)
        patterns.append(f"(?:{pattern})" + ("?" if optional else ""))
        if i == 0:  # a pattern may allow a letter first, or nothing: tested apart
            digit_first = own is not None and own[:1].isdigit() and not optional
    text = pl.col("text")
    ok = text.str.contains("^" + ";".join(patterns) + "$")
    if not digit_first:
        ok = ok & text.str.contains("^[0-9]")
    return ok & (text.str.len_bytes() <= MAX_LINE), taken


def by_pattern(
    parser: LineParser, named: list[tuple[str, Any]], plain: tuple[Any, set[str]]
) -> list[tuple[str, Any]]:
    """The first pass's masks: ``named`` (the flags of :func:`flags`) where the fields
    :func:`plain_line` tests are tested so (``plain``: its expression and fields), with
    the suspect lines: its ``line`` flag is true where :func:`plain_line` is false, so
    the flags are true on every suspect line too."""
    ok, taken = plain
    kommun = None if parser.kommun_index is None else parser.names[parser.kommun_index]
    period = None if parser.period_index is None else parser.names[parser.period_index]
    out = [
        (name, expr)
        for name, expr in named
        if name.removeprefix("field:") not in taken
        and not (name == "kommun" and kommun in taken)
        and not (name == "period" and period in taken)
    ]
    out.append(("line", ~ok))
    return out


Mask = Callable[[Columns], Any]


LEFT_AT_ONCE: Final = 1 << 16
"""Values the first pass's quick masks leave that are held (with their lines) before
they are tested, together (:class:`Leftover`)."""


class Leftover:
    """The values the quick masks of the columnar engine's first pass leave (a
    temporary id: about 1 % of EKB-Månad's ids), held with their block and rows and
    tested together, each distinct value once, by the field's mask (:func:`field_ok`:
    true only where the reference, the field's converter, makes no finding; tested),
    at most :data:`LEFT_AT_ONCE` at a time: the converter takes ~5 µs a value, a query
    of a block's few hundred ~2 ms, one of a file's thousands a few."""

    def __init__(self, pl: Any, fields: list[tuple[Any, Any]]) -> None:
        self.pl = pl
        self.fields = fields
        """Per quick field: (its compiled field, its mask's flag: true where invalid,
        reading the field's own column only)."""
        self.held: list[tuple[int, int, Any, Any]] = []
        """(block, field, rows, values): the block's rows left, and their values."""
        self.size = 0

    def add(self, block: int, field: int, rows: Any, values: Any) -> None:
        self.held.append((block, field, rows, values))
        self.size += len(values)

    def settle(self) -> list[tuple[int, Any]]:
        """The held values tested, and let go: (block, rows) where a value is invalid."""
        pl = self.pl
        out = []
        for i, (cf, flag) in enumerate(self.fields):
            parts = [(b, rows, values) for b, f, rows, values in self.held if f == i]
            if not parts:
                continue
            name = cf.spec.name
            distinct = pl.concat([values for _, _, values in parts]).unique()
            tested = pl.DataFrame({name: distinct}).lazy().select(flag).collect()
            bad = distinct.filter(tested.to_series().fill_null(True))
            if not len(bad):
                continue
            for b, rows, values in parts:
                hit = rows.filter(values.is_in(bad.implode()))
                if len(hit):
                    out.append((b, hit))
        self.held, self.size = [], 0
        return out
