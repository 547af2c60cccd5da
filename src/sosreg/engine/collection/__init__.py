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
:class:`~sosreg.engine.register.Register`); ``data`` types and checks it (every value
has a ``source`` with a ``[seed]``, ``[public]`` or ``[provisional]`` tag), and ``periods`` holds
the pure functions over plain data: :func:`counting` (which delivery counts) and
:func:`period_status`. It knows no register: names such as ``EKB-Månad`` come from the
data, never from code.
"""

from sosreg.engine.collection.data import (
    SUBREGISTERS,
    Collection,
    Declare,
    ExpectedFile,
    NameMatch,
    PeriodDates,
    SubRegister,
    Window,
    deadline_for,
    install,
    load_collection,
    match_name,
    name_timestamp,
    period_end,
    period_start,
    subregister_for_file,
)
from sosreg.engine.collection.periods import (
    Declaration,
    DeclarationRefused,
    Delivery,
    DeliveryStatus,
    PeriodState,
    PeriodStatus,
    check_declaration,
    counting,
    period_status,
)

__all__ = [
    "SUBREGISTERS",
    "Collection",
    "Declaration",
    "DeclarationRefused",
    "Declare",
    "Delivery",
    "DeliveryStatus",
    "ExpectedFile",
    "NameMatch",
    "PeriodDates",
    "PeriodState",
    "PeriodStatus",
    "SubRegister",
    "Window",
    "check_declaration",
    "counting",
    "deadline_for",
    "install",
    "load_collection",
    "match_name",
    "name_timestamp",
    "period_end",
    "period_start",
    "period_status",
    "subregister_for_file",
]
