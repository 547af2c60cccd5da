"""The line stage in columns: the common damages of a line repaired with polars
expressions, their findings made in bulk (for the columnar engine).

:meth:`LineParser.parse <sosreg.engine.core.LineParser.parse>` is the reference. This
module takes over, for one table of lines (a whole file or one block of it), the lines
whose damage is any of

* the whole line in quotes (SOS-104),
* semicolons after the last field (SOS-109),
* spaces around values (SOS-110, or the field's own finding for a code padded to its
  width, ``code.padded``),
* another number of fields than the spec's (SOS-108; a short line only where neither
  neighbour can be short too, the SOS-111 case, which stays with the reference),

on a line of printable ASCII (no control characters, replacement characters, BOMs,
tabs or no-break spaces: those stay with the reference) that starts with a digit once
unquoted (so never a header line) and holds no quote once unquoted.

* A line with the wrong number of fields gets its finding here and no record, as in
  the reference (:attr:`LineStage.quiet`).
* A line the repairs make whole is a *repaired* line (spaces around values are
  stripped too, each making its finding: SOS-110, or the field's ``code.padded``): its
  fields in the table are set to the repaired values, so it then goes through the
  masks like a clean line
  (:attr:`LineStage.table`), and its line-stage findings wait in
  :attr:`LineStage.repaired`. :func:`settle` then hands each to the row engine
  already parsed, with its record (the compiled field stage on the repaired values,
  as the reference does after its line stage), where a mask flags the line; where
  none does, its findings only go to the log (it counts as a clean record). So the row
  engine never makes a line-stage finding twice.

A line with findings only (no record) does not go through the row engine at all: the
columnar engine adds its findings to the log (as stamps,
:meth:`~sosreg.engine.findings.FindingLog.add_at`: a finding the log does not keep is
counted, never made) in line order among the lines the row engine reads.

Every other suspect line (quoted values, a control character, a header, one field, a
line that may be the rest of the one before…) stays suspect: the row engine reads it
whole, as before.

The table has the columns ``line`` (1-based physical line number), ``text`` and the
spec's fields as split by ``;`` (at most as many as the spec has, the rest of a longer
line dropped, missing fields empty), one row per physical line in order. Polars is
passed in (``pl``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import attrs

from sosreg.engine.core import LineParser
from sosreg.engine.findings import Category, Finding, Severity, Stamp
from sosreg.engine.source import MAX_LINE


@attrs.define
class LineStage:
    """What :func:`bulk` did to one table of lines."""

    table: Any
    """The table, with the repaired lines' fields set to their repaired values."""
    suspect: Any
    """Boolean Series: the lines that are not clean records (the row engine reads them,
    or they are in :attr:`done`); the repaired lines are no longer suspect."""
    reference: Any
    """Boolean Series: the suspect lines the row engine must still read whole."""
    done: dict[int, tuple[Any, list[Finding]]] = attrs.field(factory=dict)
    """Lines finished here that the row engine goes on with (after :func:`settle`: the
    repaired lines a mask flags): (record, findings), the field stage run on the
    repaired values."""
    quiet: dict[int, list[Stamp]] = attrs.field(factory=dict)
    """Lines finished here with findings only, no record (a wrong number of fields; a
    repaired line no mask flags, after :func:`settle`): their findings as stamps, for
    :meth:`FindingLog.add_at <sosreg.engine.findings.FindingLog.add_at>` in line
    order."""
    repaired: dict[int, tuple[int, bool, str, list[Stamp]]] = attrs.field(factory=dict)
    """Repaired lines with spaces around values: line -> (row in the table, in quotes,
    repaired text, line-stage findings as stamps)."""
    plain: Any = None
    """The other repaired lines (in quotes, or with semicolons after the last field), a
    frame of ``_row``, ``line``, ``quoted``, ``t3`` (the repaired text) and ``extra``
    (the semicolons dropped): their stamps are made by :attr:`stamper` as needed."""
    stamper: _Stamper | None = None
    tally: dict[str, tuple[Severity, int]] = attrs.field(factory=dict)
    """Findings counted in bulk: code -> (severity, how many). Lines whose line-stage
    findings are all of codes the log only counts (``ctx.counted``, see
    :attr:`FindingLog.counted <sosreg.engine.findings.FindingLog.counted>`), and that
    need nothing else (a wrong number of fields; a repaired line no mask flags), are
    counted here by their kind, and go neither to :attr:`quiet` nor to the row engine
    (:attr:`tallied`): the log's counts do not depend on order, its details are full."""
    tallied: list[int] = attrs.field(factory=list)
    """The rows of the lines counted in :attr:`tally`."""

    def tallies(self, stamps: list[Stamp], n: int) -> bool:
        """Count ``n`` lines of line-stage findings ``stamps`` in :attr:`tally`, if the
        log only counts every one of their codes; whether it did."""
        assert self.stamper is not None
        counted = self.stamper.counted
        if not all(stamp.code in counted for stamp in stamps):
            return False
        tally = self.tally
        for stamp in stamps:
            prior = tally.get(stamp.code)
            tally[stamp.code] = (stamp.severity, n + (0 if prior is None else prior[1]))
        return True


class _Stamper:
    """The line-stage findings of a line by its kind (in quotes, semicolons dropped,
    its number of fields where wrong), as stamps, each list made once."""

    def __init__(self, parser: LineParser) -> None:
        self.parser = parser
        self.counted = parser.ctx.counted
        self.lists: dict[tuple[bool, int, int | None], list[Stamp]] = {}

    def of(self, quoted: bool, extra: int, count: int | None = None) -> list[Stamp]:
        """The stamps of a line in quotes (SOS-104) or not, ``extra`` semicolons dropped
        (SOS-109) and, for a line of another number of fields, ``count`` (SOS-108). The
        same list each time: not to be changed."""
        key = (quoted, extra, count)
        stamps = self.lists.get(key)
        if stamps is None:
            ctx = self.parser.ctx
            stamps = []
            if quoted:
                stamps.append(Stamp(ctx.finding("SOS-104", line=0)))
            if extra:
                stamps.append(Stamp(ctx.finding("SOS-109", line=0, extra=extra)))
            if count is not None:
                stamps.append(Stamp(self.parser.wrong_count(0, count)))
            self.lists[key] = stamps
        return stamps


def bulk(
    pl: Any,
    table: Any,
    suspect: Any,
    parser: LineParser,
    bounds: tuple[int, int] | None = None,
) -> LineStage:
    """The suspect lines of ``table`` that the line stage can take in columns, taken;
    see the module's description. ``suspect`` is a boolean Series of the table's rows
    (the lines that are not clean printable ASCII with the right number of fields).
    ``bounds``: the table holds only some of the lines ``first`` to ``last``
    (inclusive), the others clean (:mod:`sosreg.engine.held`); else it holds lines in
    a row, and what is before its first line and after its last is not known."""
    n_fields = parser.n
    names = parser.names
    if n_fields < 2 or not bool(suspect.any()):
        return LineStage(table, suspect, suspect)
    c = pl.col
    text = c("text")
    # printable ASCII: as many bytes as characters, none below space or DEL
    plain = (text.str.len_bytes() == text.str.len_chars()) & ~text.str.contains(r"[\x00-\x1f\x7f]")
    stripped = c("stripped")
    frame = (
        table.select("line", "text")
        .with_row_index("_row")
        .filter(suspect)
        .lazy()
        .filter(plain & (text.str.len_bytes() <= MAX_LINE))
        .with_columns(stripped=text.str.strip_chars(" "))
        # the reference: a line in quotes (after spaces) loses them, and "" becomes "
        .with_columns(
            quoted=stripped.str.starts_with('"')
            & stripped.str.ends_with('"')
            & (stripped.str.len_bytes() >= 2)
        )
        .with_columns(
            t2=pl.when(c("quoted"))
            .then(
                stripped.str.slice(1, stripped.str.len_bytes() - 2).str.replace_all(
                    '""', '"', literal=True
                )
            )
            .otherwise(text)
        )
        .filter(c("t2").str.contains(r"^[0-9]"))  # never a header (the reference's test)
        .with_columns(
            n=c("t2").str.count_matches(";", literal=True) + 1,
            # semicolons at the end: the fields after the spec's last one all empty
            trailing=c("t2").str.len_bytes() - c("t2").str.strip_chars_end(";").str.len_bytes(),
        )
        .with_columns(
            extra=pl.when((c("n") > n_fields) & (c("trailing") >= c("n") - n_fields))
            .then(c("n") - n_fields)
            .otherwise(0)
        )
        .with_columns(
            n=c("n") - c("extra"),
            t3=c("t2").str.slice(0, c("t2").str.len_bytes() - c("extra")),
        )
        .filter(c("n") > 1)  # one field: maybe another separator (SOS-107)
        .with_columns(whole=(c("n") == n_fields) & ~c("t3").str.contains('"', literal=True))
        .filter(c("whole") | (c("n") != n_fields))
        .select("_row", "line", "quoted", "t3", "n", "extra", "whole")
        .collect()
    )
    if frame.height == 0:
        return LineStage(table, suspect, suspect)
    rows = frame.get_column("_row")
    # a short line may be the start or the rest of another (SOS-111): bulk only where
    # neither neighbour can be short, i.e. each is clean or taken here with >= n fields
    height = table.height
    long_rows = frame.filter(pl.col("n") >= n_fields).get_column("_row")
    known_long = ~suspect | rows_mask(pl, height, long_rows)
    if bounds is None:
        prev_ok = known_long.shift(1, fill_value=False)
        next_ok = known_long.shift(-1, fill_value=False)
    else:  # a neighbour not in the table is clean, if it is within the bounds
        first, last = bounds
        line = table.get_column("line")
        prev_ok = pl.select(
            pl.when(line.shift(1) == line - 1)
            .then(known_long.shift(1))
            .otherwise(line > first)
            .fill_null(False)
        ).to_series()
        next_ok = pl.select(
            pl.when(line.shift(-1) == line + 1)
            .then(known_long.shift(-1))
            .otherwise(line < last)
            .fill_null(False)
        ).to_series()
    short_ok = (prev_ok & next_ok).gather(rows)
    frame = frame.with_columns(short_ok=short_ok).filter(
        (pl.col("n") >= n_fields) | pl.col("short_ok")
    )
    stage = LineStage(table, suspect, suspect)
    ctx = parser.ctx
    stamper = stage.stamper = _Stamper(parser)
    c = pl.col
    # a wrong number of fields: findings only, the lines of a kind together
    cut = frame.filter(~c("whole"))
    if cut.height:
        parser.data_lines += cut.height
        kinds = cut.group_by("quoted", "extra", "n").agg("_row", "line")
        for is_quoted, extra_n, count, rows_of, lines in kinds.iter_rows():
            stamps = stamper.of(is_quoted, extra_n, count)
            if stage.tallies(stamps, len(lines)):
                stage.tallied.extend(rows_of)
            else:
                for line in lines:
                    stage.quiet[line] = stamps
    # repaired lines: in quotes or with semicolons dropped (as a frame), or with spaces
    # around values (stripped here, value by value, as the reference does)
    whole = frame.filter(c("whole"))
    is_spaced = c("t3").str.contains(" ", literal=True)
    stage.plain = whole.filter(~is_spaced).select("_row", "line", "quoted", "t3", "extra")
    padded = parser.padded
    spaced: dict[Any, Stamp] = {}  # SOS-110 (or code.padded) by field and value
    counted = ctx.counted
    for row, line, is_quoted, t3, extra_n in (
        whole.filter(is_spaced).select("_row", "line", "quoted", "t3", "extra").iter_rows()
    ):
        stamps = list(stamper.of(is_quoted, extra_n))
        values = t3.split(";")
        at = t3.find(" ")
        while at != -1:  # each value with a space in it, in order
            i = t3.count(";", 0, at)
            v = values[i]
            stripped = v.strip(" ")
            if stripped != v:
                pad = padded.get(i)
                if pad is not None and v[0] != " " and len(v) <= pad[1]:
                    # (a code only counted: one token, whatever the value)
                    key: Any = pad[0] if pad[0] in counted else (pad[0], i, v)
                    stamp = spaced.get(key)
                    if stamp is None:
                        stamp = spaced[key] = Stamp(
                            ctx.finding(
                                pad[0],
                                line=0,
                                field=names[i],
                                value=v,
                                suggestion=stripped,
                                width=pad[1],
                                category=Category.FIELD,
                            )
                        )
                else:
                    key = "SOS-110" if "SOS-110" in counted else ("SOS-110", i, v)
                    stamp = spaced.get(key)
                    if stamp is None:
                        stamp = spaced[key] = Stamp(
                            ctx.finding("SOS-110", line=0, field=names[i], value=v)
                        )
                stamps.append(stamp)
                values[i] = stripped
            end = t3.find(";", at)
            if end == -1:
                break
            at = t3.find(" ", end)
        # then a repaired line: its masks on the values stripped, as the reference's
        # field stage reads them
        stage.repaired[line] = (row, is_quoted, ";".join(values), stamps)
    # the repaired lines' fields into the table. The reader split each line as it
    # stands and dropped what follows the spec's last field, so only a line in quotes
    # differs: its first field (the opening quote, spaces before it) and its last (the
    # closing quote, spaces after it), and a line with spaces around values. No
    # repaired value begins or ends with a space or holds a quote: strip both.
    fixed: Sequence[int] = []
    if stage.repaired:
        fixed = range(n_fields)
    elif bool(whole.get_column("quoted").any()):
        fixed = [0, n_fields - 1]
    whole_rows = rows_mask(pl, height, whole.get_column("_row"))
    if fixed and names[0] in table.columns:  # (a table of the text only: not split)
        at_rows = pl.lit(whole_rows)
        table = table.with_columns(
            pl.when(at_rows)
            .then(pl.col(names[i]).str.strip_chars(' "'))
            .otherwise(pl.col(names[i]))
            for i in fixed
        )
        stage.table = table
    stage.suspect = suspect & ~whole_rows
    stage.reference = suspect & ~rows_mask(pl, height, frame.get_column("_row"))
    return stage


def repaired_lines(pl: Any, stage: LineStage) -> tuple[Any, Any]:
    """The repaired lines of ``stage``: (their rows in the table, a UInt32 Series; a
    frame of their ``line`` and repaired ``text``, in the same order)."""
    schema = {"_row": pl.UInt32, "line": pl.Int64, "text": pl.String}
    parts = []
    if stage.repaired:
        parts.append(
            pl.DataFrame(
                {
                    "_row": [row for row, _, _, _ in stage.repaired.values()],
                    "line": list(stage.repaired),
                    "text": [t3 for _, _, t3, _ in stage.repaired.values()],
                },
                schema=schema,
            )
        )
    if stage.plain is not None and stage.plain.height:
        parts.append(stage.plain.select("_row", "line", pl.col("t3").alias("text")).cast(schema))
    frame = pl.concat(parts) if parts else pl.DataFrame(schema=schema)
    return frame.get_column("_row"), frame.select("line", "text")


def rows_mask(pl: Any, height: int, rows: Any) -> Any:
    """A boolean Series of ``height``, true at the positions ``rows``."""
    mask = pl.zeros(height, dtype=pl.Boolean, eager=True)
    return mask.scatter(rows, True) if len(rows) else mask


def settle(pl: Any, parser: LineParser, stage: LineStage, flag: Any) -> Any:
    """After the masks (``flag``, true where a line may give a finding): each repaired
    line into :attr:`LineStage.done` for the row engine, with its record (the field
    stage on its repaired values), where flagged, else into :attr:`LineStage.quiet`
    (its line-stage findings only: it counts as a clean record) or, where the log only
    counts their codes, :attr:`LineStage.tally`. Returns the boolean Series of the
    repaired lines' rows that must be seen in line order (for their findings) beside
    the suspect and flagged ones (the lines tallied not among them: take
    :attr:`LineStage.tallied` from the suspect ones too)."""
    fields_fn = parser.fields_fn
    stamper = stage.stamper
    rows = [row for row, _, _, _ in stage.repaired.values()]
    plain = stage.plain
    has_plain = plain is not None and plain.height > 0
    if not rows and not has_plain:
        return rows_mask(pl, flag.len(), rows)
    assert stamper is not None
    flagged = 0
    done, quiet = stage.done, stage.quiet
    tallied: list[int] = []
    if rows:
        tallies = stage.tallies
        for (line, (row, _, t3, stamps)), hit in zip(
            stage.repaired.items(), flag.gather(rows).to_list(), strict=True
        ):
            if hit:
                flagged += 1
                out = [stamp.at(line) for stamp in stamps]
                done[line] = (fields_fn(t3.split(";"), line, out), out)
            elif tallies(stamps, 1):
                tallied.append(row)
            else:
                quiet[line] = stamps
    mask = rows_mask(pl, flag.len(), rows)
    if has_plain:
        hits = flag.gather(plain.get_column("_row"))
        for line, is_quoted, t3, extra_n in (
            plain.filter(hits).select("line", "quoted", "t3", "extra").iter_rows()
        ):
            flagged += 1
            out = [stamp.at(line) for stamp in stamper.of(is_quoted, extra_n)]
            done[line] = (fields_fn(t3.split(";"), line, out), out)
        kinds = plain.filter(~hits).group_by("quoted", "extra").agg("_row", "line")
        for is_quoted, extra_n, rows_of, lines in kinds.iter_rows():
            stamps = stamper.of(is_quoted, extra_n)
            if stage.tallies(stamps, len(lines)):
                tallied.extend(rows_of)
            else:
                for line in lines:
                    quiet[line] = stamps
        mask = mask | rows_mask(pl, flag.len(), plain.get_column("_row"))
    if tallied:
        stage.tallied.extend(tallied)
        mask = mask & ~rows_mask(pl, flag.len(), tallied)
    parser.data_lines += flagged
    return mask
