"""Severities, stages and statuses: the leaf vocabulary every other engine module uses.

Nothing here imports anything of sosreg.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


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

    @property
    def code(self) -> str:
        """Stable ASCII code for machines: ``error``, ``warning``, ``info``."""
        return self.name.lower()

    def label(self, lang: str = "sv") -> str:
        return self.label_en if lang == "en" else self.label_sv


class Category(enum.StrEnum):
    """The stage a rule runs in."""

    FILE = "file"
    LINE = "line"
    FIELD = "field"
    RECORD = "record"
    CROSS_RECORD = "cross-record"
    CROSS_FILE = "cross-file"
    PREVIOUS_PERIOD = "previous-period"
    PORTAL = "portal"
    """What the collector's portal refuses before it looks inside a file (the name, the
    extension, the reporting window, an empty file). Not part of the verdict on the
    contents (:attr:`sosreg.Report.status`); see docs/collection.md."""
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

    @property
    def code(self) -> str:
        """Stable ASCII code for machines: ``godkand``, ``godkand_med_varningar``,
        ``inte_godkand``."""
        return self.name.lower()

    def label(self, lang: str = "sv") -> str:
        return self.label_en if lang == "en" else self.value

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
