"""Documents: PDF by WeasyPrint in parts, Noto CJK fonts, a glyph report, joined with bookmarks.

    check_fonts()                                  # ImproperlyConfigured if Noto CJK is missing
    glyphs = GlyphCheck()
    glyphs.check(text, where="33010012345")        # what the fonts cannot draw, and where
    document = render_html(html, stylesheets=[css_path, "@page { … }"])
    write_part(document, path, pages=slice(0, 40))  # a part's pages, no named destinations
    join_pdfs([part1, part2], out, title="…")       # one PDF, each part's bookmarks kept
    glyphs.report(where_key="census_number")        # [{"char", "codepoint", "census_number"}]

A big document is laid out part by part so that memory does not grow with it; the parts may be
laid out in parallel by the Huey workers (:mod:`guji.files.parts`). Page numbers that run across
parts ("12 / 3456") are stamped on the joined PDF by :func:`stamp_page_numbers`, so that no part
has to wait for the page count of the parts before it.
"""

import subprocess
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")  # Debian's fonts-noto-cjk


# --- fonts ------------------------------------------------------------------------------------


def font_file(family: str) -> tuple[str, int]:
    """(path, index in the collection) of an installed font family, asked of fontconfig."""
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{family}\t%{file}\t%{index}", family],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError) as exc:
        raise ImproperlyConfigured(f"fontconfig could not be asked for {family}: {exc}") from exc
    families, path, index = found.split("\t")
    if family not in families.split(","):
        raise ImproperlyConfigured(
            f"The font {family} is not installed (fontconfig offers {families} instead); "
            "install Debian's fonts-noto-cjk."
        )
    return path, int(index or 0)


def check_fonts(fonts: Sequence[str] = FONTS) -> None:
    """Raise ImproperlyConfigured unless every family is installed (else boxes get printed)."""
    for family in fonts:
        font_file(family)


@cache
def font_coverage(fonts: tuple[str, ...] = FONTS) -> frozenset[str]:
    """Every character the fonts can draw."""
    from fontTools.ttLib import TTFont

    covered: set[str] = set()
    for family in fonts:
        path, index = font_file(family)
        with TTFont(path, fontNumber=index, lazy=True) as font:
            covered.update(chr(code) for code in font.getBestCmap())
    return frozenset(covered)


class GlyphCheck:
    """Characters the fonts cannot draw (they would print as boxes), each with where it was
    first seen. A missing glyph is a bug to report, not to hide."""

    def __init__(self, fonts: Sequence[str] = FONTS):
        self.covered = font_coverage(tuple(fonts))
        self.missing: dict[str, str] = {}

    def check(self, text: str, *, where: str = "") -> None:
        for c in set(text) - self.covered:
            if not self.missing.get(c):
                self.missing[c] = where

    def merge(self, missing: dict[str, str]) -> None:
        """Take in another check's findings (a part laid out elsewhere)."""
        for c, where in missing.items():
            if not self.missing.get(c):
                self.missing[c] = where

    def report(self, *, where_key: str = "where", limit: int = 100) -> list[dict[str, str]]:
        return [
            {"char": c, "codepoint": f"U+{ord(c):04X}", where_key: where}
            for c, where in sorted(self.missing.items())[:limit]
        ]


# --- laying out and writing -------------------------------------------------------------------


def css_string(text: str) -> str:
    """``text`` as a CSS string literal, e.g. for ``content:`` in an @page margin box."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", " ").replace("\r", " ")
    return f'"{escaped}"'


def render_html(html: str, *, stylesheets: Iterable[Path | str] = (), base_url: str = ""):
    """Lay out ``html`` with WeasyPrint; a stylesheet is a file path or CSS text.

    Returns WeasyPrint's Document: ``len(document.pages)``, ``page.anchors`` (ids on a page)
    and ``page.bookmarks`` tell what landed where before anything is written.
    """
    from weasyprint import CSS, HTML

    sheets = [CSS(filename=str(s)) if isinstance(s, Path) else CSS(string=s) for s in stylesheets]
    return HTML(string=html, base_url=base_url or str(settings.BASE_DIR)).render(stylesheets=sheets)


def write_part(document, out: Path | IO[bytes], *, pages: slice | None = None) -> int:
    """Write (some of) a laid-out document's pages as a PDF; return how many.

    Ids used to find entries on pages (``page.anchors``) are dropped: each would become a named
    destination, which pypdf joins in quadratic time.
    """
    chosen = document.pages[pages] if pages is not None else list(document.pages)
    part = document.copy(chosen)
    for page in part.pages:
        page.anchors = {}
    part.write_pdf(out)
    return len(chosen)


def join_pdfs(parts: Sequence[Path | IO[bytes]], out: Path | IO[bytes], *, title: str) -> None:
    """Append the parts into one PDF, keeping each part's bookmarks (a flat outline)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(part)
    writer.add_metadata({"/Title": title, "/Producer": "Guji"})
    if isinstance(out, Path):
        with open(out, "wb") as f:
            writer.write(f)
    else:
        writer.write(out)
