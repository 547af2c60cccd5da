"""The Jämförelser: a file compared with the previous period's and the same period a
year before. :class:`Earlier` finds those files by name among the files given,
:func:`comparisons` reads them and says which (SOS-306), :func:`compare_previous`
checks that they are what they should be (SOS-015…017) and runs the register's
previous-period rules; :func:`change_finding` is the rules' percentage test."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from sosreg.codelists import CodeList
from sosreg.engine.expected import latest, named
from sosreg.engine.findings import Finding
from sosreg.engine.joins import ParsedFile
from sosreg.engine.pipeline import UsageError
from sosreg.engine.readfile import read_file
from sosreg.engine.register import REGISTRY
from sosreg.engine.source import Source
from sosreg.engine.values import YearMonth

COMPARED: Final = "SOS-306"


def _period_before(period: str, months: int) -> str:
    """``period`` (``ÅÅÅÅMM`` or ``ÅÅÅÅ``) moved back ``months`` months (an annual
    period: the previous year, for 1 month as for 12)."""
    if len(period) == 4:  # annual: the previous period is the previous year
        return str(int(period) - max(1, months // 12))
    return str(YearMonth.parse(period) + -months)


class Earlier:
    """The files of ``paths`` indexed by what their names say, to find the ones to
    compare a file with (:meth:`of`) without reading every name again."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._by_key: dict[tuple[str, str, str, str], list[str]] = defaultdict(list)
        for p in paths:
            other = named(p)
            if other is not None:
                self._by_key[other.key].append(p)

    def of(self, path: str) -> list[tuple[str, str]]:
        """The files to compare ``path`` with: ``("previous", p)`` for the previous
        period (the month before, or the year before for an annual file) and ``("year",
        p)`` for the same month a year before, each the delivery that counts of the
        same organisation, register and file (:func:`latest`; when they cannot be
        ordered, the last name). Nothing for a name that is not Filip-style."""
        me = named(path)
        if me is None:
            return []
        out: list[tuple[str, str]] = []
        periods: set[str] = set()
        for which, months in (("previous", 1), ("year", 12)):
            period = _period_before(me.period, months)
            if period in periods:
                continue  # annual: the year before is the previous period
            periods.add(period)
            found = self._by_key.get((me.register, me.file, me.org, period))
            if found:
                out.append((which, latest(found) or sorted(found)[-1]))
        return out


def earlier_files(path: str, paths: Iterable[str]) -> list[tuple[str, str]]:
    """:meth:`Earlier.of` ``path`` among ``paths`` (for many files, make one
    :class:`Earlier` and ask it)."""
    return Earlier(paths).of(path)


def read_earlier(
    source: Source, current: ParsedFile, codelists: Mapping[str, CodeList] | None = None
) -> ParsedFile:
    """An earlier file to compare ``current`` with, read completely (its name says
    what it is when it can; else it is read as ``current``'s register and file)."""
    try:
        _, before = read_file(source, codelists=codelists, max_details=0)
    except UsageError:
        _, before = read_file(
            source,
            register=current.register,
            file=current.file,
            codelists=codelists,
            max_details=0,
        )
    return before


WHICH: Final = {
    "previous": ("föregående period", "the previous period"),
    "year": ("samma period föregående år", "the same period the year before"),
}
"""The comparisons :func:`comparisons` makes, as SOS-306 names them."""


def comparisons(
    current: ParsedFile,
    earlier: Sequence[tuple[str, Source]],
    codelists: Mapping[str, CodeList] | None = None,
    *,
    found: bool = False,
) -> list[Finding]:
    """The Jämförelser of ``current`` with each earlier file of ``earlier``
    (``("previous", source)``: the previous period; ``("year", source)``: the same
    period a year before): SOS-306 naming the file compared with, then the findings of
    :func:`compare_previous`. ``found``: the files were found, not named, so one that
    cannot be read at all is left out (its own report says why) instead of stopping
    the check of ``current``."""
    findings: list[Finding] = []
    for which, source in earlier:
        try:
            before = read_earlier(source, current, codelists)
        except UsageError:
            if not found:
                raise
            continue
        sv, en = WHICH[which]
        findings.append(
            current.context.finding(
                COMPARED,
                previous=before.name,
                previous_period=before.period,
                which_sv=sv,
                which_en=en,
            )
        )
        findings.extend(compare_previous(current, before, months=1 if which == "previous" else 12))
    return findings


def compare_previous(
    current: ParsedFile, previous: ParsedFile, *, months: int = 1
) -> list[Finding]:
    """Run the register's previous-period rules for ``current`` against ``previous``,
    the file ``months`` months before (1: the previous period; 12: the same month a
    year before)."""
    reg = REGISTRY.get(current.register)
    findings: list[Finding] = []
    if previous.register != current.register or previous.file != current.file:
        return [
            current.context.finding(
                "SOS-015",
                name=previous.name,
                expected=f"{current.register}/{current.file}",
                got=f"{previous.register}/{previous.file}",
            )
        ]
    if None not in (previous.kommun, current.kommun) and previous.kommun != current.kommun:
        return [
            current.context.finding(
                "SOS-017", name=previous.name, got=previous.kommun, expected=current.kommun
            )
        ]
    if isinstance(current.period, int):
        expected = current.period - max(1, months // 12)  # annual: the year before
    else:
        expected = current.period + -months  # the month(s) before (YearMonth)
    if previous.period != expected:
        findings.append(
            current.context.finding(
                "SOS-016", name=previous.name, got=previous.period, expected=expected
            )
        )
    for rule in reg.previous_rules:
        if rule.files is not None and current.file not in rule.files:
            continue
        try:
            findings.extend(rule.fn(current, previous))
        except Exception as exc:  # a rule that raises is one finding
            findings.append(current.context.internal(rule.codes[0], exc))
    return findings


def change_finding(
    code: str,
    current: ParsedFile,
    previous: ParsedFile,
    now: float,
    before: float,
    limit_pct: float,
) -> Iterable[Finding]:
    """A finding of ``code`` when ``now`` differs from ``before`` by more than
    ``limit_pct`` percent (the collector's comparison with earlier deliveries)."""
    if before <= 0:
        return
    change = (now - before) * 100.0 / before
    if abs(change) > limit_pct:
        yield current.context.finding(
            code,
            now=f"{now:.0f}",
            before=f"{before:.0f}",
            change=f"{change:+.0f}",
            limit=f"{limit_pct:g}",
            previous_period=previous.period,
            period=current.period,
        )
