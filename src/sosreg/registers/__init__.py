"""The registers sosreg knows, one package each.

=========  ===============================================================  ==========
name       register                                                         package
=========  ===============================================================  ==========
``ekb``    Ekonomiskt bistånd (HSLF-FS 2015:30)                             ``ekb/``
``sol``    SoL-insatser till äldre och personer med funktionsnedsättning    ``sol/``
           (HSLF-FS 2021:106)
``khsl``   Kommunal hälso- och sjukvård (HSLF-FS 2017:67)                   ``khsl/``
=========  ===============================================================  ==========

A register package is imported on first use; importing it registers its rules and its
specs.
"""

from __future__ import annotations

import importlib
from typing import Final

from sosreg.engine.register import Register
from sosreg.engine.spec import FileSpec, SpecRegistry

KNOWN: Final = ("ekb", "sol", "khsl")

SPECS = SpecRegistry()
"""Every spec of every register, resolved by (register, file, statistikår)."""


def get(name: str) -> Register:
    """The register called ``name`` (e.g. ``"ekb"``). Raises ``KeyError`` if unknown."""
    key = name.lower()
    if key not in KNOWN:
        raise KeyError(f"unknown register {name!r} (known: {', '.join(KNOWN)})")
    module = importlib.import_module(f"sosreg.registers.{key}")
    reg = module.REGISTER
    assert isinstance(reg, Register)
    SPECS.load_package(reg.package)
    return reg


def all_registers() -> list[Register]:
    return [get(n) for n in KNOWN]


def resolve_spec(register: str, file: str, year: int) -> FileSpec:
    get(register)
    return SPECS.resolve(register.lower(), file.lower(), year)


def specs(register: str | None = None) -> list[FileSpec]:
    if register is None:
        all_registers()
    else:
        get(register)
    return SPECS.all(register)
