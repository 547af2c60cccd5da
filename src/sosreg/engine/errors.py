"""The one error a caller can fix: :class:`UsageError` (the CLI exits with 3), and
:func:`optional_import`, which turns a missing optional dependency into one.

A leaf of the engine: every layer may raise these (re-exported by
:mod:`sosreg.engine.pipeline` and :mod:`sosreg`).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from sosreg.identity import mask_text

__all__ = ["UsageError", "optional_import"]


class UsageError(ValueError):
    """The input cannot be checked at all: arguments of the wrong type or out of range,
    unknown register or file, no spec for the year, unreadable path, an optional
    dependency that is not installed. The CLI exits with 3. Its message is masked
    (:func:`sosreg.identity.mask_text`): a path or name with a personnummer in it is
    shown ``19890307-****``.

    A message that tells the caller which argument to give names it the Python way,
    ``register=``, and lists it in ``parameters``; the CLI, which has flags instead,
    prints :meth:`for_cli` (``--register``)."""

    def __init__(self, *args: object, parameters: tuple[str, ...] = ()) -> None:
        super().__init__(*(mask_text(a) if isinstance(a, str) else a for a in args))
        self.parameters = parameters
        """The Python parameters the message names, each as ``<name>=``."""

    def for_cli(self, flags: Mapping[str, str] | None = None) -> str:
        """The message with each of :attr:`parameters` named by its flag: ``flags``
        maps a parameter to its flag (``{"path": "-o"}``); any other is
        ``--<name>`` (``register=`` -> ``--register``, ``max_details=`` ->
        ``--max-details``)."""
        text = str(self)
        for name in self.parameters:
            flag = (flags or {}).get(name) or "--" + name.replace("_", "-")
            text = text.replace(f"{name}=", flag)
        return text


def optional_import(module: str, purpose: str, extra: str) -> Any:
    """The optional dependency ``module`` (imported on demand), or a
    :class:`UsageError` saying ``<purpose> needs <module>: pip install "sosreg[<extra>]"``
    when it is not installed: a missing extra is a setup problem (exit 3), never a bug."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f'{purpose} needs {module}: pip install "sosreg[{extra}]"') from None
