"""The per-line path: lexical checks and the field converters of the field types
(:mod:`sosreg.engine.types`).

A :class:`LineParser` is compiled once per file from the spec, the statistikår and the
code lists; its :meth:`LineParser.parse` is the hot path.
"""

from __future__ import annotations

import re
from typing import Any, Final

from sosreg.engine.context import Context
from sosreg.engine.findings import Category, Finding
from sosreg.engine.rules import say
from sosreg.engine.source import MAX_LINE, PhysicalLine
from sosreg.engine.types import compile_field

_CONTROL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_DIGITS: Final = str.maketrans("", "", "0123456789")


class LineParser:
    """Compiled for one file: turns a physical line into values and findings."""

    def __init__(
        self,
        ctx: Context,
        record_cls: type,
        *,
        period_source: tuple[str, str] = ("", ""),
        kommun: str | None = None,
        kommun_source: tuple[str, str] = ("", ""),
    ) -> None:
        self.ctx = ctx
        self.spec = ctx.spec
        self.record_cls = record_cls
        self.notes: list[Finding] = []
        self.fields = [compile_field(f, ctx, self.notes) for f in self.spec.fields]
        self.converters = [f.conv for f in self.fields]
        self.n = len(self.spec.fields)
        self.names = self.spec.field_names()
        self.period_index = (
            self.names.index(self.spec.period_field) if self.spec.period_field else None
        )
        if self.period_index is not None:
            pf = self.spec.fields[self.period_index]
            self.period_code = pf.rule_for("period.mismatch")
        self.period = ctx.period
        self.period_source = period_source
        self.kommun = kommun
        self.kommun_source = kommun_source
        self.kommun_index = (
            self.names.index(self.spec.kommun_field)
            if self.spec.kommun_field and kommun is not None
            else None
        )
        self.padded = {
            i: (f.rule_for("code.padded"), f.pad_width)
            for i, f in enumerate(self.spec.fields)
            if f.pad_width is not None
        }
        self.pending_short: tuple[int, int] | None = None
        self.fields_fn: Any = None
        """The compiled field stage (:mod:`sosreg.engine.compiled`), used after the line
        stage when set; ``None``: the converters one by one (the reference)."""
        self.data_lines = 0
        """Lines that are neither blank nor header/template text."""

    def parse(self, pl: PhysicalLine) -> tuple[Any, list[Finding]]:
        """Returns (record or None, findings) for one physical line."""
        ctx = self.ctx
        out: list[Finding] = []
        line = pl.number
        text = pl.text
        if pl.too_long:
            out.append(ctx.finding("SOS-102", line=line, length=pl.length, max=MAX_LINE))
            return None, out
        if not text.strip():
            out.append(ctx.finding("SOS-101", line=line))
            return None, out
        if _CONTROL.search(text):
            out.append(ctx.finding("SOS-103", line=line))
            text = _CONTROL.sub("", text)
            if not text.strip():  # e.g. a lone Ctrl-Z (DOS end of file) on the last line
                return None, out
        if "\ufffd" in text:
            out.append(ctx.finding("SOS-112", line=line))
        if "\ufeff" in text:  # a BOM that is not the file's first: data, and invisible
            out.append(ctx.finding("SOS-019", line=line, position=text.index("\ufeff") + 1))
        if '"' in text:
            stripped = text.strip()
            if len(stripped) >= 2 and stripped[0] == '"' and stripped[-1] == '"':
                out.append(ctx.finding("SOS-104", line=line))
                text = stripped[1:-1].replace('""', '"')
        if not "0" <= text[:1] <= "9" and self._looks_like_header(text):
            out.append(ctx.finding("SOS-106", line=line, value=text[:60]))
            return None, out
        self.data_lines += 1
        values = text.split(";")
        n = len(values)
        if n == 1 and self.n > 1:
            for sep, sep_sv, sep_en in (("\t", "tabb", "tab"), (",", "komma", "comma")):
                if text.count(sep) == self.n - 1:
                    out.append(
                        ctx.finding("SOS-107", line=line, separator_sv=sep_sv, separator_en=sep_en)
                    )
                    values = text.split(sep)
                    n = len(values)
                    break
        if n > self.n and not any(values[self.n :]):
            out.append(ctx.finding("SOS-109", line=line, extra=n - self.n))
            del values[self.n :]
            n = self.n
        if n != self.n:
            prev = self.pending_short
            if (
                n < self.n
                and prev is not None
                and prev[0] == line - 1
                and prev[1] + n - 1 == self.n
            ):
                # the rest of the line before: say so, not where this "line" ends
                rest_sv, rest_en = f"fält {prev[1]}–{self.n}", f"fields {prev[1]}–{self.n}"
                out.append(
                    ctx.finding(
                        "SOS-108",
                        line=line,
                        count=n,
                        expected=self.n,
                        where_sv=f" Raden verkar vara resten av rad {prev[0]} ({rest_sv}).",
                        where_en=f" The line looks like the rest of line {prev[0]} ({rest_en}).",
                    )
                )
                out.append(ctx.finding("SOS-111", line=prev[0], first=prev[0], second=line))
            else:
                out.append(self._wrong_count(line, values))
            if n < self.n:
                self.pending_short = (line, n)
            return None, out
        if " " in text or "\u00a0" in text or '"' in text:
            for i, v in enumerate(values):
                s = v.strip(" \u00a0\t")
                if s != v:
                    padded = self.padded.get(i)
                    if padded is not None and v.lstrip() == v and len(v) <= padded[1]:
                        out.append(
                            ctx.finding(
                                padded[0],
                                line=line,
                                field=self.names[i],
                                value=v,
                                suggestion=s,
                                width=padded[1],
                                category=Category.FIELD,
                            )
                        )
                    else:
                        out.append(ctx.finding("SOS-110", line=line, field=self.names[i], value=v))
                    v = s
                if len(v) >= 2 and v[0] == '"' and v[-1] == '"':
                    out.append(ctx.finding("SOS-105", line=line, field=self.names[i], value=v))
                    v = v[1:-1]
                values[i] = v
        if self.fields_fn is not None:  # the compiled field stage (same findings)
            return self.fields_fn(values, line, out), out
        converted = [conv(v, line, out) for conv, v in zip(self.converters, values, strict=True)]
        if self.period_index is not None:
            pv = converted[self.period_index]
            if pv is not None and pv != self.period:
                self.wrong_period(values[self.period_index], line, out)
        if self.kommun_index is not None:
            kv = values[self.kommun_index]
            if kv and kv != self.kommun:
                self.wrong_kommun(kv, line, out)
        return self.record_cls(*converted), out

    def wrong_period(self, value: str, line: int, out: list[Finding]) -> None:
        """The finding of a line whose period is not the file's."""
        assert self.period_index is not None
        out.append(
            self.ctx.finding(
                self.period_code,
                line=line,
                field=self.names[self.period_index],
                value=value,
                period=self.period,
                source_sv=self.period_source[0],
                source_en=self.period_source[1],
                category=Category.FIELD,
            )
        )

    def wrong_kommun(self, value: str, line: int, out: list[Finding]) -> None:
        """The finding of a line whose kommun is not the file's (SOS-214)."""
        assert self.kommun_index is not None
        out.append(
            self.ctx.finding(
                "SOS-214",
                line=line,
                field=self.names[self.kommun_index],
                value=value,
                kommun=self.kommun,
                source_sv=self.kommun_source[0],
                source_en=self.kommun_source[1],
            )
        )

    def _looks_like_header(self, text: str) -> bool:
        digits = len(text) - len(text.translate(_DIGITS))
        letters = sum(1 for c in text if c.isalpha())
        return letters > digits

    def _wrong_count(self, line: int, values: list[str]) -> Finding:
        return self.wrong_count(line, len(values))

    def wrong_count(self, line: int, n: int) -> Finding:
        """The finding (SOS-108) of a line of ``n`` fields, not the spec's number, that
        is not the rest of the line before (the columnar line stage makes it too)."""
        if n < self.n:
            last = self.spec.fields[n - 1]
            if n + 1 == self.n:
                gone_sv, gone_en = f"fält {self.n} saknas", f"field {self.n} is missing"
            else:
                gone_sv = f"fält {n + 1}–{self.n} saknas"
                gone_en = f"fields {n + 1}–{self.n} are missing"
            where_sv = f" Raden slutar efter fält {n} ({last.name}); {gone_sv}."
            where_en = f" The line ends after field {n} ({last.name}); {gone_en}."
            if not any(f.mandatory for f in self.spec.fields[n:]):
                where_sv += (
                    f" Fälten är frivilliga men semikolonen ska stå kvar:"
                    f" raden ska alltid ha {self.n - 1} semikolon."
                )
                where_en += " The fields are optional but their semicolons must stay:" + say(
                    " a line always has {n} {n|semicolon|semicolons}.", n=self.n - 1
                )
            return self.ctx.finding(
                "SOS-108",
                line=line,
                count=n,
                expected=self.n,
                where_sv=where_sv,
                where_en=where_en,
            )
        return self.ctx.finding(
            "SOS-108",
            line=line,
            count=n,
            expected=self.n,
            where_sv=f" Raden har {n - self.n} fält för mycket.",
            where_en=say(" The line has {n} {n|field|fields} too many.", n=n - self.n),
        )
