"""What the collector knows of a delivery by its files' names (domain.md §9, §14):
what a Filip-style name says (:func:`named`), which files a delivery holding a file
must have (:func:`mandatory_kinds`, from the register's collection data), and which of
several files for the same expected file counts (:func:`latest`: the latest by the
name's timestamp; the others are *replaced*, SOS-304)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import attrs

from sosreg.engine.filename import parse_filename
from sosreg.engine.register import REGISTRY


def mandatory_kinds(register: str, file: str) -> tuple[str, ...]:
    """The files (keys of the register's ``files``) that a delivery holding ``file``
    of ``register`` must have, ``file`` among them: the mandatory files of the
    sub-register expecting ``file``, from the register's collection data
    (``Register.collection``; BU: its three levels, domain.md §8, §14); any other file
    alone (EKB-Månad and EKB-AO, SOL1 and SOL2 are separate sub-registers: one without
    the other is a matter of the period's status, not of the delivery)."""
    try:
        reg = REGISTRY.get(register)
    except KeyError:
        return (file,)
    sub = reg.subregister(file)
    if sub is None:
        return (file,)
    together = tuple(f.kind for f in sub.files if f.mandatory and f.kind in reg.files)
    return together if file in together else (file,)


@attrs.frozen
class Named:
    """What a Filip-style file name says: the file (register and kind), the
    organisation (kommun or, reporting per unit, the unit: the name's own token), the
    period and the timestamp."""

    path: str
    register: str
    file: str
    org: str
    period: str
    timestamp: str | None

    @property
    def key(self) -> tuple[str, str, str, str]:
        """The expected file it is for: (register, file, organisation, period)."""
        return (self.register, self.file, self.org, self.period)


def named(path: str) -> Named | None:
    """:class:`Named` for a Filip-style name whose register and file are known, else
    ``None``."""
    name = parse_filename(os.path.basename(path), REGISTRY.prefixes())
    if not (name.filip and name.register and name.kommun and name.period):
        return None
    file = REGISTRY.get(name.register).file_from_tokens(list(name.tokens))
    if file is None:
        return None
    return Named(path, name.register, file, name.kommun, name.period, name.timestamp)


def stamp(path: str) -> str | None:
    return parse_filename(os.path.basename(path), REGISTRY.prefixes()).timestamp


def latest(paths: Sequence[str]) -> str | None:
    """Of several files for the same expected file, the one that counts: the latest
    by the timestamp of its name (``ÅÅÅÅMMDDTHHMM``, domain.md §9, §14). ``None`` when
    they cannot be ordered: a name without a timestamp, or two with the latest one
    (then each is SOS-301). The hook the collection helper's choice of the counting
    delivery will replace."""
    if not paths:
        return None
    stamps = [stamp(p) for p in paths]
    if any(s is None for s in stamps):
        return None
    top = max(s for s in stamps if s is not None)
    winners = [p for p, s in zip(paths, stamps, strict=True) if s == top]
    return winners[0] if len(winners) == 1 else None
