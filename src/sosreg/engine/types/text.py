"""``text``: free text up to ``length`` characters."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any, ClassVar, Final

from sosreg.engine.fields import CompiledField, FieldChecks
from sosreg.engine.findings import Finding
from sosreg.engine.spec import FieldSpec
from sosreg.engine.types.base import (
    PLAIN_CHARS,
    Around,
    Damage,
    FieldType,
    Source,
    between,
    damage_table,
    pick,
    slow,
)


def _too_long(f: FieldSpec, value: str, rnd: Source, around: Around) -> str | None:
    if f.length is None:
        return None
    return ALPHABET[: f.length + 1] if f.length < len(ALPHABET) else "X" * (f.length + 1)


def _has_length(f: FieldSpec) -> bool:
    return f.length is not None


ALPHABET: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LETTERS: Final = string.ascii_letters + string.digits
"""What :meth:`Text.draw` writes."""
DEFAULT_LENGTH: Final = 10
""":meth:`Text.draw`'s longest text for a field without a length."""


class Text(FieldType):
    name = "text"
    format_sv = "text"
    format_en = "text"
    damages: ClassVar[Mapping[str, Damage]] = damage_table(
        Damage("length", "a value one character too long", _too_long, _has_length, False)
    )

    def compile(self, checks: FieldChecks, notes: list[Finding]) -> CompiledField:
        c = checks

        def conv_text(text: str, line: int, out: list[Finding]) -> Any:
            if not text:
                c.missing(line, out)
                return None
            c.too_long(text, line, out)
            return text

        return CompiledField(c.f, conv_text)

    def fast_source(self, i: int, cf: CompiledField, ascii: bool) -> list[str]:
        length = cf.spec.length
        cond = f"v{i} and len(v{i}) <= {length}" if length is not None else f"v{i}"
        return [f"    if {cond}:", f"        x{i} = v{i}", "    else:", *slow(i)]

    def mask(self, pl: Any, col: Any, cf: CompiledField) -> Any:
        ok = col.str.len_chars() > 0
        if cf.spec.length is not None:
            ok = ok & (col.str.len_chars() <= cf.spec.length)
        return ok

    def line_pattern(self, cf: CompiledField) -> str | None:
        """Plain characters (:data:`~sosreg.engine.types.base.PLAIN_CHARS`), as many as
        the field's length allows: a text with a space, a quote or another character
        makes its line suspect anyway, so the first pass need not read the field."""
        length = cf.spec.length
        return PLAIN_CHARS + ("+" if length is None else f"{{1,{length}}}")

    def draw(self, rnd: Source, f: FieldSpec, around: Around) -> str:
        size = between(rnd, 1, f.length or DEFAULT_LENGTH)
        return "".join(pick(rnd, LETTERS) for _ in range(size))


TEXT = Text()
