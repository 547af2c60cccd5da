"""``text``: free text up to ``length`` characters."""

from __future__ import annotations

import random
import string
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from sosreg.engine.fields import CompiledField, FieldChecks
from sosreg.engine.findings import Finding
from sosreg.engine.spec import FieldSpec
from sosreg.engine.types.base import Damage, FieldType, slow


def _too_long(f: FieldSpec, value: str) -> str | None:
    return None if f.length is None else value + "x" * (f.length + 1 - len(value))


class Text(FieldType):
    name = "text"
    format_sv = "text"
    format_en = "text"
    damages: ClassVar[Mapping[str, Damage]] = {**FieldType.damages, "length": _too_long}

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

    def values(self, rng: random.Random, f: FieldSpec, codes: Iterable[str] = ()) -> str:
        size = rng.randint(1, min(f.length or 12, 12))
        return "".join(rng.choice(string.ascii_letters) for _ in range(size))


TEXT = Text()
