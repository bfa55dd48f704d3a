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

import io
import json
import logging
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import astuple, dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation

from census.models import Campaign, ExportJob
from guji.files import jobs
from guji.files.documents import (
    GlyphCheck,
    PageNumbers,
    RenderedUnit,
    check_fonts,
    css_string,
    join_pdfs,
    render_html,
    render_units,
    write_part,
)
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
    volume_unit: str = "册"  # 折, 轴 … for items not counted in 册

    def fields(self) -> list[str]:
        """The printed fields, empty ones left out, 册数 in Chinese numerals."""
        values = [self.census_number, self.call_number, self.title_juan, self.authors]
        values += [self.edition, f"{cn_number(self.volumes)}{self.volume_unit}", self.extant]
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
    "volume_unit",
)


def iter_entries(scope: Scope) -> Iterator[Entry]:
    """Stream the catalogue from the database, FETCH_SIZE rows at a time."""
    rows = catalogue_holdings(scope).values_list(*_ENTRY_FIELDS).iterator(chunk_size=FETCH_SIZE)
    for index, row in enumerate(rows):
        yield Entry(index, *(_clean(v) for v in row[:5]), row[5], _clean(row[6]), row[7], row[8])


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
    scope: Scope, fmt: str, out: Path, *, progress: Progress | None = None, helpers: int = 0
) -> ExportResult:
    """Write the catalogue of ``scope`` to ``out`` as xlsx or pdf; a PDF is laid out by this
    process and ``helpers`` Huey workers beside it."""
    with translation.override(CATALOGUE_LANGUAGE):
        if fmt == ExportJob.Format.XLSX:
            return write_xlsx(scope, out, progress=progress)
        if fmt == ExportJob.Format.PDF:
            return write_pdf(scope, out, progress=progress, helpers=helpers)
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


def run_export_job(job_id: int, *, helpers: int = 0) -> None:
    """Make the file of a recorded export, keeping its progress and outcome on the row
    (``guji.files.jobs``); a PDF is laid out by this process and ``helpers`` workers."""
    job = ExportJob.objects.select_related("institution", "campaign").get(pk=job_id)
    if not jobs.start(job):
        return  # already made, or being made by another worker

    def progress(done: int, total: int) -> None:
        jobs.progress(job, done, total)

    try:
        with tempfile.TemporaryDirectory(prefix="guji-export-") as tmp:
            path = Path(tmp) / f"catalogue.{job.format}"
            result = export_catalogue(
                Scope.of(job), job.format, path, progress=progress, helpers=helpers
            )
            with open(path, "rb") as f:
                jobs.finish(
                    job,
                    content=File(f),
                    filename=f"catalogue.{job.format}",
                    size=path.stat().st_size,
                    pages=result.pages,
                    total_entries=result.entries,
                    warnings=result.missing_glyphs,
                )
    except Exception as exc:
        logger.exception("Catalogue export %s failed", job.pk)
        jobs.fail(job, exc)


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


# --- PDF ---------------------------------------------------------------------------------------


def write_pdf(
    scope: Scope, out: Path, *, progress: Progress | None = None, helpers: int = 0
) -> ExportResult:
    """The catalogue as a PDF, from one reading of the database, laid out in parallel.

    The entries are read once and spooled to storage, one spool per *unit*: a run of one
    institution's entries, which starts on a new page (its heading breaks the page), so units
    lay out independently, on ``helpers`` Huey workers besides this process. Within a unit,
    ``PART_SIZE`` entries are laid out at a time and a partial last page moves on to the next
    part, so the pages read as one layout would print them. The page numbers ("12 / 3456") are
    stamped on the joined PDF. Everything after the spooling reads the spool, so the document
    shows one state of the register even while records change.
    """
    check_fonts()
    estimate = catalogue_holdings(scope).count()
    units_total = 2 * max(estimate, 1)

    def report(done: int) -> None:
        if progress:
            progress(min(done, units_total), units_total)

    key = f"tmp/catalogue/{uuid.uuid4().hex}"
    units, glyphs, entries = _spool_units(scope, key, report)
    rendered: list[RenderedUnit] = []
    try:
        rendered = render_units(
            units,
            render_unit,
            helpers=helpers,
            progress=lambda done: report(entries + done),
        )
        numbers = PageNumbers(stylesheets=(_stylesheet(),))
        handles = [default_storage.open(name, "rb") for r in rendered for name in r.files]
        try:
            pages = join_pdfs(handles, out, title=scope.title(), page_numbers=numbers)
        finally:
            for handle in handles:
                handle.close()
    finally:
        for name in [u["spool"] for u in units] + [n for r in rendered for n in r.files]:
            default_storage.delete(name)
    report(units_total)
    return ExportResult(entries, pages, glyphs.report(where_key="census_number"))


def _spool_units(scope: Scope, key: str, report: Callable[[int], None]) -> tuple:
    """Read the catalogue once: check its glyphs and spool it to storage, a unit at a time."""
    names = institution_names(scope)
    glyphs = GlyphCheck()
    glyphs.check(scope.title() + "".join(names.values()))
    generated_on = timezone.localdate().isoformat()
    units: list[dict] = []
    lines: list[str] = []
    previous = first_index = None

    def close_unit() -> None:
        name = default_storage.save(
            f"{key}/unit{len(units):05d}.jsonl", ContentFile("".join(lines).encode())
        )
        units.append(
            {
                "spool": name,
                "scope": [scope.kind, _pk(scope.institution), _pk(scope.campaign)],
                "first": not units,
                "previous": previous,
                "start": first_index,
                "generated_on": generated_on,
            }
        )

    count = 0
    current = None
    for entry in iter_entries(scope):
        if lines and scope.several_institutions and entry.institution_id != current:
            close_unit()
            previous, lines = current, []
        if not lines:
            first_index = entry.index
        current = entry.institution_id
        glyphs.check("".join(entry.fields()), where=entry.census_number)
        lines.append(json.dumps(astuple(entry), ensure_ascii=False) + "\n")
        count += 1
        if count % FETCH_SIZE == 0:
            report(count)
    if lines or not units:
        close_unit()
    for unit in units:
        unit["total"] = count
    report(count)
    return units, glyphs, count


def _pk(obj) -> int | None:
    return obj.pk if obj is not None else None


def _stylesheet() -> Path:
    return Path(finders.find("census/catalogue.css"))


def render_unit(unit: dict, report: Callable[[int], None]) -> RenderedUnit:
    """Lay out one unit of the catalogue (in any worker) and store its parts; see write_pdf."""
    kind, institution_id, campaign_id = unit["scope"]
    scope = Scope(
        kind,
        institution=Institution.objects.get(pk=institution_id) if institution_id else None,
        campaign=Campaign.objects.get(pk=campaign_id) if campaign_id else None,
    )
    with default_storage.open(unit["spool"], "rb") as f:
        entries = [Entry(*json.loads(line)) for line in f.read().decode().splitlines()]
    with translation.override(CATALOGUE_LANGUAGE):
        book = _Book(
            scope, total=unit["total"], generated_on=date.fromisoformat(unit["generated_on"])
        )
        return book.lay_out(entries, unit, report)


class _Book:
    """Lays out parts of one catalogue with the same title page and running headers."""

    def __init__(self, scope: Scope, *, total: int, generated_on: date):
        self.scope = scope
        self.total = total
        self.names = institution_names(scope)
        self.generated_on = generated_on

    def lay_out(self, entries: list[Entry], unit: dict, report: Callable[[int], None]):
        """Part after part, ``PART_SIZE`` entries at a time; a partial last page moves on."""
        files: list[str] = []
        pages, done, previous, first = 0, 0, unit["previous"], unit["first"]
        base = unit["spool"].rsplit(".", 1)[0]
        while done < len(entries) or (first and not entries):
            chunk = entries[done : done + PART_SIZE]
            last = done + len(chunk) >= len(entries)
            document = self.render(chunk, previous=previous, first=first, anchors=not last)
            keep, keep_pages = len(chunk), len(document.pages)
            if not last and keep_pages > 1:
                on_last_page = [
                    int(anchor[1:]) for anchor in document.pages[-1].anchors if anchor[0] in "eh"
                ]
                if on_last_page and min(on_last_page) > chunk[0].index:
                    keep = min(on_last_page) - chunk[0].index
                    keep_pages -= 1
            buffer = io.BytesIO()
            write_part(document, buffer, pages=slice(0, keep_pages))
            del document
            files.append(
                default_storage.save(
                    f"{base}.part{len(files):04d}.pdf", ContentFile(buffer.getvalue())
                )
            )
            pages += keep_pages
            done += keep
            previous = chunk[keep - 1].institution_id if chunk else previous
            first = False
            report(done)
        return RenderedUnit(files=files, pages=pages, work=len(entries))

    def render(
        self,
        entries: list[Entry],
        *,
        previous: int | None,
        first: bool,
        anchors: bool = False,
    ):
        """Lay out one part. ``anchors`` gives every entry and heading an id, so that
        ``page.anchors`` tells which are on a page (they are dropped when the part is written)."""
        context = self._context(entries, previous=previous, first=first)
        context["anchors"] = anchors
        html = render_to_string("census/catalogue_part.html", context)
        return render_html(html, stylesheets=[_stylesheet(), self._page_css(entries)])

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

    def _page_css(self, entries: list[Entry]) -> str:
        rules = [
            f"@page {{ @top-left {{ content: {css_string(self.scope.title())} }} }}",
            "@page { @bottom-center { content: none } }",  # numbers are stamped on the whole
        ]
        if running := self._running_institution(entries):
            rules.append(f".runner {{ string-set: institution {css_string(running)} }}")
        return "\n".join(rules)

    def _running_institution(self, entries: list[Entry]) -> str:
        """The institution in the running header where this part starts.

        Set on an empty element at the start of the part (a ``string-set`` on the root element
        would count on every page and hide the headings'); parts that open with an
        institution's heading need none.
        """
        return self.names.get(entries[0].institution_id, "") if entries else ""
