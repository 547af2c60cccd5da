"""What every field type gives (:class:`FieldType`), and the polars helpers types share.

A field type is *one* object that owns what sosreg knows about one spec type (``code``,
``integer``…): the row engine's converter and findings, the compiled line function's
fast test, the columnar engine's validity mask, the analysts' typed column (polars and
pandas), and plain-string hooks for generators. Each engine asks the field's type; none
keeps a table of its own (pandera's one ``Check`` with a backend per engine, python-stdnum's
one module per format).

Polars is never imported here: the engines pass the module in (``pl``).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Final, Protocol, TypeVar

import attrs

from sosreg import codelists as _codelists
from sosreg.codelists import CodeList
from sosreg.engine.fields import CompiledField, FieldChecks
from sosreg.engine.findings import Finding
from sosreg.engine.spec import FieldSpec
from sosreg.engine.values import YearMonth

T = TypeVar("T")


class Source(Protocol):
    """Where a value generator or a damage takes its randomness from: only
    :meth:`random.Random.random` (the one method whose sequence Python keeps across
    versions), so a :class:`random.Random`, hypothesis' ``st.randoms()`` and the
    generator's ``Rand`` all serve, and a seed gives the same values everywhere."""

    def random(self) -> float: ...


def below(rnd: Source, n: int) -> int:
    """An integer in ``[0, n)``."""
    return int(rnd.random() * n)


def between(rnd: Source, lo: int, hi: int) -> int:
    """An integer in ``[lo, hi]``."""
    return lo + int(rnd.random() * (hi - lo + 1))


def pick(rnd: Source, seq: Sequence[T]) -> T:
    """One of ``seq``."""
    return seq[int(rnd.random() * len(seq))]


def _builtin_list(name: str) -> CodeList | None:
    try:
        return _codelists.get(name)
    except KeyError:
        return None


def _always_fresh(value: str) -> bool:
    return True


@attrs.frozen
class Around:
    """What a field type's value generator and damages know beyond the field: the
    file's statistikår and period, its code lists, and (for a damage) the line."""

    year: int
    period: YearMonth | int
    codelist: Callable[[str], CodeList | None] = _builtin_list
    """Code list by name (``None``: not available)."""
    period_field: str | None = None
    """The field that holds the period (its value is the period)."""
    empty: float = 0.0
    """The chance that :meth:`FieldType.value` leaves an optional field empty."""
    taken: Collection[str] = ()
    """The values on the line (a damage gives no code the line already holds)."""
    fresh: Callable[[str], bool] = _always_fresh
    """Whether a damaged value was not given before (and now is): for damages that two
    lines must not share."""

    @property
    def when(self) -> int:
        """What code lists are asked about (the month of a monthly file)."""
        return _codelists.when_of(self.period)

    def codes(self, name: str | None) -> tuple[str, ...]:
        """The codes of list ``name`` valid :attr:`when`, without a warning, in list
        order (none for a list that is not available)."""
        cl = self.codelist(name) if name else None
        return valid_codes(cl, self.when) if cl is not None else ()


def valid_codes(cl: CodeList, when: int) -> tuple[str, ...]:
    """The codes of ``cl`` valid ``when`` that need no finding (no warning), in list
    order: what the converter accepts as they stand, and what generators draw."""
    return tuple(e.code for e in cl.as_of(when) if e.warning is None)


DamageFn = Callable[[FieldSpec, str, Source, Around], "str | None"]
"""``(field, valid value, randomness, around) -> damaged value`` (``None``: this value
cannot be damaged so)."""


def _any_field(f: FieldSpec) -> bool:
    return True


@attrs.frozen
class Damage:
    """One way to make a field's value invalid so that exactly one finding is given:
    that of generic check :attr:`check` (the rule code ``f.rule_for(check)``)."""

    check: str
    """The check of :data:`sosreg.engine.spec.CHECKS` that fires."""
    how: str
    """The damage in a few words (English), as ``sosreg generate`` lists it."""
    make: DamageFn
    applies: Callable[[FieldSpec], bool] = _any_field
    """Whether the damage can fire on field ``f`` at all (its spec has the option)."""
    fills: bool = True
    """An empty optional value is given a valid one first (not for a value left out)."""


def _empty(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    return "" if f.mandatory and value else None


def _is_mandatory(f: FieldSpec) -> bool:
    return f.mandatory


MANDATORY: Final = Damage("mandatory", "blank a mandatory value", _empty, _is_mandatory, False)
"""Every type's damage for ``mandatory``: the value left out."""


def damage_table(*found: Damage) -> Mapping[str, Damage]:
    """A type's damages by check (:data:`MANDATORY` first)."""
    return {d.check: d for d in (MANDATORY, *found)}


def slow(i: int) -> list[str]:
    """The fallback of :meth:`FieldType.fast_source`: the converter, under an ``else:``."""
    return [f"        x{i} = conv{i}(v{i}, line, out)"]


INT64: Final = (-(2**63), 2**63 - 1)
"""The range of the integer columns of frames and Parquet."""


class FieldType:
    """One spec type. Subclasses are singletons in :data:`sosreg.engine.types.TYPES`.

    Row engine: :meth:`compile` (the converter, which makes every finding of the field).
    Compiled line functions: :meth:`fast_source` and :meth:`bindings`. Columnar engine:
    :meth:`mask`. Analysts: :meth:`polars_dtype`, :meth:`cast`, :meth:`frame_value`,
    :meth:`pandas_array`; record classes: :meth:`python_type`. Generators and hypothesis
    strategies: :meth:`value` (with :meth:`typed` for records) and :attr:`damages`
    (plain strings; the generator keeps its line model and asks these).
    """

    name: ClassVar[str]
    format_sv: ClassVar[str]
    """The type in words, for a format finding (``"ett datum ÅÅÅÅMMDD"``)."""
    format_en: ClassVar[str]
    numeric: ClassVar[bool] = False
    """A number (an integer column; special codes beside the range go to ``<field>_kod``)."""
    damages: ClassVar[Mapping[str, Damage]] = damage_table()
    """Generic check (:data:`sosreg.engine.spec.CHECKS`) -> how to damage a valid value
    of this type so that the check fires (the generator's field injectors ask these)."""

    # -- the row engine ----------------------------------------------------------------

    def compile(self, checks: FieldChecks, notes: list[Finding]) -> CompiledField:
        """The field compiled for one file (``checks.f`` in ``checks.ctx``); ``notes``
        collects file-level findings (a code list that is missing)."""
        raise NotImplementedError

    # -- compiled line functions (sosreg.engine.compiled) ----------------------------------

    def bindings(self, cf: CompiledField) -> dict[str, Any]:
        """Objects :meth:`fast_source` names (each as ``name{i}``); ``conv`` is always
        bound (the converter)."""
        return {}

    def fast_source(self, i: int, cf: CompiledField, ascii: bool) -> list[str]:
        """Source lines (indented four spaces) that turn the non-empty text ``v{i}`` into
        the value ``x{i}``: where it is valid as it stands, directly; else through
        ``conv{i}(v{i}, line, out)``, which makes the findings. ``ascii``: the line is
        known to be printable ASCII."""
        return [f"    x{i} = conv{i}(v{i}, line, out)"]

    # -- the columnar engine ---------------------------------------------------------------

    def mask(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        """A polars expression, true where the (non-empty) value is valid as it stands
        (no finding), as :meth:`fast_source` decides. May be null; a superset of the
        findings is never needed: the converter diagnoses what is false."""
        raise NotImplementedError

    def quick_mask(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        """A cheaper polars expression true only where :meth:`mask` is (never null), or
        ``None`` where there is none. The columnar engine's first pass tests every line
        with it, and the few values it leaves false, together, by :meth:`mask`
        (:class:`sosreg.engine.masks.Leftover`; the mask must then read the field's
        own column only). So it should hold the common valid values
        (``tests/test_field_types.py`` checks that it is a subset of the mask for every
        built-in field, and the mask against the reference, the field's converter:
        :func:`sosreg.engine.masks.value_ok`)."""
        return None

    def line_pattern(self, cf: CompiledField) -> str | None:
        """A regular expression (Rust's ``regex`` syntax, unanchored, matching only
        printable ASCII without spaces, quotes or ``;``: :data:`PLAIN_CHARS`)
        of non-empty values all of which :meth:`mask` finds valid, or ``None``.
        The columnar engine's first pass tests a line's fields with such patterns in
        one match over the whole line instead of splitting it (``tests/
        test_field_types.py`` checks every pattern against its mask). A value the
        pattern misses is only flagged (the row engine then diagnoses it), so a
        pattern may miss valid values, never match an invalid one."""
        return None

    # -- analysts ----------------------------------------------------------------------

    def python_type(self, f: FieldSpec) -> Any:
        """The Python type of the field's value in a record (``None`` aside)."""
        return str

    def polars_dtype(self, pl: Any) -> Any:
        """The polars type of the field's column in analysts' frames."""
        return pl.String

    def cast(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        """The typed column from the raw text, as the converter reads it (null where it
        gives no value)."""
        return pl.when(col != "").then(col)

    def frame_value(self, value: Any) -> Any:
        """A record's value as a frame column holds it."""
        return None if value is None else str(value)

    def pandas_array(self, pd: Any, values: list[Any]) -> Any:
        """A pandas column of :meth:`frame_value` values."""
        return pd.array(values, dtype="string")

    # -- generators ----------------------------------------------------------------------

    def value(self, rnd: Source, f: FieldSpec, around: Around) -> str:
        """A valid value of field ``f`` as the file writes it (no finding of the
        field), drawn from ``rnd``; an optional field is left empty with chance
        ``around.empty``. The generator and the hypothesis strategies ask this."""
        if not f.mandatory and around.empty and rnd.random() < around.empty:
            return ""
        return self.draw(rnd, f, around)

    def draw(self, rnd: Source, f: FieldSpec, around: Around) -> str:
        """A valid, non-empty value of field ``f`` (see :meth:`value`)."""
        raise NotImplementedError

    def choices(self, f: FieldSpec, around: Around) -> tuple[str, ...]:
        """The valid values of field ``f`` where the type has a short list of them (a
        code field's codes of the year, in list order), for generators that draw from
        tables; else none."""
        return ()

    def typed(self, text: str, f: FieldSpec, around: Around) -> Any:
        """The value a record holds for the valid text ``text`` (``None`` for empty),
        as the converter reads it."""
        return text or None

    def damages_for(self, f: FieldSpec) -> dict[str, Damage]:
        """The damages that can fire on field ``f``, by check."""
        return {check: d for check, d in self.damages.items() if d.applies(f)}


# -- polars helpers shared by types -------------------------------------------------------


def last_day(pl: Any, y: Any, m: Any) -> Any:
    """The last day of month ``m`` (1–12) of year ``y``, as an expression."""
    leap = (((y % 4 == 0) & (y % 100 != 0)) | (y % 400 == 0)).cast(pl.Int64)
    # 31 or 30 by month (1 3 5 7 8 10 12 have 31), then February: 28 or 29
    return 30 + (m + m // 8) % 2 - (m == 2).cast(pl.Int64) * (2 - leap)


def valid_ymd(pl: Any, y: Any, m: Any, d: Any) -> Any:
    """True where (y, m, d) is a real date (years 1–9999)."""
    return (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= last_day(pl, y, m))


PLAIN_CHARS: Final = "[!#-:<-~]"
"""A character of a value on a plain line (printable ASCII but the space, the quote and
``;``), as a regular expression's class that Python's ``re`` and polars read alike: all
a :meth:`FieldType.line_pattern` may match."""

LITERAL: Final = re.compile(PLAIN_CHARS + "+")
"""A value a :meth:`FieldType.line_pattern` may list as it is: printable ASCII, no
space, quote or ``;``."""


def literals(values: Iterable[str]) -> list[str]:
    """Those of ``values`` a line pattern may list (:data:`LITERAL`), escaped, sorted."""
    return [re.escape(v) for v in sorted(values) if LITERAL.fullmatch(v)]


def one_of(pl: Any, col: Any, values: Iterable[str]) -> Any:
    """True where ``col`` is one of ``values``: a chain of comparisons for a few values
    (several times faster than hashing), ``is_in`` for more."""
    values = sorted(values)
    if not values:
        return pl.lit(False)
    if len(values) > 8:
        return col.is_in(values)
    return functools.reduce(operator.or_, [col == v for v in values])


_PLAIN_REGEX: Final = re.compile(r"[A-Za-z0-9\[\]{}()|?*+^$,-]*")
_NOT_PLAIN: Final = ("(?", "[[", "[:", "&&", "--", "~~", "{,")


def whole(pattern: str) -> str:
    """``pattern`` (meant for ``fullmatch``) anchored for polars' ``str.contains``."""
    return f"^(?:{pattern})$"


@functools.cache
def portable(pl: Any, rx: str) -> bool:
    """Whether pattern ``rx`` means the same to Python's ``re`` and to polars (Rust's
    ``regex``) on the printable ASCII of a clean line: classes, ranges, groups,
    alternatives and counts only (no escapes, lookarounds, nested classes or set
    operations), and polars compiles it."""
    if not _PLAIN_REGEX.fullmatch(rx) or any(bad in rx for bad in _NOT_PLAIN):
        return False
    try:
        pl.select(pl.lit("").str.contains(rx))
    except pl.exceptions.PolarsError:
        return False
    return True
