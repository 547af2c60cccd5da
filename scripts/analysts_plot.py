"""Make docs/img/persons-per-month.png: the notebook path of docs/analysts.md, end to
end, on generated data.

    python scripts/analysts_plot.py [--out docs/img/persons-per-month.png]

Writes a year of SOL1 files from three municipalities (the deterministic generator of
``tests/analysts_data.py``) to a temporary folder, scans them with ``sosreg.scan``,
counts persons per month with DuckDB SQL and plots them with matplotlib. Needs
``sosreg[parquet]``, duckdb and matplotlib.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from analysts_data import write_year  # noqa: E402

import sosreg  # noqa: E402

NAMES = {"0180": "Stockholm (0180)", "1480": "Göteborg (1480)", "1280": "Malmö (1280)"}


def persons_per_month(folder: Path) -> object:
    """The notebook's query: distinct persons per kommun and month (a polars frame)."""
    import duckdb

    sol1 = sosreg.scan(folder, register="sol", file="sol1").frame  # noqa: F841 (read by SQL)
    return duckdb.sql(
        """
        select kommun,
               strptime(period, '%Y%m')::date as month,
               count(distinct personnummer) as persons
        from sol1
        group by kommun, month
        order by kommun, month
        """
    ).pl()


def plot(persons: object, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import polars as pl

    assert isinstance(persons, pl.DataFrame)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=100)
    for (kommun,), part in persons.group_by("kommun", maintain_order=True):
        ax.plot(part["month"], part["persons"], marker="o", label=NAMES.get(kommun, kommun))
    ax.set_title("Personer med pågående SoL-insats per månad (SOL1, genererade data)")
    ax.set_xlabel("Månad")
    ax.set_ylabel("Personer")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.autofmt_xdate()
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, metadata={"Software": None})
    plt.close(fig)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "persons-per-month.png")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sosreg-plot-") as tmp:
        write_year(Path(tmp), year=2023, lines=200)
        persons = persons_per_month(Path(tmp))
    plot(persons, args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
