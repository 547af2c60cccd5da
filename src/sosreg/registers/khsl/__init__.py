"""Kommunal hälso- och sjukvård (KHSL), HSLF-FS 2017:67, from 2019.

Files: ``khsl1`` (vårdinsatser, bilaga 1) and ``khsl2`` (KVÅ-koder, bilaga 2: 12 fields,
always 11 semicolons). KVÅ codes are checked for form always and against the year's KVÅ
list when one has been imported (``sosreg import-codes kva ...``). Layouts:
``specs/*.toml`` (provisional); rules: ``rules.toml`` and
:mod:`sosreg.registers.khsl.rules`.
"""

from __future__ import annotations

from sosreg.registers.khsl import rules as rules  # registers the rules
from sosreg.registers.khsl.records import *  # noqa: F403  (the typed record classes)
from sosreg.registers.khsl.register import REGISTER

__all__ = ["REGISTER"]
