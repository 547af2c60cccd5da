"""Deterministic randomness for the generator: :class:`Rand` and weighted pools."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

__all__ = ["Rand", "weighted"]

T = TypeVar("T")


class Rand:
    """Deterministic randomness on every platform: everything comes from
    :meth:`random.Random.random` (the one method whose sequence Python keeps across
    versions), turned into integers by multiplication, never through ``hash()``."""

    __slots__ = ("random",)

    def __init__(self, seed: int | str | random.Random) -> None:
        source = seed if isinstance(seed, random.Random) else random.Random(seed)
        self.random: Callable[[], float] = source.random

    def below(self, n: int) -> int:
        """An integer in ``[0, n)``."""
        return int(self.random() * n)

    def between(self, lo: int, hi: int) -> int:
        """An integer in ``[lo, hi]``."""
        return lo + int(self.random() * (hi - lo + 1))

    def choice(self, seq: Sequence[T]) -> T:
        return seq[int(self.random() * len(seq))]

    def chance(self, p: float) -> bool:
        return self.random() < p

    def date(self, lo: dt.date, hi: dt.date) -> dt.date:
        """A day in ``[lo, hi]``."""
        return dt.date.fromordinal(self.between(lo.toordinal(), hi.toordinal()))

    def shuffled(self, items: Iterable[T]) -> list[T]:
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.below(i + 1)
            out[i], out[j] = out[j], out[i]
        return out

    def sample(self, n: int, k: int) -> list[int]:
        """``k`` distinct integers of ``[0, n)``, sorted (Floyd's algorithm)."""
        chosen: set[int] = set()
        for j in range(n - k, n):
            t = self.below(j + 1)
            chosen.add(j if t in chosen else t)
        return sorted(chosen)


def weighted(codes: Sequence[str], weights: Mapping[str, int]) -> tuple[str, ...]:
    """``codes`` repeated by their weight (default 1): a pool to draw from with
    :meth:`Rand.choice`, in the codes' own order."""
    return tuple(c for c in codes for _ in range(weights.get(c, 1)))
