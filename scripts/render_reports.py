"""Render each report of `make demo` through LibreOffice to PDF and PNG (issue 13).

A clerk prints the reports; this shows the printed pages without a printer. Every
``.xlsx`` under ``demo_out/`` (and the workspace outbox) is converted to PDF with
``soffice --headless --convert-to pdf`` and each PDF's pages to PNG with ``pdftoppm``;
the files land in the folder given (default ``demo_out/render``). Look at them: a page of
4-pt text, a header that runs over pages, a lone "。" on the last page are bugs.

Usage: python scripts/render_reports.py [OUT_DIR] [XLSX ...]

Needs ``soffice`` (LibreOffice) and ``pdftoppm`` (poppler-utils); when either is missing it
says which and exits 2. Not a test: it runs nothing in ``make test``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "demo_out"


def _tools() -> tuple[str, str] | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftoppm = shutil.which("pdftoppm")
    missing = [name for name, found in (("soffice", soffice), ("pdftoppm", pdftoppm)) if not found]
    if missing:
        print(
            f"render_reports: {' and '.join(missing)} not found; install LibreOffice and "
            "poppler-utils to render the reports.",
            file=sys.stderr,
        )
        return None
    assert soffice is not None and pdftoppm is not None
    return soffice, pdftoppm


def render(book: Path, out: Path, soffice: str, pdftoppm: str) -> list[Path]:
    """One workbook to `out/<stem>.pdf` and `out/<stem>-N.png` (one per page)."""
    out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as profile
    ):  # a private profile: runs beside an open LibreOffice
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(book),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    pdf = out / f"{book.stem}.pdf"
    for old in _pages(out, book.stem):  # a previous render's pages (it may have had more)
        old.unlink()
    subprocess.run(
        [pdftoppm, "-png", "-r", "80", str(pdf), str(out / book.stem)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return [pdf, *_pages(out, book.stem)]


def _pages(out: Path, stem: str) -> list[Path]:
    """The PNG pages of `stem` only: `fund-1.png`, not `fund-month-1.png`."""
    page = re.compile(re.escape(stem) + r"-\d+\.png")
    return sorted(p for p in out.glob(f"{stem}-*.png") if page.fullmatch(p.name))


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else DEMO / "render"
    books = [Path(a) for a in argv[1:]] or sorted(
        p
        for p in DEMO.rglob("*.xlsx")
        if out not in p.parents
        and not p.name.startswith("~$")
        and "archive" not in p.parts  # the batch's copies of the inbox: the clerks' input
    )
    if not books:
        print("render_reports: no reports; run `make demo` first.", file=sys.stderr)
        return 2
    missing = [str(b) for b in books if not b.is_file()]
    if missing:  # soffice says nothing about a file it cannot find
        print(f"render_reports: no such workbook: {', '.join(missing)}", file=sys.stderr)
        return 2
    tools = _tools()
    if tools is None:
        return 2
    for book in books:
        pages = render(book, out, *tools)
        print(f"{book.name}: {len(pages) - 1} pages -> {pages[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
