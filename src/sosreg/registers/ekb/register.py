"""The EKB register's declaration: its name, files and file-name prefixes.

Rules (``rules.py``) register themselves on :data:`REGISTER`; the package's
``__init__`` imports both, and nothing here imports the package back.
"""

from __future__ import annotations

from sosreg.engine.filename import is_digits
from sosreg.engine.register import Register


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
    records="sosreg.registers.ekb.records",
    strategies="sosreg.registers.ekb.strategies",
    generator="sosreg.registers.ekb.generate",
    not_injectable={
        "EKB-061": "cross-file, delivery level: one file of a month's pair missing",
        "EKB-062": "cross-file: needs EKB-År and EKB-Månad together",
        "EKB-063": "cross-file: needs EKB-År and EKB-Månad together",
        "EKB-080": "previous period: needs the earlier file",
        "EKB-081": "previous period: needs the earlier file",
    },
)
