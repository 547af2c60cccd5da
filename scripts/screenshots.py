"""Pictures of the reports, as a person sees them (for docs/report-formats.md).

Renders the damaged example ``examples/Ekb_0330_202302_20230314T1200.txt.csv``:

* the HTML report in headless Chromium -> ``docs/img/report-html.png`` (and
  ``report-html-en.png``, in English);
* the Excel workbook converted to PDF by LibreOffice (every sheet one page wide) and
  each page to PNG by pdftoppm -> ``docs/img/report-xlsx-<sheet>.png``.

Needs the Debian packages ``chromium``, ``libreoffice-calc`` and ``poppler-utils``
(``apt-get install -y chromium libreoffice-calc poppler-utils``) and sosreg with the
``excel`` extra. Not a test: run it by hand after changing a renderer, and look at the
pictures::

    python scripts/screenshots.py [--out docs/img]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import sosreg
from sosreg.reports import html_report, xlsx_report

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "Ekb_0330_202302_20230314T1200.txt.csv"
PREVIOUS = ROOT / "examples" / "Ekb_0330_202301_20230214T0930.txt"


def _need(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        sys.exit(f"screenshots: {tool} not found (apt-get install -y {package})")
    return path


def chromium_screenshot(page: Path, png: Path, size: str = "1280,1600") -> None:
    """A screenshot of ``page`` in headless Chromium, with no network and a profile of
    its own."""
    chromium = _need("chromium", "chromium")
    with tempfile.TemporaryDirectory(prefix="sosreg-chromium-") as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={png}",
                f"--window-size={size}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


def workbook_pictures(xlsx: Path, out: Path) -> list[Path]:
    """Each page of ``xlsx`` printed as a PNG (LibreOffice -> PDF -> pdftoppm), named
    after its sheet: ``report-xlsx-<sheet>.png``, ``…-<sheet>-2.png`` for its second
    page."""
    office = _need("libreoffice", "libreoffice-calc")
    pdftoppm = _need("pdftoppm", "poppler-utils")
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="sosreg-office-") as tmp:
        subprocess.run(
            [
                office,
                f"-env:UserInstallation=file://{tmp}/profile",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(xlsx),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pdf = Path(tmp) / (xlsx.stem + ".pdf")
        subprocess.run(
            [pdftoppm, "-png", "-r", "100", str(pdf), str(Path(tmp) / "page")],
            check=True,
            capture_output=True,
            timeout=120,
        )
        pages = sorted(Path(tmp).glob("page-*.png"))
        seen: dict[str, int] = {}
        for i, page in enumerate(pages, 1):
            sheet = _sheet_of_page(pdf, i) or f"page{i}"
            seen[sheet] = seen.get(sheet, 0) + 1
            slug = re.sub(r"[^a-z0-9]+", "-", sheet.lower().translate(_ASCII)).strip("-")
            more = f"-{seen[sheet]}" if seen[sheet] > 1 else ""
            target = out / f"report-xlsx-{slug}{more}.png"
            shutil.copyfile(page, target)
            written.append(target)
    return written


_ASCII = str.maketrans("åäö", "aao")


def _sheet_of_page(pdf: Path, page: int) -> str | None:
    """The sheet a page of the PDF shows: the workbook prints each sheet's name on top
    of its pages (``&A`` in the page header)."""
    pdftotext = _need("pdftotext", "poppler-utils")
    text = subprocess.run(
        [pdftotext, "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    first = next((line.strip() for line in text.splitlines() if line.strip()), None)
    return first


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("report-xlsx-*.png"):
        old.unlink()
    report = sosreg.validate(EXAMPLE, previous=PREVIOUS)
    with tempfile.TemporaryDirectory(prefix="sosreg-shots-") as tmp:
        for lang, name in (("sv", "report-html.png"), ("en", "report-html-en.png")):
            page = Path(tmp) / f"report-{lang}.html"
            page.write_text(
                html_report.render(report, lang=lang, previous=PREVIOUS.name), encoding="utf-8"
            )
            chromium_screenshot(page, out / name)
            print(out / name)
        xlsx = Path(tmp) / "Ekb_0330_202302_20230314T1200.xlsx"
        xlsx_report.render(report, out=xlsx, previous=PREVIOUS.name)
        for png in workbook_pictures(xlsx, out):
            print(png)


if __name__ == "__main__":
    main()
