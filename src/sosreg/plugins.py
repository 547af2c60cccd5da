"""What sosreg plugs into its engine: the built-in registers.

The engine (:mod:`sosreg.engine`) knows no register. :func:`install` adds the built-in
registers to the engine's registry by import path, so each is imported on first use;
:mod:`sosreg` calls it on import. Registers of other packages come in through the
entry-point group ``sosreg.registers`` (``name = "package.module:REGISTER"``).
"""

from __future__ import annotations

from typing import Final

from sosreg.engine.register import REGISTRY, Registry

BUILTIN_REGISTERS: Final = ("ekb", "sol", "khsl", "lss", "bu")
"""The registers shipped with sosreg, each a package ``sosreg.registers.<name>``."""


def install(registry: Registry = REGISTRY) -> None:
    for name in BUILTIN_REGISTERS:
        registry.add(name, f"sosreg.registers.{name}:REGISTER")
