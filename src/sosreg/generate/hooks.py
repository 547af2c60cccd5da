"""What a register's generator gives, and where the generator finds it: the module the
register names (:attr:`Register.generator <sosreg.engine.register.Register.generator>`),
never a module imported by name."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any, Protocol, cast

from sosreg.engine.errors import UsageError
from sosreg.engine.register import REGISTRY

__all__ = ["RegisterGenerator", "generator_of"]


class RegisterGenerator(Protocol):
    """The module a register names as its ``generator``.

    ``Maker``: a :class:`~sosreg.generate.maker.Maker` subclass; ``unit_files(files)``:
    the files a unit holds when ``files`` are written (BU: all three); ``FILE_SETS``:
    the files that may be written, alone or together; ``PREFIXES``: file -> the first
    token of a generated file's name; ``INJECTORS``: the register's own injectors;
    optionally ``DEFAULT_FILES`` (what ``file=None`` means)."""

    Maker: Any
    FILE_SETS: Sequence[Sequence[str]]
    PREFIXES: Mapping[str, str]
    INJECTORS: Sequence[Any]

    def unit_files(self, files: Sequence[str]) -> tuple[str, ...]: ...


def generator_of(register: str) -> RegisterGenerator:
    """The generator module of ``register``, as its :class:`Register` names it. Raises
    ``KeyError`` for an unknown register and :class:`~sosreg.UsageError` for a register
    without a generator."""
    reg = REGISTRY.get(register)  # an unknown register is a KeyError with the names
    module: ModuleType | None = reg.part("generator")
    if module is None:
        raise UsageError(f"register {reg.name} has no generator (its Register names none)")
    return cast(RegisterGenerator, module)
