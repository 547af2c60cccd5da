"""Socialtjänstinsatser till äldre och personer med funktionsnedsättning (SoL),
HSLF-FS 2021:106 (before June 2022: HSLF-FS 2016:86).

Files: ``sol1`` (insatser ongoing on the last day of the month, 25 fields) and ``sol2``
(verkställighet started or ended during the month, 32 fields). Layouts:
``specs/*.toml`` (provisional); rule metadata: ``rules.toml``; rule logic:
:mod:`sosreg.registers.sol.rules`.
"""

from __future__ import annotations

from sosreg.registers.sol import rules as rules  # registers the rules
from sosreg.registers.sol.records import *  # noqa: F403  (the typed record classes)
from sosreg.registers.sol.register import REGISTER

__all__ = ["REGISTER"]
