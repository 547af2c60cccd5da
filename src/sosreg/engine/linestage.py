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
from sosreg.engine.findings import Category, Finding, Stamp
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
    """Repaired lines: line -> (row in the table, in quotes, repaired text, line-stage
    findings as stamps)."""


def bulk(pl: Any, table: Any, suspect: Any, parser: LineParser) -> LineStage:
    """The suspect lines of ``table`` that the line stage can take in columns, taken;
    see the module's description. ``suspect`` is a boolean Series of the table's rows
    (the lines that are not clean printable ASCII with the right number of fields)."""
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
    known_long = ~suspect | _rows(pl, height, long_rows)
    prev_ok = known_long.shift(1, fill_value=False)
    next_ok = known_long.shift(-1, fill_value=False)
    short_ok = (prev_ok & next_ok).gather(rows)
    frame = frame.with_columns(short_ok=short_ok).filter(
        (pl.col("n") >= n_fields) | pl.col("short_ok")
    )
    stage = LineStage(table, suspect, suspect)
    ctx = parser.ctx
    lines_seen = 0
    quotes = Stamp(ctx.finding("SOS-104", line=0))
    trailing: dict[int, Stamp] = {}
    counts: dict[int, Stamp] = {}
    padded = parser.padded
    spaced: dict[Any, Stamp] = {}  # SOS-110 (or code.padded) by field and value
    counted = ctx.counted
    stripped_any = False  # a repaired line had spaces around a value
    whole: list[int] = []  # the rows of the repaired lines
    for row, line, is_quoted, t3, count, extra_n, is_whole in frame.select(
        "_row", "line", "quoted", "t3", "n", "extra", "whole"
    ).iter_rows():
        stamps: list[Stamp] = []
        if is_quoted:
            stamps.append(quotes)
        if extra_n:
            stamp = trailing.get(extra_n)
            if stamp is None:
                stamp = trailing[extra_n] = Stamp(ctx.finding("SOS-109", line=0, extra=extra_n))
            stamps.append(stamp)
        if not is_whole:
            stamp = counts.get(count)
            if stamp is None:
                stamp = counts[count] = Stamp(parser.wrong_count(0, count))
            stamps.append(stamp)
            stage.quiet[line] = stamps
            lines_seen += 1
            continue
        if " " in t3:  # the reference's loop over the values (no quotes are left)
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
            t3 = ";".join(values)
            stripped_any = True
        stage.repaired[line] = (row, is_quoted, t3, stamps)
        whole.append(row)
    parser.data_lines += lines_seen
    # the repaired lines' fields into the table. The reader split each line as it
    # stands and dropped what follows the spec's last field, so only a line in quotes
    # differs: its first field (the opening quote, spaces before it) and its last (the
    # closing quote, spaces after it), and a line with spaces around values. No
    # repaired value begins or ends with a space or holds a quote: strip both.
    fixed: Sequence[int] = []
    if stripped_any:
        fixed = range(n_fields)
    elif any(q for _, q, _, _ in stage.repaired.values()):
        fixed = [0, n_fields - 1]
    if fixed and names[0] in table.columns:  # (a table of the text only: not split)
        at = pl.lit(_rows(pl, height, whole))
        table = table.with_columns(
            pl.when(at).then(pl.col(names[i]).str.strip_chars(' "')).otherwise(pl.col(names[i]))
            for i in fixed
        )
        stage.table = table
    stage.suspect = suspect & ~_rows(pl, height, whole)
    stage.reference = suspect & ~_rows(pl, height, frame.get_column("_row"))
    return stage


def _rows(pl: Any, height: int, rows: Any) -> Any:
    """A boolean Series of ``height``, true at the positions ``rows``."""
    mask = pl.zeros(height, dtype=pl.Boolean, eager=True)
    return mask.scatter(rows, True) if len(rows) else mask


def settle(pl: Any, parser: LineParser, stage: LineStage, flag: Any) -> Any:
    """After the masks (``flag``, true where a line may give a finding): each repaired
    line into :attr:`LineStage.done` for the row engine, with its record (the field
    stage on its repaired values), where flagged, else into :attr:`LineStage.quiet`
    (its line-stage findings only: it counts as a clean record). Returns the boolean
    Series of the repaired lines' rows, which must be seen in line order (for their
    findings) beside the suspect and flagged ones."""
    fields_fn = parser.fields_fn
    rows = [row for row, _, _, _ in stage.repaired.values()]
    mask = _rows(pl, flag.len(), rows)
    if not rows:
        return mask
    flagged = 0
    done, quiet = stage.done, stage.quiet
    for (line, (_, _, t3, stamps)), hit in zip(
        stage.repaired.items(), flag.gather(rows).to_list(), strict=True
    ):
        if hit:
            flagged += 1
            out = [stamp.at(line) for stamp in stamps]
            done[line] = (fields_fn(t3.split(";"), line, out), out)
        else:
            quiet[line] = stamps
    parser.data_lines += flagged
    return mask
