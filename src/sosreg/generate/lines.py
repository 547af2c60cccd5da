"""A unit's lines as an injector sees them."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["Line", "Unit"]


class Line:
    """One line of a unit, as an injector sees it: its fields by name, or a raw text
    (for damage to the line as a whole), and the rules expected to fire on it."""

    __slots__ = ("expect", "fields", "file", "pos", "text")

    def __init__(self, file: str, text: str, pos: Mapping[str, int]) -> None:
        self.file = file
        self.fields: list[str] = text.split(";")
        self.pos = pos
        self.text: str | None = None
        """A raw text written instead of the fields (line-level damage)."""
        self.expect: list[str] = []

    def __getitem__(self, name: str) -> str:
        return self.fields[self.pos[name]]

    def __setitem__(self, name: str, value: str) -> None:
        self.fields[self.pos[name]] = value

    def has(self, name: str) -> bool:
        return name in self.pos

    def copy(self) -> Line:
        new = Line(self.file, "", self.pos)
        new.fields = list(self.fields)
        return new

    def joined(self) -> str:
        return ";".join(self.fields)

    def render(self) -> str:
        return self.text if self.text is not None else ";".join(self.fields)

    def expecting(self, *codes: str) -> list[Line]:
        """This line, expecting ``codes`` (an injector's usual return value)."""
        self.expect.extend(codes)
        return [self]


Unit = list[tuple[str, str]]
"""What a :class:`Maker` makes at a time: (file, line text) pairs."""
