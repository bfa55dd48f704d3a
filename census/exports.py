"""The census registration catalogue (普查登记目录) as .xlsx and as PDF.

An entry shows 普查编号 · 索书号 · 题名卷数 · 著者 · 版本 · 册数 · 存卷 (census.md §5), entries
sorted by census number; only registered holdings with a census number are printed. The scope
is one institution, one census campaign, or the whole city.

Big catalogues are written in parts so that memory does not grow with the catalogue: rows are
streamed from the database in chunks, the PDF is laid out ``PART_SIZE`` entries at a time by
WeasyPrint, each part written to a temporary file, and the parts are joined by pypdf. Page
numbers run across the whole document ("12 / 3456"), so a catalogue of several parts is laid
out twice: once to count the pages of each part, once to print them with the total.
"""

import json
import logging
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass, field
from datetime import date
from functools import cache
from itertools import islice
from pathlib import Path
from typing import IO

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, transaction
from django.db.models import Count, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from census.models import Campaign, ExportJob
from guji.files.spreadsheets import XlsxWriter, clean_text
from guji.models import Holding, Institution, User
from guji.permissions import can, holds_globally
from guji.templatetags.guji import cn_number

# The catalogue is a Chinese publication whatever the reader's interface language.
CATALOGUE_LANGUAGE = "zh-hans"
COLUMNS = ["普查编号", "索书号", "题名卷数", "著者", "版本", "册数", "存卷"]
INSTITUTION_COLUMN = "收藏单位"
SHEET_NAME = "普查登记目录"
DIRECT_LIMIT = 2000  # below this many entries the web page makes the file at once
PART_SIZE = 1500  # entries laid out by WeasyPrint at a time (about 250 MB of layout)
FETCH_SIZE = 2000
logger = logging.getLogger(__name__)

FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")  # Debian's fonts-noto-cjk

Progress = Callable[[int, int], None]  # (units done, units in all)


# --- what is exported -------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    kind: str  # an ExportJob.Scope value
    institution: Institution | None = None
    campaign: Campaign | None = None

    @classmethod
    def of(cls, job: ExportJob) -> "Scope":
        return cls(job.scope, institution=job.institution, campaign=job.campaign)

    @property
    def several_institutions(self) -> bool:
        return self.kind != ExportJob.Scope.INSTITUTION

    def title(self) -> str:
        if self.kind == ExportJob.Scope.INSTITUTION:
            return f"{self.institution.name}古籍普查登记目录"
        if self.kind == ExportJob.Scope.CAMPAIGN:
            return f"古籍普查登记目录（{self.campaign.name}）"
        return f"{settings.GUJI_CITY_NAME}古籍普查登记目录"  # the citywide one names its city

    def filename(self, fmt: str, *, on: date) -> str:
        if self.kind == ExportJob.Scope.INSTITUTION:
            stem = f"普查登记目录-{self.institution.code}-{self.institution.name}"
        elif self.kind == ExportJob.Scope.CAMPAIGN:
            stem = f"普查登记目录-{self.campaign.name}"
        else:
            stem = "普查登记目录-全市"
        safe = "".join(c for c in stem if c not in '/\\:*?"<>|\r\n\t')
        return f"{safe}-{on:%Y%m%d}.{fmt}"


def may_export(user: User, scope: Scope) -> bool:
    """An institution's staff export their own institution; centre roles export anything."""
    if scope.kind == ExportJob.Scope.INSTITUTION:
        return can(user, "view", scope.institution)
    return holds_globally(user, "view")


def require_export(user: User, scope: Scope) -> None:
    if not may_export(user, scope):
        raise PermissionDenied


def catalogue_holdings(scope: Scope) -> QuerySet[Holding]:
    holdings = Holding.objects.filter(status=Holding.Status.REGISTERED).exclude(census_number="")
    if scope.kind == ExportJob.Scope.INSTITUTION:
        holdings = holdings.filter(institution=scope.institution)
    elif scope.kind == ExportJob.Scope.CAMPAIGN:
        holdings = holdings.filter(census_entry__campaign=scope.campaign)
    return holdings.order_by("census_number")


@dataclass(frozen=True)
class Entry:
    index: int  # position in the catalogue, from 0
    census_number: str
    call_number: str
    title_juan: str
    authors: str
    edition: str
    volumes: int
    extant: str
    institution_id: int

    def fields(self) -> list[str]:
        """The printed fields, empty ones left out, 册数 in Chinese numerals."""
        values = [self.census_number, self.call_number, self.title_juan, self.authors]
        values += [self.edition, f"{cn_number(self.volumes)}册", self.extant]
        return [v for v in values if v]


_ENTRY_FIELDS = (
    "census_number",
    "call_number",
    "title_juan",
    "authors_text",
    "edition_statement",
    "volumes",
    "extant",
    "institution_id",
)


def iter_entries(scope: Scope) -> Iterator[Entry]:
    """Stream the catalogue from the database, FETCH_SIZE rows at a time."""
    rows = catalogue_holdings(scope).values_list(*_ENTRY_FIELDS).iterator(chunk_size=FETCH_SIZE)
    for index, row in enumerate(rows):
        yield Entry(index, *(_clean(v) for v in row[:5]), row[5], _clean(row[6]), row[7])


_clean = clean_text  # control characters: XML (xlsx) cannot hold them, a PDF cannot show them


def institution_names(scope: Scope) -> dict[int, str]:
    if scope.institution is not None:
        return {scope.institution.pk: scope.institution.name}
    ids = catalogue_holdings(scope).order_by().values("institution_id").distinct()
    return dict(Institution.objects.filter(pk__in=ids).values_list("pk", "name"))


def institution_counts(scope: Scope) -> list[tuple[str, int]]:
    """(institution name, number of entries) in catalogue order, for the title page."""
    counts = (
        catalogue_holdings(scope)
        .order_by()
        .values("institution__code", "institution__name")
        .annotate(n=Count("id"))
        .order_by("institution__code")
    )
    return [(row["institution__name"], row["n"]) for row in counts]


@dataclass
class ExportResult:
    entries: int = 0
    pages: int | None = None
    missing_glyphs: list[dict[str, str]] = field(default_factory=list)


def export_catalogue(
    scope: Scope, fmt: str, out: Path, *, progress: Progress | None = None
) -> ExportResult:
    """Write the catalogue of ``scope`` to ``out`` as xlsx or pdf."""
    with translation.override(CATALOGUE_LANGUAGE):
        if fmt == ExportJob.Format.XLSX:
            return write_xlsx(scope, out, progress=progress)
        if fmt == ExportJob.Format.PDF:
            return write_pdf(scope, out, progress=progress)
    raise ValueError(f"Unknown catalogue format {fmt!r}.")


# --- export jobs ------------------------------------------------------------------------------


def start_export(scope: Scope, fmt: str, *, by: User) -> ExportJob:
    """Record an export and make it: now when small, else on the task queue."""
    require_export(by, scope)
    total = catalogue_holdings(scope).count()
    job = ExportJob.objects.create(
        user=by,
        scope=scope.kind,
        institution=scope.institution,
        campaign=scope.campaign,
        format=fmt,
        total_entries=total,
        filename=scope.filename(fmt, on=timezone.localdate()),
    )
    if total < DIRECT_LIMIT:
        run_export_job(job.pk)
        job.refresh_from_db()
    else:
        from census.tasks import build_catalogue

        transaction.on_commit(lambda: build_catalogue(job.pk))
    return job


def run_export_job(job_id: int) -> None:
    """Make the file of a recorded export, keeping its progress and outcome on the row."""
    job = ExportJob.objects.select_related("institution", "campaign").get(pk=job_id)
    if job.status not in (ExportJob.Status.QUEUED, ExportJob.Status.FAILED):
        return  # already made, or being made by another worker
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING, message="")

    def progress(done: int, total: int) -> None:
        try:
            ExportJob.objects.filter(pk=job.pk).update(done_units=done, total_units=total)
        except DatabaseError:  # e.g. SQLite busy with an import: the next update will do
            logger.warning("Could not record the progress of export %s", job.pk, exc_info=True)

    try:
        with tempfile.TemporaryDirectory(prefix="guji-export-") as tmp:
            path = Path(tmp) / f"catalogue.{job.format}"
            result = export_catalogue(Scope.of(job), job.format, path, progress=progress)
            name = f"exports/{job.pk}/catalogue.{job.format}"
            with open(path, "rb") as f:
                stored = default_storage.save(name, File(f))
            size = path.stat().st_size
    except Exception as exc:
        logger.exception("Catalogue export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, message=str(exc), finished_at=timezone.now()
        )
        return
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.DONE,
        stored_path=stored,
        size=size,
        pages=result.pages,
        total_entries=result.entries,
        warnings=result.missing_glyphs,
        finished_at=timezone.now(),
    )


# --- xlsx -------------------------------------------------------------------------------------

COLUMN_WIDTHS = {  # in characters of the default font; CJK characters count about two
    "普查编号": 22,
    "索书号": 12,
    "题名卷数": 40,
    "著者": 40,
    "版本": 40,
    "册数": 7,
    "存卷": 24,
    "收藏单位": 24,
}


def write_xlsx(scope: Scope, out: Path, *, progress: Progress | None = None) -> ExportResult:
    """A title row, a header row frozen above the entries, one entry per row."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    columns = COLUMNS + ([INSTITUTION_COLUMN] if scope.several_institutions else [])
    names = institution_names(scope)
    total = catalogue_holdings(scope).count()
    result = ExportResult()
    writer = XlsxWriter()
    sheet = writer.sheet(SHEET_NAME)
    writer.set(sheet, 1, 1, scope.title()).font = Font(bold=True, size=14)
    sheet.merge_cells(start_row=1, end_row=1, start_column=1, end_column=len(columns))
    sheet.row_dimensions[1].height = 24
    writer.append(sheet, columns)
    for col, name in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(col)].width = COLUMN_WIDTHS[name]
        header = sheet.cell(row=2, column=col)
        header.font = Font(bold=True)
        header.alignment = Alignment(horizontal="center")
    for entry in iter_entries(scope):
        writer.append(sheet, _xlsx_row(entry, names, scope.several_institutions))
        result.entries += 1
        if progress and result.entries % FETCH_SIZE == 0:
            progress(result.entries, total)
    if progress:
        progress(result.entries, total)
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "2:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    writer.save(out)
    return result


def _xlsx_row(entry: Entry, names: dict[int, str], several: bool) -> list:
    row = [
        entry.census_number,
        entry.call_number,
        entry.title_juan,
        entry.authors,
        entry.edition,
        entry.volumes,
        entry.extant,
    ]
    return [*row, names.get(entry.institution_id, "")] if several else row


# --- PDF --------------------------------------------------------------------------------------


@dataclass
class _Part:
    start: int  # index of the first entry
    count: int  # entries in the part
    pages: int  # pages it contributes (its last page is left to the next part when partial)


def write_pdf(scope: Scope, out: Path, *, progress: Progress | None = None) -> ExportResult:
    """The catalogue as a PDF; a big one in parts, from one reading of the database.

    The entries read for the first layout are spooled to a temporary file and the second
    layout reads them back, so both see the same catalogue even while records change.
    """
    check_fonts()
    estimate = catalogue_holdings(scope).count()
    book = _Book(scope, total=estimate)
    glyphs = _GlyphCheck(book)
    if estimate <= PART_SIZE:
        entries = list(glyphs.watch(iter_entries(scope)))
        book.total = len(entries)
        document = book.render(entries, previous=None, first=True)
        document.write_pdf(out)
        if progress:
            progress(len(entries), len(entries))
        return ExportResult(len(entries), len(document.pages), glyphs.report())

    units = 2 * estimate
    with tempfile.TemporaryDirectory(prefix="guji-catalogue-") as tmp:
        spool = Path(tmp) / "entries.jsonl"
        with open(spool, "w", encoding="utf-8") as f:
            entries = glyphs.watch(_spooled(iter_entries(scope), f))
            parts = book.plan(entries, lambda n: progress and progress(min(n, units), units))
        book.total = sum(p.count for p in parts)
        pages = sum(p.pages for p in parts)
        paths, entries, offset, previous = [], _read_spool(spool), 0, None
        for number, part in enumerate(parts):
            chunk = list(islice(entries, part.count))
            document = book.render(
                chunk, previous=previous, first=number == 0, offset=offset, total=pages
            )
            previous = chunk[-1].institution_id
            if len(document.pages) not in (part.pages, part.pages + 1):
                raise RuntimeError("The catalogue laid out differently the second time.")
            path = Path(tmp) / f"part{number:05d}.pdf"
            document.copy(document.pages[: part.pages]).write_pdf(path)
            del document
            paths.append(path)
            offset += part.pages
            if progress:
                progress(min(estimate + part.start + part.count, units), units)
        _join_pdfs(paths, out, title=scope.title())
    if progress:
        progress(units, units)
    return ExportResult(book.total, pages, glyphs.report())


def _spooled(entries: Iterator[Entry], spool: IO[str]) -> Iterator[Entry]:
    for entry in entries:
        spool.write(json.dumps(astuple(entry), ensure_ascii=False) + "\n")
        yield entry


def _read_spool(path: Path) -> Iterator[Entry]:
    with open(path, encoding="utf-8") as f:
        for line in f:
            yield Entry(*json.loads(line))


class _GlyphCheck:
    """Characters the fonts cannot draw (they would print as boxes), with where they are."""

    def __init__(self, book: "_Book"):
        self.covered = font_coverage()
        heading_text = book.scope.title() + "".join(book.names.values())
        self.missing: dict[str, str] = dict.fromkeys(set(heading_text) - self.covered, "")

    def watch(self, entries: Iterator[Entry]) -> Iterator[Entry]:
        for entry in entries:
            for c in set("".join(entry.fields())) - self.covered:
                if not self.missing.get(c):
                    self.missing[c] = entry.census_number
            yield entry

    def report(self, limit: int = 100) -> list[dict[str, str]]:
        return [
            {"char": c, "codepoint": f"U+{ord(c):04X}", "census_number": where}
            for c, where in sorted(self.missing.items())[:limit]
        ]


class _Book:
    """Lays out parts of one catalogue with the same title page, headers and page numbers."""

    def __init__(self, scope: Scope, *, total: int):
        self.scope = scope
        self.total = total
        self.names = institution_names(scope)
        self.generated_on = timezone.localdate()
        self.stylesheet = Path(finders.find("census/catalogue.css"))

    def plan(self, entries: Iterator[Entry], progress: Callable[[int], object]) -> list[_Part]:
        """Lay out part after part to count pages; a partial last page moves to the next part."""
        parts: list[_Part] = []
        carried: list[Entry] = []
        previous = None
        while True:
            chunk = carried + list(islice(entries, PART_SIZE - len(carried)))
            if not chunk:
                break
            last = len(chunk) < PART_SIZE
            document = self.render(chunk, previous=previous, first=not parts, anchors=True)
            pages = len(document.pages)
            keep = len(chunk)
            if not last and pages > 1:
                on_last_page = [
                    int(anchor[1:]) for anchor in document.pages[-1].anchors if anchor[0] in "eh"
                ]
                if on_last_page and min(on_last_page) > chunk[0].index:
                    keep = min(on_last_page) - chunk[0].index
                    pages -= 1
            del document
            parts.append(_Part(start=chunk[0].index, count=keep, pages=pages))
            previous = chunk[keep - 1].institution_id
            carried = chunk[keep:]
            progress(chunk[0].index + keep)
            if last and not carried:
                break
        return parts

    def render(
        self,
        entries: list[Entry],
        *,
        previous: int | None,
        first: bool,
        offset: int = 0,
        total: int | None = None,
        anchors: bool = False,
    ):
        """Lay out one part. ``anchors`` gives every entry and heading an id, so that
        ``page.anchors`` tells which are on a page; only the counting layout needs them (each
        would become a named destination in the PDF, which pypdf joins in quadratic time)."""
        from weasyprint import CSS, HTML

        context = self._context(entries, previous=previous, first=first)
        context["anchors"] = anchors
        html = render_to_string("census/catalogue_part.html", context)
        css = CSS(string=self._page_css(entries, offset=offset, total=total))
        base_url = str(settings.BASE_DIR)
        return HTML(string=html, base_url=base_url).render(
            stylesheets=[CSS(filename=self.stylesheet), css]
        )

    def _context(self, entries: list[Entry], *, previous: int | None, first: bool) -> dict:
        """``previous``: the institution of the entry before this part (a heading is due?)."""
        several = self.scope.several_institutions
        items = []
        for entry in entries:
            if several and entry.institution_id != previous:
                items.append(("heading", entry.index, self.names.get(entry.institution_id, "")))
                previous = entry.institution_id
            items.append(("entry", entry.index, "\u3000".join(entry.fields())))
        context = {
            # sets the running header where no heading does: see _running_institution
            "runner": bool(items) and items[0][0] == "entry",
            "title": self.scope.title(),
            "scope": self.scope,
            "items": items,
            "title_page": first,
            "total": self.total,
            "generated_on": self.generated_on,
        }
        if first:
            context["institution_counts"] = institution_counts(self.scope) if several else []
        return context

    def _page_css(self, entries: list[Entry], *, offset: int, total: int | None) -> str:
        rules = [f"@page {{ @top-left {{ content: {_css_string(self.scope.title())} }} }}"]
        if running := self._running_institution(entries):
            rules.append(f".runner {{ string-set: institution {_css_string(running)} }}")
        if total is not None:
            rules.append(f'@page {{ @bottom-center {{ content: counter(page) " / {total}" }} }}')
        if offset:
            rules.append(f"@page :first {{ counter-reset: page {offset + 1} }}")
        return "\n".join(rules)

    def _running_institution(self, entries: list[Entry]) -> str:
        """The institution in the running header where this part starts.

        Set on an empty element at the start of the part (a ``string-set`` on the root element
        would count on every page and hide the headings'); parts that open with an
        institution's heading need none.
        """
        return self.names.get(entries[0].institution_id, "") if entries else ""


def _css_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\n", " ").replace("\r", " ")
    return f'"{escaped}"'


def _join_pdfs(paths: list[Path], out: Path, *, title: str) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for path in paths:
        writer.append(path)  # keeps each part's bookmarks (institution headings)
    writer.add_metadata({"/Title": title, "/Producer": "Guji"})
    with open(out, "wb") as f:
        writer.write(f)


# --- fonts ------------------------------------------------------------------------------------


def _font_file(family: str) -> tuple[str, int]:
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


def check_fonts() -> None:
    for family in FONTS:
        _font_file(family)


@cache
def font_coverage() -> frozenset[str]:
    """Every character the catalogue fonts can draw."""
    from fontTools.ttLib import TTFont

    covered: set[str] = set()
    for family in FONTS:
        path, index = _font_file(family)
        with TTFont(path, fontNumber=index, lazy=True) as font:
            covered.update(chr(code) for code in font.getBestCmap())
    return frozenset(covered)
