"""What every field's converter is made with: a :class:`FieldChecks` (which makes the
field's findings, knowing its rule code for every generic check: its own, from the spec,
or the engine's) and the :class:`CompiledField` it gives.

The converters themselves are the field types' (:mod:`sosreg.engine.types`,
:func:`~sosreg.engine.types.compile_field`): one per field of a spec, once per file,
each with a fast path for valid values (a set lookup, a digit test, a cached parse);
only a value that fails it is diagnosed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from sosreg.codelists import CodeList
from sosreg.engine.context import Context
from sosreg.engine.findings import Category, Finding, Seen
from sosreg.engine.spec import CHECKS, FieldSpec

Converter = Callable[[str, int, list[Finding]], Any]
"""``(text, line, findings) -> value``: appends its findings to ``findings``."""


@attrs.frozen
class CompiledField:
    """A field compiled for one file: its converter (the reference: every finding of
    the field is made here) and what a compiled line function needs for its fast path
    (:mod:`sosreg.engine.compiled`): the codes valid without a finding, the special
    values of a numeric field."""

    spec: FieldSpec
    conv: Converter
    fast: frozenset[str] = frozenset()
    """For a code field: values that are valid with no finding (the year's codes)."""
    specials: Mapping[str, Any] = attrs.field(factory=dict)
    """For a numeric field: special codes and the value each converts to."""
    unlisted: bool = False
    """For a code field: no code list for the year, so a value of the right shape
    (``reject``, ``pattern``, ``width``, ``length``) is valid without a finding."""


class FieldChecks:
    """Makes the findings of one field."""

    def __init__(self, f: FieldSpec, ctx: Context, format_sv: str, format_en: str) -> None:
        self.f = f
        self.ctx = ctx
        self.codes = {check: f.rule_for(check) for check in CHECKS}
        self.format_sv = format_sv
        """The field's type in words, for a format finding (the type's)."""
        self.format_en = format_en
        self._seen = Seen()
        """The field's findings made, by code, value and parameters."""

    def emit(
        self, out: list[Finding], check: str, line: int, text: str | None = None, **params: object
    ) -> None:
        """A finding of ``check`` (a generic check name, or a rule code) on ``line``."""
        code = self.codes.get(check, check)
        key = (code, text, *params.items())
        finding = self._seen.get(key, line)
        if finding is None:
            finding = self._seen.put(
                key,
                self.ctx.finding(
                    code,
                    line=line,
                    field=self.f.name,
                    value=text,
                    category=Category.FIELD,
                    collector=self.f.collector,
                    **params,
                ),
            )
        out.append(finding)

    def missing(self, line: int, out: list[Finding]) -> None:
        if self.f.mandatory:
            self.emit(out, "mandatory", line)

    def bad_format(self, text: str, line: int, out: list[Finding], **extra: str) -> None:
        extra.setdefault("format_sv", self.format_sv)
        extra.setdefault("format_en", self.format_en)
        extra.setdefault("hint_sv", "")
        extra.setdefault("hint_en", "")
        self.emit(out, "format", line, text, **extra)

    def too_long(self, text: str, line: int, out: list[Finding]) -> bool:
        length = self.f.length
        if length is not None and len(text) > length:
            self.emit(out, "length", line, text, length=len(text), max=length)
            return True
        return False

    def list_or_note(self, name: str | None, notes: list[Finding]) -> CodeList | None:
        """The code list ``name`` if it has codes for the year; else a file-level note
        that membership was not checked (SOS-013), and ``None``."""
        if name is None:
            return None
        cl = self.ctx.codelist(name)
        if cl is not None and not cl.as_of(self.ctx.when):
            cl = None  # a list with nothing for this year cannot say what is valid in it
        if cl is None:
            notes.append(
                self.ctx.finding(
                    "SOS-013",
                    field=self.f.name,
                    codelist=name,
                    year=self.ctx.year,
                    category=Category.FILE,
                )
            )
        return cl
