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

from sosreg.engine.register import Register
from sosreg.registers.bu.records import *  # noqa: F403  (the typed record classes)

LEVELS = {"barn": "barn", "insats": "insats", "placering": "placering"}
"""The level token of a file name (upper or lower case) -> file key."""


def _infer_file(tokens: list[str]) -> str | None:
    return next((LEVELS[t.lower()] for t in tokens if t.lower() in LEVELS), None)


REGISTER = Register(
    name="bu",
    title="Insatser för barn och unga (BU)",
    title_en="Measures for children and young people (BU)",
    package="sosreg.registers.bu",
    files={"barn": "BU-Barn", "insats": "BU-Insats", "placering": "BU-Placering"},
    filename_prefixes=("bu",),
    infer_file=_infer_file,
)

from sosreg.registers.bu import rules as rules  # noqa: E402  (registers the rules)
