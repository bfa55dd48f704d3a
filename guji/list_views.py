"""What the holdings list does beyond showing a page: bulk actions, export, saved searches."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from guji import registry
from guji.bulk import BULK_LIMIT, chosen_holdings, editable, export_xlsx
from guji.files import jobs
from guji.files.downloads import file_response
from guji.lists import HoldingQuery
from guji.models import ListExportJob, Notification, SavedSearch
from guji.notifications import mark_read


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the search"), max_length=100)


def _back(results: str):
    return redirect(f"{reverse('holding_list')}?{results}" if results else "holding_list")


@require_POST
def holding_bulk(request: HttpRequest) -> HttpResponse:
    """Apply a bulk action (or export) to the ticked rows or to all matching the list."""
    results = request.POST.get("results", "")
    scope = request.POST.get("scope", "selected")
    ids = request.POST.getlist("holdings")
    if scope == "page":  # every row the page showed, ticked or not
        scope, ids = "selected", request.POST.getlist("page_holdings")
    key = request.POST.get("action", "")
    if key == "export":
        return holding_export_of(
            request,
            chosen_holdings(request.user, scope=scope, ids=ids, results=results),
            results=results,
            ids=[] if scope == "all" else [int(i) for i in ids if str(i).isdigit()],
        )
    actions = {a.key: a for a in registry.bulk_actions(request.user)}
    if key not in actions:
        raise PermissionDenied
    action = actions[key]
    if scope != "all" and not ids:
        messages.error(request, _("Tick the records first, or choose all matching."))
        return _back(results)
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(
            request,
            _("Say why you are making this change: the reason goes into each record's history."),
        )
        return _back(results)
    holdings = chosen_holdings(request.user, scope=scope, ids=ids, results=results)
    allowed = editable(request.user, holdings)
    n = allowed.count()
    if n > BULK_LIMIT:
        messages.error(
            request,
            _("%(n)s records: a bulk change takes at most %(limit)s. Narrow the list first.")
            % {"n": n, "limit": BULK_LIMIT},
        )
        return _back(results)
    refused = holdings.count() - n
    try:
        with transaction.atomic():
            result = action.run(allowed, by=request.user, reason=reason, data=request.POST)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return _back(results)
    messages.success(
        request,
        _("%(action)s: %(n)s records changed.") % {"action": action.label, "n": result.done},
    )
    if refused:
        messages.warning(
            request, _("%(n)s records left alone: you may not catalogue them.") % {"n": refused}
        )
    if result.skipped:
        shown = "；".join(result.skipped[:10])
        more = len(result.skipped) - 10
        messages.warning(
            request,
            _("%(n)s records left alone: %(why)s") % {"n": len(result.skipped), "why": shown}
            + (_(" … and %(more)s more") % {"more": more} if more > 0 else ""),
        )
    return _back(results)


def holding_export(request: HttpRequest) -> HttpResponse:
    """The list as filtered (GET, the list's own query string) as an .xlsx file."""
    query = HoldingQuery.from_params(request.user, request.GET)
    return holding_export_of(
        request, query.queryset(request.user), results=request.GET.urlencode(), ids=[]
    )


def holding_export_of(request: HttpRequest, holdings, *, results: str, ids: list[int]):
    """Up to GUJI_EXPORT_INLINE_ROWS rows: the file now; more: a background job and its page."""
    limit = settings.GUJI_EXPORT_INLINE_ROWS
    if holdings[: limit + 1].count() > limit:
        from guji.tasks import export_holdings_list

        job = ListExportJob.objects.create(
            user=request.user, results=results[:1000], ids=ids, all_matching=not ids
        )
        transaction.on_commit(lambda: export_holdings_list(job.pk))
        return redirect(job)
    response = HttpResponse(
        export_xlsx(holdings),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="holdings-{stamp}.xlsx"'
    return response


@require_POST
def saved_search_create(request: HttpRequest) -> HttpResponse:
    results = request.POST.get("results", "")
    form = SavedSearchForm(request.POST)
    query = HoldingQuery.from_params(request.user, _params(results))
    filters = query.filters_querystring()
    if not form.is_valid() or not filters:
        messages.error(request, _("Give the search a name."))
        return _back(results)
    try:
        with transaction.atomic():
            SavedSearch.objects.create(
                user=request.user, name=form.cleaned_data["name"], query=filters
            )
    except IntegrityError:
        messages.error(request, _("You already have a search of that name."))
    else:
        messages.success(request, _("Search saved: it is listed on your home page."))
    return _back(results)


@require_POST
def saved_search_delete(request: HttpRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    saved.delete()
    messages.success(request, _("Saved search “%(name)s” removed.") % {"name": saved.name})
    return redirect("home")


def _params(querystring: str) -> QueryDict:
    return QueryDict(querystring)


def inbox(request: HttpRequest) -> HttpResponse:
    from django.conf import settings

    from guji.pagination import paginate

    messages_ = request.user.notifications.all()
    page = paginate(messages_, request.GET.get("page"), per_page=settings.GUJI_PAGE_SIZE)
    return render(request, "guji/inbox.html", {"page": page})


def inbox_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a message: it is read, and the user goes where it points."""
    message = get_object_or_404(Notification, pk=pk, user=request.user)
    mark_read(request.user, [message.pk])
    return redirect(message.url or "inbox")


@require_POST
def inbox_read(request: HttpRequest) -> HttpResponse:
    mark_read(request.user)
    return redirect("inbox")


def _export_job(request: HttpRequest, pk: int) -> ListExportJob:
    """A user sees only the exports they asked for."""
    return get_object_or_404(ListExportJob.objects.filter(user=request.user), pk=pk)


@require_safe
def holding_export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export_job(request, pk)
    context = {"job": job, "progress": jobs.read_progress(job), "stale": jobs.is_stale(job)}
    return render(request, "guji/export_job.html", context)


@require_safe
def holding_export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _export_job(request, pk)
    if job.state != jobs.Job.State.DONE:
        return redirect(job)
    return file_response(
        request,
        job.result.name,
        allowed=True,  # the owner's own file: its rows were chosen as the owner may see them
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename=job.download_name,
    )


@require_POST
def holding_export_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Run a failed export again (the same list, chosen again as the owner may see it now)."""
    from guji.tasks import export_holdings_list

    job = _export_job(request, pk)
    if job.state == jobs.Job.State.FAILED or jobs.is_stale(job):
        if job.result:
            job.result.delete(save=False)
        ListExportJob.objects.filter(pk=job.pk).update(
            status=jobs.Job.State.QUEUED, message="", done_units=0, result=""
        )
        transaction.on_commit(lambda: export_holdings_list(job.pk))
    return redirect(job)
