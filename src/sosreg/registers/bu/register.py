"""The BU register's declaration: its name, files and file-name prefixes.

Rules (``rules.py``) register themselves on :data:`REGISTER`; the package's
``__init__`` imports both, and nothing here imports the package back.
"""

from __future__ import annotations

from sosreg.engine.register import Register

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
    records="sosreg.registers.bu.records",
    strategies="sosreg.registers.bu.strategies",
    generator="sosreg.registers.bu.generate",
)
