from __future__ import annotations

from pathlib import Path

from sosreg import docgen
from sosreg.engine.rules import CATALOGUE
from sosreg.registers import all_registers

DOCS = Path(__file__).parent.parent / "docs"


def test_generated_pages_are_current() -> None:
    for rel, text in docgen.pages(DOCS.parent / "examples").items():
        path = DOCS / rel
        assert path.exists(), f"{rel} missing: run python -m sosreg.docgen docs"
        assert path.read_text("utf-8") == text, f"{rel} is stale: run python -m sosreg.docgen docs"


def test_rule_list_names_every_rule() -> None:
    all_registers()
    page = (DOCS / "rules.md").read_text("utf-8")
    for rule in CATALOGUE:
        assert f"`{rule.code}`" in page


def test_provisional_layouts_are_marked() -> None:
    page = (DOCS / "registers" / "ekb.md").read_text("utf-8")
    assert page.count("**Provisional layout.**") == 3


def test_every_register_has_a_page_marking_provisional_layouts() -> None:
    for name, files in (("sol", 2), ("khsl", 2), ("bu", 3)):
        page = (DOCS / "registers" / f"{name}.md").read_text("utf-8")
        assert page.count("**Provisional layout.**") == files
