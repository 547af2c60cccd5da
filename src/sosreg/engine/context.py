"""The rule context: what rules know about the file being checked, and the one way
findings are made (:meth:`Context.finding`).

Imported by the per-line path (:mod:`sosreg.engine.core`, :mod:`sosreg.engine.fields`),
by :mod:`sosreg.engine.register` and by register rules; it imports none of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container, Mapping
from typing import Any

import attrs

from sosreg import codelists as _codelists
from sosreg import identity as _identity
from sosreg.codelists import CodeList
from sosreg.engine.findings import Category, Finding, Severity
from sosreg.engine.rules import CATALOGUE
from sosreg.engine.spec import FieldSpec, FileSpec
from sosreg.engine.values import YearMonth


@attrs.define
class Context:
    """What rules know about the file being checked."""

    spec: FileSpec
    year: int
    """Statistikår."""
    period: YearMonth | int
    """The file's period: a :class:`YearMonth` for monthly files, the year for annual."""
    codelists: dict[str, CodeList | None] = attrs.field(factory=dict)
    """The lists the spec names; ``None`` where a list is not available."""
    _severity: dict[str, Severity] = attrs.field(factory=dict, init=False)
    reference_date: dt.date = attrs.field(init=False)
    """The day ages are computed on: the spec's ``reference`` day of the period (LSS: 1
    October), else the last day of the period."""
    params: Mapping[str, Any] = attrs.field(init=False)
    """The spec's parameters (thresholds, limits), read by rules on every line."""
    counted: Container[str] = attrs.field(default=frozenset(), init=False)
    """The codes whose findings are only counted (:attr:`FindingLog.counted
    <sosreg.engine.findings.FindingLog.counted>`, bound while an engine runs into that
    log): :meth:`finding` makes each of them as a token of its code and severity."""
    _tokens: dict[str, Finding] = attrs.field(factory=dict, init=False)

    def __attrs_post_init__(self) -> None:
        self.reference_date = self.spec.reference_date_for(self.period)
        self.params = self.spec.params

    @property
    def when(self) -> int:
        """What code lists are asked about: the month ``ÅÅÅÅMM`` of a monthly file, the
        statistikår of an annual one (a code may be valid from a month, see
        :mod:`sosreg.codelists`)."""
        return _codelists.when_of(self.period)

    def severity(self, code: str) -> Severity:
        """The severity of rule ``code`` for this file (the spec may override the catalogue)."""
        sev = self._severity.get(code)
        if sev is None:
            sev = self.spec.severity.get(code) or CATALOGUE[code].severity
            self._severity[code] = sev
        return sev

    def finding(
        self,
        code: str,
        *,
        line: int | None = None,
        field: str | None = None,
        value: str | None = None,
        category: Category | None = None,
        file: object = None,
        collector: object = None,
        **params: object,
    ) -> Finding:
        """A finding of rule ``code``. ``value`` is masked here; ``field`` adds the
        field's label to the parameters; ``file`` names the file a delivery-level finding
        points into (:attr:`Finding.file`; typed ``object`` so that rules may pass
        ``**params``). ``collector`` (an ``int``): the collector's error number, where it
        is not the rule's (a field's, for a field-stage finding).

        A code in :attr:`counted` (while an engine runs into a log that keeps none of
        its details more) gives a token: its code, severity and category, no line,
        field, value or parameters, the same object each time. The log counts it and
        never shows it. So a rule returns the findings it makes and does not read them
        back."""
        if code in self.counted:  # counted, never seen: the code and severity only
            token = self._tokens.get(code)
            if token is None:
                category = CATALOGUE[code].category
                token = self._tokens[code] = Finding(code, self.severity(code), category)
            return token
        rule = CATALOGUE[code]
        if field is not None and self.spec.has_field(field):
            f = self.spec.field(field)
            params.setdefault("label_sv", f.label)
            params.setdefault("label_en", f.label_en or f.label)
            if value is not None:
                value = mask_value(f, value)
        elif value is not None:
            value = _identity.mask_text(value)[:80]
        return Finding(
            code,
            self.severity(code),
            category or rule.category,
            line,
            field,
            value,
            params,
            collector if isinstance(collector, int) else rule.collector,
            file=None if file is None else str(file),
        )

    def internal(self, code: str, exc: Exception, line: int | None = None) -> Finding:
        """The one finding (SOS-900) that rule ``code`` raising ``exc`` becomes."""
        return self.finding(
            "SOS-900", line=line, rule=code, error=type(exc).__name__, category=Category.INTERNAL
        )

    def codelist(self, name: str) -> CodeList | None:
        """The code list ``name`` for this file (``None`` if there is none)."""
        if name not in self.codelists:
            try:
                self.codelists[name] = _codelists.get(name)
            except KeyError:
                self.codelists[name] = None
        return self.codelists[name]


def mask_value(f: FieldSpec, value: str) -> str:
    """A field's value as a finding shows it: an identity masked; anything else with its
    identity-shaped digits masked, at most 80 characters."""
    if f.type == "identity":
        return _identity.mask(value)
    return _identity.mask_text(value)[:80]
