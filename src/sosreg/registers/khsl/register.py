"""The KHSL register's declaration: its name, files and file-name prefixes.

Rules (``rules.py``) register themselves on :data:`REGISTER`; the package's
``__init__`` imports both, and nothing here imports the package back.
"""

from __future__ import annotations

from sosreg.engine.register import Register

REGISTER = Register(
    name="khsl",
    title="Kommunal hälso- och sjukvård (KHSL)",
    title_en="Municipal health care (KHSL)",
    package="sosreg.registers.khsl",
    files={"khsl1": "KHSL1", "khsl2": "KHSL2"},
    filename_prefixes=("khsl", "khsl1", "khsl2"),
    records="sosreg.registers.khsl.records",
    strategies="sosreg.registers.khsl.strategies",
    generator="sosreg.registers.khsl.generate",
    not_injectable={
        "KHSL-014": "needs an imported KVÅ list (none is built in); injectable when one is "
        "given (codelists={'kva': …}, --codelist)",
        "KHSL-015": "needs an imported KVÅ list with expired codes; injectable when one is given",
        "KHSL-080": "previous period: needs the earlier file",
    },
)
