"""The collector's judgement over plain records (domain.md §14): a **delivery** is the
files of one organisation (or unit), sub-register and period, and the latest one
counts (:func:`counting`); "inget att rapportera" is declared where the sub-register
takes it (:func:`check_declaration`); a period's **combined status** is computed from
the counting deliveries (:func:`period_status`, after
``PortalSosService.HamtaSammanlagdStatusForPeriod``). Pure: the sub-registers come from
:mod:`sosreg.engine.collection.data` or are given.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from sosreg.engine.collection.data import SUBREGISTERS, Declare, SubRegister
from sosreg.engine.findings import Finding
from sosreg.engine.rules import CATALOGUE


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
