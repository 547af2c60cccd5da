"""File specifications as data.

A :class:`FileSpec` describes one file of one register for a range of statistikår: its
fields in order (name, label, type, length, whether mandatory, code list), its period,
its parameters (thresholds used by rules) and its provenance. Specs are TOML files in
``sosreg/registers/<register>/specs/``; a user can load a spec of their own with
:func:`load_spec` and pass it to :func:`sosreg.validate` (or :func:`register_spec`).

Field types:

``code``
    A code, kept as text; checked against ``codelist`` (and ``width``) where given.
``integer``
    Whole number, written without leading zeros; ``min``/``max`` bound it; values in
    ``special`` (a code list) are accepted beside the range (e.g. ``777`` = dygnet runt).
``amount``
    Whole kronor, may be negative (a repayment), no decimals, no thousands separators.
``date``
    ``ÅÅÅÅMMDD``.
``yearmonth``
    ``ÅÅÅÅMM``.
``year``
    ``ÅÅÅÅ``.
``identity``
    Personnummer and friends, see :mod:`sosreg.identity`; ``accept`` lists the kinds.
``text``
    Free text up to ``length`` characters.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Final

import attrs

from sosreg.engine.findings import Severity

FIELD_TYPES: Final = (
    "code",
    "integer",
    "amount",
    "date",
    "yearmonth",
    "year",
    "identity",
    "text",
)

CHECKS: Final[Mapping[str, str]] = {
    "mandatory": "SOS-201",
    "format": "SOS-202",
    "length": "SOS-203",
    "range": "SOS-204",
    "code.unknown": "SOS-205",
    "code.expired": "SOS-206",
    "code.not_yet": "SOS-207",
    "code.lost_zero": "SOS-208",
    "code.flagged": "SOS-209",
    "identity": "SOS-210",
    "identity.scientific": "SOS-211",
    "period.mismatch": "SOS-212",
    "code.padded": "SOS-213",
    "number.identity": "SOS-215",
}
"""Generic field checks and the engine's rule code for each. A field can name any of
them with a register rule code of its own (``rules = { "code.unknown" = "EKB-069" }``);
otherwise the engine's code is used."""


MAX_NUMBER_LENGTH: Final = 18
"""The longest value of an ``integer`` or ``amount`` field whose spec gives neither a
``length`` nor both ``min`` and ``max``: every number of 18 characters (a sign
included) fits a signed 64-bit integer, the integer type of DataFrames, Parquet and
databases. A longer value is SOS-203, not a number that becomes null (or an overflow)
on its way to an analyst."""


@attrs.frozen
class FieldSpec:
    """One field of a file layout: name, labels, type, checks and provenance."""

    name: str
    label: str
    type: str
    mandatory: bool = False
    length: int | None = None
    """Maximum length of the value (for ``code`` with ``width``: exact width; for
    ``integer`` and ``amount`` without both ``min`` and ``max``, :data:`MAX_NUMBER_LENGTH`
    unless given)."""
    width: int | None = None
    codelist: str | None = None
    special: str | None = None
    """Code list of special values accepted beside the numeric range."""
    min: int | None = None
    max: int | None = None
    accept: tuple[str, ...] = ()
    label_en: str = ""
    alias: str | None = None
    """Another name the field is known by (e.g. Socialstyrelsen's variable ``EkbBel01``)."""
    description: str = ""
    provenance: str | None = None
    rules: Mapping[str, str] = attrs.field(factory=dict)
    pattern: str | None = None
    """A regular expression the whole value must match (after the code list's fast path)."""
    pattern_text: str = ""
    """The pattern in words, Swedish (e.g. "tre bokstäver och två siffror")."""
    pattern_text_en: str = ""
    reject: Mapping[str, str] = attrs.field(factory=dict)
    """Rule code -> regular expression of values that are a known mistake in this field
    (e.g. a yrkesbeteckning in the KVÅ field), reported with that rule's code."""
    pad_width: int | None = None
    """Width some systems pad this field to (trailing spaces or zeros): reported as
    ``code.padded`` rather than a generic error."""
    position: int = 0
    """1-based position in the line."""
    collector: int | None = None
    """The collector's error number for every field-stage finding on this field, where
    the collector gives all of them one number: EKB's medsökande hinderkod is no. 69
    ("hinderkod för medsökande inte giltig", "most often" an old or a two-digit code),
    whether sosreg diagnoses it as unknown, expired or a lost zero. A finding's own rule
    number (``collector`` in rules.toml) applies where the field gives none."""

    def __attrs_post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"field {self.name}: unknown type {self.type!r}")
        bounded = self.min is not None and self.max is not None
        if self.type in ("integer", "amount") and self.length is None and not bounded:
            object.__setattr__(self, "length", MAX_NUMBER_LENGTH)  # frozen: as attrs advises
        for check in self.rules:
            if check not in CHECKS:
                raise ValueError(f"field {self.name}: unknown check {check!r}")
        if (self.reject or self.pattern or self.pad_width) and self.type != "code":
            raise ValueError(f"field {self.name}: pattern, reject and pad_width need type code")

    def named_codes(self) -> set[str]:
        """The register rule codes this field names (its checks and rejects)."""
        return set(self.rules.values()) | set(self.reject)

    def rule_for(self, check: str) -> str:
        """The rule code of ``check`` for this field: its own, or the engine's."""
        return self.rules.get(check) or CHECKS[check]


PSEUDO_FIELDS: Final = ("@period", "@year", "@kommun")
"""File-level values a reference can match on: the file's period, statistikår and kommun."""


@attrs.frozen
class Reference:
    """Records of this file refer to records of another file of the same register (in a
    delivery): e.g. every BU placering belongs to an insats. Declared in the spec as
    ``[[references]]`` with ``to``, ``fields`` (this file's field -> the other file's
    field; either side may be a pseudo-field ``@period``, ``@year`` or ``@kommun``),
    ``missing`` (the rule when no record matches, on this file's line) and, optionally,
    ``unreferenced`` (the rule on a record of the other file that nothing here refers
    to). A reference is checked only when the delivery holds a file of kind ``to`` whose
    file-level values (the pairs with a pseudo-field on the other side) match."""

    to: str
    pairs: tuple[tuple[str, str], ...]
    missing: str
    unreferenced: str | None = None

    @property
    def record_pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple(p for p in self.pairs if p[1] not in PSEUDO_FIELDS)

    @property
    def file_pairs(self) -> tuple[tuple[str, str], ...]:
        return tuple(p for p in self.pairs if p[1] in PSEUDO_FIELDS)

    def codes(self) -> set[str]:
        """The rule codes this reference names."""
        return {self.missing} | ({self.unreferenced} if self.unreferenced else set())


@attrs.frozen
class FileSpec:
    """One file of a register for a range of statistikår: its fields, period, params
    and provenance."""

    register: str
    file: str
    title: str
    years_from: int
    years_to: int | None
    period: str
    """``"month"`` (ÅÅÅÅMM) or ``"year"`` (ÅÅÅÅ)."""
    fields: tuple[FieldSpec, ...]
    period_field: str | None = None
    provenance: str = "provisional"
    sources: tuple[str, ...] = ()
    description: str = ""
    params: Mapping[str, Any] = attrs.field(factory=dict)
    severity: Mapping[str, Severity] = attrs.field(factory=dict)
    """Per-spec severity overrides: a rule can be a warning one year, an error the next."""
    period_hint_field: str | None = None
    """For files without a period field: a date field whose month (on the first data
    line) gives the period when neither the arguments nor the file name do."""
    source_path: str | None = None
    deadline: Mapping[str, int] = attrs.field(factory=dict)
    """When the file is due, as :class:`dateutil.relativedelta.relativedelta` arguments
    applied to the first day of the period (``{ months = 1, day = 15 }``: the 15th of
    the next month). Only for a register without collection data: the built-in
    registers hold their deadlines in ``collection.toml`` (one source of truth; a
    built-in spec must not set this). See :meth:`deadline_for`."""
    references: tuple[Reference, ...] = ()
    """Records of this file refer to records of these files (see :class:`Reference`)."""
    reference: Mapping[str, int] = attrs.field(factory=dict)
    """The day the file describes, where it is not the period's last day, as
    relativedelta arguments applied to the period's first day (LSS, the situation on 1
    October: ``{ month = 10, day = 1 }``). Ages are computed on it."""
    kommun_field: str | None = None
    """The field holding the reporting kommun: the same on every line, and the kommun of
    a Filip-style file name (SOS-214). Default: a field called ``kommun``."""
    _by_name: dict[str, FieldSpec] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        by_name = {f.name: f for f in self.fields}
        if len(by_name) != len(self.fields):
            raise ValueError(f"{self.key}: duplicate field names")
        for attr in ("period_field", "period_hint_field", "kommun_field"):
            name = getattr(self, attr)
            if name is not None and name not in by_name:
                raise ValueError(f"{self.key}: {attr} {name} is not a field")
        for ref in self.references:
            for mine, _ in ref.pairs:
                if mine not in by_name and mine not in PSEUDO_FIELDS:
                    raise ValueError(f"{self.key}: reference to {ref.to}: {mine} is not a field")
        object.__setattr__(self, "_by_name", by_name)

    def deadline_for(self, period: Any) -> dt.date | None:
        """The last day to report the file of ``period`` (a year-month or a year): the
        register's collection data (``collection.toml``, one source of truth), else the
        spec's own :attr:`deadline` (a plug-in register without collection data)."""
        from dateutil.relativedelta import relativedelta

        from sosreg.engine.collection import deadline_for

        year, month = (period, 1) if isinstance(period, int) else (period.year, period.month)
        text = str(year) if isinstance(period, int) else f"{year}{month:02d}"
        due_data = deadline_for(self.register, self.file, text)
        if due_data is not None:
            return due_data
        if not self.deadline:
            return None
        due: dt.date = dt.date(year, month, 1) + relativedelta(**self.deadline)  # type: ignore[arg-type]
        return due

    def reference_date_for(self, period: Any) -> dt.date:
        """The day ages are computed on for ``period``: :attr:`reference`, else the
        period's last day."""
        from dateutil.relativedelta import relativedelta

        year, month = (period, 1) if isinstance(period, int) else (period.year, period.month)
        start = dt.date(year, month, 1)
        if self.reference:
            on: dt.date = start + relativedelta(**self.reference)  # type: ignore[arg-type]
            return on
        length = relativedelta(years=1) if isinstance(period, int) else relativedelta(months=1)
        end: dt.date = start + length - relativedelta(days=1)
        return end

    @property
    def key(self) -> str:
        end = self.years_to if self.years_to is not None else ""
        return f"{self.register}/{self.file}/{self.years_from}-{end}"

    @property
    def n_fields(self) -> int:
        return len(self.fields)

    def named_codes(self) -> set[str]:
        """The register rule codes this spec names: its fields' checks and rejects, and
        its references' rules."""
        out: set[str] = set()
        for f in self.fields:
            out |= f.named_codes()
        for ref in self.references:
            out |= ref.codes()
        return out

    def field(self, name: str) -> FieldSpec:
        """The field called ``name``."""
        return self._by_name[name]

    def has_field(self, name: str) -> bool:
        """Whether the spec has a field called ``name``."""
        return name in self._by_name

    def covers(self, year: int) -> bool:
        """Whether the spec covers statistikår ``year``."""
        return self.years_from <= year and (self.years_to is None or year <= self.years_to)

    def field_names(self) -> list[str]:
        """The field names in order."""
        return [f.name for f in self.fields]


def _expand(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        if "repeat" in item:
            for i in range(1, int(item["repeat"]) + 1):
                key = f"{i:02d}"
                for sub in item["fields"]:
                    yield {
                        k: (v.replace("{mm}", key) if isinstance(v, str) else v)
                        for k, v in sub.items()
                    }
        else:
            yield item


def _field_from_dict(item: dict[str, Any], position: int) -> FieldSpec:
    known = {a.name for a in attrs.fields(FieldSpec)}
    unknown = set(item) - known
    if unknown:
        raise ValueError(f"field {item.get('name')}: unknown keys {sorted(unknown)}")
    kw = dict(item)
    if "accept" in kw:
        kw["accept"] = tuple(kw["accept"])
    kw["position"] = position
    return FieldSpec(**kw)


_DEADLINE_KEYS: Final = ("years", "months", "month", "day")


def _deadline(data: Mapping[str, Any]) -> dict[str, int]:
    unknown = set(data) - set(_DEADLINE_KEYS)
    if unknown:
        raise ValueError(f"deadline: unknown keys {sorted(unknown)} (known: {_DEADLINE_KEYS})")
    return {k: int(v) for k, v in data.items()}


def _reference(data: Mapping[str, Any]) -> Reference:
    unknown = set(data) - {"to", "fields", "missing", "unreferenced"}
    if unknown:
        raise ValueError(f"reference: unknown keys {sorted(unknown)}")
    fields = data["fields"]
    pairs = (
        tuple((str(k), str(v)) for k, v in fields.items())
        if isinstance(fields, Mapping)
        else tuple((str(f), str(f)) for f in fields)
    )
    return Reference(
        to=data["to"],
        pairs=pairs,
        missing=data["missing"],
        unreferenced=data.get("unreferenced"),
    )


def spec_from_dict(data: dict[str, Any], source_path: str | None = None) -> FileSpec:
    """Build a :class:`FileSpec` from parsed TOML/JSON data."""
    fields = tuple(
        _field_from_dict(item, i) for i, item in enumerate(_expand(data["fields"]), start=1)
    )
    years = data["years"]
    return FileSpec(
        register=data["register"],
        file=data["file"],
        title=data.get("title", data["file"]),
        years_from=int(years["from"]),
        years_to=int(years["to"]) if years.get("to") is not None else None,
        period=data["period"],
        period_field=data.get("period_field"),
        fields=fields,
        provenance=data.get("provenance", "provisional"),
        sources=tuple(data.get("sources", ())),
        description=data.get("description", ""),
        params=data.get("params", {}),
        severity={k: Severity[v.upper()] for k, v in data.get("severity", {}).items()},
        period_hint_field=data.get("period_hint_field"),
        deadline=_deadline(data.get("deadline", {})),
        reference=_deadline(data.get("reference", {})),
        references=tuple(_reference(r) for r in data.get("references", ())),
        source_path=source_path,
        kommun_field=data.get(
            "kommun_field", "kommun" if any(f.name == "kommun" for f in fields) else None
        ),
    )


class SpecError(ValueError):
    """A spec file that cannot be read or does not describe a file layout."""


def load_spec(path: str | Path) -> FileSpec:
    """Load a spec from a TOML (or JSON) file, e.g. a corrected or official layout.

    Raises :class:`SpecError` (naming the file) when it cannot be read or is not a spec.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read the spec {p}: {exc.strerror or exc}") from exc
    try:
        if p.suffix.lower() == ".json":
            import json

            data = json.loads(raw.decode("utf-8"))
        else:
            data = tomllib.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        kind = "JSON" if p.suffix.lower() == ".json" else "TOML"
        raise SpecError(f"{p} is not a {kind} spec ({exc})") from exc
    if not isinstance(data, dict):
        raise SpecError(f"{p} is not a spec (no table of keys)")
    try:
        return spec_from_dict(data, str(p))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        what = f"missing key {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
        raise SpecError(f"{p} is not a valid spec: {what}") from exc


class SpecNotFound(LookupError):
    pass


class SpecRegistry:
    """Resolves the spec for (register, file, statistikår)."""

    def __init__(self) -> None:
        self._specs: list[FileSpec] = []
        self._loaded_packages: set[str] = set()

    def add(self, spec: FileSpec, *, replace: bool = False) -> None:
        """Add ``spec``; with ``replace``, instead of the specs its years overlap."""
        clash = [
            s
            for s in self._specs
            if s.register == spec.register and s.file == spec.file and _overlap(s, spec)
        ]
        if clash and not replace:
            raise ValueError(f"{spec.key} overlaps {clash[0].key}")
        for s in clash:
            self._specs.remove(s)
        self._specs.append(spec)

    def load_package(self, package: str) -> None:
        """Load every ``*.toml`` in ``<package>/specs``."""
        if package in self._loaded_packages:
            return
        self._loaded_packages.add(package)
        folder = resources.files(package).joinpath("specs")
        for entry in sorted(folder.iterdir(), key=lambda p: p.name):
            if entry.name.endswith(".toml"):
                data = tomllib.loads(entry.read_text("utf-8"))
                path = f"{package.replace('.', '/')}/specs/{entry.name}"
                self.add(spec_from_dict(data, path))

    def resolve(self, register: str, file: str, year: int) -> FileSpec:
        """The spec of ``register``/``file`` covering statistikår ``year``."""
        for s in self._specs:
            if s.register == register and s.file == file and s.covers(year):
                return s
        known = sorted({s.file for s in self._specs if s.register == register})
        raise SpecNotFound(
            f"no spec for register {register!r}, file {file!r}, statistikår {year}"
            + (f" (files: {', '.join(known)})" if known else "")
        )

    def all(self, register: str | None = None) -> list[FileSpec]:
        """Every spec (of ``register``), sorted."""
        return sorted(
            (s for s in self._specs if register is None or s.register == register),
            key=lambda s: (s.register, s.file, s.years_from),
        )


def _overlap(a: FileSpec, b: FileSpec) -> bool:
    a_end = a.years_to if a.years_to is not None else 10**6
    b_end = b.years_to if b.years_to is not None else 10**6
    return a.years_from <= b_end and b.years_from <= a_end
