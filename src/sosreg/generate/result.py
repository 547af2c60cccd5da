"""What :func:`~sosreg.generate.generate` returns: the files made and the findings
their damage should give."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs

from sosreg.engine.findings import Severity, Status

__all__ = ["Expected", "Generated", "GeneratedFile"]


@attrs.frozen
class Expected:
    """A finding the damage should give."""

    file: str
    """The file's name."""
    line: int
    code: str
    severity: Severity
    injected: str
    """The rule injected (a companion finding names the rule it came with)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "code": self.code,
            "severity": self.severity.code,
            "injected": self.injected,
        }


@attrs.frozen
class GeneratedFile:
    """One generated file: its name, what it is, the findings expected, and its
    bytes (``out=None``) or its path."""

    name: str
    register: str
    file: str
    year: int
    period: str
    kommun: str
    lines: int
    """Physical lines written."""
    expected: tuple[Expected, ...]
    path: Path | None = None
    data: bytes | None = None
    seed: int = 0
    n: int = 0
    inject: Mapping[str, int] = attrs.field(factory=dict)

    @property
    def status(self) -> Status:
        """The status the file should get."""
        return Status.of(e.severity for e in self.expected)

    def read(self) -> bytes:
        """The file's bytes (read from its path when written to disk)."""
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()

    def records(self) -> list[Any]:
        """The file's records, read back with :func:`sosreg.load`."""
        from sosreg.engine.pipeline import load

        return load(self.read(), name=self.name, year=self.year)

    def expected_dict(self) -> dict[str, Any]:
        """The contents of ``<name>.expected.json``."""
        from sosreg._version import __version__

        return {
            "generator": f"sosreg {__version__}",
            "name": self.name,
            "register": self.register,
            "file": self.file,
            "year": self.year,
            "period": self.period,
            "kommun": self.kommun,
            "seed": self.seed,
            "n": self.n,
            "inject": dict(self.inject),
            "status": Status.of(e.severity for e in self.expected).code,
            "findings": [e.to_dict() for e in self.expected],
        }

    def expected_json(self) -> str:
        return json.dumps(self.expected_dict(), ensure_ascii=False, indent=2) + "\n"


@attrs.frozen
class Generated:
    """What :func:`generate` made: one file, or a BU delivery's three."""

    files: tuple[GeneratedFile, ...]

    @property
    def paths(self) -> list[Path]:
        """The files written (empty with ``out=None``)."""
        return [f.path for f in self.files if f.path is not None]

    @property
    def expected(self) -> list[Expected]:
        return [e for f in self.files for e in f.expected]

    def __iter__(self) -> Iterator[GeneratedFile]:
        return iter(self.files)
