"""sosreg next to its floors and peers on SOL1 and EKB-Månad files of 1,000,000 lines.

    python benchmarks/bench.py                 # full run: 1M lines, 3 runs per tool
    python benchmarks/bench.py --quick         # smoke run: 100k lines, 1 run per tool
    python benchmarks/bench.py --only sol1 --lines 200000

Steps:

1. **Data.** Generates (``make_data.py``) a valid file and a ``--damaged-pct`` (10 %)
   damaged file of ``--lines`` lines for each register file, under Filip names.
2. **Sanity, at 20,000 lines** (aborts loudly if it fails): sosreg must find the clean
   file godkänd and flag exactly the damaged lines of the damaged files; each peer must
   accept the clean file (a peer that rejects it has a schema stricter than sosreg).
   What each tool flags in the damaged files is reported ("what each tool catches").
3. **Timing.** Every tool runs in a fresh child process per run: wall time
   (``time.perf_counter``) around the work only (reading and checking the file, after
   imports and schema building, which are reported apart: for sosreg, loading its
   registers), and the peak RSS of the
   child (``VmHWM``; ``ru_maxrss`` would carry the parent's peak across fork+exec).
   Best time of ``--repeat`` runs; the largest peak RSS.

Prints a Markdown table per file and writes ``benchmarks/results.json`` (``--json``).
A script, not a test: nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib
import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SANITY_LINES = 20_000
QUICK_LINES = 100_000
CHILD_TIMEOUT = 1800  # seconds; a child that hangs is reported as failed
FILE_TITLES = {"sol1": "SOL1", "ekb": "EKB-Månad"}

# tool id -> (label, needs the peer plan)
TOOLS = {
    "floor-split": ("floor: `str.split(';')` every line", False),
    "floor-polars": ("floor: `polars.read_csv`, all strings", False),
    "floor-pandas": ("floor: `pandas.read_csv(dtype=str)`", False),
    "sosreg-row": ("**sosreg, row engine**", False),
    "sosreg-columnar": ("**sosreg, columnar engine**", False),
    "sosreg-row-damaged": ("sosreg, row engine, {pct:g} % damaged lines", False),
    "sosreg-columnar-damaged": ("sosreg, columnar engine, {pct:g} % damaged lines", False),
    "frictionless": ("frictionless, Table Schema + custom checks", True),
    "pandera-pandas": ("pandera, pandas backend", True),
    "pandera-polars": ("pandera, polars backend", True),
}
PEER_TOOLS = ("frictionless", "pandera-pandas", "pandera-polars")
PACKAGES = ("sosreg", "polars", "pandas", "pyarrow", "pandera", "frictionless", "numpy")


# --- in the child ------------------------------------------------------------------------


def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Unavailable(Exception):
    """The tool cannot run in this checkout (e.g. no columnar engine yet)."""


def _is_engine_refusal(exc: BaseException) -> bool:
    import sosreg

    if isinstance(exc, TypeError) and "engine" in str(exc):
        return True
    return isinstance(exc, sosreg.UsageError)


def _sosreg_summary(report: Any, exact: bool) -> dict[str, Any]:
    import sosreg
    from sosreg import Severity

    out: dict[str, Any] = {
        "status": report.status.value,
        "lines": report.lines,
        "counts": report.counts(),
        "valid": report.status is sosreg.Status.GODKAND,
    }
    if exact:
        out["flagged_lines"] = sorted(
            {
                f.line
                for f in report.findings
                if f.line is not None and f.severity in (Severity.ERROR, Severity.WARNING)
            }
        )
    return out


def child(args: argparse.Namespace) -> dict[str, Any]:
    """Run one tool once on one file; everything measured in this fresh process."""
    tool, path = args.child, Path(args.path)
    exact = args.mode == "check"
    t_import = time.perf_counter()
    out: dict[str, Any] = {"tool": tool}
    setup: Any = None
    fallback: Any = None
    if tool == "floor-split":

        def work() -> dict[str, Any]:
            rows = fields = 0
            with open(path, encoding="utf-8", newline="") as fh:
                for line in fh:
                    fields += len(line.rstrip("\r\n").split(";"))
                    rows += 1
            return {"rows": rows, "fields": fields}

    elif tool in ("floor-polars", "floor-pandas"):
        import peers

        names = [f"f{i}" for i in range(args.fields)]
        # import the library before the clock starts: imports are not the work
        importlib.import_module("polars" if tool == "floor-polars" else "pandas")
        reader = peers.polars_read if tool == "floor-polars" else peers.pandas_read

        def work() -> dict[str, Any]:
            df = reader(path, names)
            return {"rows": len(df)}

    elif tool.startswith("sosreg-"):
        import sosreg

        engine = "columnar" if "columnar" in tool else "row"
        if engine == "columnar":
            with contextlib.suppress(ImportError):  # the columnar engine's import, not timed
                importlib.import_module("polars")
        # the registers loaded (their modules, rule catalogues and specs), as a peer's
        # schema is built: setup, reported apart; the file's spec is still compiled,
        # and its code lists read, in the timed work
        t_import_done = time.perf_counter()
        with contextlib.suppress(ImportError, AttributeError):  # an older checkout
            importlib.import_module("sosreg.engine.register").REGISTRY.all()
        out["setup_seconds"] = time.perf_counter() - t_import_done
        kw: dict[str, Any] = {"max_details": None} if exact else {}

        def work() -> dict[str, Any]:
            try:
                report = sosreg.validate(path, engine=engine, **kw)
            except Exception as exc:
                if not _is_engine_refusal(exc):
                    raise
                if engine == "columnar":
                    raise Unavailable(f"{type(exc).__name__}: {exc}") from exc
                raise _Retry(f"{type(exc).__name__}: {exc}") from exc
            return _sosreg_summary(report, exact)

        def fallback() -> dict[str, Any]:
            # no engine= option yet: the default engine is the row engine
            return _sosreg_summary(sosreg.validate(path, **kw), exact)

        sosreg.clear_caches()
    elif tool in PEER_TOOLS:
        import peers

        plan = peers.Plan.from_json(Path(args.plan).read_text("utf-8"))
        prepare, run = peers.PEERS[tool]
        t_import_done = time.perf_counter()
        setup = prepare(plan)
        out["setup_seconds"] = time.perf_counter() - t_import_done

        def work() -> dict[str, Any]:
            return run(path, plan, setup, args.limit)

    else:
        raise SystemExit(f"unknown tool {tool}")
    out["import_seconds"] = time.perf_counter() - t_import - out.get("setup_seconds", 0.0)
    out["rss_before_kb"] = _status_kb("VmRSS")
    t0 = time.perf_counter()
    try:
        summary = work()
    except _Retry as exc:
        out["note"] = f"no engine='row' in this checkout ({exc}): sosreg.validate(path) ran"
        t0 = time.perf_counter()
        summary = fallback()
    except Unavailable as exc:
        return {"tool": tool, "unavailable": str(exc)}
    except Exception as exc:  # a peer that stops at a damaged line: its outcome
        if not exact:
            raise
        summary = {"valid": False, "error": f"{type(exc).__name__}: {str(exc)[:300]}"}
    out["seconds"] = time.perf_counter() - t0
    out["peak_rss_kb"] = _status_kb("VmHWM")
    out["summary"] = summary
    return out


class _Retry(Exception):
    pass


# --- in the parent -----------------------------------------------------------------------


def run_child(
    tool: str,
    kind: str,
    path: Path,
    *,
    fields: int,
    plan: Path | None,
    limit: int | None = None,
    mode: str = "time",
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        tool,
        "--kind",
        kind,
        "--path",
        str(path),
        "--fields",
        str(fields),
        "--mode",
        mode,
    ]
    if plan is not None:
        cmd += ["--plan", str(plan)]
    if limit is not None:
        cmd += ["--limit", str(limit)]
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, cwd=HERE, check=False, timeout=CHILD_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        return {"tool": tool, "failed": f"no result after {CHILD_TIMEOUT} s", "stderr": ""}
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        return {"tool": tool, "failed": f"exit {proc.returncode}: {tail}", "stderr": proc.stderr}
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process_seconds"] = wall
    return result


def log(msg: str, end: str = "\n") -> None:
    print(msg, file=sys.stderr, end=end, flush=True)


def version_of(pkg: str) -> str | None:
    try:
        return importlib.metadata.version(pkg)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    cpu_model = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_total = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_total = int(line.split()[1]) * 1024
    except OSError:
        pass
    return {
        "cpu_model": cpu_model,
        "cpu_count": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_bytes": mem_total,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "versions": {p: version_of(p) for p in PACKAGES},
        "polars_max_threads": os.environ.get("POLARS_MAX_THREADS"),
        "pandas_string_storage": _pandas_string_storage(),
        "loadavg_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
    }


def _pandas_string_storage() -> str | None:
    """How pandas stores text columns: "pyarrow" (vectorised) or "python" (no pyarrow)."""
    code = "import pandas as pd; d = pd.Series(['a']).dtype; print(getattr(d, 'storage', d))"
    probe = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return probe.stdout.strip() or None if probe.returncode == 0 else None


class Data:
    """Generated files, reused from ``--data-dir`` when made by the same generator."""

    def __init__(self, root: Path) -> None:
        import make_data

        self.root = root
        self.md = make_data
        self.manifest_path = root / "manifest.json"
        self.manifest: dict[str, str] = {}
        if self.manifest_path.exists():
            self.manifest = json.loads(self.manifest_path.read_text("utf-8"))
        self.generator = (HERE / "make_data.py").read_bytes()

    def get(
        self, kind: str, n: int, pct: float = 0.0, kinds: tuple[str, ...] | None = None
    ) -> tuple[Path, dict[str, int]]:
        import hashlib

        kinds = kinds or self.md.DAMAGE_KINDS
        tag = (
            "clean"
            if not pct
            else f"damaged{pct:g}"
            + ("" if kinds == self.md.DAMAGE_KINDS else "-" + "-".join(kinds))
        )
        directory = self.root / kind / f"{n}" / tag
        path = directory / self.md.filip_name(kind)
        key = hashlib.sha256(
            self.generator + repr((kind, n, pct, kinds, self.md.SEED)).encode()
        ).hexdigest()
        rel = str(path.relative_to(self.root))
        cached = self.manifest.get(rel)
        if cached and path.exists():
            stored = json.loads(cached)
            if stored["key"] == key:
                return path, stored["counts"]
        t0 = time.perf_counter()
        log(f"  generating {kind} {n:,} lines {tag} ...", end="")
        _, counts = self.md.write_filip(directory, kind, n, damaged=pct, damage_kinds=kinds)
        log(f" {time.perf_counter() - t0:.1f} s")
        self.manifest[rel] = json.dumps({"key": key, "counts": counts})
        self.manifest_path.write_text(json.dumps(self.manifest, indent=1), "utf-8")
        return path, counts


def count_lines(path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            n += chunk.count(b"\n")
    return n


def sanity(
    args: argparse.Namespace, data: Data, kind: str, plan_path: Path, n_fields: int
) -> dict[str, Any]:
    """At 20,000 lines: sosreg finds the clean file godkänd and flags exactly the
    damaged lines; every peer accepts the clean file. What each tool flags in the
    damaged files. Raises SystemExit on a failure."""
    import sosreg

    n = SANITY_LINES
    clean, _ = data.get(kind, n)
    value_kinds = ("space_before_value", "wrong_code", "bad_check_digit")
    values, vcounts = data.get(kind, n, args.damaged_pct, value_kinds)
    damaged, dcounts = data.get(kind, n, args.damaged_pct)
    files = {
        "clean": (clean, 0),
        "values": (values, sum(vcounts.values())),
        "damaged": (damaged, sum(dcounts.values())),
    }
    sosreg.clear_caches()
    report = sosreg.validate(clean, max_details=None)
    if report.status is not sosreg.Status.GODKAND:
        raise SystemExit(
            f"ABORT: the generated {kind} file is not godkänd by sosreg: {report.counts()}\n"
            f"  file: {clean}\n  fix make_data.py before timing anything"
        )
    # every code of each list and every kind of id occurs (on the first lines, so in
    # the timed files too: the first lines of a longer file are a shorter one's)
    missing = data.md.coverage(clean, kind)
    if missing:
        raise SystemExit(
            f"ABORT: the generated {kind} file lacks codes or kinds of id: {missing}\n"
            f"  file: {clean}\n  fix make_data.py before timing anything"
        )
    log(f"  sanity {kind}: every code of each list and every kind of id occurs")
    out: dict[str, Any] = {"lines": n, "damaged_lines": {k: v[1] for k, v in files.items()}}
    out["coverage"] = "every code of each code list and every kind of id the fields accept"
    out["damage_kinds"] = {"values": vcounts, "damaged": dcounts}
    tools = ["sosreg-row", "sosreg-columnar", *[t for t in PEER_TOOLS if t in args.tools]]
    for tool in tools:
        res_tool: dict[str, Any] = {}
        for name, (path, n_damaged) in files.items():
            r = run_child(tool, kind, path, fields=n_fields, plan=plan_path, mode="check")
            if "unavailable" in r:
                res_tool = {"unavailable": r["unavailable"]}
                break
            if "failed" in r:
                raise SystemExit(f"ABORT: {tool} failed on {path}: {r['failed']}\n{r['stderr']}")
            s = r["summary"]
            flagged = s.get("flagged_lines")
            res_tool[name] = {
                "flagged": None if flagged is None else len(flagged),
                "of": n_damaged,
                "error": s.get("error"),
                "detail": {k: s[k] for k in ("counts", "failed_checks", "error_types") if k in s},
            }
            problem = None
            if name == "clean" and (s.get("error") or flagged):
                problem = (
                    f"{tool} rejects the valid {kind} file ({len(flagged or [])} lines, "
                    f"{s.get('error')}): {res_tool[name]['detail']}"
                )
            elif tool.startswith("sosreg") and name != "clean" and len(flagged or []) != n_damaged:
                problem = (
                    f"{tool} flags {len(flagged or [])} lines of the {name} {kind} file "
                    f"but {n_damaged} lines were damaged: {s.get('counts')}"
                )
            if problem and tool == "sosreg-columnar":
                # an engine in the making: report it, but time the rest
                log(f"  WARNING: {problem}")
                out.setdefault("warnings", []).append(problem)
            elif problem and name == "clean" and tool in PEER_TOOLS:
                raise SystemExit(
                    f"ABORT: {problem}\n  its schema is stricter than sosreg: fix peers.py"
                )
            elif problem:
                raise SystemExit(f"ABORT: {problem}")
        out[tool] = res_tool
        log(f"  sanity {kind} {tool}: {_caught_text(res_tool)}")
    return out


def _caught_text(res: dict[str, Any]) -> str:
    if "unavailable" in res:
        return "not available"
    parts = []
    for name in ("clean", "values", "damaged"):
        r = res[name]
        if r["error"] and not r["flagged"]:
            parts.append(f"{name}: stops ({r['error'][:70]})")
        else:
            parts.append(f"{name}: {r['flagged']}/{r['of']}")
    return ", ".join(parts)


def time_tool(
    args: argparse.Namespace,
    tool: str,
    kind: str,
    path: Path,
    lines: int,
    n_fields: int,
    plan_path: Path,
) -> dict[str, Any]:
    limit = None
    measured = lines
    if tool == "frictionless" and args.frictionless_lines < lines:
        limit = measured = args.frictionless_lines
    runs = []
    for i in range(args.repeat):
        log(f"  {kind} {tool} run {i + 1}/{args.repeat} ...", end="")
        r = run_child(tool, kind, path, fields=n_fields, plan=plan_path, limit=limit)
        if "unavailable" in r or "failed" in r:
            log(f" {r.get('unavailable') or r.get('failed')}")
            return {"tool": tool, **r}
        log(f" {r['seconds']:.2f} s, {r['peak_rss_kb'] / 1024:.0f} MiB")
        runs.append(r)
    best = min(runs, key=lambda r: r["seconds"])
    seconds = best["seconds"]
    row: dict[str, Any] = {
        "tool": tool,
        "lines": lines,
        "measured_lines": measured,
        "extrapolated": measured != lines,
        "seconds_measured": seconds,
        "seconds": seconds * lines / measured,
        "lines_per_second": measured / seconds,
        "peak_rss_bytes": max(r["peak_rss_kb"] for r in runs) * 1024,
        "rss_before_work_bytes": best["rss_before_kb"] * 1024,
        "import_seconds": best["import_seconds"],
        "setup_seconds": best.get("setup_seconds", 0.0),
        "all_seconds": [r["seconds"] for r in runs],
        "summary": _short_summary(best["summary"]),
    }
    if best.get("note"):
        row["note"] = best["note"]
    if tool in PEER_TOOLS and not best["summary"].get("valid", False):
        row["warning"] = "the peer rejected the valid file"
        log(f"  WARNING: {tool} rejected the valid {kind} file: {row['summary']}")
    return row


def _short_summary(s: dict[str, Any]) -> dict[str, Any]:
    out = dict(s)
    if "flagged_lines" in out:
        out["flagged_lines"] = len(out["flagged_lines"])
    return out


# --- output ------------------------------------------------------------------------------


def fmt_seconds(s: float) -> str:
    return f"{s:.2f} s" if s < 100 else f"{s:.0f} s"


def mib(b: float) -> str:
    return f"{b / 2**20:,.0f} MiB"


def ratio(row: dict[str, Any], base: dict[str, Any] | None) -> str:
    if base is None or "seconds" not in base or "seconds" not in row:
        return "–"
    return f"{row['seconds'] / base['seconds']:.2f}×"


def table(result: dict[str, Any], pct: float) -> str:
    rows = result["rows"]
    by_tool = {r["tool"]: r for r in rows}
    base_row = by_tool.get("sosreg-row")
    base_col = by_tool.get("sosreg-columnar")
    if base_col is not None and "seconds" not in base_col:
        base_col = None
    base_pandera = by_tool.get("pandera-polars")
    out = [
        "| tool | time | lines/s | peak RSS | × sosreg row | × sosreg columnar "
        "| × pandera-polars |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        label = TOOLS[r["tool"]][0].format(pct=pct)
        if "seconds" not in r:
            why = "not available" if "unavailable" in r else "failed"
            out.append(f"| {label} | {why} | | | | | |")
            continue
        t = fmt_seconds(r["seconds"])
        if r["extrapolated"]:
            t = f"{t} (est.)†"
        out.append(
            f"| {label} | {t} | {r['lines_per_second']:,.0f} | {mib(r['peak_rss_bytes'])} "
            f"| {ratio(r, base_row)} | {ratio(r, base_col)} | {ratio(r, base_pandera)} |"
        )
    out += ["", *engines_table(by_tool, pct)]
    notes: list[str] = []
    grouped: dict[str, list[str]] = {}  # the same note for several rows, said once
    for r in rows:
        if r.get("extrapolated"):
            notes.append(
                f"† {r['tool']}: measured on the first {r['measured_lines']:,} lines "
                f"({fmt_seconds(r['seconds_measured'])}, peak RSS at that point) and "
                f"extrapolated linearly to {r['lines']:,}."
            )
        for text in (
            f"not available here ({r['unavailable']})" if "unavailable" in r else None,
            f"failed ({r['failed']})" if "failed" in r else None,
            r.get("note"),
            f"WARNING {r['warning']}" if r.get("warning") else None,
        ):
            if text:
                grouped.setdefault(text, []).append(r["tool"])
    notes += [f"{', '.join(tools)}: {text}." for text, tools in grouped.items()]
    for engine in ("row", "columnar"):
        clean, bad = by_tool.get(f"sosreg-{engine}"), by_tool.get(f"sosreg-{engine}-damaged")
        if clean and bad and "seconds" in clean and "seconds" in bad:
            x = bad["seconds"] / clean["seconds"]
            verdict = "meets" if x <= 1.5 else "MISSES"
            notes.append(
                f"sosreg {engine} engine: the {pct:g} %-damaged file costs {x:.2f}× the clean "
                f"file ({verdict} the goal ≤ 1.5×)."
            )
    return "\n".join(out + ([""] + [f"- {n}" for n in notes] if notes else []))


def engines_table(by_tool: dict[str, dict[str, Any]], pct: float) -> list[str]:
    """The engines side by side: clean and damaged time, damaged/clean (goal ≤ 1.5×),
    and each against pandera-polars in the same run (goal ≤ 0.7×)."""
    pandera = by_tool.get("pandera-polars")
    lines = [
        f"| engine | clean | {pct:g} % damaged | damaged / clean (goal ≤ 1.5×) "
        "| clean × pandera-polars (goal ≤ 0.7×) | damaged × pandera-polars |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    shown = False
    for engine in ("row", "columnar"):
        clean, bad = by_tool.get(f"sosreg-{engine}"), by_tool.get(f"sosreg-{engine}-damaged")
        if not (clean and "seconds" in clean) and not (bad and "seconds" in bad):
            continue
        shown = True
        cells = [
            fmt_seconds(clean["seconds"]) if clean and "seconds" in clean else "–",
            fmt_seconds(bad["seconds"]) if bad and "seconds" in bad else "–",
            ratio(bad, clean) if bad else "–",
            ratio(clean, pandera) if clean else "–",
            ratio(bad, pandera) if bad else "–",
        ]
        lines.append(f"| sosreg {engine} | " + " | ".join(cells) + " |")
    return lines if shown else []


def caught_table(sanity_result: dict[str, Any], pct: float) -> str:
    n = sanity_result["lines"]
    d = sanity_result["damaged_lines"]
    out = [
        f"| tool ({n:,} lines) | valid file | {pct:g} % bad values ({d['values']:,} lines) "
        f"| {pct:g} % damaged lines, all kinds ({d['damaged']:,} lines) |",
        "|---|---:|---:|---:|",
    ]
    for tool in ("sosreg-row", "sosreg-columnar", *PEER_TOOLS):
        res = sanity_result.get(tool)
        if res is None:
            continue
        label = TOOLS[tool][0].replace("**", "")
        if "unavailable" in res:
            out.append(f"| {label} | not available | | |")
            continue
        cells = []
        for name in ("clean", "values", "damaged"):
            r = res[name]
            if r["error"] and not r["flagged"]:
                cells.append(f"stops: {r['error'].split(':')[0]}")
            else:
                cells.append(f"{r['flagged']:,} lines flagged")
        out.append(f"| {label} | {' | '.join(cells)} |")
    return "\n".join(out)


def machine_text(m: dict[str, Any]) -> str:
    v = m["versions"]
    versions = ", ".join(f"{p} {v[p]}" for p in PACKAGES if v.get(p))
    if m.get("pandas_string_storage"):
        versions += f" (pandas strings: {m['pandas_string_storage']})"
    mem = f", {m['memory_bytes'] / 2**30:.0f} GiB RAM" if m.get("memory_bytes") else ""
    load = m.get("loadavg_start")
    load_text = f"; load average at start {load[0]:.2f}" if load else ""
    if m.get("loadavg_end"):
        load_text += f", at end {m['loadavg_end'][0]:.2f}"
    return (
        f"{m['cpu_model'] or 'unknown CPU'}, {m['cpu_count']} CPUs ({m['cpus_usable']} usable)"
        f"{mem}, {m['platform']}, {m['implementation']} {m['python']}; {versions}{load_text}"
    )


# --- main --------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=None, help="lines per file (1,000,000)")
    ap.add_argument("--quick", action="store_true", help="smoke run: 100k lines, 1 run each")
    ap.add_argument("--only", choices=("sol1", "ekb"), help="one file only")
    ap.add_argument("--repeat", type=int, default=None, help="runs per tool, best counts (3)")
    ap.add_argument(
        "--frictionless-lines",
        type=int,
        default=100_000,
        help="frictionless validates this many lines; its time is extrapolated (100,000)",
    )
    ap.add_argument("--damaged-pct", type=float, default=10.0, help="damaged share (10 %%)")
    ap.add_argument(
        "--tools", nargs="+", choices=list(TOOLS), default=list(TOOLS), help="tools to run"
    )
    ap.add_argument("--no-sanity", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="keep generated files here and reuse them (default: a temporary directory)",
    )
    ap.add_argument("--json", type=Path, default=HERE / "results.json", help="results file")
    # the child process
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--kind", help=argparse.SUPPRESS)
    ap.add_argument("--path", help=argparse.SUPPRESS)
    ap.add_argument("--plan", help=argparse.SUPPRESS)
    ap.add_argument("--fields", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--mode", default="time", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.lines is None:
        args.lines = QUICK_LINES if args.quick else 1_000_000
    if args.repeat is None:
        args.repeat = 1 if args.quick else 3
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        sys.path.insert(0, str(HERE))
        print(json.dumps(child(args)))
        return 0
    sys.path.insert(0, str(HERE))
    tmp = Path(tempfile.mkdtemp(prefix="sosreg-bench-"))
    try:
        return bench(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def bench(args: argparse.Namespace, tmp: Path) -> int:
    import make_data
    import peers

    kinds = [args.only] if args.only else ["sol1", "ekb"]
    data = Data(args.data_dir or tmp / "data")
    machine = machine_info()
    started = time.perf_counter()
    results: dict[str, Any] = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "settings": {
            "lines": args.lines,
            "repeat": args.repeat,
            "quick": args.quick,
            "frictionless_lines": args.frictionless_lines,
            "damaged_pct": args.damaged_pct,
            "tools": args.tools,
        },
        "machine": machine,
        "files": {},
    }
    for kind in kinds:
        spec = make_data.spec_of(kind)
        n_fields = len(spec.fields)
        plan = peers.plan(kind, spec, make_data.YEAR, make_data.PERIOD, make_data.KOMMUN)
        plan_path = tmp / f"plan_{kind}.json"
        plan_path.write_text(plan.to_json(), "utf-8")
        log(f"{FILE_TITLES[kind]}:")
        sanity_result = None if args.no_sanity else sanity(args, data, kind, plan_path, n_fields)
        clean, _ = data.get(kind, args.lines)
        damaged, dcounts = data.get(kind, args.lines, args.damaged_pct)
        lines = count_lines(clean)
        rows = []
        for tool in args.tools:
            path = damaged if tool.endswith("-damaged") else clean
            rows.append(time_tool(args, tool, kind, path, lines, n_fields, plan_path))
        results["files"][kind] = {
            "title": FILE_TITLES[kind],
            "name": clean.name,
            "lines": lines,
            "bytes": clean.stat().st_size,
            "damaged": {"bytes": damaged.stat().st_size, "kinds": dcounts},
            "sanity": sanity_result,
            "rows": rows,
        }
    machine["loadavg_end"] = os.getloadavg() if hasattr(os, "getloadavg") else None
    results["total_seconds"] = time.perf_counter() - started

    print(f"Machine: {machine_text(machine)}\n")
    print(f"Command: `{results['command']}`\n")
    for _kind, f in results["files"].items():
        print(
            f"### {f['title']}: {f['lines']:,} lines, {f['bytes'] / 1e6:.0f} MB "
            f"(`{f['name']}`), best of {args.repeat}\n"
        )
        print(table(f, args.damaged_pct))
        print()
        if f["sanity"]:
            print(f"What each tool flags ({FILE_TITLES[_kind]}, sanity run):\n")
            print(caught_table(f["sanity"], args.damaged_pct))
            print()
            for w in f["sanity"].get("warnings", []):
                print(f"- WARNING (sanity): {w}")
    print(f"Total time of the run: {results['total_seconds'] / 60:.1f} min")
    args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    log(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
