"""Ekonomiskt bistånd (EKB), HSLF-FS 2015:30, statistikår 2017 onwards.

Files: ``manad`` (EKB-Månad, bilaga 1), ``ao`` (EKB-AO, avslutsorsaker, bilaga 2) and
``ar`` (EKB-År, the annual file, bilaga 3). Layouts: ``specs/*.toml`` (provisional);
rule metadata: ``rules.toml``; rule implementations: :mod:`sosreg.registers.ekb.rules`.
"""

from __future__ import annotations

from sosreg.engine.filename import is_digits
from sosreg.engine.register import Register
from sosreg.registers.ekb.records import *  # noqa: F403  (the typed record classes)


def _infer_file(tokens: list[str]) -> str | None:
    if any(t.upper() == "AO" for t in tokens):
        return "ao"
    digits = [t for t in tokens if is_digits(t)]
    if any(len(t) == 6 for t in digits):
        return "manad"
    if sum(1 for t in digits if len(t) == 4) >= 2:
        return "ar"
    return None


REGISTER = Register(
    name="ekb",
    title="Ekonomiskt bistånd",
    title_en="Financial assistance",
    package="sosreg.registers.ekb",
    files={"manad": "EKB-Månad", "ao": "EKB-AO", "ar": "EKB-År"},
    filename_prefixes=("ekb",),
    infer_file=_infer_file,
)

from sosreg.registers.ekb import rules as rules  # noqa: E402  (registers the rules)
