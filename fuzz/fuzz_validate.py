"""Coverage-guided fuzz target for sosreg's parser and validator (atheris, libFuzzer).

    pip install -e ".[fuzz]"
    python fuzz/fuzz_validate.py fuzz/corpus -max_total_time=1200 \
        -rss_limit_mb=4096 -malloc_limit_mb=2048
    python fuzz/fuzz_validate.py -runs=0 fuzz/corpus                 # replay the corpus

The instrumented process grows by about 10 MB per 1,000 inputs (libFuzzer's and
atheris' own bookkeeping: the same inputs replayed in plain Python stay flat at about
100 MB), so a 20-minute run passes libFuzzer's default 2 GB RSS limit and ends in a false
``oom-…`` artifact that replays in 80 MB. Hence ``-rss_limit_mb=4096``, with
``-malloc_limit_mb=2048`` still failing any one input that allocates too much.

The first bytes of each input choose the register, file and statistikår (and whether a
Filip-style name, a period argument or a previous file is given); the rest is the file.
Every input goes through :func:`sosreg.validate` (and the text and JSON renderers) and
``serialize(parse(...))``. Anything but a report or a :class:`sosreg.UsageError` is a
crash: libFuzzer writes the input to ``crash-<sha1>``; turn it into a regression test in
``tests/test_fuzz_regressions.py``.

Invariants checked beyond "no exception":

* no rule raised (an internal finding, SOS-900, is a bug, not a report);
* a report's counts agree with its findings when every finding is kept;
* no finding, message or rendered report contains a 12-digit run that is a valid
  personnummer or samordningsnummer (in ASCII digits, or in any script's digits);
* a godkänd file, or one warned only of mixed line endings, serializes back to the
  same bytes;
* with polars installed, on about half of the inputs: the columnar engine gives the
  same report as the row engine (status, counts, every finding's code, severity, line,
  field, masked value and message); on half of those it reads in blocks of a few bytes
  or lines (``source.BLOCKS``), so its two passes and its block boundaries are fuzzed.
"""

from __future__ import annotations

import re
import sys

import atheris

with atheris.instrument_imports(include=["sosreg"]):
    import sosreg
    from sosreg import identity
    from sosreg.engine import source

FILES = [
    ("ekb", "manad"),
    ("ekb", "ao"),
    ("ekb", "ar"),
    ("sol", "sol1"),
    ("sol", "sol2"),
    ("khsl", "khsl1"),
    ("khsl", "khsl2"),
    ("lss", "lss"),
    ("bu", "barn"),
    ("bu", "insats"),
    ("bu", "placering"),
]
PREFIX = {
    "manad": "Ekb_0330_{p}_20230214T0930.txt",
    "ao": "Ekb_AO_0330_{p}_20230214T0930.txt",
    "ar": "Ekb_0330_{y}_20240214T0930.txt",
    "sol1": "SOL1_0330_{p}_20230214T0930.txt",
    "sol2": "SOL2_0330_{p}_20230214T0930.txt",
    "khsl1": "KHSL1_0330_{p}_20230214T0930.txt",
    "khsl2": "KHSL2_0330_{p}_20230214T0930.txt",
    "lss": "LSS_0330_{y}_20231020T0900.txt",
    "barn": "BU_BARN_0330_{y}_20240125T0900.txt",
    "insats": "BU_INSATS_0330_{y}_20240125T0901.txt",
    "placering": "BU_PLACERING_0330_{y}_20240125T0902.txt",
}
YEARLY = {"ar", "lss", "barn", "insats", "placering"}
try:
    import polars  # noqa: F401

    COLUMNAR = True
except ImportError:  # the columnar engine's comparison needs sosreg[fast]
    COLUMNAR = False
TWELVE = re.compile(r"(?<![0-9])[0-9]{12}(?![0-9])")


# repr() writes a character it cannot show as an escape: "\xa0" then "97902149215" (11
# digits of data) reads as the 12 digits "097902149215". An escape is one character of
# data, so it is read as a separator (and an id right after one is still caught).
ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")


def _leaks(text: str) -> list[str]:
    # read as a person reads it too: other digits (``१९४६…``) are digits
    text = ESCAPE.sub(" ", text)
    found = TWELVE.findall(text) + TWELVE.findall(identity.normalise(text))
    return [m for m in found if isinstance(identity.parse(m), identity.Identity)]


def _summary(report: sosreg.Report) -> tuple[object, ...]:
    findings = [
        (f.code, f.severity, f.line, f.field, f.value, f.message("sv")) for f in report.findings
    ]
    return report.status, report.counts(), report.lines, report.records, findings


def check(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    register, file = FILES[fdp.ConsumeIntInRange(0, len(FILES) - 1)]
    year = fdp.ConsumeIntInRange(2015, 2026)
    mode = fdp.ConsumeIntInRange(0, 3)
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    columnar = COLUMNAR and len(body) % 2 == 0  # (consumes no byte: seeds stay valid)
    month = f"{year}{(year % 12) + 1:02d}"
    kwargs: dict[str, object] = {}
    if mode == 0:
        kwargs = {"register": register, "file": file, "year": year}
    elif mode == 1:
        kwargs = {"name": PREFIX[file].format(p=month, y=year)}
    elif mode == 2:
        kwargs = {
            "register": register,
            "file": file,
            "period": str(year) if file in YEARLY else month,
        }
    else:
        kwargs = {"register": register, "file": file, "max_details": 2}
    try:
        report = sosreg.validate(body, engine="row", **kwargs)  # type: ignore[arg-type]
    except sosreg.UsageError:
        return
    # a rule that raised is a bug, even though the report carries on without it
    assert "SOS-900" not in report.counts(), [str(f) for f in report.by_code("SOS-900")]
    if report.max_details is None or report.max_details > 1000:
        assert sum(report.counts().values()) == len(report.findings)
    for text in (report.to_text("sv"), report.to_text("en"), report.to_json("en"), repr(report)):
        # the input's hash (whole in JSON and repr, 16 characters in text) is not data
        leaks = _leaks(text.replace(report.sha256, "").replace(report.sha256[:16], ""))
        assert not leaks, leaks
    if columnar:  # the two engines agree on every finding
        blocks = source.BLOCKS
        if len(body) % 4 == 0:  # in blocks of a few bytes or lines: many blocks, two passes
            source.BLOCKS = source.BlockSizes(rows=1 + len(body) % 97, batch=1 + len(body) % 5)
        try:
            other = sosreg.validate(body, engine="columnar", **kwargs)  # type: ignore[arg-type]
        finally:
            source.BLOCKS = blocks
        assert _summary(other) == _summary(report), (_summary(other), _summary(report))
    parsed = sosreg.parse(body, **kwargs)  # type: ignore[arg-type]
    rows = list(parsed)
    # godkänd, or warned only of mixed line endings (each line keeps its own)
    warned = {c for c, sev in report.rule_severities.items() if sev is not sosreg.Severity.INFO}
    if rows and warned <= {"SOS-005"}:
        out = sosreg.serialize(
            [r.record for r in rows if r.record is not None], format=parsed.format
        )
        assert out == body, (out[:200], body[:200])
    repr(rows[:5])


def main() -> None:
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
