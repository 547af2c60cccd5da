"""The runner: one file's lines through the stages, and the interface the engines use.

A :class:`Runner` is made by :class:`~sosreg.engine.pipeline.Parsed` from the file's
facts (:mod:`sosreg.engine.facts`) and its input. It *is* the row engine
(:meth:`Runner.run_rows`), and it is what every other engine is given: the columnar
engine (:mod:`sosreg.engine.columnar`) reads the lines or bytes in blocks (:attr:`Runner.input`),
builds its masks from :attr:`Runner.parser`, :attr:`Runner.record_rules` and
:attr:`Runner.cross_factories`, hands the lines it cannot clear to
:meth:`Runner.parse_line` and :meth:`Runner.process` (masks detect, the row engine
diagnoses) and says what it counted with :meth:`Runner.account`. Findings go to
:attr:`Runner.log` (the sink is the log's). Nothing here is private to an engine.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from itertools import chain
from typing import Any, Final

from sosreg.engine.compiled import compile_line
from sosreg.engine.context import Context
from sosreg.engine.core import LineParser
from sosreg.engine.findings import Finding, FindingLog
from sosreg.engine.register import CrossRule, CrossRuleFactory, RecordRule
from sosreg.engine.source import MAX_LINE, Input, PhysicalLine

_ENDING_NAMES: Final = {"\r\n": "CRLF", "\n": "LF", "\r": "CR"}


class Runner:
    """One file's lines through the line, field, record and cross-record stages.

    The public attributes and methods are the interface an engine uses; an engine
    registered in :data:`sosreg.engine.pipeline.RUNNERS` is a function of a runner.
    """

    def __init__(
        self,
        *,
        input: Input,
        text_input: bool,
        head: Sequence[PhysicalLine],
        lines: Iterator[PhysicalLine],
        parser: LineParser,
        record_rules: Sequence[RecordRule],
        cross_factories: Sequence[CrossRuleFactory],
        log: FindingLog,
        progress: Callable[[int], None] | None = None,
        progress_every: int = 50_000,
    ) -> None:
        self.input = input
        """The input: ``lines()`` streams its lines (again, from the start),
        ``utf8_blocks(size)`` its bytes in blocks when they are UTF-8 (see
        :class:`~sosreg.engine.source.Input`)."""
        self.text_input = text_input
        """False for input that is not register data (binary, a workbook, a document):
        its lines are not checked one by one."""
        self.head: list[PhysicalLine] = list(head)
        """The lines read to decide the facts (read again by :meth:`all_lines`)."""
        self.lines = lines
        """The rest of the lines, not read yet."""
        self.parser = parser
        """The line parser (field names, positions, the period and kommun it checks)."""
        self.context: Context = parser.ctx
        self.record_rules: tuple[RecordRule, ...] = tuple(record_rules)
        """The file's record rules (each with its codes and, maybe, a polars mask)."""
        self.cross_factories: tuple[CrossRuleFactory, ...] = tuple(cross_factories)
        """The file's cross-record rules as declared (codes, mask, factory)."""
        self.cross: list[tuple[tuple[str, ...], CrossRule]] = [
            (c.codes, c.factory()) for c in cross_factories
        ]
        """The cross-record rules' instances for this file, fed by :meth:`process`."""
        self.log = log
        """Where findings go (kept up to ``max_details`` per rule; the sink sees all)."""
        self.progress = progress
        self.progress_every = progress_every
        """Lines between two calls of ``progress``."""
        self.progress_sent = 0
        """Lines reported to ``progress`` so far."""
        self.lines_read = 0
        self.records_count = 0
        self.runs: list[tuple[str, int]] = []
        """The lines' endings in runs: (ending, lines), in order (``""``: a last line
        without one). Every engine fills it (:meth:`process`, :meth:`account`)."""
        self.rows: Callable[[Any, list[tuple[int, Any]]], None] | None = None
        """For a reader of the typed rows (:mod:`sosreg.analysts`), so that a file is
        read once: an engine that reads in columns calls it for each block with the
        block's cleared rows (a polars DataFrame of ``line`` and the raw fields) and the
        ``(line, record)`` of its other lines that made a record. The row engine does
        not call it (the reader then reads the file itself)."""
        compiled = compile_line(parser)
        self._fast = compiled.fn
        parser.fields_fn = compiled.fields

    # -- the interface ---------------------------------------------------------------

    def all_lines(self) -> Iterator[PhysicalLine]:
        """Every line (the head read already, then the rest); counted for ``progress``
        only when there is one, so that there is no cost per line otherwise."""
        lines = chain(self.head, self.lines)
        return lines if self.progress is None else self._counted(lines, self.progress)

    def parse_line(self, pl: PhysicalLine) -> tuple[Any, list[Finding]]:
        """The line and field stages of one line: (record or None, findings). A clean
        line goes through the file's compiled line function, any other through the
        reference :meth:`LineParser.parse`; both give the same result."""
        out: list[Finding] = []
        length = pl.length  # PhysicalLine.too_long, inline
        too_long = length > MAX_LINE or length > len(pl.text)
        record = None if too_long else self._fast(pl.text, pl.number, out)
        if record is None:
            return self.parser.parse(pl)
        self.parser.data_lines += 1
        return record, out

    def process(
        self,
        lines: Iterable[PhysicalLine],
        parsed: Mapping[int, tuple[Any, list[Finding]]] | None = None,
        *,
        count: bool = True,
    ) -> Iterator[tuple[PhysicalLine, Any, list[Finding]]]:
        """Every line of ``lines``, in order, through every stage: (line, record or
        None, findings), the findings added to the log. ``parsed`` holds lines whose
        line and field stages were run already (by :meth:`parse_line`, for another
        engine). With ``count``, the lines and their endings are counted."""
        parse_line = self.parse_line
        rules = [(rule.fn, rule.codes[0]) for rule in self.record_rules]
        cross = [(c.feed, codes[0]) for codes, c in self.cross]
        ctx = self.context
        add = self.log.add
        runs = self.runs
        run_ending, run_lines = "", 0
        for pl in lines:
            if count:
                self.lines_read += 1
                if pl.ending == run_ending:
                    run_lines += 1
                else:
                    if run_lines:
                        runs.append((run_ending, run_lines))
                    run_ending, run_lines = pl.ending, 1
            done = parsed.get(pl.number) if parsed is not None else None
            record, out = parse_line(pl) if done is None else done
            if record is not None:
                self.records_count += 1
                line = pl.number
                for fn, code in rules:
                    try:
                        found = fn(record, line, ctx)
                        if found:  # an empty list, or a generator (always true)
                            out.extend(found)
                    except Exception as exc:  # a rule that raises is one finding
                        out.append(ctx.internal(code, exc, line))
                for feed, code in cross:
                    try:
                        found = feed(record, line, ctx)
                        if found:
                            out.extend(found)
                    except Exception as exc:
                        out.append(ctx.internal(code, exc, line))
            for f in out:
                add(f)
            yield pl, record, out
        if count and run_lines:
            runs.append((run_ending, run_lines))

    def run_rows(self) -> None:
        """The row engine over the whole file (the reference every engine matches)."""
        for _ in self.process(self.all_lines()):
            pass
        self.head = []

    def account(self, *, lines: int, skipped: int, runs: Iterable[tuple[str, int]]) -> None:
        """What an engine that did not :meth:`process` every line counted: ``lines`` in
        the file, ``skipped`` records it cleared without the row engine (each a data
        line), and the endings in ``runs`` (see :attr:`runs`)."""
        self.lines_read = lines
        self.records_count += skipped
        self.parser.data_lines += skipped
        self.runs[:] = list(runs)

    def finish(self) -> list[Finding]:
        """The findings at the end of the file: the cross-record rules' closing checks,
        mixed line endings (SOS-005), no data lines (SOS-008)."""
        ctx = self.context
        out: list[Finding] = []
        for codes, c in self.cross:
            try:
                out.extend(c.finish(ctx))
            except Exception as exc:
                out.append(ctx.internal(codes[0], exc))
        endings = self.ending_counts()
        if len(endings) > 1:
            text = ", ".join(f"{_ENDING_NAMES[e]} {n}" for e, n in sorted(endings.items()))
            out.append(ctx.finding("SOS-005", endings=text))
        if self.parser.data_lines == 0 and self.input.sniff.size > 0 and self.text_input:
            out.append(ctx.finding("SOS-008", lines=self.lines_read))
        return out

    def ending_counts(self) -> Counter[str]:
        """Lines per ending (a last line without one not counted), in order of first use."""
        counts: Counter[str] = Counter()
        for ending, n in self.runs:
            if ending:
                counts[ending] += n
        return counts

    def report_progress(self) -> None:
        """Tell ``progress`` of the lines read and not reported yet (an engine that
        reads the file at once)."""
        if self.progress is not None and self.lines_read > self.progress_sent:
            self.progress(self.lines_read - self.progress_sent)
            self.progress_sent = self.lines_read

    def _counted(
        self, lines: Iterable[PhysicalLine], progress: Callable[[int], None]
    ) -> Iterator[PhysicalLine]:
        n = 0
        every = self.progress_every
        for pl in lines:
            n += 1
            if n == every:
                self.progress_sent += n
                progress(n)
                n = 0
            yield pl
        self.progress_sent += n
        progress(n)
