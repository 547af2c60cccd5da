"""The rule catalogue: the one place where rule metadata lives.

Rule metadata (code, category, severity, source, titles and messages in Swedish and
English) is *data*: ``sosreg/engine/rules.toml`` for the checks every register gets, and
``sosreg/registers/<register>/rules.toml`` for each register's own rules. The Python
code that implements a rule refers to it by code only.

A message counts in words with ``{n|singular|plural}``: the word for the count in the
parameter ``n`` (singular where it is 1, else plural), e.g. ``"Raden har {count}
{count|rad|rader}"``. :func:`inflect` does it, for messages and for the reports' own
headings alike, in both languages.
"""

from __future__ import annotations

import re
import string
import tomllib
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any, Protocol

import attrs

from sosreg.engine.severity import Category, Severity


class Messageable(Protocol):
    """What a message is made from: a finding, or anything shaped like one."""

    @property
    def code(self) -> str: ...
    @property
    def params(self) -> tuple[tuple[str, str], ...]: ...
    @property
    def field(self) -> str | None: ...
    @property
    def value(self) -> str | None: ...


class _Defaulting(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


_FORMATTER = string.Formatter()

_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")
"""``{n|singular|plural}``: a word inflected for the count in parameter ``n``."""


def _is_one(value: object) -> bool:
    text = str(value).strip().lstrip("+-")
    return text == "1"


def inflect(template: str, values: Mapping[str, object]) -> str:
    """``template`` with each ``{n|singular|plural}`` replaced by the word for the count
    in ``values[n]``: singular where it is 1 (or -1), else plural (0 and unknown
    counts too: "0 varningar"). The other placeholders are left for ``str.format``."""
    if "|" not in template:
        return template

    def word(m: re.Match[str]) -> str:
        value = values.get(m.group(1))
        return m.group(2) if value is not None and _is_one(value) else m.group(3)

    return _PLURAL.sub(word, template)


def say(template: str, **values: object) -> str:
    """``template`` inflected (:func:`inflect`) and formatted with ``values``."""
    return inflect(template, values).format(**values)


@attrs.frozen
class Rule:
    """Metadata of one rule."""

    code: str
    category: Category
    severity: Severity
    title_sv: str
    title_en: str
    message_sv: str
    message_en: str
    register: str | None = None
    """``None`` for the engine's checks that every register gets."""
    check: str | None = None
    """For field checks named per register: the generic check this rule names."""
    source: str = ""
    """Where the rule comes from: a short citation (the föreskrift, Socialstyrelsen's
    material, ``shared/domain.md §N``) ending in the provenance of its facts,
    ``[seed]``, ``[public]`` or ``[provisional]``; every packaged rule has one. In
    English (the documentation's language)."""
    source_sv: str = ""
    """:attr:`source` in Swedish (the Swedish workbook's "Källa"), with the same tags
    and document references; every packaged rule has one."""
    collector: int | None = None
    """The number Socialstyrelsen's collector gives the same finding, where it is known
    (the FAQ names no. 12 and no. 69): reports show it beside the code, e.g.
    ``EKB-012 (fel 12)``. A field's spec can give a number to every field-stage finding
    on that field (``collector`` in the spec, see :class:`~sosreg.engine.spec.FieldSpec`)."""

    def title(self, lang: str = "sv") -> str:
        return self.title_en if lang == "en" else self.title_sv

    def source_of(self, lang: str = "sv") -> str:
        """:attr:`source` in Swedish (``"sv"``; the English one where a rule has none)
        or English (``"en"``)."""
        return self.source if lang == "en" else (self.source_sv or self.source)

    def template(self, lang: str = "sv") -> str:
        return self.message_en if lang == "en" else self.message_sv

    def placeholders(self) -> set[str]:
        names: set[str] = set()
        for text in (self.message_sv, self.message_en):
            names.update(m.group(1) for m in _PLURAL.finditer(text))
            for _, name, _, _ in _FORMATTER.parse(_PLURAL.sub("", text)):
                if name:
                    names.add(name)
        return names


class Catalogue:
    """All known rules, by code."""

    def __init__(self) -> None:
        self._rules: dict[str, Rule] = {}

    def add(self, rule: Rule) -> None:
        if rule.code in self._rules and self._rules[rule.code] != rule:
            raise ValueError(f"rule {rule.code} defined twice")
        self._rules[rule.code] = rule

    def load_toml(self, text: str, register: str | None) -> None:
        data = tomllib.loads(text)
        for item in data.get("rules", []):
            self.add(rule_from_dict(item, register))

    def __getitem__(self, code: str) -> Rule:
        return self._rules[code]

    def get(self, code: str) -> Rule | None:
        return self._rules.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.code))

    def for_register(self, register: str | None) -> list[Rule]:
        """The engine's rules plus the rules of ``register`` (all rules if ``None``)."""
        return [r for r in self if register is None or r.register in (None, register)]

    def message(self, finding: Messageable, lang: str = "sv") -> str:
        rule = self._rules.get(finding.code)
        if rule is None:
            return finding.code
        values = _Defaulting(finding.params)
        suffix = "_en" if lang == "en" else "_sv"
        for key, val in finding.params:
            if key.endswith(suffix):
                values[key[:-3]] = val
        values.setdefault("field", finding.field or "")
        values.setdefault("value", finding.value or "")
        return inflect(rule.template(lang), values).format_map(values)


def rule_from_dict(item: dict[str, Any], register: str | None) -> Rule:
    return Rule(
        code=item["code"],
        category=Category(item["category"]),
        severity=Severity[item["severity"].upper()],
        title_sv=item["title_sv"],
        title_en=item["title_en"],
        message_sv=item["message_sv"],
        message_en=item["message_en"],
        register=register,
        check=item.get("check"),
        source=item.get("source", ""),
        source_sv=item.get("source_sv", ""),
        collector=_collector(item.get("collector"), item["code"]),
    )


def _collector(value: object, code: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"rule {code}: collector must be a positive integer, not {value!r}")
    return value


def _load_default() -> Catalogue:
    cat = Catalogue()
    cat.load_toml(resources.files("sosreg.engine").joinpath("rules.toml").read_text("utf-8"), None)
    return cat


CATALOGUE: Catalogue = _load_default()
"""The process-wide catalogue. Registers add their rules when they are imported."""


def register_rules(register: str, toml_text: str) -> None:
    CATALOGUE.load_toml(toml_text, register)
