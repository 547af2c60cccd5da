"""Progress bars on stderr for ``sosreg validate`` (only on a terminal, with
``sosreg[progress]``, never with ``--quiet``)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final

PROGRESS_DELAY: Final = 0.5
"""Seconds of work before a progress bar shows (a quick check shows none)."""
PROGRESS_SAMPLE: Final = 1 << 16
"""Bytes read at the top of each file to estimate its lines from its size."""


def progress_bar(args: argparse.Namespace, unit_scale: bool = True, **kwargs: Any) -> Any:
    """A tqdm bar on stderr, or ``None``: with ``--quiet``, when stderr is not a
    terminal, or without tqdm (``sosreg[progress]``)."""
    if getattr(args, "quiet", False) or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(
        file=sys.stderr,
        delay=PROGRESS_DELAY,
        leave=False,
        dynamic_ncols=True,
        unit_scale=unit_scale,
        **kwargs,
    )


def estimate_lines(paths: Sequence[str]) -> int | None:
    """The lines of ``paths``, estimated from their sizes and the lines in their first
    :data:`PROGRESS_SAMPLE` bytes (exact for smaller files); ``None`` if unknown."""
    total = 0
    for path in paths:
        try:
            size = os.path.getsize(path)
            with open(path, "rb") as fh:
                head = fh.read(PROGRESS_SAMPLE)
        except OSError:
            return None
        if not head:
            continue
        n = head.count(b"\n") or head.count(b"\r")
        if len(head) >= size:
            total += n + (0 if head.endswith((b"\n", b"\r")) else 1)
        else:
            total += round(size * max(n, 1) / len(head))
    return total or None


class LineProgress:
    """A bar of lines read (lines/s), its total estimated from the files' sizes, for
    one delivery; does nothing when :func:`progress_bar` gives no bar."""

    def __init__(self, args: argparse.Namespace, paths: Sequence[str]) -> None:
        self.args = args
        self.paths = paths
        self.name = ""
        self.bar: Any = None

    def __enter__(self) -> LineProgress:
        unit = " lines" if self.args.lang == "en" else " rader"
        self.name = os.path.basename(self.paths[0]) + (
            f" (+{len(self.paths) - 1})" if len(self.paths) > 1 else ""
        )
        self.bar = progress_bar(
            self.args, total=estimate_lines(self.paths), unit=unit, desc=self.name
        )
        return self

    @property
    def update(self) -> Callable[[int], None] | None:
        return None if self.bar is None else self._update

    def writing(self) -> None:
        """The lines are read; the report is being written (it can take a while)."""
        if self.bar is not None:
            self.bar.total = self.bar.n
            words = "writing the report" if self.args.lang == "en" else "skriver rapporten"
            self.bar.set_description(f"{self.name}: {words}")

    def _update(self, n: int) -> None:
        bar = self.bar
        if bar.total is not None and bar.n + n > bar.total:
            bar.total = bar.n + n  # the estimate was short
        bar.update(n)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.total = self.bar.n
            self.bar.refresh()
            self.bar.close()
