"""The registers sosreg knows, one package each.

=========  ===============================================================  ==========
name       register                                                         package
=========  ===============================================================  ==========
``ekb``    Ekonomiskt bistånd (HSLF-FS 2015:30)                             ``ekb/``
``sol``    SoL-insatser till äldre och personer med funktionsnedsättning    ``sol/``
           (HSLF-FS 2021:106)
``khsl``   Kommunal hälso- och sjukvård (HSLF-FS 2017:67)                   ``khsl/``
``lss``    Insatser enligt LSS (SOSFS 2005:21, form HSLF-FS 2016:48)        ``lss/``
``bu``     Insatser för barn och unga (HSLF-FS 2016:3, 2016:22)             ``bu/``
=========  ===============================================================  ==========

Each package plugs into the engine's registry
(:data:`sosreg.engine.register.REGISTRY`): :mod:`sosreg` adds them by import path, so a
register package is imported on first use, and importing it registers its rules and
specs. The functions here are conveniences over that registry.
"""

from __future__ import annotations

from sosreg.engine.register import REGISTRY, SPECS, Register
from sosreg.engine.spec import FileSpec
from sosreg.plugins import BUILTIN_REGISTERS as KNOWN

__all__ = ["KNOWN", "SPECS", "all_registers", "get", "resolve_spec", "specs"]


def get(name: str) -> Register:
    """The register called ``name`` (e.g. ``"ekb"``). Raises ``KeyError`` if unknown."""
    return REGISTRY.get(name)


def all_registers() -> list[Register]:
    return REGISTRY.all()


def resolve_spec(register: str, file: str, year: int) -> FileSpec:
    return REGISTRY.resolve_spec(register, file, year)


def specs(register: str | None = None) -> list[FileSpec]:
    return REGISTRY.all_specs(register)
