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

import logging
import re
import subprocess
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")  # Debian's fonts-noto-cjk
logger = logging.getLogger(__name__)


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


def join_pdfs(
    parts: Sequence[Path | IO[bytes]],
    out: Path | IO[bytes],
    *,
    title: str,
    page_numbers: "PageNumbers | None" = None,
) -> int:
    """Append the parts into one PDF, keeping each part's bookmarks (a flat outline), with
    page numbers stamped across them if asked; return the number of pages."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(part)
    if page_numbers is not None:
        stamp_page_numbers(writer, page_numbers)
    writer.add_metadata({"/Title": title, "/Producer": "Guji"})
    if isinstance(out, Path):
        with open(out, "wb") as f:
            writer.write(f)
    else:
        writer.write(out)
    return len(writer.pages)


# --- page numbers across parts ----------------------------------------------------------------

SAMPLE_TEXT = "0123456789 /"


@dataclass(frozen=True)
class PageNumbers:
    """Page numbers to stamp on a joined document, drawn as its stylesheets draw
    ``@page { @bottom-center { … } }``: same font, size, colour and place."""

    stylesheets: tuple[Path | str, ...]
    template: str = "{page} / {pages}"
    skip: frozenset[int] = frozenset({0})  # 0-based pages left unnumbered (the title page)


@dataclass(frozen=True)
class _Stamp:
    prefix: bytes  # transformations and colour before BT, as WeasyPrint wrote them
    y: float
    centre: float
    size: float
    glyphs: dict[str, str]  # character → glyph id (hex)
    widths: dict[str, float]  # character → advance, in text space
    font: object  # the font dictionary, in the sample PDF


def _stamp_sample(numbers: PageNumbers) -> tuple[_Stamp, object]:
    """Lay out one page whose footer reads SAMPLE_TEXT, and learn from its PDF how to draw any
    page number: which glyph each digit is, how wide, where the centre of the footer is."""
    import io as _io

    from pypdf import PdfReader

    sample = render_html(
        '<!DOCTYPE html><html lang="zh-Hans"><body></body></html>',
        stylesheets=[
            *numbers.stylesheets,
            "@page { @top-left { content: none; border: none } "
            "@top-right { content: none; border: none } "
            f"@bottom-center {{ content: {css_string(SAMPLE_TEXT)} }} }}",
        ],
    )
    buffer = _io.BytesIO()
    sample.write_pdf(buffer)
    reader = PdfReader(buffer)
    page = reader.pages[0]
    data = page.get_contents().get_data().decode("latin-1")
    found = re.search(
        r"(?s)^(?P<prefix>.*?)BT\s+1 0 0 -1 (?P<x>[-\d.]+) (?P<y>[-\d.]+) Tm\s+"
        r"/(?P<font>[^\s/]+) (?P<size>[\d.]+) Tf\s+\[(?P<tj>[^\]]*)\] TJ\s+ET",
        data,
    )
    glyph_ids = re.findall(r"<([0-9A-Fa-f]+)>", found["tj"]) if found else []
    if not found or len(glyph_ids) != len(SAMPLE_TEXT):
        raise ImproperlyConfigured("WeasyPrint wrote the page-number sample in an unknown form.")
    font = page["/Resources"]["/Font"][f"/{found['font']}"]
    descendant = font.get_object()["/DescendantFonts"][0].get_object()
    cid_widths = _cid_widths(descendant.get("/W", []))
    default = float(descendant.get("/DW", 1000))
    size = float(found["size"])
    glyphs = dict(zip(SAMPLE_TEXT, glyph_ids, strict=True))
    widths = {c: cid_widths.get(int(g, 16), default) * size / 1000 for c, g in glyphs.items()}
    # The transformations and the colour; the graphics state is saved around them when used.
    prefix = "\n".join(
        line for line in found["prefix"].splitlines() if line.endswith((" cm", " rg"))
    )
    stamp = _Stamp(
        prefix=prefix.encode("latin-1"),
        y=float(found["y"]),
        centre=float(found["x"]) + sum(widths[c] for c in SAMPLE_TEXT) / 2,
        size=size,
        glyphs=glyphs,
        widths=widths,
        font=font,
    )
    return stamp, reader


def _cid_widths(w: list) -> dict[int, float]:
    """The /W array of a CID font: ``c [w1 w2 …]`` or ``c_first c_last w``."""
    widths, i = {}, 0
    while i < len(w):
        first = int(w[i])
        if isinstance(w[i + 1], list):
            for n, width in enumerate(w[i + 1]):
                widths[first + n] = float(width)
            i += 2
        else:
            for cid in range(first, int(w[i + 1]) + 1):
                widths[cid] = float(w[i + 2])
            i += 3
    return widths


def stamp_page_numbers(writer, numbers: PageNumbers) -> None:
    """Draw "12 / 3456" on every page of a pypdf PdfWriter but the skipped ones.

    Parts laid out in parallel cannot know the page they start on; stamping the numbers on the
    joined document costs a few milliseconds a page instead of a second layout of every part.
    """
    from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject

    stamp, _reader = _stamp_sample(numbers)
    font = writer._add_object(stamp.font.get_object().clone(writer))
    name = NameObject("/GujiPageNumber")
    total = len(writer.pages)
    opening, closing = DecodedStreamObject(), DecodedStreamObject()
    opening.set_data(b"q\n")
    closing.set_data(b"\nQ\n")
    opening, closing = writer._add_object(opening), writer._add_object(closing)
    for index, page in enumerate(writer.pages):
        if index in numbers.skip:
            continue
        text = numbers.template.format(page=index + 1, pages=total)
        missing = set(text) - set(stamp.glyphs)
        if missing:
            raise ValueError(f"Page numbers may use only {SAMPLE_TEXT!r}, not {missing}.")
        x = stamp.centre - sum(stamp.widths[c] for c in text) / 2
        shown = "".join(f"<{stamp.glyphs[c]}>" for c in text)
        content = DecodedStreamObject()
        text_op = f"BT\n1 0 0 -1 {x:.6f} {stamp.y:.6f} Tm\n{name} {stamp.size} Tf\n[{shown}] TJ\nET"
        content.set_data(b"q\n" + stamp.prefix + b"\n" + text_op.encode("latin-1") + b"\nQ\n")
        contents = page.get("/Contents")
        existing = (
            list(contents.get_object())
            if isinstance(contents.get_object(), ArrayObject)
            else [contents]
        )
        page[NameObject("/Contents")] = ArrayObject(
            [opening, *existing, closing, writer._add_object(content)]
        )
        resources = page["/Resources"].get_object()
        fonts = resources.get("/Font")
        if fonts is None:
            from pypdf.generic import DictionaryObject

            fonts = DictionaryObject()
            resources[NameObject("/Font")] = fonts
        fonts.get_object()[name] = font


# --- parts laid out in parallel by the workers ------------------------------------------------


@dataclass
class RenderedUnit:
    """What laying out one unit gave: its PDF files in storage, in order, and its page count."""

    files: list[str]
    pages: int
    work: int = 0  # units of work it took: the last figure it reported
    data: dict = field(default_factory=dict)  # anything else the renderer reports


Report = Callable[[int], None]  # units of work done so far within the unit being laid out
RenderUnit = Callable[[Any, Report], RenderedUnit]  # a module-level function (sent by name)

STALL_SECONDS = 900  # a claimed unit without news this long is laid out again here
POLL_SECONDS = 0.25


def render_units(
    units: Sequence[Any],
    render: RenderUnit,
    *,
    helpers: int = 0,
    progress: Callable[[int], None] | None = None,
) -> list[RenderedUnit]:
    """Lay out independent units of a document, in parallel on the Huey workers; return the
    results in the units' order.

    Each unit (a small picklable value, e.g. where its entries are spooled in storage) is given
    to ``render(unit, report)``, a module-level function that stores the unit's PDF parts
    through the storage API and calls ``report(done)`` as it goes. This process lays out units
    itself and enqueues ``helpers`` Huey tasks that claim the others, one unit at a time
    (an atomic claim in Huey's key-value store), so nothing waits for a free worker: with no
    worker free, this process lays out every unit. ``progress(done)`` gets the sum of all
    reports. With ``helpers=0`` (a request, a command) it all happens here, in order.
    """
    if helpers <= 0 or len(units) <= 1:
        return _render_here(units, render, progress)
    from huey.contrib.djhuey import HUEY

    from guji.files import tasks

    base = f"guji:parts:{uuid.uuid4().hex}"
    for i, unit in enumerate(units):
        HUEY.put(f"{base}:unit:{i}", unit)
    HUEY.put(
        f"{base}:meta", {"render": f"{render.__module__}.{render.__qualname__}", "n": len(units)}
    )
    reported = [0] * len(units)

    def on_report() -> None:
        if progress:
            for i in range(len(units)):
                reported[i] = HUEY.get(f"{base}:progress:{i}", peek=True) or reported[i]
            progress(sum(reported))

    for _ in range(min(helpers, len(units) - 1)):
        tasks.render_document_units(base)
    try:
        work_on_units(base, on_report=on_report)
        return _collect(base, len(units), render, on_report)
    finally:
        for i in range(len(units)):
            for kind in ("unit", "claim", "done", "failed", "progress"):
                HUEY.delete(f"{base}:{kind}:{i}")
        HUEY.delete(f"{base}:meta")


def _render_here(units, render, progress) -> list[RenderedUnit]:
    results, finished = [], 0
    for unit in units:

        def report(done: int, before: int = finished) -> None:
            if progress:
                progress(before + done)

        result = render(unit, report)
        finished += result.work
        results.append(result)
    return results


def work_on_units(base: str, *, on_report: Callable[[], None] | None = None) -> int:
    """Claim and lay out units of the run ``base`` until none is left; return how many.
    Run by the process that started the run and by the helper tasks."""
    from django.utils.module_loading import import_string
    from huey.contrib.djhuey import HUEY

    meta = HUEY.get(f"{base}:meta", peek=True)
    if not meta:
        return 0  # finished already
    render = import_string(meta["render"])
    laid_out = 0
    for i in range(meta["n"]):
        if not HUEY.put_if_empty(f"{base}:claim:{i}", time.time()):
            continue
        _render_one(base, i, render, on_report)
        laid_out += 1
    return laid_out


def _render_one(base: str, i: int, render: RenderUnit, on_report) -> None:
    from huey.contrib.djhuey import HUEY

    unit = HUEY.get(f"{base}:unit:{i}", peek=True)

    def report(done: int) -> None:
        HUEY.put(f"{base}:progress:{i}", done)
        if on_report:
            on_report()

    try:
        result = render(unit, report)
    except Exception as exc:
        logger.exception("Laying out unit %s of %s failed", i, base)
        HUEY.put(f"{base}:failed:{i}", str(exc) or type(exc).__name__)
        return
    HUEY.put(f"{base}:done:{i}", result)


def _collect(base: str, n: int, render: RenderUnit, on_report) -> list[RenderedUnit]:
    """Wait for the units the helpers claimed; lay out again here any whose helper went silent."""
    from huey.contrib.djhuey import HUEY

    results: list[RenderedUnit | None] = [None] * n
    heard = time.monotonic()
    while None in results:
        for i in range(n):
            if results[i] is not None:
                continue
            if (failed := HUEY.get(f"{base}:failed:{i}", peek=True)) is not None:
                raise RuntimeError(failed)
            if (done := HUEY.get(f"{base}:done:{i}", peek=True)) is not None:
                results[i], heard = done, time.monotonic()
                HUEY.put(f"{base}:progress:{i}", done.work)
        if None not in results:
            break
        if on_report:
            on_report()
        if time.monotonic() - heard > STALL_SECONDS:
            i = results.index(None)
            logger.warning("Unit %s of %s went silent; laying it out here", i, base)
            _render_one(base, i, render, on_report)
            heard = time.monotonic()
            continue
        time.sleep(POLL_SECONDS)
    return results  # type: ignore[return-value]
