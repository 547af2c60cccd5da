"""griffe extension: Sphinx cross-reference roles in docstrings become links.

sosreg's docstrings use Sphinx roles (``:func:`parse```, ``:mod:`sosreg```,
``:meth:`~sosreg.Report.rows```), which read well in ``help()``. mkdocstrings does not
know them, so the API reference showed them raw. When the package is loaded for the
reference, every role becomes an *optional* autorefs cross-reference: a link to the
object's entry where the reference documents it, its name in code type where it does
not (an object the reference leaves out, or one of another package), never a raw role
and never a broken link. The name is resolved as Sphinx would: a dotted name from
``sosreg`` as it is, any other in the scope of the docstring's object (its class, its
module, then the module's imports); ``~`` shows only the last part.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|meth|class|mod|attr|data|exc|obj|const|type):`(~?)([^`]+?)`")


def _objects(obj: Any) -> Iterator[Any]:
    yield obj
    for member in obj.members.values():
        if member.is_alias:
            continue
        yield from _objects(member)


def _target(obj: Any, name: str) -> str:
    if name.startswith("sosreg.") or name == "sosreg":
        return name
    first, _, rest = name.partition(".")
    try:
        full = obj.resolve(first)
    except Exception:  # not in scope: leave the name as written
        return name
    return f"{full}.{rest}" if rest else full


def convert(obj: Any, text: str) -> str:
    """``text`` (the docstring of ``obj``) with its roles as optional autorefs."""

    def sub(m: re.Match[str]) -> str:
        tilde, body = m.group(1), " ".join(m.group(2).split())
        explicit = re.fullmatch(r"(.*?)\s*<([^>]+)>", body)
        if explicit:
            title, name = explicit.group(1), explicit.group(2)
        else:
            name = body.removesuffix("()")
            title = name.rsplit(".", 1)[-1] if tilde else name
            if body.endswith("()"):
                title += "()"
        target = _target(obj, name.lstrip("~"))
        return (
            f'<autoref identifier="{html.escape(target)}" optional>'
            f"<code>{html.escape(title)}</code></autoref>"
        )

    return ROLE.sub(sub, text)


class SphinxRoles(griffe.Extension):
    """Rewrites the roles once the whole package is loaded (so names resolve)."""

    def on_package(self, *, pkg: Any, **kwargs: Any) -> None:
        for obj in _objects(pkg):
            if obj.docstring is not None:
                obj.docstring.value = convert(obj, obj.docstring.value)
