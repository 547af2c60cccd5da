"""The one error a caller can fix: :class:`UsageError` (the CLI exits with 3), and
:func:`optional_import`, which turns a missing optional dependency into one.

A leaf of the engine: every layer may raise these (re-exported by
:mod:`sosreg.engine.pipeline` and :mod:`sosreg`).
"""

from __future__ import annotations

import importlib
from typing import Any

from sosreg.identity import mask_text

__all__ = ["UsageError", "optional_import"]


class UsageError(ValueError):
    """The input cannot be checked at all: arguments of the wrong type or out of range,
    unknown register or file, no spec for the year, unreadable path, an optional
    dependency that is not installed. The CLI exits with 3. Its message is masked
    (:func:`sosreg.identity.mask_text`): a path or name with a personnummer in it is
    shown ``19890307-****``."""

    def __init__(self, *args: object) -> None:
        super().__init__(*(mask_text(a) if isinstance(a, str) else a for a in args))


def optional_import(module: str, purpose: str, extra: str) -> Any:
    """The optional dependency ``module`` (imported on demand), or a
    :class:`UsageError` saying ``<purpose> needs <module>: pip install "sosreg[<extra>]"``
    when it is not installed: a missing extra is a setup problem (exit 3), never a bug."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise UsageError(f'{purpose} needs {module}: pip install "sosreg[{extra}]"') from None
