"""Findings: what a rule says about one place in a file.

A :class:`Finding` is plain data: a stable rule code, a severity, a category (the
stage that found it), the 1-based physical line number, the field, a *masked* value
and the message parameters. The message text itself comes from the rule catalogue
(:mod:`sosreg.engine.rules`), so it exists in one place only.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs


class Severity(enum.IntEnum):
    """How bad a finding is. Ordered: ``INFO < WARNING < ERROR``."""

    INFO = 0
    WARNING = 1
    ERROR = 2

    @property
    def label_sv(self) -> str:
        return {0: "information", 1: "varning", 2: "fel"}[self.value]

    @property
    def label_en(self) -> str:
        return self.name.lower()


class Category(enum.StrEnum):
    """The stage a rule runs in."""

    FILE = "file"
    LINE = "line"
    FIELD = "field"
    RECORD = "record"
    CROSS_RECORD = "cross-record"
    CROSS_FILE = "cross-file"
    PREVIOUS_PERIOD = "previous-period"
    INTERNAL = "internal"


class Status(enum.StrEnum):
    """The delivery status, as in Socialstyrelsen's feedback file."""

    GODKAND = "godkänd"
    GODKAND_MED_VARNINGAR = "godkänd med varningar"
    INTE_GODKAND = "inte godkänd"

    @property
    def label_en(self) -> str:
        return {
            "godkänd": "accepted",
            "godkänd med varningar": "accepted with warnings",
            "inte godkänd": "rejected",
        }[self.value]

    @classmethod
    def of(cls, severities: Iterable[Severity]) -> Status:
        """The status findings of these severities give: any error rejects, any
        warning accepts with warnings."""
        worst = max(severities, default=Severity.INFO)
        if worst is Severity.ERROR:
            return cls.INTE_GODKAND
        if worst is Severity.WARNING:
            return cls.GODKAND_MED_VARNINGAR
        return cls.GODKAND

    @property
    def exit_code(self) -> int:
        return {"godkänd": 0, "godkänd med varningar": 1, "inte godkänd": 2}[self.value]


def _freeze(params: Mapping[str, Any] | None) -> tuple[tuple[str, str], ...]:
    if not params:
        return ()
    return tuple((str(k), str(v)) for k, v in params.items())


@attrs.frozen(order=False)
class Finding:
    """One finding of one rule at one place.

    ``value`` is already masked (see :func:`sosreg.identity.mask_text`); a finding never
    carries a full personnummer.
    """

    code: str
    severity: Severity
    category: Category
    line: int | None = None
    field: str | None = None
    value: str | None = None
    params: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_freeze)

    @property
    def param_dict(self) -> dict[str, str]:
        return dict(self.params)

    def message(self, lang: str = "sv") -> str:
        """The message in Swedish (``"sv"``) or English (``"en"``)."""
        from sosreg.engine.rules import CATALOGUE

        return CATALOGUE.message(self, lang)

    def to_dict(self, lang: str = "sv") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity.name.lower(),
            "category": self.category.value,
            "line": self.line,
            "field": self.field,
            "value": self.value,
            "message": self.message(lang),
            "params": dict(self.params),
        }
