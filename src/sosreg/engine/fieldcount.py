"""Lines whose only findings are their fields', counted in bulk (the columnar engine).

A log keeps the first ``max_details`` findings of each rule and only counts the rest
(:attr:`FindingLog.counted <sosreg.engine.findings.FindingLog.counted>`). Past that, a
line whose findings would all be of counted codes needs no finding made, only counted,
and a line with a wrong code or check digit, once its code is counted, needs the row
engine no more, if what the row engine would find on it is known without it:

* each value its field's mask flags is given to the field's converter, once per
  distinct value (the converter is a function of the value: :mod:`sosreg.engine.types`):
  its findings' codes, and what the record holds, ``None`` or the text as written;
  a line is counted only if every such finding's code is counted and the record holds
  one of those two (the values through :func:`~sosreg.engine.values.to_text`: the text,
  or ``""``);
* the period's and the kommun's masks flag nothing on it (their findings are not the
  converter's);
* every record rule of the file declares that its mask holds on a record of invalid
  values too (:attr:`RecordRule.invalid_ok <sosreg.engine.register.RecordRule.invalid_ok>`;
  a simple rule's mask is its check, so it does), and none flags the line, its values
  read as the record holds them;
* no cross-record rule has a row mask (their keys are the record's already: the first
  pass reads them as the row engine's records hold them, and a line whose key repeats
  is never counted here).

The findings are then counted (:meth:`FindingLog.count
<sosreg.engine.findings.FindingLog.count>`) and the line is a cleared record. Where a
code is not counted yet, the line goes to the row engine as before; so the report is
the same, which ``tests/test_counted_findings.py`` checks against a run that makes every
finding in full (a sink).
"""

from __future__ import annotations

from typing import Any, Final

from sosreg.engine.blocks import STATS, table_of
from sosreg.engine.findings import Finding, Severity
from sosreg.engine.runner import Runner

AT_LEAST: Final = 1000
"""Lines to check before counting is worth its two queries (a few milliseconds each)."""

VERDICTS: Final = 1 << 16
"""Values whose verdict is remembered, at most (then it starts again: memory bounded
whatever the file's size; a wrong check digit makes a new value on every line)."""

_TEXT: Final = 1
_NONE: Final = 2


class FieldCount:
    """The counting of one file's lines (:func:`of`)."""

    def __init__(self, pl: Any, runner: Runner, named: list[tuple[str, Any]]) -> None:
        self.pl = pl
        self.runner = runner
        parser = runner.parser
        self.names = parser.names
        masks = dict(named)
        self.fields = [
            (i, cf.conv, masks[f"field:{cf.spec.name}"]) for i, cf in enumerate(parser.fields)
        ]
        self.mandatory = [cf.spec.mandatory for cf in parser.fields]
        self.other = [masks[n] for n in ("period", "kommun") if n in masks]
        self.records = [e for n, e in named if n.startswith("record:")]
        self.verdicts: dict[tuple[int, str], tuple[int, tuple[tuple[str, Severity], ...]]] = {}
        """(field, value) -> (what the record holds: :data:`_TEXT`, :data:`_NONE` or 0
        for anything else; its findings' codes and severities)."""

    def _verdict(self, i: int, conv: Any, value: str) -> tuple[int, tuple[Any, ...]]:
        got = self.verdicts.get((i, value))
        if got is None:
            out: list[Finding] = []
            try:
                # (an empty optional field: None, no finding)
                result = None if not value and not self.mandatory[i] else conv(value, 0, out)
            except Exception:  # the row engine says what is wrong
                result, out = object(), []
            holds = _NONE if result is None else _TEXT if result == value else 0
            got = self.verdicts[(i, value)] = (holds, tuple((f.code, f.severity) for f in out))
        return got

    def count(self, table: Any, candidates: Any) -> Any:
        """Of the lines of ``table`` (``line``, ``ending``, ``text``) where
        ``candidates`` (plain lines the masks flag, not suspect, no repeated key), those
        whose findings are only counted: counted in the log here; returns their rows in
        ``table``."""
        pl = self.pl
        counted = self.runner.context.counted
        rows = candidates.arg_true()
        if len(rows) < AT_LEAST or not counted:
            return rows.clear()
        if len(self.verdicts) > VERDICTS:
            self.verdicts.clear()
        lines = table_of(pl, self.names, table.select("line", "ending", "text").gather(rows), None)
        flags = lines.lazy().select(
            *(flag.alias(f"_f{i}") for i, _, flag in self.fields),
            pl.any_horizontal(self.other or [pl.lit(False)]).alias("_other"),
        )
        flagged = flags.collect()
        ok_values: dict[int, dict[str, tuple[Any, ...]]] = {}  # field -> value -> codes
        empty_values: dict[int, list[str]] = {}
        for i, conv, _ in self.fields:
            hit = flagged.get_column(f"_f{i}")
            if not hit.any():
                continue
            ok = ok_values[i] = {}
            empty = empty_values[i] = []
            for value in lines.get_column(self.names[i]).filter(hit).unique().to_list():
                holds, codes = self._verdict(i, conv, value)
                if holds and all(code in counted for code, _ in codes):
                    ok[value] = codes
                    if holds == _NONE:
                        empty.append(value)
        c = pl.col
        both = pl.concat([lines, flagged], how="horizontal")
        bad = [c("_other")]
        as_held = []  # each field as the record holds it
        for i, _, _ in self.fields:
            name = self.names[i]
            if i not in ok_values:
                continue
            bad.append(c(f"_f{i}") & ~c(name).is_in(list(ok_values[i])))
            if empty_values[i]:
                as_held.append(
                    pl.when(c(f"_f{i}") & c(name).is_in(empty_values[i]))
                    .then(pl.lit(""))
                    .otherwise(c(name))
                    .alias(name)
                )
        query = both.lazy()
        if as_held:
            query = query.with_columns(as_held)
        fine = (
            query.select(~pl.any_horizontal([*bad, *self.records]))
            .collect()
            .to_series()
            .fill_null(False)
        )
        log = self.runner.log
        for i, ok in ok_values.items():
            hit = flagged.get_column(f"_f{i}") & fine
            if not hit.any():
                continue
            values = lines.get_column(self.names[i]).filter(hit).value_counts()
            for value, n in values.iter_rows():
                for code, severity in ok[value]:
                    log.count(code, severity, n)
        rows = rows.filter(fine)
        STATS.fields_counted += len(rows)
        return rows


def of(pl: Any, runner: Runner, named: list[tuple[str, Any]]) -> FieldCount | None:
    """The counting of ``runner``'s file (``named``: its masks,
    :func:`sosreg.engine.columnar._named`), or ``None`` where a rule rules it out (see the
    module's description) or a sink sees every finding."""
    if runner.rows is not None or runner.log.sink is not None:
        return None
    if not all(rule.invalid_ok for rule in runner.record_rules):
        return None
    if any(f.mask is not None or not f.keys for f in runner.cross_factories):
        return None
    return FieldCount(pl, runner, named)
