"""The base of every register's maker (valid records, one unit at a time), and what an
injector knows while it damages a unit (:class:`InjectContext`)."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from typing import Final

import attrs

from sosreg import codelists as _codelists
from sosreg.codelists import CodeList
from sosreg.engine.conditions import Env, env_of
from sosreg.engine.register import REGISTRY
from sosreg.engine.spec import FileSpec
from sosreg.engine.types import field_type
from sosreg.engine.types.base import Around, valid_codes
from sosreg.engine.values import YearMonth
from sosreg.generate.hooks import generator_of
from sosreg.generate.identities import People
from sosreg.generate.lines import Line, Unit
from sosreg.generate.rand import Rand, weighted

__all__ = ["DEFAULT_KOMMUN", "InjectContext", "Maker", "records", "records_of"]

DEFAULT_KOMMUN: Final = "0180"
"""The kommun of a generated file when none is given (Stockholm)."""

TABLE_ROWS: Final = 1024
GROUP: Final = 4
"""Code fields are drawn :data:`GROUP` at a time from tables of :data:`TABLE_ROWS` rows
(see :meth:`Maker.draw`)."""

HISTORY: Final = 32
"""Undamaged lines an injector that copies an earlier line chooses from."""


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

    @property
    def around(self) -> Around:
        """What the field types' value generators know of the files made."""
        return Around(self.year, self.period, self.codelist)

    def env(self, file: str) -> Env:
        """What the declared rules of ``file`` compare a line with (the spec's params,
        the statistikår, the reference day): :class:`sosreg.engine.conditions.Env`."""
        return env_of(self.specs[file], self.year, self.period)

    def codes(self, name: str) -> tuple[str, ...]:
        """The codes of list ``name`` valid in the year, without a warning, in list
        order."""
        got = self._codes.get(name)
        if got is None:
            cl = self.codelist(name)
            when = _codelists.when_of(self.period)  # a code may be valid from a month
            got = valid_codes(cl, when) if cl else ()
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
            elif choices := field_type(f).choices(f, self.around):
                w = weights.get(f.name) or (weights.get(f.codelist) if f.codelist else None) or {}
                pool = weighted(choices, w)
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
    module = generator_of(spec.register)
    specs = {
        f: REGISTRY.resolve_spec(spec.register, f, year) for f in module.unit_files((spec.file,))
    }
    specs[spec.file] = spec
    maker = module.Maker(specs, year, period, kommun)
    return records_of(maker, spec.file, Rand(rng), n)


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
