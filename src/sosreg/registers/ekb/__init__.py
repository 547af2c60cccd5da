"""Ekonomiskt bistånd (EKB), HSLF-FS 2015:30, statistikår 2017 onwards.

Files: ``manad`` (EKB-Månad, bilaga 1), ``ao`` (EKB-AO, avslutsorsaker, bilaga 2) and
``ar`` (EKB-År, the annual file, bilaga 3). Layouts: ``specs/*.toml`` (provisional);
rule metadata: ``rules.toml``; rule implementations: :mod:`sosreg.registers.ekb.rules`.
"""

from __future__ import annotations

from sosreg.registers.ekb import rules as rules  # registers the rules
from sosreg.registers.ekb.records import *  # noqa: F403  (the typed record classes)
from sosreg.registers.ekb.register import REGISTER

__all__ = ["REGISTER"]
