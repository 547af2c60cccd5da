"""Registers plug into the engine through a :class:`Register`.

A register package (``sosreg/registers/<name>/``) holds its specs (``specs/*.toml``), its
rule metadata (``rules.toml``) and its rule implementations, registered with the
decorators of :class:`Register`:

``@REGISTER.record("EKB-020", files=("manad",))``
    a function ``(record, line, ctx) -> Iterable[Finding]`` run on every record;
``@REGISTER.cross("EKB-030", files=("manad",))``
    a class with ``feed(record, line, ctx)`` and ``finish(ctx)``, both yielding findings,
    that sees all records of a file (cross-record stage);
``@REGISTER.cross_file("EKB-060")``
    a function ``(files: list[ParsedFile]) -> Iterable[Finding]`` for a delivery of
    several files;
``@REGISTER.joined("BU-040", parent="insats", child="placering")``
    a function ``(parent: Linked, children: list[Linked]) -> Iterable[Finding]`` called,
    in a delivery, for every record of the ``parent`` file with the records of the
    ``child`` file that refer to it (the child spec's ``[[references]]``; see
    :mod:`sosreg.engine.joins`);
``@REGISTER.previous("EKB-080", files=("ar",))``
    a function ``(current: ParsedFile, previous: ParsedFile) -> Iterable[Finding]``
    comparing a file with the same file of the previous period.

A register brings everything it owns through its :class:`Register`: its specs
(``<package>/specs/*.toml``), rule metadata (``rules.toml``), code lists
(``codelists/*.toml``, made known to :mod:`sosreg.codelists`), collection data
(``collection.toml``), and by lazy import path its record classes (``records``), its
hypothesis strategies (``strategies``) and its generator (``generator``: a module with
a ``Maker`` and its injectors, see :mod:`sosreg.generate`), with the reasons its rules
cannot be injected (``not_injectable``). Whoever needs a part asks the register
(:meth:`Register.part`); nothing imports a register module by name, so a register
installed through the entry-point group ``sosreg.registers`` is as complete as a
built-in one.

The engine knows nothing register-specific; it only calls what is registered here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Hashable, Iterable
from importlib import resources
from types import ModuleType
from typing import Any, Literal, Protocol

import attrs

from sosreg import codelists as _codelists
from sosreg.engine import conditions
from sosreg.engine.collection import Collection, SubRegister, install, load_collection
from sosreg.engine.context import Context
from sosreg.engine.findings import Finding
from sosreg.engine.index import IntIndex, Packer, identity_of
from sosreg.engine.rules import CATALOGUE, register_rules
from sosreg.engine.spec import FileSpec, SpecRegistry

RecordFn = Callable[[Any, int, Context], Iterable[Finding]]


class CrossRule(Protocol):
    def feed(self, record: Any, line: int, ctx: Context) -> Iterable[Finding]:
        """Take one record; return the findings it gives at once."""
        ...

    def finish(self, ctx: Context) -> Iterable[Finding]:
        """The findings at the end of the file."""
        ...


@attrs.define
class RecordRule:
    """A rule run on every record of the files it names (all if ``files`` is ``None``)."""

    codes: tuple[str, ...]
    files: tuple[str, ...] | None
    fn: RecordFn
    mask: Callable[[Any], Any] | None = None
    """For the columnar engine: a polars expression over the raw fields (see
    :class:`~sosreg.engine.columnar.Columns`) true wherever the rule *might* fire."""
    invalid_ok: bool = False
    """Whether :attr:`mask` is true wherever the rule might fire on a record with
    invalid values too, reading each as the record holds it (the text as written, or
    ``""`` for ``None``): then the columnar engine need not run the rule on a line
    whose fields alone give findings, once it only counts them
    (:mod:`sosreg.engine.fieldcount`). A simple rule's mask is its check: always."""

    @property
    def name(self) -> str:
        return getattr(self.fn, "__name__", self.codes[0])


@attrs.frozen
class SimpleRule:
    """A rule declared once as conditions (see :meth:`Register.simple`)."""

    checks: tuple[conditions.Check, ...]
    files: tuple[str, ...] | None
    record: RecordRule
    """The record rule derived from it (row check and mask), as registered."""


@attrs.frozen
class CrossKey:
    """A key of a cross-record rule's columnar mask. The columnar engine reads a file in
    blocks, so a mask cannot look at the whole file; it declares keys instead, and the
    engine finds, in a first pass over the file, the keys that repeat (see
    :mod:`sosreg.engine.columnar`). The rows that can matter to the rule are those
    whose key occurs more than once in the file (``values`` is ``None``), or occurs
    with more than one distinct value (e.g. one temporary id with two kön).

    The expressions are over the raw fields (:class:`~sosreg.engine.columnar.Columns`);
    for the lines the row engine reads whole (quotes, spaces, a wrong field count) the
    engine evaluates them over the *records'* fields as text
    (:func:`~sosreg.engine.values.to_text`, ``""`` for ``None``), so a key must read a
    record's field as it reads the raw one."""

    keys: Callable[[Any], tuple[Any, ...]]
    """polars String expressions (null: the row has no key), all in one key space
    (a person as sökande on one line and medsökande on another is one key)."""
    values: Callable[[Any], tuple[Any, ...]] | None = None
    """For each key expression, a String expression of the value whose distinct values
    count (null: not counted); ``None``: count the key's occurrences."""


@attrs.define
class CrossRuleFactory:
    """Makes a fresh cross-record rule for each file."""

    codes: tuple[str, ...]
    files: tuple[str, ...] | None
    factory: Callable[[], CrossRule]
    mask: Callable[[Any], Any] | None = None
    """For the columnar engine: the rows that can matter to the rule (feeding only
    those, in order, gives the same findings as feeding all), from each row alone (the
    engine reads the file in blocks: a mask sees one block)."""
    keys: tuple[CrossKey, ...] = ()
    """For the columnar engine: the rows that can matter to the rule by the keys they
    share with other rows of the file (see :class:`CrossKey`); a row is flagged when
    ``mask`` or one of ``keys`` flags it. A rule with neither is fed every row."""


@attrs.define
class CrossFileRule:
    """A rule over all files of a register in a delivery."""

    codes: tuple[str, ...]
    fn: Callable[..., Iterable[Finding]]
    needs: tuple[str, ...] = ()
    """The files without which the rule cannot run (a delivery lacking one of them
    names the rule among those that could not run, SOS-305)."""


@attrs.define
class JoinedRule:
    """A rule on each parent record with the child records that refer to it."""

    codes: tuple[str, ...]
    parent: str
    child: str
    fn: Callable[..., Iterable[Finding]]


@attrs.define
class PreviousRule:
    """A rule comparing a file with the same file of the previous period."""

    codes: tuple[str, ...]
    files: tuple[str, ...] | None
    fn: Callable[..., Iterable[Finding]]


def _fields_key(
    names: tuple[str, ...], required: tuple[str, ...]
) -> Callable[[Any], Hashable | None]:
    """The key of ``REGISTER.unique(fields=...)``: the field's value, or the tuple of
    the fields' values (``None`` if a ``required`` one is empty)."""
    if len(names) == 1 and required == names:
        (only,) = names

        def one(rec: Any) -> Hashable | None:
            value: Hashable | None = getattr(rec, only)
            return value

        return one

    def several(rec: Any) -> Hashable | None:
        if any(getattr(rec, n) is None for n in required):
            return None
        return tuple(getattr(rec, n) for n in names)

    return several


def _codes(code: str | tuple[str, ...]) -> tuple[str, ...]:
    codes = (code,) if isinstance(code, str) else tuple(code)
    for c in codes:
        if c not in CATALOGUE:
            raise KeyError(f"rule {c} has no metadata in a rules.toml")
    return codes


@attrs.define
class Register:
    """One register: its name, files and rules, and (by import path) the parts it
    brings: record classes, strategies, generator (see the module's docs)."""

    name: str
    title: str
    package: str
    files: dict[str, str]
    """file key -> title, e.g. ``{"manad": "EKB-Månad"}``."""
    filename_prefixes: tuple[str, ...] = ()
    title_en: str = ""
    record_rules: list[RecordRule] = attrs.field(factory=list)
    cross_rules: list[CrossRuleFactory] = attrs.field(factory=list)
    cross_file_rules: list[CrossFileRule] = attrs.field(factory=list)
    previous_rules: list[PreviousRule] = attrs.field(factory=list)
    joined_rules: list[JoinedRule] = attrs.field(factory=list)
    simple_rules: list[SimpleRule] = attrs.field(factory=list)
    """The rules declared once as conditions (:meth:`simple`), also among
    ``record_rules`` with their derived row check and mask."""
    infer_file: Callable[[list[str]], str | None] | None = None
    """Given the tokens of a file name, which file of the register it is (default: a
    token that is a file key, e.g. ``SOL1``)."""
    collection: Collection | None = None
    """The collection rules (sub-registers, expected files, windows) of the package's
    ``collection.toml`` (:mod:`sosreg.engine.collection`); ``None`` if it has none."""
    records: str | None = None
    """Import path of the module of the register's typed record classes (generated by
    ``python -m sosreg.recordgen``); ``None``: classes are made at run time."""
    strategies: str | None = None
    """Import path of the register's hypothesis strategies (``records(spec, year,
    period)``, ``files(...)``, ``unique_key(spec, record)``; see
    :mod:`sosreg.strategies`); ``None``: the generic ones."""
    generator: str | None = None
    """Import path of the register's generator module: ``Maker``, ``unit_files``,
    ``FILE_SETS``, ``PREFIXES``, ``INJECTORS`` and optionally ``DEFAULT_FILES`` (see
    :mod:`sosreg.generate`); ``None``: the register cannot generate files."""
    not_injectable: dict[str, str] = attrs.field(factory=dict)
    """Rule code -> why the generator cannot inject it (for the register's rules that
    need another period, another file or a list that is not built in)."""
    codelists: tuple[str, ...] = ()
    """The names of the code lists the package brings (``<package>/codelists/*.toml``,
    filled when the register is made)."""

    def __attrs_post_init__(self) -> None:
        toml = resources.files(self.package).joinpath("rules.toml")
        if toml.is_file():
            register_rules(self.name, toml.read_text("utf-8"))
        lists = resources.files(self.package).joinpath("codelists")
        if lists.is_dir():
            names = []
            for entry in sorted(lists.iterdir(), key=lambda e: e.name):
                if entry.name.endswith(".toml") and entry.is_file():
                    where = f"{self.package.replace('.', '/')}/codelists/{entry.name}"
                    for cl in _codelists.from_toml_text(entry.read_text("utf-8"), where):
                        _codelists.provide(cl)
                        names.append(cl.name)
            self.codelists = tuple(names)
        if self.collection is None:
            coll = resources.files(self.package).joinpath("collection.toml")
            if coll.is_file():
                self.collection = load_collection(coll.read_text("utf-8"), self.name)
        if self.collection is not None:
            install(self.collection)

    def part(self, what: Literal["records", "strategies", "generator"]) -> ModuleType | None:
        """The module of the register's ``records``, ``strategies`` or ``generator``,
        imported on first use (``None`` if the register has none)."""
        path: str | None = getattr(self, what)
        return None if path is None else importlib.import_module(path)

    @property
    def subregisters(self) -> tuple[SubRegister, ...]:
        """The register's sub-registers (``EKB-Månad``, ``EKB-AO``, …), from its data."""
        return () if self.collection is None else self.collection.subregisters

    def subregister(self, file: str, year: int | None = None) -> SubRegister | None:
        """The sub-register expecting ``file`` (in statistikår ``year``)."""
        for sub in self.subregisters:
            if sub.file(file) is not None and (year is None or sub.valid_in(year)):
                return sub
        return None

    def record(
        self,
        code: str | tuple[str, ...],
        *,
        files: tuple[str, ...] | None = None,
        mask: Callable[[Any], Any] | None = None,
        invalid_ok: bool = False,
    ) -> Callable[[RecordFn], RecordFn]:
        """A record rule: ``fn(record, line, ctx)`` returning findings; ``mask`` (a polars
        expression of :class:`~sosreg.engine.columnar.Columns`) for the columnar engine,
        ``invalid_ok`` if it holds on invalid values too (:attr:`RecordRule.invalid_ok`)."""
        codes = _codes(code)

        def deco(fn: RecordFn) -> RecordFn:
            self.record_rules.append(RecordRule(codes, files, fn, mask, invalid_ok))
            return fn

        return deco

    def simple(
        self,
        *checks: conditions.Check,
        files: tuple[str, ...] | None = None,
        name: str | None = None,
    ) -> SimpleRule:
        """A simple record rule declared once (:mod:`sosreg.engine.conditions`): the
        row check and the columnar mask are derived from ``checks`` and registered as a
        record rule; the generators ask :meth:`checks` for the same conditions."""
        fn = conditions.record_rule(checks)
        fn.__name__ = name or "_".join(dict.fromkeys(c.code for c in checks))
        codes = tuple(dict.fromkeys(c.code for c in checks))
        record = RecordRule(codes, files, fn, conditions.mask(checks), invalid_ok=True)
        rule = SimpleRule(checks, files, record)
        self.record_rules.append(record)
        self.simple_rules.append(rule)
        return rule

    def checks(self, file: str, code: str | None = None) -> list[conditions.Check]:
        """The simple rules' checks that apply to ``file`` (those of ``code`` only)."""
        return [
            c
            for r in self.simple_rules
            if r.files is None or file in r.files
            for c in r.checks
            if code is None or c.code == code
        ]

    def cross(
        self,
        code: str | tuple[str, ...],
        *,
        files: tuple[str, ...] | None = None,
        mask: Callable[[Any], Any] | None = None,
        keys: tuple[CrossKey, ...] = (),
    ) -> Callable[[type], type]:
        """A cross-record rule: a class with ``feed`` and ``finish`` (see
        :class:`CrossRule`); ``mask`` and ``keys``: the rows that can matter to it, for
        the columnar engine (see :class:`CrossRuleFactory`)."""
        codes = _codes(code)

        def deco(cls: type) -> type:
            self.cross_rules.append(CrossRuleFactory(codes, files, cls, mask, keys))
            return cls

        return deco

    def cross_file(
        self, code: str | tuple[str, ...], *, needs: tuple[str, ...] = ()
    ) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
        """A rule over the files of this register in a delivery: ``fn(files)``;
        ``needs``: the files without which it cannot run."""
        codes = _codes(code)

        def deco(fn: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
            self.cross_file_rules.append(CrossFileRule(codes, fn, needs))
            return fn

        return deco

    def joined(
        self, code: str | tuple[str, ...], *, parent: str, child: str
    ) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
        """A rule on joined records: ``fn(parent, children)`` for every record of the
        ``parent`` file in a delivery, with the ``child`` records that refer to it."""
        codes = _codes(code)

        def deco(fn: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
            self.joined_rules.append(JoinedRule(codes, parent, child, fn))
            return fn

        return deco

    def previous(
        self, code: str | tuple[str, ...], *, files: tuple[str, ...] | None = None
    ) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
        """A previous-period rule: ``fn(current, previous)`` over two
        :class:`~sosreg.engine.delivery.ParsedFile` of the same file, one period apart."""
        codes = _codes(code)

        def deco(fn: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
            self.previous_rules.append(PreviousRule(codes, files, fn))
            return fn

        return deco

    def file_from_tokens(self, tokens: list[str]) -> str | None:
        """Which file of the register a file name's tokens name (``None`` if none)."""
        if self.infer_file is not None:
            return self.infer_file(tokens)
        return next((t.lower() for t in tokens if t.lower() in self.files), None)

    def unique(
        self,
        code: str,
        *,
        field: str,
        key: Callable[[Any], Hashable | None] | None = None,
        fields: tuple[str, ...] | None = None,
        required: tuple[str, ...] | None = None,
        files: tuple[str, ...] | None = None,
        params: Callable[[Any], dict[str, object]] | None = None,
    ) -> None:
        """A cross-record rule: ``code`` for every record whose ``key`` (``None`` = no
        key) was already seen, naming the first line (``first``) and ``field``.

        Keys whose first part is the ``field``'s value and a 12-digit number are kept in
        an :class:`~sosreg.engine.index.IntIndex` (16 bytes a record) and reported at the
        end of the file, in line order; other keys (and rules with ``params``) in a dict,
        reported as they come.

        ``fields`` names the key's fields (the key is then their values; no key when one
        of the ``required`` fields, default all, is empty), which also lets the columnar
        engine find the duplicates as a column; ``key`` is any function of the record."""
        if (key is None) == (fields is None):
            raise ValueError(f"{code}: give key or fields")
        needed = required if required is not None else (fields or ())
        key_fn: Callable[[Any], Hashable | None] = (
            key if key is not None else _fields_key(fields or (), needed)
        )

        # The key is the field's own value: a 12-digit value goes straight into the
        # index (the common case, a personnummer per line), the rest to the general path.
        own_value = params is None and key is None and fields == (field,) and needed == fields

        class Unique:
            def __init__(self) -> None:
                self.seen: dict[Hashable, int] = {}
                self.index = IntIndex()
                self.packer = Packer()
                self.single: bool | None = None
                """True: the index holds single personnummer; False: packed tuples."""
                self.feed: Callable[[Any, int, Context], Iterable[Finding]] = (
                    self._own_value_feed() if own_value else self.general_feed
                )
                """``feed(record, line, ctx)``: the findings of one record."""

            def _own_value_feed(self) -> Callable[[Any, int, Context], Iterable[Finding]]:
                """:meth:`general_feed` for a key that is the field's value, with the
                index's adding inlined; gives what :meth:`general_feed` gives. (Such a
                key is never a tuple, so the index never holds packed tuples here.)"""
                keys, lines = self.index.arrays()
                general = self.general_feed

                def feed(rec: Any, line: int, ctx: Context) -> Iterable[Finding]:
                    k = getattr(rec, field)
                    if type(k) is str and len(k) == 12 and k.isdigit() and k.isascii():
                        self.single = True
                        n = int(k)
                        keys[n & 255].append(n)
                        lines[n & 255].append(line)
                        return ()
                    return general(rec, line, ctx)

                return feed

            def general_feed(self, rec: Any, line: int, ctx: Context) -> Iterable[Finding]:
                k = key_fn(rec)
                if k is None:
                    return ()
                if params is None:
                    value = getattr(rec, field)
                    if type(k) is str:  # one value: a personnummer is its own integer
                        if (
                            self.single is not False
                            and k == value
                            and len(k) == 12
                            and k.isascii()
                            and k.isdigit()
                        ):
                            self.single = True
                            self.index.add(int(k), line)
                            return ()
                    elif self.single is not True and type(k) is tuple and k and k[0] == value:
                        head = k[0]
                        if type(head) is str and len(head) == 12 and head.isascii():
                            packed = self.packer.pack(k)
                            if packed is not None:
                                self.single = False
                                self.index.add(packed, line)
                                return ()
                first = self.seen.setdefault(k, line)
                if first == line:
                    return ()
                extra: dict[str, Any] = params(rec) if params is not None else {}
                value = getattr(rec, field)
                return (
                    ctx.finding(
                        code,
                        line=line,
                        field=field,
                        value=None if value is None else str(value),
                        first=first,
                        **extra,
                    ),
                )

            def finish(self, ctx: Context) -> Iterable[Finding]:
                dups = sorted((line, first, k) for k, line, first in self.index.duplicates())
                for line, first, k in dups:
                    value = identity_of(k if self.single else self.packer.first_part(k))
                    yield ctx.finding(code, line=line, field=field, value=value, first=first)

        Unique.__name__ = f"Unique_{code.replace('-', '_')}"
        keys: tuple[CrossKey, ...] = ()
        if fields is not None:
            cols, present = fields, needed

            def key(c: Any) -> tuple[Any, ...]:
                """The fields joined, where the required ones are not empty."""
                pl = c.pl
                joined = pl.concat_str([pl.col(n) for n in cols], separator="\x1f")
                return (
                    pl.when(pl.all_horizontal([pl.col(n) != "" for n in present])).then(joined),
                )

            keys = (CrossKey(key),)
        self.cross_rules.append(CrossRuleFactory(_codes(code), files, Unique, None, keys))

    def rules_for(self, file: str) -> tuple[list[RecordRule], list[CrossRuleFactory]]:
        """The record rules and cross-record rule factories that apply to ``file``."""
        return (
            [r for r in self.record_rules if r.files is None or file in r.files],
            [r for r in self.cross_rules if r.files is None or file in r.files],
        )

    def implemented_codes(self) -> set[str]:
        """Every rule code some rule of this register implements."""
        out: set[str] = set()
        for r in self.record_rules:
            out.update(r.codes)
        for c in self.cross_rules:
            out.update(c.codes)
        for x in self.cross_file_rules:
            out.update(x.codes)
        for p in self.previous_rules:
            out.update(p.codes)
        for j in self.joined_rules:
            out.update(j.codes)
        return out


class Registry:
    """The registers the engine knows, by name, and their specs.

    Registers plug in: :mod:`sosreg` adds its built-in registers by import path
    (``"sosreg.registers.ekb:REGISTER"``), and any installed package can add one through
    the entry-point group ``sosreg.registers`` (read when a name is not otherwise known,
    as hypothesis reads its ``hypothesis`` group). A register is imported on first use;
    importing it registers its rules, and its specs are loaded from its package. The
    engine itself imports no register.
    """

    ENTRY_POINT_GROUP = "sosreg.registers"

    def __init__(self) -> None:
        self._paths: dict[str, str] = {}
        self._loaded: dict[str, Register] = {}
        self._entry_points_read = False
        self.specs = SpecRegistry()

    def add(self, name: str, where: str | Register) -> None:
        """Make register ``name`` known: a :class:`Register`, or ``"module:ATTR"``
        naming one (imported on first use)."""
        key = name.lower()
        if isinstance(where, Register):
            self._loaded[key] = where
            self.specs.load_package(where.package)
        else:
            self._paths[key] = where

    def _read_entry_points(self) -> None:
        if self._entry_points_read:
            return
        self._entry_points_read = True
        from importlib.metadata import entry_points

        for ep in entry_points(group=self.ENTRY_POINT_GROUP):
            self._paths.setdefault(ep.name.lower(), ep.value)

    def names(self) -> list[str]:
        """Every known register name, in the order they were added."""
        self._read_entry_points()
        return list(dict.fromkeys([*self._paths, *self._loaded]))

    def get(self, name: str) -> Register:
        """The register called ``name``. Raises ``KeyError`` if unknown."""
        key = name.lower()
        found = self._loaded.get(key)
        if found is not None:
            return found
        if key not in self._paths:
            self._read_entry_points()
        path = self._paths.get(key)
        if path is None:
            raise KeyError(f"unknown register {name!r} (known: {', '.join(self.names())})")
        module_name, _, attr = path.partition(":")
        module = importlib.import_module(module_name)
        reg = getattr(module, attr or "REGISTER")
        if not isinstance(reg, Register):
            raise TypeError(f"{path} is not a sosreg Register")
        self.add(key, reg)
        return reg

    def all(self) -> list[Register]:
        """Every known register, imported."""
        return [self.get(n) for n in self.names()]

    def resolve_spec(self, register: str, file: str, year: int) -> FileSpec:
        """The spec of ``register``/``file`` for statistikår ``year``."""
        self.get(register)
        return self.specs.resolve(register.lower(), file.lower(), year)

    def all_specs(self, register: str | None = None) -> list[FileSpec]:
        """Every spec of ``register`` (all registers if ``None``)."""
        if register is None:
            self.all()
        else:
            self.get(register)
        return self.specs.all(register)

    def prefixes(self) -> dict[str, str]:
        """Lower-case file-name prefixes (token 0 of a Filip name) -> register name."""
        out: dict[str, str] = {}
        for reg in self.all():
            for p in reg.filename_prefixes:
                out[p.lower()] = reg.name
        return out


REGISTRY = Registry()
"""The process-wide registry the pipeline resolves registers and specs from."""
SPECS = REGISTRY.specs
