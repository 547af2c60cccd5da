"""A duplicate index that costs 16 bytes per record: integer keys in arrays, sorted at
the end.

Cross-record rules ("the same person twice") must remember every key of a file. A set
of strings costs 100+ bytes per person; here a key that can be written exactly as an
integer below 2**63 (a 12-digit personnummer is one; a personnummer with a period or a
code beside it usually is too, see :func:`pack`) goes into one of 256 pairs of
``array('q')`` (key, line), and the duplicates are found at the end of the file by
sorting one bucket at a time. Keys that cannot be packed exactly are kept in a dict, as
before; nothing is ever matched by a hash, so no two different keys are ever taken
for one.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterator
from typing import Any, Final

BUCKETS: Final = 256
_LIMIT: Final = 1 << 63
_EPOCH: Final = dt.date(1800, 1, 1).toordinal()


class IntIndex:
    """(key, line) pairs, 16 bytes each; :meth:`duplicates` at the end."""

    __slots__ = ("_keys", "_lines")

    def __init__(self) -> None:
        self._keys = [array("q") for _ in range(BUCKETS)]
        self._lines = [array("q") for _ in range(BUCKETS)]

    def add(self, key: int, line: int) -> None:
        """Remember ``key`` seen on ``line``."""
        b = key & 255
        self._keys[b].append(key)
        self._lines[b].append(line)

    def arrays(self) -> tuple[list[array[int]], list[array[int]]]:
        """The buckets of keys and of lines, for a caller that inlines :meth:`add`:
        ``keys[key & 255].append(key)`` and ``lines[key & 255].append(line)``."""
        return self._keys, self._lines

    @property
    def size(self) -> int:
        return sum(len(k) for k in self._keys)

    def groups(self) -> Iterator[tuple[int, list[int]]]:
        """Every key seen more than once, with its lines in the order added."""
        for keys, lines in zip(self._keys, self._lines, strict=True):
            if len(keys) < 2:
                continue
            pairs = sorted(zip(keys, lines, strict=True))
            i, n = 0, len(pairs)
            while i < n:
                j = i + 1
                key = pairs[i][0]
                while j < n and pairs[j][0] == key:
                    j += 1
                if j - i > 1:
                    yield key, [line for _, line in pairs[i:j]]
                i = j

    def duplicates(self) -> Iterator[tuple[int, int, int]]:
        """(key, line, first line) for every repeat of a key."""
        for key, lines in self.groups():
            first = lines[0]
            for line in lines[1:]:
                yield key, line, first


class Packer:
    """Writes keys (a value or a tuple of values) as one exact integer, or ``None``.

    Parts: a 12-digit ASCII string (a personnummer) is its number; a date its day
    number since 1800; a small non-negative int itself; any other string an index in a
    table of the strings seen (codes), up to 4096 of them. Each position's kind (and so
    its radix) is fixed by the first key packed; the parts are combined in mixed radix.
    A key with a part of another kind, a ``None`` part, or an integer that would not
    fit in 63 bits is ``None`` (the caller keeps it exactly). So two different keys
    never pack to the same integer.
    """

    __slots__ = ("_radix", "_strings")
    MAX_STRINGS: Final = 4096

    def __init__(self) -> None:
        self._strings: dict[str, int] = {}
        self._radix: tuple[int, ...] | None = None

    def _part(self, value: Any) -> tuple[int, int] | None:
        """(value, radix) of one part, or ``None``."""
        if isinstance(value, str):
            if len(value) == 12 and value.isascii() and value.isdigit():
                return int(value), 10**12
            index = self._strings.get(value)
            if index is None:
                if len(self._strings) >= self.MAX_STRINGS:
                    return None
                index = self._strings[value] = len(self._strings)
            return index, self.MAX_STRINGS
        if isinstance(value, bool) or not isinstance(value, (int, dt.date)):
            return None
        if isinstance(value, int):
            return (value, 1 << 24) if 0 <= value < 1 << 24 else None
        days = value.toordinal() - _EPOCH
        return (days, 1 << 17) if 0 <= days < 1 << 17 else None

    def pack(self, key: Any) -> int | None:
        """``key`` as one exact integer below 2**63, or ``None``."""
        parts = key if isinstance(key, tuple) else (key,)
        packed = [self._part(v) for v in parts]
        if any(p is None for p in packed):
            return None
        radix = tuple(p[1] for p in packed if p is not None)
        if self._radix is None:
            self._radix = radix
        elif radix != self._radix:
            return None
        total = 0
        for p in packed:
            assert p is not None
            total = total * p[1] + p[0]
        return total if total < _LIMIT else None

    def first_part(self, key: int) -> int:
        """The first part of a packed key (e.g. the personnummer)."""
        assert self._radix is not None
        rest = 1
        for r in self._radix[1:]:
            rest *= r
        return key // rest


def identity_of(key: int) -> str:
    """The 12-digit text of a personnummer packed alone (for a finding's value)."""
    return f"{key:012d}"
