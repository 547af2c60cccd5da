"""``sosreg status``: what each kommun has delivered, what counts, what is missing.

For each kommun, period and sub-register: whether it is owed, the files delivered and
when, which delivery counts (the latest, :func:`sosreg.engine.collection.counting`), its
status (the counting files validated together, as ``sosreg validate`` does), the
deadline, on time or late, the reminders sent by the day judged on, and what is missing;
and the period's combined status as the collector computes it
(:func:`sosreg.period_status`; domain.md §14). All dates come from the registers'
collection data; the day is ``on`` (default today), never hidden: the document says it.

What a kommun owes comes from an obligations file (:func:`read_obligations`) or, without
one, from the folder: a sub-register delivered for any period of a year is owed for every
period of that year whose deadline has passed on ``on``, and so is its pair partner.
"Inget att rapportera" comes from a declarations file (:func:`read_declarations`).
See docs/collection.md.
"""

from sosreg.engine.collection import (
    Declaration,
    Delivery,
    DeliveryStatus,
    PeriodState,
    PeriodStatus,
    counting,
)
from sosreg.status.collector import declare, period_status, subregisters
from sosreg.status.inputs import Obligation, read_declarations, read_obligations
from sosreg.status.report import (
    SCHEMA_VERSION,
    FileSeen,
    PeriodRow,
    StatusReport,
    SubRow,
    to_html,
    write_xlsx,
)
from sosreg.status.table import collect, status

__all__ = [
    "SCHEMA_VERSION",
    "Declaration",
    "Delivery",
    "DeliveryStatus",
    "FileSeen",
    "Obligation",
    "PeriodRow",
    "PeriodState",
    "PeriodStatus",
    "StatusReport",
    "SubRow",
    "collect",
    "counting",
    "declare",
    "period_status",
    "read_declarations",
    "read_obligations",
    "status",
    "subregisters",
    "to_html",
    "write_xlsx",
]
