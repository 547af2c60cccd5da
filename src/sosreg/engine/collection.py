"""Collection rules as data: what the collector expects, when, and how a period is judged.

Socialstyrelsen's collector (the Filip portal, published as ``mahlin/InrappSos``;
domain.md §14) keeps, per **sub-register** (``EKB-Månad``, ``SOL2``, ``BU``, …): file
requirements (how often, the reporting window as days, up to three reminder days),
**expected files** (a regular expression, case-insensitive, group 1 the file code of the
organisation or unit, group 2 the period; mandatory; empty allowed), and per
organisation an **obligation** (from/to, per unit or not). A **delivery** is the files of
one organisation (or unit), sub-register and period; the latest one counts. A period's
**combined status** is computed from the counting deliveries
(``PortalSosService.HamtaSammanlagdStatusForPeriod``).

Each register holds its part as ``registers/<r>/collection.toml`` (loaded by
:class:`~sosreg.engine.register.Register`); this module types and checks it (every value
has a ``source`` with a ``[seed]``, ``[public]`` or ``[provisional]`` tag), and holds the
pure functions over plain data: :func:`counting` (which delivery counts) and
:func:`period_status`. It knows no register: names such as ``EKB-Månad`` come from the
data, never from code.
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

from sosreg.engine.findings import Finding
from sosreg.engine.rules import CATALOGUE

__all__ = [
    "SUBREGISTERS",
    "Collection",
    "Declaration",
    "DeclarationRefused",
    "Delivery",
    "DeliveryStatus",
    "ExpectedFile",
    "NameMatch",
    "PeriodDates",
    "PeriodState",
    "PeriodStatus",
    "SubRegister",
    "Window",
    "counting",
    "deadline_for",
    "load_collection",
    "match_name",
    "name_timestamp",
    "period_start",
    "period_status",
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


# --- deliveries, declarations and the period's status ------------------------------------


class DeliveryStatus(enum.StrEnum):
    """A delivery's status, in the collector's words (``Leverans.Leveransstatus``)."""

    LEVERERAD = "Levererad"
    GODKAND = "Leveransen är godkänd"
    GODKAND_MED_VARNINGAR = "Leveransen är godkänd med varningar"
    INTE_GODKAND = "Leveransen är inte godkänd"
    INGET_ATT_RAPPORTERA = "Inget att rapportera"

    @property
    def code(self) -> str:
        return self.name.lower()


@attrs.frozen
class Delivery:
    """One delivery: the files (or the declaration) of one kommun or unit, one
    sub-register, one period, at one time, with its status."""

    kommun: str
    subregister: str
    period: str
    timestamp: dt.datetime | None
    status: DeliveryStatus
    unit: str | None = None
    kind: str | None = None
    """The expected file this delivery is (for sub-registers with several files); ``None``:
    the whole delivery."""
    name: str | None = None


@attrs.frozen
class Declaration:
    """ "Inget att rapportera" declared for a kommun (or unit), sub-register and period."""

    kommun: str
    subregister: str
    period: str
    day: dt.date
    unit: str | None = None


class DeclarationRefused(ValueError):
    """A declaration for a sub-register that does not take one in the portal; its
    :attr:`finding` is SOS-035."""

    def __init__(self, declaration: Declaration, how_sv: str, how_en: str) -> None:
        rule = CATALOGUE["SOS-035"]
        self.declaration = declaration
        self.finding = Finding(
            rule.code,
            rule.severity,
            rule.category,
            params={
                "subregister": declaration.subregister,
                "kommun": declaration.kommun,
                "period": declaration.period,
                "how_sv": how_sv,
                "how_en": how_en,
            },
        )
        self.message_sv = self.finding.message("sv")
        self.message_en = self.finding.message("en")
        super().__init__(self.message_en)


def check_declaration(
    decl: Declaration, subregisters: Mapping[str, SubRegister] | None = None
) -> Delivery:
    """The delivery a declaration makes (status *Inget att rapportera*, at the start of
    its day); raises :class:`DeclarationRefused` where the sub-register does not take
    one in the portal (FAQ: EKB avslutsorsaker and SoL started/ended insatser do; KHSL
    is reported by e-mail; domain.md §5, §14)."""
    subs = SUBREGISTERS if subregisters is None else subregisters
    sub = subs.get(decl.subregister)
    if sub is None:
        raise DeclarationRefused(
            decl, "ett delregister sosreg inte känner", "an unknown sub-register"
        )
    if not sub.declarable:
        how_sv = {
            Declare.EMAIL: "anmäls med e-post till Socialstyrelsen, inte i portalen",
            Declare.NO: "kan inte anmälas; filen ska skickas",
        }[sub.nothing_to_report]
        how_en = {
            Declare.EMAIL: "is told Socialstyrelsen by e-mail, not in the portal",
            Declare.NO: "cannot be declared; the file must be sent",
        }[sub.nothing_to_report]
        raise DeclarationRefused(decl, how_sv, how_en)
    return Delivery(
        kommun=decl.kommun,
        subregister=decl.subregister,
        period=decl.period,
        timestamp=dt.datetime.combine(decl.day, dt.time()),
        status=DeliveryStatus.INGET_ATT_RAPPORTERA,
        unit=decl.unit,
    )


def counting(deliveries: Iterable[Delivery]) -> list[Delivery]:
    """The deliveries that count: of those for the same kommun, unit, sub-register,
    period (and expected file), the latest by timestamp (``Leverans.cs``: a later
    delivery is a re-delivery; the latest counts, domain.md §14). A delivery without a
    timestamp counts only where it is the only one. Kept in input order otherwise."""
    best: dict[tuple[Any, ...], Delivery] = {}
    order: list[tuple[Any, ...]] = []
    for d in deliveries:
        key = (d.kommun, d.unit, d.subregister, d.period, d.kind)
        old = best.get(key)
        if old is None:
            best[key] = d
            order.append(key)
        elif d.timestamp is not None and (old.timestamp is None or d.timestamp > old.timestamp):
            best[key] = d
    return [best[k] for k in order]


class PeriodState(enum.StrEnum):
    """The period's combined status as the collector's ``HamtaSammanlagdStatusForPeriod``
    returns it (``""`` where nothing was delivered)."""

    OK = "ok"
    WARNING = "warning"
    ERROR = "error"
    NONE = ""

    @property
    def exit_code(self) -> int:
        return {"ok": 0, "warning": 1, "error": 2, "": 0}[self.value]


@attrs.frozen
class PeriodStatus:
    """A kommun's period: its combined status and why."""

    kommun: str
    period: str
    status: PeriodState
    counted: tuple[Delivery, ...]
    reasons: tuple[tuple[str, str], ...] = ()
    """(Swedish, English) reasons for an error or a warning."""


def period_status(
    kommun: str,
    period: str,
    deliveries: Iterable[Delivery],
    declarations: Iterable[Declaration] = (),
    *,
    units: Mapping[str, Iterable[str]] | None = None,
    subregisters: Mapping[str, SubRegister] | None = None,
) -> PeriodStatus:
    """The combined status of ``kommun``'s ``period``, as the collector computes it
    (``PortalSosService.HamtaSammanlagdStatusForPeriod`` and
    ``KontrolleraOmKomplettaEnhetsleveranser``; domain.md §14):

    - error if a sub-register is there without its pair partner (``EKB-Månad`` /
      ``EKB-AO``, ``SOL1`` / ``SOL2``: the ``pair`` of the data);
    - else error if any counting delivery is *inte godkänd* or only *levererad*;
    - else warning if any is *godkänd med varningar* or *inget att rapportera*;
    - else ok (``""`` if nothing at all);
    - with per-unit reporting (``units``: sub-register → the units obliged), error until
      every obliged unit has delivered.

    ``deliveries`` are all deliveries of the kommun's period (any order; only the
    latest of each counts, :func:`counting`); ``declarations`` are checked with
    :func:`check_declaration` (raises :class:`DeclarationRefused`). Pure: no files, no
    clock.
    """
    subs = SUBREGISTERS if subregisters is None else subregisters
    mine = [d for d in deliveries if d.kommun == kommun and d.period == period]
    mine += [
        check_declaration(x, subs)
        for x in declarations
        if x.kommun == kommun and x.period == period
    ]
    counted = counting(mine)
    reasons: list[tuple[str, str]] = []
    present = {d.subregister for d in counted}
    error = warning = ok = False
    for name in sorted(present):
        sub = subs.get(name)
        if sub is not None and sub.pair is not None and sub.pair not in present:
            error = True
            reasons.append(
                (f"{name} finns men inte {sub.pair}", f"{name} is there but not {sub.pair}")
            )
    for d in counted:
        label = d.subregister + (f" ({d.unit})" if d.unit else "")
        if d.status in (DeliveryStatus.INTE_GODKAND, DeliveryStatus.LEVERERAD):
            error = True
            reasons.append((f"{label}: {d.status.value}", f"{label}: {d.status.value}"))
        elif d.status in (
            DeliveryStatus.GODKAND_MED_VARNINGAR,
            DeliveryStatus.INGET_ATT_RAPPORTERA,
        ):
            warning = True
            reasons.append((f"{label}: {d.status.value}", f"{label}: {d.status.value}"))
        else:
            ok = True
    for name, obliged in sorted((units or {}).items()):
        have = {d.unit for d in counted if d.subregister == name}
        for unit in sorted(set(obliged) - have):
            error = True
            reasons.append(
                (
                    f"{name}: enheten {unit} har inte levererat",
                    f"{name}: unit {unit} has not delivered",
                )
            )
    if error:
        state = PeriodState.ERROR
    elif warning:
        state = PeriodState.WARNING
    elif ok:
        state = PeriodState.OK
    else:
        state = PeriodState.NONE
    return PeriodStatus(kommun, period, state, tuple(counted), tuple(reasons))
