"""Generate valid register files, and damage them on purpose.

:func:`generate` writes a file (a BU delivery: three files) that :func:`sosreg.validate`
finds *godkänd* with no warnings, with a Filip-style name, for any register, file,
statistikår, period and kommun. With ``inject``, chosen lines are damaged so that
exactly the named rules fire, and the findings a validator should report are written
beside the file as JSON (``<name>.expected.json``): a test bed for a vendor's export or
validator.

>>> import sosreg
>>> out = sosreg.generate("sol", "sol1", 2023, 5, seed=7, out=None)
>>> out.files[0].name
'SOL1_0180_202301_20230214T0900.txt'
>>> sosreg.validate(out.files[0].data, name=out.files[0].name).status.value
'godkänd'
>>> bad = sosreg.generate("sol", "sol1", 2023, 5, seed=7, inject="SOS-104:2", out=None)
>>> [(e.code, e.line) for e in bad.files[0].expected]
[('SOS-104', 1), ('SOS-104', 3)]

Everything is deterministic for a seed, on every platform: all randomness comes from
one :class:`random.Random` per stream, and only through its ``random()`` method (whose
sequence Python promises to keep), never from ``hash()``-ordered sets or dicts.

How it is put together:

* each register has ``sosreg/registers/<name>/generate.py``: a :class:`Maker` that makes
  valid records, one *unit* at a time (one line; for BU a child with its insatser and
  placeringar, across the three files) and the register's own injectors
  (``INJECTORS``); :func:`records` gives any file's lines as a plain iterator;
* the injectors every register gets are here: the line stage (SOS-101…112), the kommun
  (SOS-214), and every field check (SOS-201…213 and the register codes fields give
  them, e.g. EKB-013) derived from the specs: a table from check to a damage function
  (:data:`FIELD_DAMAGE`);
* rules that cannot be injected say why in :data:`NOT_INJECTABLE`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import io
import json
import os
import random
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Final, TypeVar

import attrs

from sosreg import codelists as _codelists
from sosreg.codelists import CodeList, Validity
from sosreg.engine.findings import Severity, Status
from sosreg.engine.pipeline import UsageError, coerce_period
from sosreg.engine.register import REGISTRY
from sosreg.engine.rules import CATALOGUE
from sosreg.engine.source import MAX_LINE
from sosreg.engine.spec import CHECKS, FieldSpec, FileSpec
from sosreg.engine.values import YearMonth

__all__ = [
    "DEFAULT_KOMMUN",
    "FIELD_DAMAGE",
    "NOT_INJECTABLE",
    "Expected",
    "Generated",
    "GeneratedFile",
    "InjectContext",
    "Injector",
    "Line",
    "Maker",
    "People",
    "Rand",
    "file_name",
    "files_for",
    "generate",
    "injectable",
    "injectors",
    "parse_inject",
    "timestamp",
]

T = TypeVar("T")

DEFAULT_KOMMUN: Final = "0180"
"""The kommun of a generated file when none is given (Stockholm)."""

CHUNK_LINES: Final = 8192
"""Lines written at a time."""

TABLE_ROWS: Final = 1024
GROUP: Final = 4
"""Code fields are drawn :data:`GROUP` at a time from tables of :data:`TABLE_ROWS` rows
(see :meth:`Maker.draw`)."""

HISTORY: Final = 32
"""Undamaged lines an injector that copies an earlier line chooses from."""
WINDOW: Final = 1024
"""Units kept before they are written: an injection that no unit after its planned one
lends itself to is tried on these (undamaged, never copied) units at the end."""


# --- randomness ------------------------------------------------------------------------


class Rand:
    """Deterministic randomness on every platform: everything comes from
    :meth:`random.Random.random` (the one method whose sequence Python keeps across
    versions), turned into integers by multiplication, never through ``hash()``."""

    __slots__ = ("random",)

    def __init__(self, seed: int | str | random.Random) -> None:
        source = seed if isinstance(seed, random.Random) else random.Random(seed)
        self.random: Callable[[], float] = source.random

    def below(self, n: int) -> int:
        """An integer in ``[0, n)``."""
        return int(self.random() * n)

    def between(self, lo: int, hi: int) -> int:
        """An integer in ``[lo, hi]``."""
        return lo + int(self.random() * (hi - lo + 1))

    def choice(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.random() < p

    def date(self, lo: dt.date, hi: dt.date) -> dt.date:
        """A day in ``[lo, hi]``."""
        return dt.date.fromordinal(self.between(lo.toordinal(), hi.toordinal()))

    def shuffled(self, items: Iterable[T]) -> list[T]:
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.below(i + 1)
            out[i], out[j] = out[j], out[i]
        return out

    def sample(self, n: int, k: int) -> list[int]:
        """``k`` distinct integers of ``[0, n)``, sorted (Floyd's algorithm)."""
        chosen: set[int] = set()
        for j in range(n - k, n):
            t = self.below(j + 1)
            chosen.add(j if t in chosen else t)
        return sorted(chosen)


def weighted(codes: Sequence[str], weights: Mapping[str, int]) -> tuple[str, ...]:
    """``codes`` repeated by their weight (default 1): a pool to draw from with
    :meth:`Rand.choice`, in the codes' own order."""
    return tuple(c for c in codes for _ in range(weights.get(c, 1)))


# --- identities -----------------------------------------------------------------------

_DOUBLE: Final = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)
"""2·d with its digits summed (the Luhn weight 2)."""
_SERIAL_SUM: Final = tuple(
    _DOUBLE[s // 100] + (s // 10) % 10 + _DOUBLE[s % 10] for s in range(1000)
)
MAIN_SERIALS: Final = 900
"""Serial numbers 000–899 are the clean file's, 900–999 the injections': an injected
person never takes a number the clean file uses later, so a damaged file differs from
the clean one only on its damaged lines."""


class People:
    """Identities that are unique within one generated file (or BU delivery)."""

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._days: dict[int, tuple[str, str, int]] = {}
        self._t3: set[int] = set()
        self._t3_count = [0, 0]

    def _day(self, ordinal: int, plus: int) -> tuple[str, str, int]:
        """(century, ÅÅMMDD with ``plus`` added to the day, Luhn sum of ÅÅMMDD)."""
        key = ordinal * 2 + (plus > 0)
        got = self._days.get(key)
        if got is None:
            d = dt.date.fromordinal(ordinal)
            body = f"{d.year % 100:02d}{d.month:02d}{d.day + plus:02d}"
            total = sum(_DOUBLE[int(c)] if i % 2 == 0 else int(c) for i, c in enumerate(body))
            got = (f"{d.year // 100:02d}", body, total)
            self._days[key] = got
        return got

    def number(
        self,
        rng: Rand,
        born: tuple[dt.date, dt.date],
        *,
        snr: bool = False,
        sex: str | None = None,
        extra: bool = False,
    ) -> str:
        """A personnummer (``snr``: samordningsnummer, day + 60) born in ``born``
        (inclusive), never given before; ``sex`` ``"M"``/``"K"`` fixes the
        second-to-last digit; ``extra`` draws from the injections' serial numbers."""
        lo = born[0].toordinal()
        days = born[1].toordinal() - lo + 1
        base = MAIN_SERIALS if extra else 0
        span = 1000 - MAIN_SERIALS if extra else MAIN_SERIALS
        r = rng.random
        seen = self._seen
        for _ in range(10_000):
            ordinal = lo + int(r() * days)
            serial = base + int(r() * span)
            if sex is not None and (serial % 2 == 1) != (sex == "M"):
                serial = serial + 1 if serial % 2 == 0 else serial - 1
                if not base <= serial < base + span:
                    continue
            key = (ordinal * 2 + snr) * 1000 + serial
            if key in seen:
                continue
            seen.add(key)
            got = self._days.get(ordinal * 2 + snr)
            if got is None:
                got = self._day(ordinal, 60 if snr else 0)
            century, body, total = got
            return f"{century}{body}{serial:03d}{-(total + _SERIAL_SUM[serial]) % 10}"
        raise UsageError(f"cannot find a new identity born {born[0]}–{born[1]}: too many lines")

    def t3(self, rng: Rand, born: tuple[dt.date, dt.date], *, extra: bool = False) -> str | None:
        """A temporary id ``ÅÅÅÅMMDDTnnn`` whose three digits no other has (BU-054),
        or ``None`` when they are used up."""
        base = MAIN_SERIALS if extra else 0
        span = 1000 - MAIN_SERIALS if extra else MAIN_SERIALS
        if self._t3_count[extra] >= span:
            return None
        while True:
            number = base + rng.below(span)
            if number not in self._t3:
                self._t3.add(number)
                self._t3_count[extra] += 1
                return f"{ymd(rng.date(*born))}T{number:03d}"


def ymd(day: dt.date) -> str:
    """``ÅÅÅÅMMDD``."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


_DAY_TEXT: dict[int, str] = {}


def day_text(ordinal: int) -> str:
    """``ÅÅÅÅMMDD`` of a proleptic Gregorian ordinal (cached: files repeat days)."""
    text = _DAY_TEXT.get(ordinal)
    if text is None:
        text = ymd(dt.date.fromordinal(ordinal))
        if len(_DAY_TEXT) < 1 << 17:
            _DAY_TEXT[ordinal] = text
    return text


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def born_for_age(on: dt.date, lo: int, hi: int) -> tuple[dt.date, dt.date]:
    """Birth days of persons whose age on ``on`` is in ``[lo, hi]``."""
    return add_years(on, -hi - 1) + dt.timedelta(days=1), add_years(on, -lo)


def sex_of(number: str) -> str:
    """``"M"`` or ``"K"``: the second-to-last digit of a 12-digit number."""
    return "M" if int(number[10]) % 2 else "K"


# --- lines, units and the makers --------------------------------------------------------


class Line:
    """One line of a unit, as an injector sees it: its fields by name, or a raw text
    (for damage to the line as a whole), and the rules expected to fire on it."""

    __slots__ = ("expect", "fields", "file", "pos", "text")

    def __init__(self, file: str, text: str, pos: Mapping[str, int]) -> None:
        self.file = file
        self.fields: list[str] = text.split(";")
        self.pos = pos
        self.text: str | None = None
        """A raw text written instead of the fields (line-level damage)."""
        self.expect: list[str] = []

    def __getitem__(self, name: str) -> str:
        return self.fields[self.pos[name]]

    def __setitem__(self, name: str, value: str) -> None:
        self.fields[self.pos[name]] = value

    def has(self, name: str) -> bool:
        return name in self.pos

    def copy(self) -> Line:
        new = Line(self.file, "", self.pos)
        new.fields = list(self.fields)
        return new

    def joined(self) -> str:
        return ";".join(self.fields)

    def render(self) -> str:
        return self.text if self.text is not None else ";".join(self.fields)

    def expecting(self, *codes: str) -> list[Line]:
        """This line, expecting ``codes`` (an injector's usual return value)."""
        self.expect.extend(codes)
        return [self]


Unit = list[tuple[str, str]]
"""What a :class:`Maker` makes at a time: (file, line text) pairs."""


class Maker:
    """Makes valid records of a register, one unit at a time.

    Subclasses (one per register, in ``registers/<name>/generate.py``) implement
    :meth:`unit`; ``specs`` holds the spec of every file of the unit (BU: all three,
    even when only one is written). ``lists`` replaces built-in code lists by name."""

    register: str = ""

    def __init__(
        self,
        specs: Mapping[str, FileSpec],
        year: int,
        period: YearMonth | int,
        kommun: str,
        lists: Mapping[str, CodeList] | None = None,
    ) -> None:
        self.specs = dict(specs)
        self.year = year
        self.period = period
        self.kommun = kommun
        self.lists = dict(lists or {})
        self.people = People()
        self._codes: dict[str, tuple[str, ...]] = {}
        self._plans: dict[int, tuple[object, list[tuple[Sequence[tuple[str, ...]], int]]]] = {}

    @property
    def spec(self) -> FileSpec:
        """The spec of a one-file maker."""
        (only,) = self.specs.values()
        return only

    def codelist(self, name: str) -> CodeList | None:
        if name in self.lists:
            return self.lists[name]
        try:
            return _codelists.get(name)
        except KeyError:
            return None

    def codes(self, name: str) -> tuple[str, ...]:
        """The codes of list ``name`` valid in the year, without a warning, in list
        order."""
        got = self._codes.get(name)
        if got is None:
            cl = self.codelist(name)
            when = _codelists.when_of(self.period)  # a code may be valid from a month
            got = tuple(c.code for c in cl.as_of(when) if c.warning is None) if cl else ()
            self._codes[name] = got
        return got

    def pools(
        self, spec: FileSpec, weights: Mapping[str, Mapping[str, int]] | None = None
    ) -> list[tuple[str, ...]]:
        """Per field of ``spec``, the values to draw from: the kommun, the period, a
        code field's codes (weighted by ``weights[field or list name]``), else ``""``
        (a field the register fills itself)."""
        weights = weights or {}
        out: list[tuple[str, ...]] = []
        for f in spec.fields:
            if f.name == spec.kommun_field:
                pool: tuple[str, ...] = (self.kommun,)
            elif f.name == spec.period_field:
                pool = (str(self.period),)
            elif f.type == "code" and f.codelist and self.codes(f.codelist):
                w = weights.get(f.name) or weights.get(f.codelist) or {}
                pool = weighted(self.codes(f.codelist), w)
            else:
                pool = ("",)
            out.append(pool)
        return out

    def draw(self, rng: Rand, pools: Sequence[tuple[str, ...]]) -> list[str]:
        """One value from each pool (a record's fields).

        Fast: runs of fields with fixed values are copied, and the fields drawn are
        drawn four at a time, from a table of :data:`TABLE_ROWS` rows drawn from their
        pools when first needed (so each field's values follow its pool's weights)."""
        got = self._plans.get(id(pools))
        if got is not None and got[0] is pools:
            plan = got[1]
        else:
            plan = self._plan(rng, pools)
            self._plans[id(pools)] = (pools, plan)
        rec: list[str] = []
        extend = rec.extend
        r = rng.random
        for table, size in plan:
            extend(table[int(r() * size)] if size else table[0])
        return rec

    def _plan(
        self, rng: Rand, pools: Sequence[tuple[str, ...]]
    ) -> list[tuple[Sequence[tuple[str, ...]], int]]:
        plan: list[tuple[Sequence[tuple[str, ...]], int]] = []
        i = 0
        while i < len(pools):
            j = i
            if len(pools[i]) == 1:
                while j < len(pools) and len(pools[j]) == 1:
                    j += 1
                plan.append(([tuple(p[0] for p in pools[i:j])], 0))
            else:
                while j < len(pools) and len(pools[j]) > 1 and j - i < GROUP:
                    j += 1
                group = pools[i:j]
                rows = [tuple(rng.choice(p) for p in group) for _ in range(TABLE_ROWS)]
                plan.append((rows, TABLE_ROWS))
            i = j
        return plan

    def unit(self, rng: Rand) -> Unit:
        raise NotImplementedError

    def before_damage(self, lines: list[Line]) -> None:
        """Change a unit's ``lines`` before an injection damages them, where the
        register needs it to keep its other files consistent with the damage (EKB: a
        damaged household's EKB-AO line leaves the month). Default: nothing."""

    def field_ok(self, check: str, field: str, line: Line, ctx: InjectContext) -> bool:
        """Whether damaging ``field`` of ``line`` for generic ``check`` fires that
        check's rule and nothing else (a register's record rules may react to the
        damaged value: e.g. a quantity out of range whose flag says "no")."""
        return True

    def fill(self, field: str, line: Line, ctx: InjectContext) -> bool:
        """Give the empty optional ``field`` of ``line`` a valid value (and whatever
        goes with it), so that a field check can damage it; ``False`` if the register
        does not. Lets rare values (LSS's boendekommun) be damaged in small files."""
        return False


def records_of(maker: Maker, file: str, rng: Rand, n: int) -> Iterator[str]:
    """The lines of ``file`` in ``n`` units of ``maker``."""
    for _ in range(n):
        for f, text in maker.unit(rng):
            if f == file:
                yield text


def records(
    spec: FileSpec, year: int, period: YearMonth | int, rng: random.Random, n: int, kommun: str
) -> Iterator[str]:
    """``n`` units' valid lines of ``spec``'s file, as a plain iterator (for BU, the
    lines of the file for ``n`` children, the other two files made alongside)."""
    module = _module(spec.register)
    specs = {
        f: REGISTRY.resolve_spec(spec.register, f, year) for f in module.unit_files((spec.file,))
    }
    specs[spec.file] = spec
    maker = module.Maker(specs, year, period, kommun)
    return records_of(maker, spec.file, Rand(rng), n)


# --- injection ------------------------------------------------------------------------


@attrs.define
class InjectContext:
    """What an injector knows: its own randomness, the files, the maker (for new
    identities and records) and recent undamaged lines."""

    rng: Rand
    maker: Maker
    files: tuple[str, ...]
    """The files written."""
    history: dict[str, deque[tuple[int, str]]] = attrs.field(factory=dict)
    """Per file, (unit, line) of recent undamaged lines."""
    used: set[str] = attrs.field(factory=set)
    """Damaged values given so far (so that two damaged lines never collide)."""
    now: int = 0
    """The unit being damaged."""
    protected: set[int] = attrs.field(factory=set)
    """Units whose lines an injector has seen (and may have copied): never damaged."""

    @property
    def year(self) -> int:
        return self.maker.year

    @property
    def period(self) -> YearMonth | int:
        return self.maker.period

    @property
    def when(self) -> int:
        """What code lists are asked about (the month of a monthly file)."""
        return _codelists.when_of(self.maker.period)

    @property
    def kommun(self) -> str:
        return self.maker.kommun

    @property
    def delivery(self) -> bool:
        """Several files are written and will be checked together."""
        return len(self.files) > 1

    def spec(self, file: str) -> FileSpec:
        return self.maker.specs[file]

    def earlier(self, file: str) -> list[str]:
        """Undamaged lines of ``file`` before the unit being damaged (the
        :data:`HISTORY` most recent ones)."""
        found = [(i, text) for i, text in self.history.get(file, ()) if i < self.now]
        found = found[-HISTORY:]
        self.protected.update(i for i, _ in found)
        return [text for _, text in found]

    def fresh(self, value: str) -> bool:
        """``value`` was not given by an injection yet (and now is)."""
        if value in self.used:
            return False
        self.used.add(value)
        return True


LineFn = Callable[[Line, InjectContext], "list[Line] | None"]
UnitFn = Callable[[list[Line], InjectContext], bool]


@attrs.frozen
class Injector:
    """How to make rule ``code`` fire: ``apply(unit, ctx)`` damages a unit (one line;
    a BU child's lines) in place, marks the lines where findings are expected, and
    returns ``False`` when the unit offers nothing to damage (the injection then moves
    on to the next unit)."""

    code: str
    apply: UnitFn
    how: str
    """The damage, in a few words (English)."""
    files: tuple[str, ...] | None = None
    """The files whose lines it damages (``None``: any)."""
    needs: tuple[str, ...] = ()
    """Files that must be written together with them (cross-file rules)."""
    alone_in_delivery: bool = True
    """False: in a delivery of several files, the damage also fires other files'
    rules, so it is offered only when one file is written."""
    bom: bool = False
    """The file must be written with a UTF-8 byte order mark."""
    companions: tuple[str, ...] = ()
    """Rules that always fire with this one (their findings are expected too)."""

    def offered(self, files: Sequence[str]) -> bool:
        if self.files is not None and not set(self.files) & set(files):
            return False
        if not set(self.needs) <= set(files):
            return False
        return self.alone_in_delivery or len(files) == 1


def on_line(
    code: str,
    fn: LineFn,
    how: str,
    *,
    files: tuple[str, ...] | None = None,
    **kw: Any,
) -> Injector:
    """An injector that damages one line of the unit: ``fn(line, ctx)`` returns the
    lines that replace it (itself, changed, and any lines inserted), or ``None`` when
    the line does not lend itself."""

    def apply(unit: list[Line], ctx: InjectContext) -> bool:
        candidates = [
            i
            for i, line in enumerate(unit)
            if (files is None or line.file in files) and line.file in ctx.files
        ]
        for i in ctx.rng.shuffled(candidates):
            if unit[i].text is not None:
                continue
            result = fn(unit[i], ctx)
            if result is not None:
                unit[i : i + 1] = result
                return True
        return False

    apply.__name__ = getattr(fn, "__name__", code)
    return Injector(code, apply, how, files=files, **kw)


def on_unit(code: str, fn: UnitFn, how: str, **kw: Any) -> Injector:
    """An injector that damages the unit as a whole (e.g. a BU child across files)."""
    return Injector(code, fn, how, **kw)


# --- the line stage (SOS-1xx) ----------------------------------------------------------


def _fields_of_kind(line: Line, ctx: InjectContext, kinds: tuple[str, ...]) -> list[int]:
    spec = ctx.spec(line.file)
    return [i for i, f in enumerate(spec.fields) if f.type in kinds]


def _inner_fields(line: Line, ctx: InjectContext) -> list[int]:
    """Positions of non-empty fields that are neither first nor last, nor the kommun
    or period (which decide the file's facts when it has no Filip name)."""
    spec = ctx.spec(line.file)
    skip = {spec.kommun_field, spec.period_field, spec.period_hint_field}
    last = len(line.fields) - 1
    return [
        i
        for i, f in enumerate(spec.fields)
        if 0 < i < last and line.fields[i] and f.name not in skip
    ]


def _blank_line(line: Line, ctx: InjectContext) -> list[Line]:
    blank = line.copy()
    blank.text = ""
    return [line, *blank.expecting("SOS-101")]


def _long_line(line: Line, ctx: InjectContext) -> list[Line]:
    long = line.copy()
    long.text = line.joined() + "9" * (MAX_LINE + 1)
    return [line, *long.expecting("SOS-102")]


def _control(line: Line, ctx: InjectContext) -> list[Line] | None:
    inner = _inner_fields(line, ctx)
    if not inner:
        return None
    i = ctx.rng.choice(inner)
    line.fields[i] = line.fields[i] + "\x01"
    return line.expecting("SOS-103")


def _quoted_line(line: Line, ctx: InjectContext) -> list[Line]:
    line.text = f'"{line.joined()}"'
    return line.expecting("SOS-104")


def _quoted_value(line: Line, ctx: InjectContext) -> list[Line] | None:
    inner = _inner_fields(line, ctx)
    if not inner:
        return None
    i = ctx.rng.choice(inner)
    line.fields[i] = f'"{line.fields[i]}"'
    return line.expecting("SOS-105")


def _header(line: Line, ctx: InjectContext) -> list[Line]:
    header = line.copy()
    header.text = ";".join(f.label for f in ctx.spec(line.file).fields)
    return [*header.expecting("SOS-106"), line]


def _tabs(line: Line, ctx: InjectContext) -> list[Line]:
    line.text = "\t".join(line.fields)
    return line.expecting("SOS-107")


def _short_line(line: Line, ctx: InjectContext) -> list[Line]:
    short = line.copy()
    short.text = ";".join(line.fields[:-1])
    return [line, *short.expecting("SOS-108")]


def _trailing_semicolon(line: Line, ctx: InjectContext) -> list[Line]:
    line.text = line.joined() + ";"
    return line.expecting("SOS-109")


def _spaces(line: Line, ctx: InjectContext) -> list[Line] | None:
    inner = _inner_fields(line, ctx)
    if not inner:
        return None
    i = ctx.rng.choice(inner)
    line.fields[i] = " " + line.fields[i]
    return line.expecting("SOS-110")


def _split_line(line: Line, ctx: InjectContext) -> list[Line] | None:
    """A copy of the line broken inside a field of digits: two short lines."""
    inner = [
        i
        for i in _inner_fields(line, ctx)
        if len(line.fields[i]) >= 2 and line.fields[i].isdigit() and i < len(line.fields) - 2
    ]
    if not inner:
        return None
    i = ctx.rng.choice(inner)
    value = line.fields[i]
    cut = len(value) // 2
    first, second = line.copy(), line.copy()
    first.text = ";".join([*line.fields[:i], value[:cut]])
    second.text = ";".join([value[cut:], *line.fields[i + 1 :]])
    first.expect += ["SOS-111", "SOS-108"]
    second.expect.append("SOS-108")
    return [line, first, second]


def _bad_byte(line: Line, ctx: InjectContext) -> list[Line] | None:
    """A byte that is not UTF-8 (``\\xff``) in a text field (the file has a BOM, so it
    is read as UTF-8 and the byte is replaced)."""
    spec = ctx.spec(line.file)
    texts = [i for i, f in enumerate(spec.fields) if f.type == "text" and not line.fields[i]]
    if not texts:
        return None
    line.fields[ctx.rng.choice(texts)] = "\udcff"
    return line.expecting("SOS-112")


def _zero_width_bom(line: Line, ctx: InjectContext) -> list[Line] | None:
    """A byte order mark (U+FEFF, invisible) as the value of an empty text field."""
    spec = ctx.spec(line.file)
    texts = [i for i, f in enumerate(spec.fields) if f.type == "text" and not line.fields[i]]
    if not texts:
        return None
    line.fields[ctx.rng.choice(texts)] = "\ufeff"
    return line.expecting("SOS-019")


def _other_kommun(line: Line, ctx: InjectContext) -> list[Line] | None:
    name = ctx.spec(line.file).kommun_field
    if name is None:
        return None
    taken = set(line.fields)
    choices = [k for k in ctx.maker.codes("kommun") if k not in taken and k != ctx.kommun]
    line[name] = ctx.rng.choice(choices)
    return line.expecting("SOS-214")


LINE_INJECTORS: Final = (
    on_line("SOS-101", _blank_line, "insert a blank line"),
    on_line("SOS-102", _long_line, f"insert a copy of a line longer than {MAX_LINE} characters"),
    on_line("SOS-103", _control, "a control character (\\x01) in a value"),
    on_line("SOS-104", _quoted_line, "quotes around the whole line"),
    on_line("SOS-105", _quoted_value, "quotes around one value"),
    on_line("SOS-106", _header, "insert a header line (the fields' labels)"),
    on_line("SOS-107", _tabs, "tabs instead of semicolons"),
    on_line("SOS-108", _short_line, "insert a copy of a line without its last field"),
    on_line("SOS-109", _trailing_semicolon, "a semicolon ending the line"),
    on_line("SOS-110", _spaces, "a space before a value"),
    on_line(
        "SOS-111",
        _split_line,
        "insert a copy of a line broken in two inside a value",
        companions=("SOS-108",),
    ),
    on_line("SOS-112", _bad_byte, "a byte that is not UTF-8 in a text field", bom=True),
    on_line("SOS-019", _zero_width_bom, "a byte order mark (U+FEFF) as a text field's value"),
    on_line("SOS-214", _other_kommun, "another kommun's code on the line"),
)


# --- field checks (SOS-2xx and the register codes fields give them) -------------------------

FieldDamage = Callable[[FieldSpec, str, Line, InjectContext], "str | None"]
"""``(field, value, line, ctx) -> damaged value`` (``None``: not this value)."""

_NUMERIC: Final = ("integer", "amount", "year")
_UNKNOWN_TRIES: Final = ("99", "98", "97", "Q", "QQ", "QQQ")


def _list_of(f: FieldSpec, ctx: InjectContext) -> CodeList | None:
    if f.codelist is None:
        return None
    cl = ctx.maker.codelist(f.codelist)
    return cl if cl is not None and cl.as_of(ctx.when) else None


def _shape_ok(f: FieldSpec, value: str) -> bool:
    """``value`` passes the field's pattern and none of its rejects (so that a code
    check, not a shape check, decides)."""
    if f.pattern and not re.fullmatch(f.pattern, value, re.ASCII):
        return False
    return not any(re.search(rx, value, re.ASCII) for rx in f.reject.values())


def _mandatory(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    return "" if f.mandatory and value else None


def _format(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    if not value:
        return None
    if f.type == "date":
        return value[:6] + "32"
    if f.type == "yearmonth":
        return value[:4] + "13"
    if f.type == "year":
        return value[2:]
    if f.type == "integer":
        return "0" + value
    if f.type == "amount":
        return value + ",50"
    if f.type == "code" and f.pattern:
        low = value.lower()
        return low if low != value else None
    return None


def _length(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    if f.type != "text" or f.length is None:
        return None
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[: f.length + 1] if f.length < 26 else "X" * (f.length + 1)


def _range(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    if f.type not in ("integer", "amount") or not value:
        return None
    special = ctx.maker.codes(f.special) if f.special else ()
    for candidate in (
        f.max + 1 if f.max is not None else None,
        f.min - 1 if f.min is not None and (f.min > 0 or f.type == "amount") else None,
    ):
        if candidate is not None and str(candidate) not in special:
            return str(candidate)
    return None


def _unknown(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    cl = _list_of(f, ctx)
    if cl is None or not value:
        return None
    width = f.width or cl.width
    tries = [c * width for c in "987Q"] if width else list(_UNKNOWN_TRIES)
    # a code of the field's shape: the value with one character changed
    tries += [
        value[:i] + c + value[i + 1 :]
        for i in range(len(value) - 1, -1, -1)
        for c in ("0123456789" if value[i].isdigit() else "QXZ")
    ]
    for candidate in tries:
        if candidate not in cl and _shape_ok(f, candidate):
            return candidate
    return None


def _listed(
    f: FieldSpec,
    value: str,
    line: Line,
    ctx: InjectContext,
    status: Validity,
    *,
    warning: bool = False,
) -> str | None:
    cl = _list_of(f, ctx)
    if cl is None or not value:
        return None
    found = [
        c.code
        for c in cl.codes
        if cl.lookup(c.code, ctx.when)[0] is status
        and (c.warning is not None) == warning
        and _shape_ok(f, c.code)
        and c.code not in line.fields
    ]
    return ctx.rng.choice(found) if found else None


def _expired(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    return _listed(f, value, line, ctx, Validity.EXPIRED)


def _not_yet(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    return _listed(f, value, line, ctx, Validity.NOT_YET)


def _flagged(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    return _listed(f, value, line, ctx, Validity.VALID, warning=True)


def _lost_zero(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    cl = _list_of(f, ctx)
    width = (f.width or cl.width) if cl is not None else None
    if cl is None or width is None or not value:
        return None
    zeros = [value] if value.startswith("0") else []
    zeros += [c for c in ctx.maker.codes(f.codelist or "") if c.startswith("0") and c != value]
    for code in zeros:
        short = code[1:]
        if cl.lookup(short, ctx.when)[0] is Validity.UNKNOWN and code not in line.fields:
            return short
    return None


def _identity(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    if len(value) != 12 or not value.isdigit():
        return None
    return value[:11] + str((int(value[11]) + 1) % 10)


def _scientific(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    if len(value) != 12 or not value.isdigit():
        return None
    text = f"{value[0]},{value[1:6]}E+11"
    return text if ctx.fresh(f"{f.name}:{text}") else None


def _period(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    period = ctx.period
    if f.type == "year":
        return str((period.year if isinstance(period, YearMonth) else period) + 1)
    if f.type == "yearmonth" and isinstance(period, YearMonth):
        return str(period + 1)
    return None


def _padded(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    if f.pad_width is None or not value or len(value) >= f.pad_width:
        return None
    return value + "0" * (f.pad_width - len(value))


def _identity_number(f: FieldSpec, value: str, line: Line, ctx: InjectContext) -> str | None:
    """A personnummer where a number belongs (SOS-215): Skatteverket's test number."""
    return "191212121212"


FIELD_DAMAGE: Final[Mapping[str, FieldDamage]] = {
    "mandatory": _mandatory,
    "format": _format,
    "length": _length,
    "range": _range,
    "code.unknown": _unknown,
    "code.expired": _expired,
    "code.not_yet": _not_yet,
    "code.lost_zero": _lost_zero,
    "code.flagged": _flagged,
    "identity": _identity,
    "identity.scientific": _scientific,
    "period.mismatch": _period,
    "code.padded": _padded,
    "number.identity": _identity_number,
}
"""Generic field check -> how to damage a value so that the check fires (every check
of :data:`sosreg.engine.spec.CHECKS`)."""

FIELD_HOW: Final[Mapping[str, str]] = {
    "mandatory": "blank a mandatory value",
    "format": "a value of the wrong form",
    "length": "a value one character too long",
    "range": "a number just outside its range",
    "code.unknown": "a code not in the code list",
    "code.expired": "a code that is no longer valid",
    "code.not_yet": "a code not yet valid",
    "code.lost_zero": "a code with its leading zero dropped",
    "code.flagged": "a code the list flags with a warning",
    "identity": "a personnummer with a wrong check digit",
    "identity.scientific": "a personnummer in scientific notation (1,99201E+11)",
    "period.mismatch": "another period on the line",
    "code.padded": "a code padded with zeros",
    "number.identity": "a personnummer in a number field",
}


FORMAT_HOW: Final[Mapping[str, str]] = {
    "date": "a day 32",
    "yearmonth": "a month 13",
    "year": "a year of two digits",
    "integer": "a leading zero",
    "amount": "decimals, ',50'",
    "code": "the code in lower case",
}
"""How :func:`_format` damages a value, by field type (the ``format`` check)."""


def how(check: str, f: FieldSpec) -> str:
    """How the injector damages field ``f`` so that ``check`` fires, in words."""
    return FORMAT_HOW[f.type] if check == "format" else FIELD_HOW[check]


def _applies(check: str, f: FieldSpec, spec: FileSpec) -> bool:
    """Can ``check`` fire on field ``f`` at all?"""
    if f.name == spec.kommun_field:
        return False  # any change of the kommun is also SOS-214
    if check == "period.mismatch":
        return f.name == spec.period_field
    if check == "mandatory":
        return f.mandatory
    if check == "format":
        return f.type in (*_NUMERIC, "date", "yearmonth") or bool(f.type == "code" and f.pattern)
    if check == "length":
        return f.type == "text" and f.length is not None
    if check == "range":
        return f.type in ("integer", "amount") and (f.min is not None or f.max is not None)
    if check.startswith("code."):
        return (
            f.type == "code"
            and f.codelist is not None
            and (check != "code.padded" or f.pad_width is not None)
        )
    if check.startswith("identity"):
        return f.type == "identity"
    if check == "number.identity":
        return f.type in ("integer", "amount")
    return False


def field_targets(spec: FileSpec, code: str) -> list[tuple[FieldSpec, str]]:
    """The (field, check) pairs of ``spec`` that report rule ``code``."""
    return [
        (f, check)
        for f in spec.fields
        for check in CHECKS
        if f.rule_for(check) == code and _applies(check, f, spec)
    ]


def _field_injector(file: str, code: str, targets: list[tuple[FieldSpec, str]]) -> Injector:
    def damage(line: Line, ctx: InjectContext) -> list[Line] | None:
        for f, check in ctx.rng.shuffled(targets):
            if not ctx.maker.field_ok(check, f.name, line, ctx):
                continue
            before = list(line.fields)
            if not line[f.name] and check not in ("mandatory", "length"):
                ctx.maker.fill(f.name, line, ctx)
            value = line[f.name]
            new = FIELD_DAMAGE[check](f, value, line, ctx)
            if new is not None and new != value:
                line[f.name] = new
                return line.expecting(code)
            line.fields = before
        return None

    hows = sorted({how(check, f) for f, check in targets})
    names = sorted({f.name for f, _ in targets})
    return on_line(code, damage, f"{'; '.join(hows)} ({', '.join(names)})", files=(file,))


def value_injector(
    code: str,
    file: str,
    fields: Sequence[str],
    value: Callable[[Line, InjectContext], str | None],
    how: str,
) -> Injector:
    """An injector that writes ``value(line, ctx)`` into one of ``fields``: for a
    field's ``reject`` patterns, whose values only the register knows."""

    def damage(line: Line, ctx: InjectContext) -> list[Line] | None:
        for name in ctx.rng.shuffled(fields):
            if not line[name]:
                continue
            new = value(line, ctx)
            if new is not None:
                line[name] = new
                return line.expecting(code)
        return None

    return on_line(code, damage, how, files=(file,))


# --- the registers' modules -----------------------------------------------------------


def _module(register: str) -> Any:
    REGISTRY.get(register)  # an unknown register is a KeyError with the names
    return importlib.import_module(f"sosreg.registers.{register}.generate")


def injectors(
    register: str,
    files: Sequence[str],
    year: int,
    lists: Mapping[str, CodeList] | None = None,
) -> dict[str, list[Injector]]:
    """The injectors offered when ``files`` of ``register`` are written for ``year``:
    rule code -> injectors (several where the rule can be damaged in several files)."""
    specs = {f: REGISTRY.resolve_spec(register, f, year) for f in files}
    module = _module(register)
    probe = _probe_context(module, register, files, year, lists)
    out: dict[str, list[Injector]] = {}
    for inj in LINE_INJECTORS:
        if inj.code == "SOS-214" and not any(s.kommun_field for s in specs.values()):
            continue
        if inj.code == "SOS-112" and not any(
            f.type == "text" for s in specs.values() for f in s.fields
        ):
            continue
        out.setdefault(inj.code, []).append(inj)
    for file, spec in specs.items():
        codes = {f.rule_for(c) for f in spec.fields for c in CHECKS}
        for code in sorted(codes):
            targets = [t for t in field_targets(spec, code) if _possible(t, probe, spec)]
            if targets:
                out.setdefault(code, []).append(_field_injector(file, code, targets))
    for inj in getattr(module, "INJECTORS", ()):
        if inj.offered(files):
            out.setdefault(inj.code, []).append(inj)
    return {
        code: [i for i in found if i.offered(files)]
        for code, found in sorted(out.items())
        if any(i.offered(files) for i in found)
    }


def _probe_context(
    module: Any,
    register: str,
    files: Sequence[str],
    year: int,
    lists: Mapping[str, CodeList] | None,
) -> InjectContext:
    specs = {f: REGISTRY.resolve_spec(register, f, year) for f in module.unit_files(files)}
    period: YearMonth | int = (
        YearMonth(year, 1) if next(iter(specs.values())).period == "month" else year
    )
    maker = module.Maker(specs, year, period, DEFAULT_KOMMUN, lists)
    return InjectContext(Rand(0), maker, tuple(files), {})


def _possible(target: tuple[FieldSpec, str], ctx: InjectContext, spec: FileSpec) -> bool:
    """Whether the code list lets ``check`` fire on the field at all (an expired code
    needs a list with one); for a personnummer in a number field, whether the register
    lets the field be damaged at all (an EKB-År amount that is not read makes its
    month's codes EKB-040)."""
    f, check = target
    if check == "number.identity":
        names = spec.field_names()
        blank = Line(spec.file, ";" * (len(names) - 1), {n: i for i, n in enumerate(names)})
        return ctx.maker.field_ok(check, f.name, blank, ctx)
    if check in ("code.expired", "code.not_yet", "code.flagged", "code.lost_zero"):
        line = Line("", "", {})
        probe = attrs.evolve(ctx, used=set())
        sample = ctx.maker.codes(f.codelist or "")
        value = sample[0] if sample else "x"
        return FIELD_DAMAGE[check](f, value, line, probe) is not None
    if check in ("code.unknown",):
        return _list_of(f, ctx) is not None
    return True


NOT_INJECTABLE: Final[Mapping[str, str]] = {
    "SOS-001": "file level: the file is empty",
    "SOS-002": "file level: the file is not text (a workbook, a PDF, binary)",
    "SOS-003": "information about the whole file (its encoding), always given",
    "SOS-004": "file level: the file's encoding (UTF-16)",
    "SOS-005": "file level: a mix of line endings has no line of its own",
    "SOS-006": "file level: the file name",
    "SOS-007": "file level: the file name against the content",
    "SOS-216": "file level: a personnummer in the file name",
    "SOS-008": "file level: a file without data lines",
    "SOS-009": "file level: no period to be found anywhere",
    "SOS-010": "file level: the period against the statistikår",
    "SOS-011": "file level: the file's encoding (neither UTF-8 nor Windows-1252)",
    "SOS-012": "file level: the file's encoding (lines in UTF-8 and in Windows-1252)",
    "SOS-013": "information about the run (a code list not available)",
    "SOS-014": "information about the run (the spec checked against), always given",
    "SOS-015": "previous period: needs the earlier file",
    "SOS-016": "previous period: needs the earlier file",
    "SOS-017": "previous period: needs the earlier file",
    "SOS-018": "file level: the file is a JSON, XML, HTML or RTF document, not register data",
    "SOS-020": "file level: the file name against the register and file given",
    "SOS-206": "no built-in code list has a code that expired in a field without a rule "
    "code of its own (hinderkod's expired codes are EKB-011 and EKB-070)",
    "SOS-212": "every built-in spec gives its period field a rule code of its own "
    "(EKB-001, SOL-001, KHSL-001, LSS-001, BU-001)",
    "SOS-213": "the only field with a padding check gives it a rule code of its own (KHSL-013)",
    "SOS-030": "portal: the file name, judged only with a day (validate on=...)",
    "SOS-031": "portal: the file name's extension, judged only with a day",
    "SOS-032": "portal: the reporting window on a given day, not the file",
    "SOS-033": "portal: an empty file, judged only with a day",
    "SOS-034": "portal: information about the day judged by",
    "SOS-035": "portal: a declaration of 'inget att rapportera', not a file (sosreg status)",
    "SOS-301": "delivery level: the same file twice",
    "SOS-302": "delivery level: files of several registers",
    "SOS-303": "delivery level: files of several kommuner",
    "SOS-304": "delivery level: a file replaced by a later one (a re-delivery)",
    "SOS-305": "delivery level: a mandatory file missing",
    "SOS-306": "previous period: names the earlier file compared with",
    "SOS-900": "internal: a rule that raises is a bug, not something a file can do",
    "EKB-061": "cross-file, delivery level: one file of a month's pair missing",
    "EKB-062": "cross-file: needs EKB-År and EKB-Månad together",
    "EKB-063": "cross-file: needs EKB-År and EKB-Månad together",
    "EKB-080": "previous period: needs the earlier file",
    "EKB-081": "previous period: needs the earlier file",
    "SOL-080": "previous period: needs the earlier file",
    "KHSL-014": "needs an imported KVÅ list (none is built in); injectable when one is "
    "given (codelists={'kva': …}, --codelist)",
    "KHSL-015": "needs an imported KVÅ list with expired codes; injectable when one is given",
    "KHSL-080": "previous period: needs the earlier file",
    "LSS-080": "previous period: needs the earlier file",
}
"""Rules that :func:`generate` cannot inject, and why."""


def injectable(register: str | None = None) -> dict[str, bool]:
    """Rule code -> whether :func:`generate` can inject it into some file of its
    register (with the built-in code lists), for every rule of ``register`` (and the
    engine's), or of every register."""
    names = [register] if register is not None else REGISTRY.names()
    found: set[str] = set()
    for name in names:
        for files in _module(name).FILE_SETS:
            found |= set(injectors(name, files, _latest_year(name, files)))
    rules = CATALOGUE.for_register(register) if register is not None else list(CATALOGUE)
    return {r.code: r.code in found for r in rules}


def _latest_year(register: str, files: Sequence[str]) -> int:
    """The first statistikår of the latest spec of every file in ``files``."""
    specs = REGISTRY.all_specs(register)
    return max(max(s.years_from for s in specs if s.file == f) for f in files)


# --- file names -------------------------------------------------------------------------


def timestamp(spec: FileSpec, period: YearMonth | int) -> str:
    """``ÅÅÅÅMMDDTHHMM`` of a generated file: 09:00 the day before the file is due
    (derived from the spec's deadline, never from today)."""
    due = spec.deadline_for(period)
    if due is None:
        due = spec.reference_date_for(period) + dt.timedelta(days=15)
    sent = due - dt.timedelta(days=1)
    return f"{ymd(sent)}T0900"


def file_name(register: str, file: str, kommun: str, period: YearMonth | int, stamp: str) -> str:
    """The Filip-style name of a file: ``SOL1_0180_202303_20230414T0900.txt``."""
    prefix: str = _module(register).PREFIXES[file]
    return f"{prefix}_{kommun}_{period}_{stamp}.txt"


# --- the result -----------------------------------------------------------------------


@attrs.frozen
class Expected:
    """A finding the damage should give."""

    file: str
    """The file's name."""
    line: int
    code: str
    severity: Severity
    injected: str
    """The rule injected (a companion finding names the rule it came with)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "code": self.code,
            "severity": self.severity.code,
            "injected": self.injected,
        }


@attrs.frozen
class GeneratedFile:
    """One generated file: its name, what it is, the findings expected, and its
    bytes (``out=None``) or its path."""

    name: str
    register: str
    file: str
    year: int
    period: str
    kommun: str
    lines: int
    """Physical lines written."""
    expected: tuple[Expected, ...]
    path: Path | None = None
    data: bytes | None = None
    seed: int = 0
    n: int = 0
    inject: Mapping[str, int] = attrs.field(factory=dict)

    @property
    def status(self) -> Status:
        """The status the file should get."""
        return Status.of(e.severity for e in self.expected)

    def read(self) -> bytes:
        """The file's bytes (read from its path when written to disk)."""
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()

    def records(self) -> list[Any]:
        """The file's records, read back with :func:`sosreg.load`."""
        from sosreg.engine.pipeline import load

        return load(self.read(), name=self.name, year=self.year)

    def expected_dict(self) -> dict[str, Any]:
        """The contents of ``<name>.expected.json``."""
        from sosreg._version import __version__

        return {
            "generator": f"sosreg {__version__}",
            "name": self.name,
            "register": self.register,
            "file": self.file,
            "year": self.year,
            "period": self.period,
            "kommun": self.kommun,
            "seed": self.seed,
            "n": self.n,
            "inject": dict(self.inject),
            "status": Status.of(e.severity for e in self.expected).code,
            "findings": [e.to_dict() for e in self.expected],
        }

    def expected_json(self) -> str:
        return json.dumps(self.expected_dict(), ensure_ascii=False, indent=2) + "\n"


@attrs.frozen
class Generated:
    """What :func:`generate` made: one file, or a BU delivery's three."""

    files: tuple[GeneratedFile, ...]

    @property
    def paths(self) -> list[Path]:
        """The files written (empty with ``out=None``)."""
        return [f.path for f in self.files if f.path is not None]

    @property
    def expected(self) -> list[Expected]:
        return [e for f in self.files for e in f.expected]

    def __iter__(self) -> Iterator[GeneratedFile]:
        return iter(self.files)


# --- generate -------------------------------------------------------------------------


def parse_inject(inject: str | Mapping[str, int] | Iterable[str] | None) -> dict[str, int]:
    """``"EKB-013,SOS-104:5"`` (or a mapping, or a list of such items) -> rule code ->
    number of lines (default 1)."""
    if inject is None:
        return {}
    if isinstance(inject, Mapping):
        items = [(str(k), int(v)) for k, v in inject.items()]
    else:
        parts = inject.split(",") if isinstance(inject, str) else list(inject)
        items = []
        for part in (p.strip() for p in parts):
            if not part:
                continue
            code, _, times = part.partition(":")
            try:
                items.append((code.strip().upper(), int(times) if times else 1))
            except ValueError:
                raise UsageError(f"inject: {part!r} is not CODE or CODE:N") from None
    out: dict[str, int] = {}
    for code, count in items:
        if count < 1:
            raise UsageError(f"inject: {code}:{count}: the number of lines must be 1 or more")
        out[code] = out.get(code, 0) + count
    return out


class _Sink:
    """One output file, written in chunks of lines."""

    def __init__(self, fh: BinaryIO, bom: bool) -> None:
        self.fh = fh
        self.buf: list[str] = []
        self.count = 0
        if bom:
            fh.write(b"\xef\xbb\xbf")

    def add(self, text: str) -> int:
        self.buf.append(text)
        self.count += 1
        if len(self.buf) >= CHUNK_LINES:
            self.flush()
        return self.count

    def flush(self) -> None:
        if self.buf:
            self.buf.append("")
            self.fh.write("\r\n".join(self.buf).encode("utf-8", "surrogateescape"))
            self.buf = []


def _check_kommun(kommun: str | None, maker_codes: Callable[[str], tuple[str, ...]]) -> str:
    if kommun is None:
        return DEFAULT_KOMMUN
    if not (len(kommun) == 4 and kommun.isascii() and kommun.isdigit()):
        raise UsageError(f"kommun must be a kommunkod of 4 digits, not {kommun!r}")
    if kommun not in maker_codes("kommun"):
        raise UsageError(f"kommun {kommun} is not in the code list kommun for the year")
    return kommun


def _period_for(spec: FileSpec, year: int, period: object) -> YearMonth | int:
    per = coerce_period(period)
    if per is None:
        return YearMonth(year, 1) if spec.period == "month" else year
    if spec.period == "month" and not isinstance(per, YearMonth):
        raise UsageError(f"{spec.title} has a monthly period: give ÅÅÅÅMM, not {period!r}")
    if spec.period == "year" and isinstance(per, YearMonth):
        raise UsageError(f"{spec.title} has a yearly period: give ÅÅÅÅ, not {period!r}")
    if (per.year if isinstance(per, YearMonth) else per) != year:
        raise UsageError(f"period {per} is not in statistikår {year}")
    return per


def generate(
    register: str,
    file: str | None,
    year: int,
    n: int,
    *,
    seed: int = 0,
    kommun: str | None = None,
    period: str | YearMonth | int | None = None,
    inject: str | Mapping[str, int] | Iterable[str] | None = None,
    out: str | os.PathLike[str] | None = ".",
    codelists: Mapping[str, CodeList] | None = None,
) -> Generated:
    """Write a valid file of ``register``/``file`` for statistikår ``year`` with ``n``
    records (BU: ``n`` children; their insatser and placeringar follow).

    ``file`` may be ``None`` for a register with one file (LSS) and for BU, where it
    means the delivery of all three files. ``period`` is ``ÅÅÅÅMM`` (monthly files,
    default January) or ``ÅÅÅÅ``; ``kommun`` defaults to :data:`DEFAULT_KOMMUN`.
    ``seed`` makes the output: the same arguments give the same bytes.

    ``inject`` (``"EKB-013,SOS-104:5"``, or a mapping code -> lines) damages lines so
    that exactly those rules fire, each on that many lines (default 1); the findings a
    validator should give are :attr:`GeneratedFile.expected`. ``codelists`` replaces
    built-in code lists by name (e.g. an imported KVÅ list) for drawing codes and for
    injecting; validate with the same lists.

    With ``out`` (a directory, created if needed) each file is written there with its
    Filip-style name, beside it ``<name>.expected.json``; with ``out=None`` nothing is
    written and each :class:`GeneratedFile` holds its bytes. Raises
    :class:`~sosreg.UsageError` for arguments that cannot be met.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise UsageError(f"n must be a whole number of 1 or more, not {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        # (random.Random takes a negative seed as its absolute value: refuse it)
        raise UsageError(f"seed must be a whole number of 0 or more, not {seed!r}")
    if isinstance(year, bool) or not isinstance(year, int):
        raise UsageError(f"year must be an int (e.g. 2023), not {year!r}")
    try:
        reg = REGISTRY.get(register)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    module = _module(reg.name)
    files = files_for(reg.name, file)
    try:
        specs = {f: REGISTRY.resolve_spec(reg.name, f, year) for f in module.unit_files(files)}
    except LookupError as exc:
        raise UsageError(str(exc.args[0] if exc.args else exc)) from exc
    first = specs[files[0]]
    per = _period_for(first, year, period)
    probe = module.Maker(specs, year, per, DEFAULT_KOMMUN, codelists)
    kommun = _check_kommun(kommun, probe.codes)
    wanted = parse_inject(inject)
    offered = injectors(reg.name, files, year, codelists) if wanted else {}
    for code in wanted:
        if code not in CATALOGUE:
            raise UsageError(f"inject: unknown rule {code}")
        if code not in offered:
            raise UsageError(
                f"inject: {code} cannot be injected into {_what(reg.name, files)}"
                f" ({_why_not(code, reg.name, files, year)})"
            )
    total = sum(wanted.values())
    if total > n:
        raise UsageError(f"inject: {total} injections need at least as many records (n={n})")

    maker: Maker = module.Maker(specs, year, per, kommun, codelists)
    rng = Rand(seed)
    ictx = InjectContext(
        Rand(f"sosreg.generate:{seed}:inject"),
        maker,
        files,
        {f: deque(maxlen=WINDOW) for f in files},
    )
    plan: dict[int, list[str]] = {}
    if wanted:
        order = ictx.rng.shuffled([c for c, k in wanted.items() for _ in range(k)])
        for index, code in zip(ictx.rng.sample(n, total), order, strict=True):
            plan.setdefault(index, []).append(code)
    stamp = timestamp(first, per)
    names = {f: file_name(reg.name, f, kommun, per, stamp) for f in files}
    bom = any(i.bom for code in wanted for i in offered[code])

    target: Path | None = None
    if out is not None:
        target = Path(out)
        target.mkdir(parents=True, exist_ok=True)
    handles: dict[str, BinaryIO] = {}
    try:
        for f in files:
            handles[f] = (
                open(target / names[f], "wb") if target is not None else io.BytesIO()  # noqa: SIM115
            )
        sinks = {f: _Sink(handles[f], bom) for f in files}
        found = _run(maker, rng, n, sinks, plan, offered, ictx)
        for s in sinks.values():
            s.flush()
        data = {f: h.getvalue() if isinstance(h, io.BytesIO) else None for f, h in handles.items()}
    finally:
        for h in handles.values():
            if not isinstance(h, io.BytesIO):
                h.close()

    result = []
    for f in files:
        spec = specs[f]
        expected = tuple(
            sorted(
                (
                    Expected(names[f], line, code, _severity(spec, code), injected)
                    for file_key, line, code, injected in found
                    if file_key == f
                ),
                key=lambda e: (e.line, e.code),
            )
        )
        gf = GeneratedFile(
            name=names[f],
            register=reg.name,
            file=f,
            year=year,
            period=str(per),
            kommun=kommun,
            lines=sinks[f].count,
            expected=expected,
            path=target / names[f] if target is not None else None,
            data=data[f],
            seed=seed,
            n=n,
            inject=wanted,
        )
        if target is not None:
            (target / f"{names[f]}.expected.json").write_text(gf.expected_json(), "utf-8")
        result.append(gf)
    return Generated(tuple(result))


def files_for(register: str, file: str | None) -> tuple[str, ...]:
    """The files :func:`generate` writes for ``file`` of ``register``: that file, the
    files it names separated by commas where the register makes them together
    (``manad,ao``: a month's EKB delivery; ``barn,insats,placering``), or with
    ``None`` the register's default (LSS: its one file; BU: the delivery of all
    three). Raises :class:`~sosreg.UsageError` for an unknown register or file, and
    for ``None`` where the register has no default (EKB, SoL, KHSL: give the file)."""
    try:
        reg = REGISTRY.get(register)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from exc
    if file is None:
        default = getattr(_module(reg.name), "DEFAULT_FILES", None)
        if default is None:
            raise UsageError(f"give the file of register {reg.name}: {', '.join(reg.files)}")
        return tuple(default)
    keys = [k.strip().lower() for k in file.split(",") if k.strip()]
    for key in keys:
        if key not in reg.files:
            raise UsageError(
                f"unknown file {key!r} of register {reg.name} (files: {', '.join(reg.files)})"
            )
    together = getattr(_module(reg.name), "FILE_SETS", ())
    chosen = tuple(k for k in reg.files if k in keys)  # the register's order
    if not chosen:
        raise UsageError(f"give the file of register {reg.name}: {', '.join(reg.files)}")
    if len(chosen) > 1 and chosen not in {tuple(s) for s in together}:
        sets = ", ".join(",".join(s) for s in together if len(s) > 1) or "none"
        raise UsageError(
            f"the files {','.join(chosen)} of register {reg.name} are not made together"
            f" (together: {sets})"
        )
    return chosen


def _severity(spec: FileSpec, code: str) -> Severity:
    return spec.severity.get(code) or CATALOGUE[code].severity


def _what(register: str, files: Sequence[str]) -> str:
    return f"{register}/{'+'.join(files)}"


def _why_not(code: str, register: str, files: Sequence[str], year: int) -> str:
    if code in NOT_INJECTABLE:
        return NOT_INJECTABLE[code]
    rule = CATALOGUE[code]
    if rule.register not in (None, register):
        return f"a rule of register {rule.register}"
    module = _module(register)
    for other in module.FILE_SETS:
        if tuple(other) != tuple(files) and code in injectors(register, other, year):
            return f"it can be injected into {_what(register, other)}"
    reasons: Mapping[str, str] = getattr(module, "NOT_INJECTABLE", {})
    return reasons.get(code, "not in this file")


def _run(
    maker: Maker,
    rng: Rand,
    n: int,
    sinks: Mapping[str, _Sink],
    plan: Mapping[int, list[str]],
    offered: Mapping[str, list[Injector]],
    ctx: InjectContext,
) -> list[tuple[str, int, str, str]]:
    """Make ``n`` units, damage the planned ones, write them; returns the expected
    findings as (file, line, code, rule injected).

    An injection is tried on its planned unit and, where that unit does not lend
    itself, on the next ones; the last :data:`WINDOW` units are held back, so that
    what is still pending at the end can be tried on them."""
    found: list[tuple[str, int, str, str]] = []
    unit_of = maker.unit
    if not plan:  # the fast path: nothing to damage
        if len(sinks) == 1:
            ((only, sink),) = sinks.items()
            add = sink.add
            for _ in range(n):
                for f, text in unit_of(rng):
                    if f == only:
                        add(text)
        else:
            for _ in range(n):
                for f, text in unit_of(rng):
                    s = sinks.get(f)
                    if s is not None:
                        s.add(text)
        return found
    positions = {f: {x.name: i for i, x in enumerate(s.fields)} for f, s in maker.specs.items()}
    pending: list[str] = []
    history = ctx.history
    window: deque[tuple[int, Unit, list[Line] | None, str | None]] = deque()

    def damage(i: int, unit: Unit) -> tuple[list[Line], str] | None:
        ctx.now = i

        def fresh() -> list[Line]:
            lines = [Line(f, text, positions[f]) for f, text in unit]
            maker.before_damage(lines)
            return lines

        lines = fresh()
        for j, code in enumerate(pending):
            for inj in ctx.rng.shuffled(offered[code]):
                if inj.apply(lines, ctx) and any(x.expect and x.file in sinks for x in lines):
                    del pending[j]
                    return lines, code
                lines = fresh()
        return None

    def write(entry: tuple[int, Unit, list[Line] | None, str | None]) -> None:
        _, unit, lines, code = entry
        if lines is None or code is None:
            for f, text in unit:
                s = sinks.get(f)
                if s is not None:
                    s.add(text)
            return
        for line in lines:
            s = sinks.get(line.file)
            if s is not None:
                number = s.add(line.render())
                found.extend((line.file, number, expect, code) for expect in line.expect)

    for i in range(n):
        unit = unit_of(rng)
        pending.extend(plan.get(i, ()))
        got = damage(i, unit) if pending else None
        if got is None:
            for f, text in unit:
                if f in history:
                    history[f].append((i, text))
            window.append((i, unit, None, None))
        else:
            window.append((i, unit, *got))
        if len(window) > WINDOW:
            write(window.popleft())
    if pending:
        free = [k for k, (i, _, lines, _) in enumerate(window) if lines is None]
        for k in ctx.rng.shuffled(free):
            i, unit, _, _ = window[k]
            if i in ctx.protected:
                continue
            got = damage(i, unit)
            if got is not None:
                window[k] = (i, unit, *got)
            if not pending:
                break
    if pending:
        counts: dict[str, int] = {}
        for code in pending:
            counts[code] = counts.get(code, 0) + 1
        left = ", ".join(f"{c} ({k})" for c, k in counts.items())
        raise UsageError(
            f"inject: too few lines lend themselves to {left}; try a larger n or another seed"
        )
    while window:
        write(window.popleft())
    return found
