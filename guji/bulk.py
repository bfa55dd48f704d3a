"""Bulk actions on the holdings list and its export, shared by every list of holdings.

The chosen holdings are either ticked rows or "all N matching" the list's filters (read again
from the list's query string, so what is changed is what the list showed). A change applies to
the holdings the user may catalogue, record by record, each through the domain function that
leaves history with the reason asked for.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guji import registry
from guji.files.spreadsheets import XlsxWriter
from guji.lists import HoldingQuery
from guji.models import Holding
from guji.permissions import can_anywhere, scope_filter
from guji.services import update_holding

BULK_LIMIT = 2000  # records one request changes; more: narrow the list first


def chosen_holdings(user, *, scope: str, ids: list[str], results: str) -> QuerySet:
    """The holdings a bulk form names, among those the user may see, in the list's order."""
    query = HoldingQuery.from_params(user, QueryDict(results))
    holdings = query.queryset(user)
    if scope != "all":
        holdings = holdings.filter(pk__in=[int(i) for i in ids if str(i).isdigit()])
    return holdings


def editable(user, holdings: QuerySet) -> QuerySet:
    return holdings.filter(scope_filter(user, "catalogue", "institution"))


def set_storage_location(holdings: QuerySet, *, by, reason: str, data) -> registry.BulkResult:
    location = (data.get("storage_location") or "").strip()
    if not location:
        raise ValidationError(_("Give the storage location to set."))
    result = registry.BulkResult()
    for holding in holdings.exclude(storage_location=location).iterator():
        try:
            update_holding(holding, data={"storage_location": location}, by=by, reason=reason)
        except (ValidationError, PermissionDenied) as exc:
            result.skipped.append(f"{holding.call_number}: {_message(exc)}")
        else:
            result.done += 1
    return result


def _message(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return "; ".join(exc.messages)
    return _("not allowed")


def register() -> None:
    registry.register_bulk_action(
        registry.BulkAction(
            key="storage_location",
            label=gettext_lazy("Set storage location"),
            run=set_storage_location,
            visible=lambda user: can_anywhere(user, "catalogue"),
            order=50,
            field="storage_location",
            field_label=gettext_lazy("Storage location"),
        )
    )


EXPORT_COLUMNS = (
    ("census_number", gettext_lazy("Census number")),
    ("institution__name", gettext_lazy("Institution")),
    ("call_number", gettext_lazy("Call number")),
    ("title_juan", gettext_lazy("Title and juan")),
    ("authors_text", gettext_lazy("Responsibility")),
    ("edition_statement", gettext_lazy("Edition statement")),
    ("volumes", gettext_lazy("Ce")),
    ("extant", gettext_lazy("Extant / missing juan")),
    ("storage_location", gettext_lazy("Storage location")),
    ("grade", gettext_lazy("Grade")),
    ("status", gettext_lazy("Status")),
)


def export_xlsx(holdings: QuerySet, progress: Callable[[int], None] | None = None) -> bytes:
    """The holdings as an .xlsx sheet, through the one writer (every text cell stays text).

    ``progress(rows_written)`` is called every ``PROGRESS_EVERY`` rows (background exports)."""
    writer = XlsxWriter()
    sheet = writer.sheet(_("Holdings"))
    writer.append(sheet, [str(label) for _name, label in EXPORT_COLUMNS])
    grades = dict(Holding._meta.get_field("grade").choices)
    statuses = dict(Holding.Status.choices)
    names = [name for name, _label in EXPORT_COLUMNS]
    rows = holdings.values_list(*names).iterator(chunk_size=2000)
    for written, values in enumerate(rows, start=1):
        row = dict(zip(names, values, strict=True))
        row["grade"] = grades.get(row["grade"], "")
        row["status"] = statuses.get(row["status"], row["status"])
        writer.append(sheet, ["" if row[name] is None else str(row[name]) for name in names])
        if progress and written % PROGRESS_EVERY == 0:
            progress(written)
    return writer.to_bytes()


PROGRESS_EVERY = 500


def run_list_export(job_id: int) -> None:
    """Write a background holdings export (``ListExportJob``): the rows its owner may see now."""
    from django.utils import timezone

    from guji.files import jobs
    from guji.models import ListExportJob

    job = ListExportJob.objects.select_related("user").get(pk=job_id)
    if not jobs.start(job):
        return
    try:
        holdings = chosen_holdings(
            job.user,
            scope="all" if job.all_matching else "selected",
            ids=[str(i) for i in job.ids],
            results=job.results,
        )
        total = holdings.count()
        jobs.progress(job, 0, total, phase="writing")
        content = export_xlsx(holdings, lambda n: jobs.progress(job, n, total, phase="writing"))
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        filename = f"holdings-{stamp}.xlsx"
        jobs.finish(
            job, content=content, filename=filename, total_rows=total, download_name=filename
        )
    except Exception as exc:
        jobs.fail(job, exc)
        raise
