"""``date`` (``ÅÅÅÅMMDD``) and ``yearmonth`` (``ÅÅÅÅMM``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Final

from sosreg.engine.fields import CompiledField, FieldChecks
from sosreg.engine.findings import Finding
from sosreg.engine.spec import FieldSpec
from sosreg.engine.types.base import (
    Around,
    Damage,
    FieldType,
    Source,
    below,
    between,
    damage_table,
    slow,
    valid_ymd,
    whole,
)
from sosreg.engine.values import YearMonth, date_text, parse_date, parse_yearmonth

YEARMONTH: Final = r"[0-9]{4}(?:0[1-9]|1[0-2])"
"""What :func:`sosreg.engine.values.parse_yearmonth` reads as a month ``ÅÅÅÅMM`` (whole
value; the same to Python's ``re`` and to polars): the one statement of the pattern."""


class _Dated(FieldType):
    parse: ClassVar[Callable[[str], Any]]

    def compile(self, checks: FieldChecks, notes: list[Finding]) -> CompiledField:
        c = checks
        parse = type(self).parse

        def conv_date(text: str, line: int, out: list[Finding]) -> Any:
            if not text:
                c.missing(line, out)
                return None
            value = parse(text)
            if value is None:
                c.bad_format(text, line, out)
            return value

        return CompiledField(c.f, conv_date)

    def bindings(self, cf: CompiledField) -> dict[str, Any]:
        return {"parse": type(self).parse}

    def fast_source(self, i: int, cf: CompiledField, ascii: bool) -> list[str]:
        return [f"    x{i} = parse{i}(v{i})", f"    if x{i} is None:", *slow(i)]


def _bad_day(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    return value[:6] + "32" if value else None


text: Final = date_text
"""``day`` as a ``date`` field writes it: ``ÅÅÅÅMMDD``."""


DATE_YEARS: Final = 5
""":meth:`Date.draw` draws days of the statistikår and the years before it."""


class Date(_Dated):
    name = "date"
    format_sv = "ett datum ÅÅÅÅMMDD"
    format_en = "a date YYYYMMDD"
    parse = staticmethod(parse_date)
    damages: ClassVar[Mapping[str, Damage]] = damage_table(Damage("format", "a day 32", _bad_day))

    def mask(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        n = col.cast(pl.Int64, strict=False)
        y, m, d = n // 10000, (n // 100) % 100, n % 100
        return col.str.contains(r"^[0-9]{8}$") & valid_ymd(pl, y, m, d)

    def python_type(self, f: FieldSpec) -> Any:
        return dt.date

    def polars_dtype(self, pl: Any) -> Any:
        return pl.Date

    def cast(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        value = col.str.strptime(pl.Date, "%Y%m%d", strict=False)
        return pl.when(self.mask(pl, col, cf)).then(value)

    def frame_value(self, value: Any) -> Any:
        return value if isinstance(value, dt.date) else None

    def pandas_array(self, pd: Any, values: list[Any]) -> Any:
        return pd.to_datetime(pd.Series(values, dtype="object"))

    def window(self, around: Around) -> tuple[dt.date, dt.date]:
        """The days :meth:`draw` draws from: 1 January :data:`DATE_YEARS` years before
        the statistikår to its 31 December."""
        return dt.date(around.year - DATE_YEARS, 1, 1), dt.date(around.year, 12, 31)

    def draw(self, rnd: Source, f: FieldSpec, around: Around) -> str:
        lo, hi = self.window(around)
        return text(dt.date.fromordinal(between(rnd, lo.toordinal(), hi.toordinal())))

    def typed(self, text: str, f: FieldSpec, around: Around) -> Any:
        return parse_date(text) if text else None


def _bad_month(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    return value[:4] + "13" if value else None


def _next_month(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    return str(around.period + 1) if isinstance(around.period, YearMonth) else None


class Month(_Dated):
    name = "yearmonth"
    format_sv = "år och månad ÅÅÅÅMM"
    format_en = "a year and month YYYYMM"
    parse = staticmethod(parse_yearmonth)
    damages: ClassVar[Mapping[str, Damage]] = damage_table(
        Damage("format", "a month 13", _bad_month),
        Damage("period.mismatch", "another period on the line", _next_month),
    )

    def mask(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        return col.str.contains(whole(YEARMONTH))

    def line_pattern(self, cf: CompiledField) -> str | None:
        return YEARMONTH

    def python_type(self, f: FieldSpec) -> Any:
        return YearMonth

    def cast(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        return pl.when(self.mask(pl, col, cf)).then(col)  # as written: it sorts

    def frame_value(self, value: Any) -> Any:
        return str(value) if isinstance(value, YearMonth) else None

    def draw(self, rnd: Source, f: FieldSpec, around: Around) -> str:
        """The period in the period's field; else a month of the statistikår or the
        year before."""
        if f.name == around.period_field:
            return str(around.period)
        return str(YearMonth(around.year - 1 + below(rnd, 2), 1 + below(rnd, 12)))

    def typed(self, text: str, f: FieldSpec, around: Around) -> Any:
        return parse_yearmonth(text) if text else None


DATE = Date()
YEARMONTH_TYPE = Month()
