"""Insatser enligt LSS (lagen om stöd och service till vissa funktionshindrade),
SOSFS 2005:21 with the form of HSLF-FS 2016:48 (from statistikår 2016).

One annual file, ``lss``: one line per person who on 1 October has at least one insats
enligt 9 § 2–10 LSS that is both decided and verkställd; due 25 October. Layout:
``specs/lss_2016.toml`` (provisional: the columns are the form's, their coding is our
assumption); rule metadata: ``rules.toml``; rule logic: :mod:`sosreg.registers.lss.rules`.
"""

from __future__ import annotations

from sosreg.registers.lss import rules as rules  # registers the rules
from sosreg.registers.lss.records import *  # noqa: F403  (the typed record classes)
from sosreg.registers.lss.register import REGISTER

__all__ = ["REGISTER"]
