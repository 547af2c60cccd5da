"""The SOL register's declaration: its name, files and file-name prefixes.

Rules (``rules.py``) register themselves on :data:`REGISTER`; the package's
``__init__`` imports both, and nothing here imports the package back.
"""

from __future__ import annotations

from sosreg.engine.register import Register

REGISTER = Register(
    name="sol",
    title="Socialtjänstinsatser till äldre och personer med funktionsnedsättning (SoL)",
    title_en="Social services for older people and people with disabilities (SoL)",
    package="sosreg.registers.sol",
    files={"sol1": "SOL1", "sol2": "SOL2"},
    filename_prefixes=("sol", "sol1", "sol2"),
    records="sosreg.registers.sol.records",
    strategies="sosreg.registers.sol.strategies",
    generator="sosreg.registers.sol.generate",
    not_injectable={
        "SOL-080": "previous period: needs the earlier file",
    },
)
