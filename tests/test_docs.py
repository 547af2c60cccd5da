from __future__ import annotations

import sys
from pathlib import Path

import pytest

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


def test_the_api_reference_shows_no_raw_sphinx_role() -> None:
    """The reference's docstrings as mkdocs reads them (griffe, with the extension of
    mkdocs.yml): every Sphinx role became a cross-reference. (`mkdocs build --strict`
    also fails on a raw role left in a page: docs/hooks/docstrings.py.)"""
    griffe = pytest.importorskip("griffe")
    hooks = str(DOCS / "hooks" / "sphinx_roles.py")
    assert "- docs/hooks/sphinx_roles.py:SphinxRoles" in (DOCS.parent / "mkdocs.yml").read_text()
    loaded = griffe.load(
        "sosreg",
        search_paths=[str(DOCS.parent / "src")],
        extensions=griffe.load_extensions(f"{hooks}:SphinxRoles"),
        resolve_aliases=False,
    )
    sys.path.insert(0, str(DOCS / "hooks"))
    try:
        from sphinx_roles import ROLE, _objects
    finally:
        sys.path.remove(str(DOCS / "hooks"))
    docs = {o.path: o.docstring.value for o in _objects(loaded) if o.docstring is not None}
    assert len(docs) > 300
    assert not {p: ROLE.findall(d) for p, d in docs.items() if ROLE.search(d)}
    parsed = docs["sosreg.engine.pipeline.Parsed"]
    assert (
        '<autoref identifier="sosreg.engine.pipeline.parse" optional><code>parse</code>' in parsed
    )
    raw = sum(
        len(ROLE.findall(o.docstring.value))
        for o in _objects(
            griffe.load("sosreg", search_paths=[str(DOCS.parent / "src")], resolve_aliases=False)
        )
        if o.docstring is not None
    )
    assert raw > 300  # the source keeps them, for help()
