"""Collection rules as data: what the collector expects and when.

Per **sub-register** (``EKB-Månad``, ``SOL2``, ``BU``, …): file requirements (how often,
the reporting window as days, up to three reminder days), **expected files** (a regular
expression, case-insensitive, group 1 the file code of the organisation or unit, group
2 the period; mandatory; empty allowed). Each register holds its part as
``registers/<r>/collection.toml`` (loaded by :class:`~sosreg.engine.register.Register`);
this module types and checks it (every value has a ``source`` with a ``[seed]``,
``[public]`` or ``[provisional]`` tag), keeps the installed sub-registers
(:data:`SUBREGISTERS`) and finds them by file (:func:`subregister_for_file`,
:func:`deadline_for`) and by a file's name (:func:`match_name`). It knows no register:
names such as ``EKB-Månad`` come from the data, never from code.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any, Final

import attrs
from dateutil.relativedelta import relativedelta

__all__ = [
    "SUBREGISTERS",
    "Collection",
    "Declare",
    "ExpectedFile",
    "NameMatch",
    "PeriodDates",
    "SubRegister",
    "Window",
    "deadline_for",
    "install",
    "load_collection",
    "match_name",
    "name_timestamp",
    "period_end",
    "period_start",
    "subregister_for_file",
]

_TAGS: Final = ("[seed]", "[public]", "[provisional]")
_OFFSET_KEYS: Final = ("years", "months", "month", "day")

Offset = Mapping[str, int]
"""relativedelta arguments applied to the first day of the period."""


def _offset(data: Any, what: str) -> dict[str, int]:
    if not isinstance(data, Mapping):
        raise ValueError(f"{what}: expected a table like {{ months = 1, day = 15 }}")
    unknown = set(data) - set(_OFFSET_KEYS)
    if unknown:
        raise ValueError(f"{what}: unknown keys {sorted(unknown)} (known: {_OFFSET_KEYS})")
    return {str(k): int(v) for k, v in data.items()}


def _sources(data: Any, needed: Iterable[str], what: str) -> dict[str, str]:
    if not isinstance(data, Mapping):
        raise ValueError(f"{what}: a [source] table is required")
    out = {str(k): str(v) for k, v in data.items()}
    for key in needed:
        text = out.get(key)
        if not text:
            raise ValueError(f"{what}: no source for {key}")
        if not any(tag in text for tag in _TAGS):
            raise ValueError(
                f"{what}: the source of {key} has no [seed]/[public]/[provisional] tag"
            )
    return out


def period_start(period: str) -> dt.date:
    """The first day of ``"ÅÅÅÅMM"`` or ``"ÅÅÅÅ"``."""
    if len(period) == 6 and period.isdigit():
        return dt.date(int(period[:4]), int(period[4:]), 1)
    if len(period) == 4 and period.isdigit():
        return dt.date(int(period), 1, 1)
    raise ValueError(f"not a period (ÅÅÅÅMM or ÅÅÅÅ): {period!r}")


def period_end(period: str) -> dt.date:
    """The last day of ``"ÅÅÅÅMM"`` or ``"ÅÅÅÅ"``."""
    length = relativedelta(years=1) if len(period) == 4 else relativedelta(months=1)
    day: dt.date = period_start(period) + length - dt.timedelta(days=1)
    return day


def _apply(period: str, offset: Offset) -> dt.date:
    day: dt.date = period_start(period) + relativedelta(**offset)  # type: ignore[arg-type]
    return day


@attrs.frozen
class PeriodDates:
    """The reporting window of one period: the portal takes files from ``start`` to
    ``end`` (inclusive); ``deadline`` is the last day to report on time (the
    collector's *Rapportering senast*); reminders go out on ``reminders``."""

    start: dt.date
    deadline: dt.date
    end: dt.date
    reminders: tuple[dt.date, ...] = ()

    def is_open(self, on: dt.date) -> bool:
        return self.start <= on <= self.end


@attrs.frozen
class Window:
    """The reporting window of the periods of statistikår ``first``…``last``."""

    first: int
    last: int | None
    start: Offset
    deadline: Offset
    end: Offset
    reminders: tuple[Offset, ...]
    source: Mapping[str, str]

    def dates(self, period: str) -> PeriodDates:
        return PeriodDates(
            _apply(period, self.start),
            _apply(period, self.deadline),
            _apply(period, self.end),
            tuple(_apply(period, r) for r in self.reminders),
        )


@attrs.frozen
class ExpectedFile:
    """One file the collector expects (``AdmForvantadfil``)."""

    kind: str
    """The register's file key (the spec's file), e.g. ``manad``, ``barn``."""
    mask: str
    """The name as people write it, e.g. ``Ekb_<kod>_<ÅÅÅÅMM>_<ÅÅÅÅMMDDTHHMM>.txt``."""
    regex: re.Pattern[str]
    """Case-insensitive; group 1 the file code (kommun or unit), group 2 the period."""
    mandatory: bool
    empty_allowed: bool
    source: str


class Declare(enum.StrEnum):
    """Where "inget att rapportera" may be declared for a sub-register."""

    PORTAL = "portal"
    EMAIL = "email"
    NO = "no"


@attrs.frozen
class SubRegister:
    """A sub-register (``AdmDelregister``) with its file requirements."""

    name: str
    """The short name as the collector writes it (``EKB-Månad``)."""
    register: str
    first: int
    last: int | None
    frequency: str
    """``month`` or ``year``."""
    files: tuple[ExpectedFile, ...]
    windows: tuple[Window, ...]
    nothing_to_report: Declare
    pair: str | None
    extensions: tuple[str, ...]
    source: Mapping[str, str]

    def window(self, year: int) -> Window | None:
        for w in self.windows:
            if w.first <= year and (w.last is None or year <= w.last):
                return w
        return None

    def dates(self, period: str) -> PeriodDates | None:
        """The window of ``period`` (``None`` where no window era covers it)."""
        w = self.window(int(period[:4]))
        return None if w is None else w.dates(self.period_of(period))

    def period_of(self, period: str) -> str:
        """``period`` in this sub-register's frequency (a month's year for annual ones)."""
        return period[:4] if self.frequency == "year" else period

    def periods(self, year: int) -> list[str]:
        """The periods of statistikår ``year``."""
        if self.frequency == "month":
            return [f"{year}{m:02d}" for m in range(1, 13)]
        return [str(year)]

    def valid_in(self, year: int) -> bool:
        return self.first <= year and (self.last is None or year <= self.last)

    @property
    def declarable(self) -> bool:
        """ "Inget att rapportera" can be declared in the portal."""
        return self.nothing_to_report is Declare.PORTAL

    def file(self, kind: str) -> ExpectedFile | None:
        return next((f for f in self.files if f.kind == kind), None)


@attrs.frozen
class Collection:
    """One register's collection rules (its ``collection.toml``)."""

    register: str
    subregisters: tuple[SubRegister, ...]


def _expected(item: Mapping[str, Any], what: str) -> ExpectedFile:
    unknown = set(item) - {"kind", "mask", "regex", "mandatory", "empty", "source"}
    if unknown:
        raise ValueError(f"{what}: unknown keys {sorted(unknown)}")
    src = str(item.get("source", ""))
    if not any(tag in src for tag in _TAGS):
        raise ValueError(f"{what}: the source has no [seed]/[public]/[provisional] tag")
    rx = re.compile(str(item["regex"]), re.IGNORECASE)
    if rx.groups < 2:
        raise ValueError(f"{what}: the regex needs group 1 (file code) and group 2 (period)")
    return ExpectedFile(
        kind=str(item["kind"]),
        mask=str(item["mask"]),
        regex=rx,
        mandatory=bool(item["mandatory"]),
        empty_allowed=bool(item["empty"]),
        source=src,
    )


def _window(item: Mapping[str, Any], what: str) -> Window:
    unknown = set(item) - {"from", "to", "start", "deadline", "end", "reminders", "source"}
    if unknown:
        raise ValueError(f"{what}: unknown keys {sorted(unknown)}")
    reminders = tuple(_offset(r, f"{what} reminder") for r in item.get("reminders", ()))
    if len(reminders) > 3:
        raise ValueError(f"{what}: at most three reminder days (Paminnelse1–3dag)")
    needed = ["start", "deadline", "end"] + (["reminders"] if reminders else [])
    return Window(
        first=int(item["from"]),
        last=int(item["to"]) if "to" in item else None,
        start=_offset(item["start"], f"{what} start"),
        deadline=_offset(item["deadline"], f"{what} deadline"),
        end=_offset(item["end"], f"{what} end"),
        reminders=reminders,
        source=_sources(item.get("source"), needed, what),
    )


_SUB_KEYS: Final = {
    "name",
    "from",
    "to",
    "frequency",
    "pair",
    "nothing_to_report",
    "extensions",
    "file",
    "window",
    "source",
}


def load_collection(text: str, register: str) -> Collection:
    """Read a register's ``collection.toml``; raises ``ValueError`` on bad data."""
    data = tomllib.loads(text)
    subs: list[SubRegister] = []
    for item in data.get("subregister", ()):
        name = str(item.get("name", "?"))
        what = f"{register} collection {name}"
        unknown = set(item) - _SUB_KEYS
        if unknown:
            raise ValueError(f"{what}: unknown keys {sorted(unknown)}")
        freq = str(item["frequency"])
        if freq not in ("month", "year"):
            raise ValueError(f"{what}: frequency must be month or year")
        needed = ["name", "frequency", "nothing_to_report", "extensions"]
        if item.get("pair"):
            needed.append("pair")
        windows = tuple(_window(w, f"{what} window") for w in item.get("window", ()))
        files = tuple(_expected(f, f"{what} file") for f in item.get("file", ()))
        if not files or not windows:
            raise ValueError(f"{what}: needs at least one [[file]] and one [[window]]")
        subs.append(
            SubRegister(
                name=name,
                register=register,
                first=int(item["from"]),
                last=int(item["to"]) if "to" in item else None,
                frequency=freq,
                files=files,
                windows=windows,
                nothing_to_report=Declare(str(item["nothing_to_report"])),
                pair=str(item["pair"]) if item.get("pair") else None,
                extensions=tuple(str(e).lower() for e in item["extensions"]),
                source=_sources(item.get("source"), needed, what),
            )
        )
    return Collection(register, tuple(subs))


SUBREGISTERS: dict[str, SubRegister] = {}
"""Every loaded sub-register by short name (filled as registers load their data)."""


def install(collection: Collection) -> None:
    """Make a register's sub-registers known (called by ``Register``)."""
    for sub in collection.subregisters:
        SUBREGISTERS[sub.name] = sub


def subregister_for_file(register: str, kind: str, year: int | None = None) -> SubRegister | None:
    """The sub-register expecting file ``kind`` of ``register`` (in statistikår ``year``)."""
    for sub in SUBREGISTERS.values():
        if (
            sub.register == register
            and sub.file(kind) is not None
            and (year is None or sub.valid_in(year))
        ):
            return sub
    return None


def deadline_for(register: str, kind: str, period: str) -> dt.date | None:
    """The deadline of file ``kind`` of ``register`` for ``period`` from the data."""
    sub = subregister_for_file(register, kind, int(period[:4]))
    if sub is None:
        return None
    dates = sub.dates(period)
    return None if dates is None else dates.deadline


@attrs.frozen
class NameMatch:
    """What a file name says under the collector's expected files."""

    subregister: SubRegister
    file: ExpectedFile
    code: str
    """Group 1: the organisation's or unit's file code."""
    period: str
    """Group 2."""
    timestamp: dt.datetime | None


_TIMESTAMP = re.compile(r"(?<![0-9])(\d{8})T(\d{4})(\d{2})?(?![0-9])")


def name_timestamp(name: str) -> dt.datetime | None:
    """The ``ÅÅÅÅMMDDTHHMM[SS]`` timestamp of a Filip file name (``None``: none, or not
    a valid date and time). Orders deliveries: the latest counts (domain.md §14)."""
    found = _TIMESTAMP.findall(name)
    if not found:
        return None
    date, hm, ss = found[-1]
    try:
        return dt.datetime.strptime(date + hm + (ss or "00"), "%Y%m%d%H%M%S")
    except ValueError:
        return None


def match_name(name: str, register: str | None = None) -> NameMatch | None:
    """The expected file ``name`` matches (``re.match``, case-insensitive, as the
    collector's ``FilesHelper.UploadAndShowResults``), among the sub-registers of
    ``register`` (all if ``None``) valid in the period's year; ``None``: none."""
    for sub in SUBREGISTERS.values():
        if register is not None and sub.register != register:
            continue
        for f in sub.files:
            m = f.regex.match(name)
            if m is None:
                continue
            period = m.group(2)
            try:
                period_start(period)
            except ValueError:
                continue
            if (len(period) == 6) != (sub.frequency == "month"):
                continue
            if not sub.valid_in(int(period[:4])):
                continue
            return NameMatch(sub, f, m.group(1), period, name_timestamp(name))
    return None
