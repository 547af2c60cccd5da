"""Simple record rules, declared once.

A simple record rule is a condition over one line's fields that every valid line
meets ("if insats_sokande is 0, insatsdagar_sokande is empty or 0"). It is written
once, as one expression::

    >>> from sosreg.engine.conditions import Check, field
    >>> insats, days = field("insats_sokande"), field("insatsdagar_sokande")
    >>> rule = Check("EKB-027", "insatsdagar_sokande",
    ...              (insats.given() & days.given()).implies((insats == "0").iff(days == 0)))
    >>> rule.holds({"insats_sokande": "0", "insatsdagar_sokande": "0"}.__getitem__)
    True
    >>> rule.holds({"insats_sokande": "5", "insatsdagar_sokande": "0"}.__getitem__)
    False

and everything else is derived from it (the pandera way, style.md §6: one definition,
one implementation per engine):

- the row engine's check: the condition over a record's values as text, compiled
  into one function (:meth:`Cond.source`), one finding per failed check
  (:func:`record_rule`);
- the columnar engine's mask: :meth:`Cond.expr` over the raw text columns
  (:class:`~sosreg.engine.columnar.Columns`), true exactly where the check fails
  (:func:`mask`); never null, so never wider than the row check;
- the generators' constraint: :meth:`Check.holds` over a line's text keeps a valid line
  valid, and :func:`choose` picks a value that makes a line valid or, for an injector,
  one that breaks the check.

Values are compared as the text of a file (``""`` empty): a record's values through
:func:`~sosreg.engine.values.to_text`, a generated line's as they are. A comparison with
an ``int`` compares numbers (``"00" == 0``), with a ``str`` compares text. Rules that are
more than a condition over one line (ages from an identity, the twelve months of
EKB-År, a person in two households, cross-file rules) keep their hand-written row rule
and mask; see docs/architecture.md.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, ClassVar, Final

import attrs

from sosreg.engine.values import to_text

Getter = Callable[[str], str]
"""A line's field by name, as text (``""`` when empty)."""


def _int(text: str) -> int | None:
    """The text as an integer (as polars' non-strict cast reads it), or ``None``."""
    digits = text[1:] if text[:1] in ("-", "+") else text
    if not digits or not (digits.isascii() and digits.isdigit()):
        return None
    return int(text)


def _order(v: int | None, op: str, n: int) -> bool:
    """``v op n``, false where there is no number."""
    return v is not None and bool(_ORDER[op](v, n))


def _num(value: Any) -> int | None:
    """A record's value as a number, as :func:`_int` reads its text."""
    return None if value is None else _int(to_text(value))


def _lit(value: object) -> str:
    """``value`` as a Python literal, to go into a ``str.format`` template."""
    return repr(value).replace("{", "{{").replace("}", "}}")


@attrs.frozen
class Env:
    """What a condition may compare a line with beyond its fields: the spec's
    ``[params]``, the statistikår and the reference day (a :class:`~sosreg.engine.context.Context`
    and the columnar engine's ``Columns.ctx`` have the same attributes)."""

    params: Mapping[str, Any]
    year: int
    reference_date: dt.date
    period: Any = None
    """The file's period (a ``YearMonth`` for a monthly file, else the statistikår)."""


def env_of(spec: Any, year: int, period: Any) -> Env:
    """The :class:`Env` of a file of ``spec`` for ``year`` and ``period`` (generators)."""
    return Env(spec.params, year, spec.reference_date_for(period), period)


class Known:
    """A number known for the whole file, to compare a field with: a threshold of the
    spec's ``[params]`` (:func:`param`), the reference day (:func:`reference_day`), the
    last day of the statistikår (:func:`year_end`). ``number(env)`` for the comparison,
    ``message(env)`` for a finding's parameter."""

    def number(self, env: Any) -> int:
        raise NotImplementedError

    def message(self, env: Any) -> object:
        return self.number(env)


@attrs.frozen
class _Param(Known):
    name: str

    def number(self, env: Any) -> int:
        return int(env.params[self.name])

    def __repr__(self) -> str:
        return f"params.{self.name}"


@attrs.frozen
class _Day(Known):
    """A day of the file (``ÅÅÅÅMMDD`` as a number; its text in a message)."""

    name: str
    day: Callable[[Any], dt.date]

    def number(self, env: Any) -> int:
        d = self.day(env)
        return d.year * 10000 + d.month * 100 + d.day

    def message(self, env: Any) -> object:
        return to_text(self.day(env))

    def __repr__(self) -> str:
        return self.name


@attrs.frozen
class _Period(Known):
    """The file's period: ``ÅÅÅÅMM`` (or the year) as a number; itself in a message."""

    def number(self, env: Any) -> int:
        return int(str(env.period))

    def message(self, env: Any) -> object:
        return env.period

    def __repr__(self) -> str:
        return "period"


@attrs.frozen
class _Year(Known):
    def number(self, env: Any) -> int:
        return int(env.year)

    def __repr__(self) -> str:
        return "year"


def param(name: str) -> Known:
    """The spec's ``[params]`` value ``name``, as a whole number."""
    return _Param(name)


def _reference(env: Any) -> dt.date:
    return env.reference_date  # type: ignore[no-any-return]


def _dec31(env: Any) -> dt.date:
    return dt.date(int(env.year), 12, 31)


def _first_day(env: Any) -> dt.date:
    p = env.period
    return p.first_day() if hasattr(p, "first_day") else dt.date(int(p), 1, 1)


def _last_day(env: Any) -> dt.date:
    p = env.period
    return p.last_day() if hasattr(p, "last_day") else dt.date(int(p), 12, 31)


REFERENCE_DAY: Final[Known] = _Day("reference_day", _reference)
"""The spec's reference day of the file (a date compares as ``ÅÅÅÅMMDD``)."""
YEAR_END: Final[Known] = _Day("year_end", _dec31)
"""31 December of the statistikår."""
YEAR: Final[Known] = _Year()
"""The statistikår (for a message)."""
PERIOD: Final[Known] = _Period()
"""The file's period (for a message)."""
PERIOD_START: Final[Known] = _Day("period_start", _first_day)
"""The first day of the file's period (a month's, or the year's)."""
PERIOD_END: Final[Known] = _Day("period_end", _last_day)
"""The last day of the file's period."""


class Cond:
    """A condition over one line's fields. Combine with ``&``, ``|``, ``~``,
    :meth:`implies` and :meth:`iff`."""

    def holds(self, get: Getter, env: Env | None = None) -> bool:
        """Whether the line (``get``: its fields as text) meets the condition;
        ``env``: the spec's params and the file's dates, for a condition that compares
        with them (:class:`Known`)."""
        raise NotImplementedError

    def expr(self, c: Any) -> Any:
        """A polars boolean expression over the raw columns, true where the condition
        holds (never null)."""
        raise NotImplementedError

    def fields(self) -> frozenset[str]:
        """The fields the condition reads."""
        raise NotImplementedError

    def source(self) -> str:
        """A Python expression of the condition over the variables ``t_<field>`` (the
        fields as text), for the row engine's compiled rule (:func:`record_rule`)."""
        raise NotImplementedError

    def known(self) -> tuple[Known, ...]:
        """The params and dates of the file the condition compares with."""
        return ()

    def __and__(self, other: Cond) -> Cond:
        return _All((self, other))

    def __or__(self, other: Cond) -> Cond:
        return _Any((self, other))

    def __invert__(self) -> Cond:
        return _Not(self)

    def implies(self, other: Cond) -> Cond:
        """``other`` wherever ``self``."""
        return ~self | other

    def iff(self, other: Cond) -> Cond:
        """Both or neither."""
        return (self & other) | (~self & ~other)


@attrs.frozen
class _Atom(Cond):
    name: str
    test: Callable[[str], bool]
    build: Callable[[Any, str], Any]
    text: str
    code: str
    """The Python expression of the test: ``{t}`` the field's text, ``{v}`` its
    record value, ``{n}`` its number (``None`` if none)."""

    def holds(self, get: Getter, env: Env | None = None) -> bool:
        return self.test(get(self.name))

    def source(self) -> str:
        n = self.name
        number = f"(v_{n} if v_{n}.__class__ is int else _num(v_{n}))"
        return "(" + self.code.format(t=f"t_{n}", v=f"v_{n}", n=number) + ")"

    def expr(self, c: Any) -> Any:
        return self.build(c, self.name).fill_null(False)

    def fields(self) -> frozenset[str]:
        return frozenset((self.name,))

    def __repr__(self) -> str:
        return self.text


@attrs.frozen
class _Not(Cond):
    inner: Cond

    def holds(self, get: Getter, env: Env | None = None) -> bool:
        return not self.inner.holds(get, env)

    def expr(self, c: Any) -> Any:
        return ~self.inner.expr(c)

    def fields(self) -> frozenset[str]:
        return self.inner.fields()

    def source(self) -> str:
        return f"(not {self.inner.source()})"

    def known(self) -> tuple[Known, ...]:
        return self.inner.known()

    def __repr__(self) -> str:
        return f"~{self.inner!r}"


@attrs.frozen
class _Many(Cond):
    """Conditions joined: all of them (:class:`_All`) or any (:class:`_Any`)."""

    parts: tuple[Cond, ...]
    WORD: ClassVar[str]
    SIGN: ClassVar[str]

    def source(self) -> str:
        return "(" + f" {self.WORD} ".join(p.source() for p in self.parts) + ")"

    def known(self) -> tuple[Known, ...]:
        return tuple(dict.fromkeys(k for p in self.parts for k in p.known()))

    def fields(self) -> frozenset[str]:
        return frozenset().union(*(p.fields() for p in self.parts))

    def __repr__(self) -> str:
        return "(" + f" {self.SIGN} ".join(map(repr, self.parts)) + ")"


@attrs.frozen(repr=False)
class _All(_Many):
    WORD: ClassVar[str] = "and"
    SIGN: ClassVar[str] = "&"

    def holds(self, get: Getter, env: Env | None = None) -> bool:
        return all(p.holds(get, env) for p in self.parts)

    def expr(self, c: Any) -> Any:
        return c.pl.all_horizontal([p.expr(c) for p in self.parts])


@attrs.frozen(repr=False)
class _Any(_Many):
    WORD: ClassVar[str] = "or"
    SIGN: ClassVar[str] = "|"

    def holds(self, get: Getter, env: Env | None = None) -> bool:
        return any(p.holds(get, env) for p in self.parts)

    def expr(self, c: Any) -> Any:
        return c.pl.any_horizontal([p.expr(c) for p in self.parts])


@attrs.frozen
class _Compare(Cond):
    """``field op other``, ``other`` a field or a number known for the file, compared as
    numbers (a date ``ÅÅÅÅMMDD`` and a month ``ÅÅÅÅMM`` in order): false where either
    side is no number."""

    name: str
    op: str
    other: Known | Field

    def _right(self, get: Getter, env: Env | None) -> int | None:
        if isinstance(self.other, Field):
            return _int(get(self.other.name))
        if env is None:
            raise ValueError(f"{self!r} compares with the file's {self.other!r}: give env=")
        return self.other.number(env)

    def holds(self, get: Getter, env: Env | None = None) -> bool:
        left, right = _int(get(self.name)), self._right(get, env)
        return left is not None and right is not None and bool(_ORDER[self.op](left, right))

    def expr(self, c: Any) -> Any:
        right = (
            c.int(self.other.name)
            if isinstance(self.other, Field)
            else c.pl.lit(self.other.number(c.ctx))
        )
        return _ORDER[self.op](c.int(self.name), right).fill_null(False)

    def fields(self) -> frozenset[str]:
        if isinstance(self.other, Field):
            return frozenset((self.name, self.other.name))
        return frozenset((self.name,))

    def known(self) -> tuple[Known, ...]:
        return () if isinstance(self.other, Field) else (self.other,)

    def source(self) -> str:
        def number(n: str) -> str:
            return f"(v_{n} if v_{n}.__class__ is int else _num(v_{n}))"

        right = (
            number(self.other.name)
            if isinstance(self.other, Field)
            else f"k_{_KNOWN_NAMES.setdefault(self.other, len(_KNOWN_NAMES))}"
        )
        return f"_order2({number(self.name)}, {self.op!r}, {right})"

    def __repr__(self) -> str:
        other = self.other.name if isinstance(self.other, Field) else repr(self.other)
        return f"{self.name} {self.op} {other}"


_KNOWN_NAMES: dict[Known, int] = {}
"""A variable number per :class:`Known` in compiled rules (``k_<n>``)."""


def _order2(a: int | None, op: str, b: int | None) -> bool:
    """``a op b``, false where either is no number."""
    return a is not None and b is not None and bool(_ORDER[op](a, b))


_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@attrs.frozen(eq=False)
class Field:
    """A field of the line, to compare: ``field("x") == "0"``, ``field("x") == 0``
    and ``field("x") > 0`` (as a number: false where it is none), ``.isin(...)``,
    ``.empty()``, ``.given()``."""

    name: str

    def empty(self) -> Cond:
        return _Atom(
            self.name,
            lambda t: t == "",
            lambda c, n: c.empty(n),
            f"{self.name} empty",
            '{v} is None or {v} == ""',
        )

    def given(self) -> Cond:
        return ~self.empty()

    def __eq__(self, value: object) -> Cond:  # type: ignore[override]
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise TypeError(f"compare a field with a str or an int, not {value!r}")
        if isinstance(value, int):
            n = value
            return _Atom(
                self.name,
                lambda t: _int(t) == n,
                lambda c, name: c.int(name) == n,
                f"{self.name} == {n}",
                f"{{n}} == {n!r}",
            )
        s = value
        return _Atom(
            self.name,
            lambda t: t == s,
            lambda c, name: c[name] == s,
            f"{self.name} == {s!r}",
            "{t} == " + _lit(s),
        )

    def __ne__(self, value: object) -> Cond:  # type: ignore[override]
        return ~(self == value)

    def _order(self, op: str, n: int | Known | Field) -> Cond:
        if isinstance(n, (Known, Field)):
            return _Compare(self.name, op, n)
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError(f"order a field against an int, a param or a field, not {n!r}")
        test: Callable[[int, int], bool] = _ORDER[op]

        def holds(t: str) -> bool:
            v = _int(t)
            return v is not None and test(v, n)

        return _Atom(
            self.name,
            holds,
            lambda c, name: test(c.int(name), n),
            f"{self.name} {op} {n}",
            f"_order({{n}}, {op!r}, {n!r})",
        )

    def __lt__(self, n: int | Known | Field) -> Cond:
        return self._order("<", n)

    def __le__(self, n: int | Known | Field) -> Cond:
        return self._order("<=", n)

    def __gt__(self, n: int | Known | Field) -> Cond:
        return self._order(">", n)

    def __ge__(self, n: int | Known | Field) -> Cond:
        return self._order(">=", n)

    def __hash__(self) -> int:
        return hash(self.name)

    def isin(self, values: Iterable[str]) -> Cond:
        allowed = tuple(values)
        return _Atom(
            self.name,
            lambda t: t in allowed,
            lambda c, name: c[name].is_in(list(allowed)),
            f"{self.name} in {allowed!r}",
            "{t} in " + _lit(allowed),
        )


def field(name: str) -> Field:
    """The field ``name`` of a line."""
    return Field(name)


@attrs.frozen
class Check:
    """One simple rule's check: lines that fail ``cond`` give ``code`` on ``field``
    (the finding's value is that field's). ``args``: message parameters read from the
    line (parameter → field); ``extra``: parameters computed from the record (wording
    only, never part of the condition; it may also set the finding's ``value``)."""

    code: str
    field: str
    cond: Cond
    args: Mapping[str, str | Known] = attrs.field(factory=dict)
    """Message parameter -> the field whose value it is, or a number of the file
    (:func:`param`, :data:`REFERENCE_DAY`, :data:`YEAR`)."""
    extra: Callable[[Any], Mapping[str, object]] | None = None

    def holds(self, get: Getter, env: Env | None = None) -> bool:
        """Whether the line (its fields as text) passes the check (``env``: the file's
        params and dates, where the check compares with them)."""
        return self.cond.holds(get, env)

    def fails(self, c: Any) -> Any:
        """The polars expression true exactly where the check fails."""
        return ~self.cond.expr(c)

    def fields(self) -> frozenset[str]:
        named = frozenset(v for v in self.args.values() if isinstance(v, str))
        return self.cond.fields() | {self.field} | named


def record_getter(rec: Any) -> Getter:
    """A record's fields as the text of a file (``""`` for ``None``)."""
    return lambda name: to_text(getattr(rec, name))


def record_rule(checks: tuple[Check, ...]) -> Callable[[Any, int, Any], list[Any]]:
    """The row engine's rule of ``checks``: a finding for each check the record fails,
    in the order declared. Compiled into one function (it runs on every line): each
    field read once as text, each condition one Python expression."""
    names = sorted(frozenset().union(*(c.cond.fields() for c in checks)))
    body = ["def rule(rec, line, ctx):"]
    atoms = "".join(c.cond.source() for c in checks)
    for name in names:
        v = f"v_{name}"
        body.append(f"    {v} = rec.{name}")
        if f"t_{name}" in atoms:  # read as text
            text = f"{v} if {v}.__class__ is str else _to_text({v})"
            body.append(f'    t_{name} = "" if {v} is None else {text}')
    known = tuple(dict.fromkeys(k for c in checks for k in c.cond.known()))
    for k in known:
        i = _KNOWN_NAMES.setdefault(k, len(_KNOWN_NAMES))
        body.append(f"    k_{i} = _known[{known.index(k)}].number(ctx)")
    body.append("    out = []")
    for i, check in enumerate(checks):
        body.append(f"    if not {check.cond.source()}:")
        body.append(f"        out.append(_emit(_checks[{i}], rec, line, ctx))")
    body.append("    return out")
    source = "\n".join(body) + "\n"
    env: dict[str, Any] = {
        "_to_text": to_text,
        "_int": _int,
        "_order": _order,
        "_order2": _order2,
        "_known": known,
        "_num": _num,
        "_emit": _emit,
        "_checks": checks,
    }
    codes = ",".join(dict.fromkeys(c.code for c in checks))
    exec(compile(source, f"<sosreg simple rule {codes}>", "exec"), env)
    rule: Callable[[Any, int, Any], list[Any]] = env["rule"]
    return rule


def _emit(check: Check, rec: Any, line: int, ctx: Any) -> Any:
    """The finding of ``check`` failed on ``rec``."""
    get = record_getter(rec)
    value = getattr(rec, check.field)
    params: dict[str, Any] = {
        "line": line,
        "field": check.field,
        "value": None if value is None else to_text(value),
    }
    params.update(
        {k: get(f) if isinstance(f, str) else f.message(ctx) for k, f in check.args.items()}
    )
    if check.extra is not None:
        params.update(check.extra(rec))
    return ctx.finding(check.code, **params)


def mask(checks: tuple[Check, ...]) -> Callable[[Any], Any]:
    """The columnar engine's mask of ``checks``: true exactly where one fails."""

    def derived(c: Any) -> Any:
        return c.pl.any_horizontal([check.fails(c) for check in checks])

    return derived


def choose(
    check: Check,
    get: Getter,
    name: str,
    candidates: Iterable[str],
    *,
    valid: bool = True,
    env: Env | None = None,
) -> str | None:
    """The first of ``candidates`` (an iterable, drawn lazily) that, as the value of
    field ``name``, makes the line pass ``check`` (``valid=False``: fail it), else
    ``None``. The generators keep valid lines valid with it; injectors break them.
    ``env``: the file's params and dates, for a check that compares with them."""

    def with_value(value: str) -> Getter:
        return lambda n: value if n == name else get(n)

    for value in candidates:
        if check.holds(with_value(value), env) is valid:
            return value
    return None


def values(
    check: Check,
    get: Getter,
    name: str,
    candidates: Iterable[str],
    *,
    valid: bool = True,
    env: Env | None = None,
) -> list[str]:
    """Those of ``candidates`` that, as the value of field ``name``, make the line pass
    ``check`` (``valid=False``: fail it), in their order: a pool to draw from."""

    def with_value(value: str) -> Getter:
        return lambda n: value if n == name else get(n)

    return [v for v in candidates if check.holds(with_value(v), env) is valid]


def lazily(*items: Callable[[], str] | str) -> Iterator[str]:
    """Candidates for :func:`choose`: plain values, and callables called only when
    reached (a random draw made only if needed)."""
    for v in items:
        yield v() if callable(v) else v
