"""Insatser för barn och unga (BU), HSLF-FS 2016:3 as amended by HSLF-FS 2016:22,
statistikår 2017 onwards.

Three files, one per level of the register, validated alone or together as a delivery
(:func:`sosreg.validate_delivery`): ``barn`` (the children), ``insats`` (placement
outside the own home under SoL, or care under LVU; numbered per child) and
``placering`` (the placements of an insats; numbered per insats). Names are
Filip-style, ``BU_BARN_0330_2023_20240125T0900.txt``: the collector's BU names have
one token after ``BU`` (domain.md §9); that it names the level is our reading.

Layouts: ``specs/*.toml`` (provisional, except the LVU grounds); rule metadata:
``rules.toml``; rule implementations: :mod:`sosreg.registers.bu.rules`.
"""

from __future__ import annotations

from sosreg.registers.bu import rules as rules  # registers the rules
from sosreg.registers.bu.records import *  # noqa: F403  (the typed record classes)
from sosreg.registers.bu.register import REGISTER

__all__ = ["REGISTER"]
