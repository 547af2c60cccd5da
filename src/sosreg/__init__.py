"""sosreg: Socialstyrelsen's social-services registers as data.

>>> import sosreg
>>> report = sosreg.validate("Ekb_0330_201707_20170815T1011.txt")  # doctest: +SKIP
>>> report.status  # doctest: +SKIP
<Status.GODKAND: 'godkänd'>

Importing :mod:`sosreg` plugs the built-in registers (:mod:`sosreg.plugins`) and report
renderers (:mod:`sosreg.reports`) into the engine (:mod:`sosreg.engine`), which itself
knows neither.
"""

from __future__ import annotations

from sosreg import analysts, frames, plugins, reports
from sosreg._version import __version__
from sosreg.analysts import scan
from sosreg.deadlines import deadline
from sosreg.engine import columnar as _columnar  # adds the columnar engine
from sosreg.engine.delivery import DeliveryReport, validate_delivery
from sosreg.engine.findings import Category, Finding, Severity, Status
from sosreg.engine.pipeline import (
    Parsed,
    Row,
    UsageError,
    load,
    parse,
    serialize,
    write,
)
from sosreg.engine.records import converter, from_dict, record_class, to_dict
from sosreg.engine.register import REGISTRY
from sosreg.engine.report import Report
from sosreg.engine.source import Source, TextFormat
from sosreg.engine.spec import FieldSpec, FileSpec, load_spec
from sosreg.engine.validation import validate
from sosreg.engine.values import Special, YearMonth
from sosreg.generate import generate
from sosreg.status import (
    Declaration,
    Delivery,
    DeliveryStatus,
    PeriodState,
    PeriodStatus,
    counting,
    declare,
    period_status,
)

plugins.install()
del reports, _columnar  # imported for what they plug into the engine

__all__ = [
    "Category",
    "Declaration",
    "Delivery",
    "DeliveryReport",
    "DeliveryStatus",
    "FieldSpec",
    "FileSpec",
    "Finding",
    "Parsed",
    "PeriodState",
    "PeriodStatus",
    "Report",
    "Row",
    "Severity",
    "Source",
    "Special",
    "Status",
    "TextFormat",
    "UsageError",
    "YearMonth",
    "__version__",
    "analysts",
    "clear_caches",
    "converter",
    "counting",
    "deadline",
    "declare",
    "frames",
    "from_dict",
    "generate",
    "get_spec",
    "load",
    "load_spec",
    "parse",
    "period_status",
    "record_class",
    "scan",
    "serialize",
    "to_dict",
    "validate",
    "validate_delivery",
    "write",
]


def get_spec(register: str, file: str, year: int) -> FileSpec:
    """The built-in spec of ``register``/``file`` for statistikår ``year``."""
    return REGISTRY.resolve_spec(register, file, year)


def clear_caches() -> None:
    """Empty the caches (identities, dates, year-months, compiled line functions).
    Results never depend on them; benchmarks call this to measure a cold start."""
    from sosreg import identity
    from sosreg.engine import compiled, values

    compiled.clear_cache()
    identity._parse_cached.cache_clear()
    identity._date_kind.cache_clear()
    identity._birth_of.cache_clear()
    values.parse_date.cache_clear()
    values.parse_yearmonth.cache_clear()
