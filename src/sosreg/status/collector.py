"""The collector's decision as an API (domain.md §14): the period's combined status
from plain records of deliveries and declarations, and what a declaration makes; the
built-in and installed registers' collection data, pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sosreg.engine.collection import (
    SUBREGISTERS,
    Declaration,
    Delivery,
    PeriodStatus,
    SubRegister,
    check_declaration,
)
from sosreg.engine.collection import period_status as _period_status
from sosreg.engine.register import REGISTRY


def subregisters() -> dict[str, SubRegister]:
    """Every sub-register of every known register, by short name."""
    REGISTRY.all()
    return dict(SUBREGISTERS)


def period_status(
    kommun: str,
    period: str,
    deliveries: Iterable[Delivery],
    declarations: Iterable[Declaration] = (),
    *,
    units: Mapping[str, Iterable[str]] | None = None,
) -> PeriodStatus:
    """The combined status of ``kommun``'s ``period`` from its deliveries and
    declarations, as the collector computes it (the built-in registers' collection
    data; see :func:`sosreg.engine.collection.period_status`). Pure: plain records in,
    a :class:`PeriodStatus` out.

    >>> import datetime as dt, sosreg
    >>> t = dt.datetime(2023, 2, 14, 9, 30)
    >>> ok = sosreg.DeliveryStatus.GODKAND
    >>> sosreg.period_status("0330", "202301", [
    ...     sosreg.Delivery("0330", "SOL1", "202301", t, ok)]).status.value
    'error'
    >>> sosreg.period_status("0330", "202301", [
    ...     sosreg.Delivery("0330", "SOL1", "202301", t, ok)],
    ...     [sosreg.Declaration("0330", "SOL2", "202301", dt.date(2023, 2, 14))]).status.value
    'warning'
    """
    return _period_status(
        kommun, period, deliveries, declarations, units=units, subregisters=subregisters()
    )


def declare(declaration: Declaration) -> Delivery:
    """The delivery an "inget att rapportera" declaration makes; raises
    :class:`~sosreg.engine.collection.DeclarationRefused` (its ``finding`` is SOS-035)
    where the sub-register does not take one in the portal."""
    return check_declaration(declaration, subregisters())
