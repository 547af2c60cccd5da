"""Findings: what a rule says about one place in a file.

A :class:`Finding` is plain data: a stable rule code, a severity, a category (the
stage that found it), the 1-based physical line number, the field, a *masked* value
and the message parameters. The message text itself comes from the rule catalogue
(:mod:`sosreg.engine.rules`), so it exists in one place only.

Masking is structural: every string a finding carries (its value, every parameter) and
every message it renders passes :func:`sosreg.identity.mask_text`, whatever the field,
so a personnummer typed into any field never leaves a finding in full.

A :class:`FindingLog` collects the findings of one file with bounded memory: exact
counts per rule, the details up to a cap per rule, and every finding passed on to an
optional sink (a streaming writer) as it is made.
"""

from __future__ import annotations

import contextlib
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import attrs

from sosreg.engine.rules import CATALOGUE
from sosreg.engine.severity import Category, Severity, Status
from sosreg.identity import mask_text

__all__ = [
    "DEFAULT_MAX_DETAILS",
    "Category",
    "Finding",
    "FindingLog",
    "Seen",
    "Severity",
    "Stamp",
    "Status",
    "code_text",
    "order_key",
]

DEFAULT_MAX_DETAILS: Final = 1000
"""Details kept per rule by :func:`sosreg.validate` unless told otherwise; counts are
always exact."""


_mask_param = functools.lru_cache(maxsize=4096)(mask_text)
"""``mask_text`` for parameters, cached: the same labels and codes come back on every
finding of a rule."""


def _freeze(
    params: Mapping[str, Any] | Iterable[tuple[str, str]] | None,
) -> tuple[tuple[str, str], ...]:
    if not params:
        return ()
    items = params.items() if isinstance(params, Mapping) else params
    mask = _mask_param
    return tuple([(str(k), mask(v if type(v) is str else str(v))) for k, v in items])


def _mask_value(value: str | None) -> str | None:
    return None if value is None else mask_text(value)


@attrs.frozen(order=False)
class Finding:
    """One finding of one rule at one place.

    ``value`` and every parameter are masked when the finding is made
    (:func:`sosreg.identity.mask_text`); a finding never carries a full personnummer.
    """

    code: str
    severity: Severity
    category: Category
    line: int | None = None
    field: str | None = None
    value: str | None = attrs.field(default=None, converter=_mask_value)
    params: tuple[tuple[str, str], ...] = attrs.field(default=(), converter=_freeze)
    collector: int | None = None
    """The collector's error number for this finding, where known (the rule's, or the
    field's for a field-stage finding): reports show it beside the code."""
    file: str | None = attrs.field(default=None, converter=_mask_value, kw_only=True)
    """The file the finding is about, named (masked) where the finding alone does not
    say it: a delivery's cross-file findings point into one of its files. ``None`` for
    a file's own findings (the :class:`~sosreg.Report` holding them names the file)
    and for findings about a delivery as a whole (several registers, SOS-302)."""

    @property
    def param_dict(self) -> dict[str, str]:
        return dict(self.params)

    def message(self, lang: str = "sv") -> str:
        """The message in Swedish (``"sv"``) or English (``"en"``), masked."""
        return mask_text(CATALOGUE.message(self, lang))

    def title(self, lang: str = "sv") -> str:
        """The rule's title in Swedish (``sv``) or English (``en``)."""
        rule = CATALOGUE.get(self.code)
        return rule.title(lang) if rule is not None else self.code

    def code_text(self, lang: str = "sv") -> str:
        """The code as reports show it: with the collector's number beside it where
        known (``EKB-012 (fel 12)``, in English ``EKB-012 (error 12)``)."""
        return code_text(self.code, self.collector, lang)

    def to_dict(self, lang: str = "sv") -> dict[str, Any]:
        """The finding as in the JSON report (see ``docs/report-format.md``)."""
        return {
            "code": self.code,
            "collector": self.collector,
            "severity": self.severity.code,
            "severity_label": self.severity.label(lang),
            "category": self.category.value,
            "line": self.line,
            "field": self.field,
            "value": self.value,
            "title": self.title(lang),
            "message": self.message(lang),
            "params": dict(self.params),
            "file": self.file,
        }


class Stamp:
    """One finding made once (through :class:`Finding`'s converters, so masked) and
    stamped on many lines: the same code, field, value and parameters, another line.
    A stamp copies the attributes; it does not go through the converters again (they
    would only mask again what is masked already). :meth:`FindingLog.add_at` counts a
    stamped finding without making it, where the log does not keep it."""

    __slots__ = ("code", "items", "severity")

    def __init__(self, finding: Finding) -> None:
        self.code = finding.code
        self.severity = finding.severity
        self.items = [(a.name, getattr(finding, a.name)) for a in attrs.fields(Finding)]

    def at(self, line: int | None) -> Finding:
        """The finding on ``line``."""
        f = object.__new__(Finding)
        for name, value in self.items:
            _SET(f, name, value)
        _SET(f, "line", line)
        return f


_SET: Final = object.__setattr__


class Seen:
    """Findings made, by a key that decides all of them but the line (a code, a field,
    a value, parameters): one made again is stamped on its new line (:class:`Stamp`),
    not made anew, e.g. a wrong code on thousands of lines. A finding seen once costs
    nothing more; at most ``size`` are remembered (then it starts again)."""

    __slots__ = ("items", "size")

    def __init__(self, size: int = 4096) -> None:
        self.items: dict[Any, Finding | Stamp] = {}
        self.size = size

    def get(self, key: Any, line: int | None) -> Finding | None:
        """The finding of ``key`` on ``line``, if one was made before (``None``:
        make it, and :meth:`put` it). A key that cannot be hashed is never seen."""
        try:
            hit = self.items.get(key)
        except TypeError:
            return None
        if hit is None:
            return None
        if not isinstance(hit, Stamp):  # made once before: from now on stamped
            hit = self.items[key] = Stamp(hit)
        return hit.at(line)

    def put(self, key: Any, finding: Finding) -> Finding:
        """Remember ``finding`` (made for ``key``); returns it."""
        items = self.items
        if len(items) >= self.size:
            items.clear()
        with contextlib.suppress(TypeError):  # a key that cannot be hashed: not kept
            items[key] = finding
        return finding


def code_text(code: str, collector: int | None, lang: str = "sv") -> str:
    """``code`` with the collector's number beside it, where there is one."""
    if collector is None:
        return code
    return f"{code} ({'error' if lang == 'en' else 'fel'} {collector})"


def order_key(f: Finding) -> tuple[int, int]:
    """The order of findings in a report: file-level findings (no line) first, then by
    line. Sorting is stable, so findings of one line keep the order the stages made
    them in (line, field by position, record, cross-record)."""
    return (0, 0) if f.line is None else (1, f.line)


class _Every:
    """Every rule code (the codes a log of ``limit=0`` and no sink only counts)."""

    __slots__ = ()

    def __contains__(self, code: object) -> bool:
        return True

    def add(self, code: str) -> None:
        """(It has every code already.)"""


class FindingLog:
    """The findings of one file, with bounded memory.

    Counts per rule code (and the severity each code had) are exact. The details kept
    are the first ``limit`` findings of each code (``None``: all). ``sink``, when given,
    receives every finding as it is added, kept or not (a streaming writer).
    """

    __slots__ = ("_kept_per_code", "counted", "counts", "kept", "limit", "severities", "sink")

    def __init__(
        self, limit: int | None = DEFAULT_MAX_DETAILS, sink: Callable[[Finding], None] | None = None
    ) -> None:
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0 or None")
        self.limit = limit
        self.sink = sink
        self.counts: Counter[str] = Counter()
        self.severities: dict[str, Severity] = {}
        self.kept: list[Finding] = []
        self._kept_per_code: Counter[str] = Counter()
        self.counted: set[str] | _Every = _Every() if limit == 0 and sink is None else set()
        """The codes this log only counts from now on: their details are all kept
        (``limit`` reached) and there is no sink. A code never leaves it. A finding of
        one of them may be made as a mere token of its code and severity
        (:meth:`Context.finding <sosreg.engine.context.Context.finding>` does, during an
        engine's run): it is counted, never seen."""

    def _tally(self, code: str, severity: Severity, n: int) -> None:
        self.counts[code] += n
        prior = self.severities.get(code)
        if prior is None or severity > prior:
            self.severities[code] = severity

    def add(self, f: Finding) -> None:
        """Count ``f``, keep it if its rule has room, and pass it to the sink."""
        code = f.code
        self._tally(code, f.severity, 1)
        limit = self.limit
        if limit is None:
            self.kept.append(f)
            self._kept_per_code[code] += 1
        elif self._kept_per_code[code] < limit:
            kept = self._kept_per_code[code] = self._kept_per_code[code] + 1
            self.kept.append(f)
            if kept == limit and self.sink is None:
                self.counted.add(code)
        if self.sink is not None:
            self.sink(f)

    def add_at(self, stamp: Stamp, line: int) -> None:
        """:meth:`add` ``stamp.at(line)``, made only where it is kept or there is a
        sink (counted either way: a code in :attr:`counted`)."""
        if stamp.code in self.counted:
            self._tally(stamp.code, stamp.severity, 1)
        else:
            self.add(stamp.at(line))

    def count(self, code: str, severity: Severity, n: int) -> None:
        """Count ``n`` findings of ``code`` (of ``severity``) that are not made: only
        for a code in :attr:`counted`, whose details the log keeps no more."""
        if code not in self.counted:
            raise ValueError(f"{code}: its findings are still kept or sunk; add them")
        self._tally(code, severity, n)

    def extend(self, findings: Iterable[Finding]) -> None:
        """Add each of ``findings``."""
        for f in findings:
            self.add(f)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def omitted(self) -> dict[str, int]:
        """Per code, the findings counted but not kept."""
        return {
            c: n - self._kept_per_code[c]
            for c, n in self.counts.items()
            if n > self._kept_per_code[c]
        }

    @property
    def status(self) -> Status:
        return Status.of(self.severities.values())
