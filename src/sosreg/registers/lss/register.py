"""The LSS register's declaration: its name, files and file-name prefixes.

Rules (``rules.py``) register themselves on :data:`REGISTER`; the package's
``__init__`` imports both, and nothing here imports the package back.
"""

from __future__ import annotations

from sosreg.engine.register import Register

REGISTER = Register(
    name="lss",
    title="Insatser enligt LSS",
    title_en="Services under LSS (support and service for persons with certain disabilities)",
    package="sosreg.registers.lss",
    files={"lss": "LSS"},
    filename_prefixes=("lss",),
    records="sosreg.registers.lss.records",
    strategies="sosreg.registers.lss.strategies",
    generator="sosreg.registers.lss.generate",
    not_injectable={
        "LSS-080": "previous period: needs the earlier file",
    },
)
