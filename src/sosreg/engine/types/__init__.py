"""Field types: one object per spec type (:data:`TYPES`) that owns what sosreg knows
about it. See :class:`~sosreg.engine.types.base.FieldType` for what each gives, and
``docs/architecture.md`` ("Field types") for who asks:

========== ===================================== ==========================
type       object                                module
========== ===================================== ==========================
code       :data:`~.code.CODE`                   :mod:`.code`
integer    :data:`~.number.INTEGER_TYPE`         :mod:`.number`
amount     :data:`~.number.AMOUNT_TYPE`          :mod:`.number`
year       :data:`~.number.YEAR_TYPE`            :mod:`.number`
date       :data:`~.dates.DATE`                  :mod:`.dates`
yearmonth  :data:`~.dates.YEARMONTH_TYPE`        :mod:`.dates`
identity   :data:`~.identity.IDENTITY`           :mod:`.identity`
text       :data:`~.text.TEXT`                   :mod:`.text`
========== ===================================== ==========================
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from sosreg.engine.context import Context
from sosreg.engine.fields import CompiledField, FieldChecks
from sosreg.engine.findings import Finding
from sosreg.engine.spec import FIELD_TYPES, FieldSpec
from sosreg.engine.types.base import FieldType
from sosreg.engine.types.code import CODE
from sosreg.engine.types.dates import DATE, YEARMONTH_TYPE
from sosreg.engine.types.identity import IDENTITY
from sosreg.engine.types.number import AMOUNT_TYPE, INTEGER_TYPE, YEAR_TYPE
from sosreg.engine.types.text import TEXT

TYPES: Final[Mapping[str, FieldType]] = {
    t.name: t
    for t in (CODE, INTEGER_TYPE, AMOUNT_TYPE, DATE, YEARMONTH_TYPE, YEAR_TYPE, IDENTITY, TEXT)
}
"""Spec type name -> its field type (every name of :data:`sosreg.engine.spec.FIELD_TYPES`)."""
assert tuple(TYPES) == FIELD_TYPES


def field_type(f: FieldSpec) -> FieldType:
    """The type of field ``f``."""
    return TYPES[f.type]


def compile_field(f: FieldSpec, ctx: Context, notes: list[Finding]) -> CompiledField:
    """Field ``f`` compiled for one file by its type. ``notes`` collects file-level
    findings made while compiling (a code list that is not available)."""
    t = TYPES[f.type]
    return t.compile(FieldChecks(f, ctx, t.format_sv, t.format_en), notes)


__all__ = ["TYPES", "CompiledField", "FieldType", "compile_field", "field_type"]
