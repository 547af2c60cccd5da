"""mkdocs hook: every public object of the API reference has a docstring.

With ``strict: true`` a warning fails the build, so a public function, class or method
without a docstring in a module the reference documents fails ``mkdocs build --strict``
(as a broken link does). So does a Sphinx role left raw in a page (``:func:`` and the
like, which docs/hooks/sphinx_roles.py turns into links).
"""

from __future__ import annotations

import importlib
import inspect
import logging
import re
from pathlib import Path
from typing import Any

log = logging.getLogger("mkdocs.hooks.docstrings")

_DIRECTIVE = re.compile(r"^::: ([\w.]+)", re.M)
_RAW_ROLE = re.compile(
    r":(?:py:)?(?:func|meth|class|mod|attr|data|exc|obj|const|type):(?:<code>|`)"
)


def _public(module: Any) -> list[tuple[str, Any]]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")]
    out = []
    for name in names:
        obj = getattr(module, name, None)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            if getattr(obj, "__module__", None) == module.__name__:
                out.append((name, obj))
    return out


def missing(module_name: str) -> list[str]:
    module = importlib.import_module(module_name)
    found = [] if inspect.getdoc(module) else [module_name]
    for name, obj in _public(module):
        if not inspect.getdoc(obj):
            found.append(f"{module_name}.{name}")
        if inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if attr.startswith("_") or not inspect.isfunction(member):
                    continue
                if not inspect.getdoc(member):
                    found.append(f"{module_name}.{name}.{attr}")
    return found


def on_pre_build(config: Any) -> None:
    docs = Path(config["docs_dir"])
    modules = sorted(
        {
            m
            for page in (docs / "reference").glob("*.md")
            for m in _DIRECTIVE.findall(page.read_text())
        }
    )
    for module_name in modules:
        if module_name == "sosreg":
            continue  # the package re-exports; its members are documented where defined
        for name in missing(module_name):
            log.warning("no docstring: %s", name)


def on_page_content(html: str, page: Any, **kwargs: Any) -> str:
    for m in _RAW_ROLE.finditer(html):
        log.warning(
            "a raw Sphinx role in %s: %s", page.file.src_path, html[m.start() : m.end() + 40]
        )
    return html
