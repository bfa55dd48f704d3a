import html
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guji import registry
from guji.concurrency import StaleEdit, refresh_version
from guji.duplicates import likely_duplicates
from guji.forms import HoldingCreateForm, HoldingFilterForm, HoldingForm
from guji.history import fold_record_versions, render_changes, version_changes
from guji.institution_views import GrantForm
from guji.list_views import SavedSearchForm
from guji.lists import PAGE_SIZES, HoldingQuery, render_rows
from guji.models import Holding, RoleAssignment
from guji.pagination import Page, count_rows, page_number, paginate
from guji.permissions import can, can_anywhere, institutions_where, require
from guji.services import (
    check_writable,
    create_holding,
    delete_draft,
    deleted_holdings,
    restore_holding,
    update_holding,
)


def home(request: HttpRequest) -> HttpResponse:
    holdings = Holding.objects.visible_to(request.user)
    by_status = dict(
        holdings.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    links = registry.status_links(request.user)
    list_url = reverse("holding_list")
    statuses = [
        (s, s.label, by_status.get(s.value, 0), links.get(s.value, f"{list_url}?status={s.value}"))
        for s in Holding.Status
    ]
    context = {
        "statuses": statuses,
        "total": sum(by_status.values()),
        "institutions": institutions_where(request.user, "view").count(),
        "saved_searches": saved_search_counts(request.user),
        "may_manage": can_anywhere(request.user, "manage"),
        "sections": [  # other apps' blocks of the home page (registry.register_home_section)
            render_to_string(section.template, section_context, request)
            for section, section_context in registry.home_sections(request)
        ],
    }
    return render(request, "guji/home.html", context)


def saved_search_counts(user) -> list[tuple]:
    """The user's saved searches, each with how many holdings it finds now (counted as the
    list counts: exactly up to 1,000, then "more than")."""
    out = []
    for saved in user.saved_searches.all()[:30]:
        query = HoldingQuery.from_params(user, QueryDict(saved.query))
        n, accuracy = count_rows(query.queryset(user))
        out.append((saved, n, accuracy))
    return out


def institution_list(request: HttpRequest) -> HttpResponse:
    count = (
        Holding.objects.filter(institution=OuterRef("pk"))
        .order_by()
        .values("institution")
        .annotate(n=Count("id"))
        .values("n")
    )
    institutions = institutions_where(request.user, "view").order_by("code")
    page = paginate(
        institutions,
        request.GET.get("page"),
        per_page=settings.GUJI_PAGE_SIZE,
        rows=institutions.annotate(n_holdings=Subquery(count)),
    )
    context = {"page": page, "institutions": page.object_list}
    return render(request, "guji/institution_list.html", context)


def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(institutions_where(request.user, "view"), pk=pk)
    by_status = dict(institution.holdings.order_by().values_list("status").annotate(n=Count("id")))
    statuses = [(s, s.label, by_status.get(s.value, 0)) for s in Holding.Status]
    may_manage = can(request.user, "manage", institution)
    staff = (
        RoleAssignment.objects.filter(institution=institution).select_related("user")
        if may_manage
        else None
    )
    context = {
        "institution": institution,
        "statuses": statuses,
        "total": sum(by_status.values()),
        "staff": staff,
        "may_catalogue": can(request.user, "catalogue", institution),
        "may_manage": may_manage,
        "grant_form": GrantForm(institution=institution) if may_manage else None,
    }
    return render(request, "guji/institution_detail.html", context)


def holding_list(request: HttpRequest) -> HttpResponse:
    visible = institutions_where(request.user, "view")
    query = HoldingQuery.from_params(request.user, request.GET, institutions=visible)
    institutions = list(visible.values_list("pk", "name"))
    holdings = query.queryset(request.user, institution_ids=[pk for pk, _name in institutions])
    page = paginate(
        holdings,
        query.page,
        per_page=query.per_page,
        rows=Holding.objects.for_list(),
    )
    results = query.querystring(page=None)
    rows = _rows(page, results)
    context = {
        "form": query.form,
        "query": query,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "columns": query.sort_links(),
        "rows": rows,
        "rows_html": render_rows(rows),
        "may_create": can_create(request),
        "bulk_actions": registry.bulk_actions(request.user),
        "saved_search_form": SavedSearchForm() if query.filters_querystring() else None,
        "institution_options": _institution_options(institutions, query.form),
    }
    return render(request, "guji/holding_list.html", context)


def _rows(page, results: str) -> list[tuple]:
    """Each row's holding and its link, which carries the list it was opened from (the
    record page's previous/next and "back to results")."""
    start = page.start_index()
    results = urlencode({"results": results})
    placeholder = "999999999"
    detail = reverse("holding_detail", args=[placeholder])  # reversed once, not per row
    return [
        (h, f"{detail.replace(placeholder, str(h.pk))}?{results}&at={start + i}")
        for i, h in enumerate(page.object_list)
    ]


def _institution_options(institutions: list[tuple[int, str]], form: HoldingFilterForm) -> str:
    """The institution filter's options: a province has 10³ institutions, and the Select
    widget renders them a template each (~100 ms); ``format_html`` an option, ~8 ms; this
    (the standard library's escape, which Django's ``escape`` is) ~1 ms."""
    chosen = getattr(form, "cleaned_data", {}).get("institution")
    chosen_pk = chosen.pk if chosen else None
    return mark_safe(  # every name is escaped here
        "".join(
            f'<option value="{int(pk)}"{" selected" if pk == chosen_pk else ""}>'
            f"{html.escape(str(name))}</option>"
            for pk, name in institutions
        )
    )


def can_create(request: HttpRequest) -> bool:
    return can_anywhere(request.user, "catalogue")


def holding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    holding = get_object_or_404(
        Holding.objects.visible_to(request.user).select_related(
            "institution", "sibu_class", "binding"
        ),
        pk=pk,
    )
    may_edit = can(request.user, "catalogue", holding)
    context = {
        "holding": holding,
        "responsibilities": list(holding.responsibilities.all()),
        "may_edit": may_edit,
        "may_delete": may_edit and holding.status == Holding.Status.DRAFT,
        "record_nav": record_nav(request, holding),
        "panels": [  # other apps' sections of the page, each rendered with its own context
            {
                "key": panel.key,
                "placement": panel.placement,
                "html": render_to_string(panel.template, panel_context, request),
            }
            for panel, panel_context in registry.holding_panels(request, holding)
        ],
    }
    return render(request, "guji/holding_detail.html", context)


@require_http_methods(["GET", "POST"])
def holding_create(request: HttpRequest) -> HttpResponse:
    institutions = institutions_where(request.user, "catalogue")
    if not institutions.exists():
        raise PermissionDenied
    form = HoldingCreateForm(request.POST or None, institutions=institutions)
    if len(institutions) == 1:
        form.fields["institution"].initial = institutions[0]
    duplicates = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not request.POST.get("confirm_duplicate"):
            duplicates = likely_duplicates(
                data["institution"].pk,
                title_juan=data["title_juan"],
                title=data["title"],
                juan_count=data["juan_count"],
                edition=data["edition_statement"],
            )
        if duplicates:
            context = {"form": form, "duplicates": duplicates}
            return render(request, "guji/holding_form.html", context, status=200)
        try:
            holding = create_holding(
                institution=form.cleaned_data["institution"],
                data=form.holding_data(),
                statements=form.cleaned_data["authors"],
                by=request.user,
                reason=form.cleaned_data["reason"] or _("New catalogue record"),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Holding created."))
            return redirect(holding)
    status = 400 if request.method == "POST" else 200
    return render(request, "guji/holding_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def holding_edit(request: HttpRequest, pk: int) -> HttpResponse:
    holding = get_object_or_404(Holding.objects.visible_to(request.user), pk=pk)
    require(request.user, "catalogue", holding)
    if holding.status == Holding.Status.REGISTERED:  # locked: changes go through a correction
        return redirect(registry.correction_url(holding) or holding)
    try:
        check_writable(holding)
    except ValidationError as exc:
        messages.info(request, exc.messages[0])
        return redirect(holding)
    form = HoldingForm(request.POST or None, instance=holding)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            update_holding(
                holding,
                data=form.holding_data(),
                statements=form.cleaned_data["authors"],
                by=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as exc:
            stale = exc  # show what the other person changed; keep this user's input
            form.add_error(None, exc)
            refresh_version(form, holding)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(holding)
    status = (409 if stale else 400) if request.method == "POST" else 200
    context = {
        "form": form,
        "holding": holding,
        "stale": stale,
        "field_notes": registry.field_notes(holding),
    }
    return render(request, "guji/holding_form.html", context, status=status)


TIMELINE_PER_PAGE = 50
TIMELINE_MAX_PAGES = 1000  # a page past the end shows the last; no history is that long


def holding_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    """The holding's timeline, newest first, 50 entries a page.

    Page n reads and diffs only the newest n × 50 (+1) versions of each record and renders its
    50 entries; the queries are the same for every page and every length of history.
    """
    holding = get_object_or_404(Holding.objects.visible_to(request.user), pk=pk)
    number = min(page_number(request.GET.get("page")), TIMELINE_MAX_PAGES)
    per_page = TIMELINE_PER_PAGE
    changes = holding_changes(holding, limit=number * per_page + 1)
    has_next = len(changes) > number * per_page
    if not has_next:  # everything is read: past the end shows the last page
        number = min(number, max(1, -(-len(changes) // per_page)))
    page = Page(
        object_list=changes[(number - 1) * per_page : number * per_page],
        number=number,
        per_page=per_page,
        count=len(changes),
        accuracy="at_least" if has_next else "exact",
        has_next=has_next,
    )
    context = {
        "holding": holding,
        "page": page,
        "changes": page.object_list,  # this page's entries, as the template shows them
        "entries": render_changes(page.object_list, start=page.start_index()),
    }
    return render(request, "guji/holding_timeline.html", context)


def holding_changes(holding: Holding, *, limit: int = 200) -> list:
    """One timeline: the holding's versions and its responsibility statements', newest first.

    Its newest ``limit`` entries are complete (each source reads its newest ``limit`` versions,
    the record as many more as there are workflow events that may absorb one of them, and one
    more to diff the oldest against); older ones may be missing.
    """
    from guji.models import Responsibility

    others: list = []
    for extra in timeline_sources(holding):
        others += extra
    absorbing = sum(1 for change in others if change.absorbs)
    hidden = ("search_key", "updated_at", "created_at")
    wanted = limit + absorbing
    versions = list(holding.history.select_related("history_user")[: wanted + 1])
    record = version_changes(versions, subject=_("Catalogue record"), hide=hidden)[:wanted]
    changes: list = []
    by_row: dict[int, list] = {}
    statements = Responsibility.history.filter(holding_id=holding.pk)
    read = list(statements.select_related("history_user")[:limit])
    for v in read:
        by_row.setdefault(v.id, []).append(v)
    # Each statement's version just before the oldest read, to diff that one against (one query:
    # the newest of the older versions, per statement).
    read_ids = {v.history_id for v in read}
    older = statements.exclude(history_id__in=read_ids)
    if read:
        older = older.filter(history_date__lte=read[-1].history_date)
    previous = statements.filter(
        history_id__in=older.order_by().values("id").annotate(last=Max("history_id")).values("last")
    )
    for v in previous:
        if v.id in by_row:
            by_row[v.id].append(v)
    for rows in by_row.values():
        shown = version_changes(rows, subject=_statement_subject, hide=("seq",))
        changes += shown[: len(shown) - (rows[-1].history_id not in read_ids)]  # not the extra one
    changes = fold_record_versions(record, changes + others)
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes


def _statement_subject(version) -> str:
    return f"{_('Responsibility')} {version.instance.catalogue_form()}"


def timeline_sources(holding: Holding) -> list[list]:
    """Other apps' entries for a holding's timeline (census reviews, repairs …)."""
    return [source(holding) for source in registry.timeline_sources()]


def help_page(request: HttpRequest) -> HttpResponse:
    """The cataloguing rules the forms enforce; long prose kept per language, not per msgid."""
    language = "zh-hans" if (request.LANGUAGE_CODE or "").startswith("zh") else "en"
    return render(request, "guji/help.html", {"help_body": f"guji/help/{language}.html"})


def record_nav(request: HttpRequest, holding: Holding) -> dict | None:
    """Previous/next within the list the record was opened from, and the way back to it.

    The link from the list carries the list's query string (``results``) and the record's
    position in it (``at``); the neighbours are read again from the same query, so they are the
    list's neighbours even when sorted or filtered. Three ids, one query.
    """
    results = request.GET.get("results")
    if results is None:
        return None
    query = HoldingQuery.from_params(request.user, QueryDict(results))
    at = page_number(request.GET.get("at"))
    offset = max(at - 2, 0)
    ids = list(query.queryset(request.user).values_list("pk", flat=True)[offset : at + 1])
    here = at - 1 - offset
    if here >= len(ids) or ids[here] != holding.pk:  # the list has changed since
        here = ids.index(holding.pk) if holding.pk in ids else None

    def link(pk: int, position: int) -> str:
        extra = urlencode({"results": results, "at": position})
        return f"{reverse('holding_detail', args=[pk])}?{extra}"

    page = (at - 1) // query.per_page + 1
    back = QueryDict(results, mutable=True)
    back["page"] = page
    nav = {"back": f"{reverse('holding_list')}?{back.urlencode()}", "position": at}
    if here is not None:
        if here > 0:
            nav["previous"] = link(ids[here - 1], at - 1)
        if here + 1 < len(ids):
            nav["next"] = link(ids[here + 1], at + 1)
    return nav


def holding_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The record sheet: a catalogue card and every field, laid out for paper."""
    holding = get_object_or_404(
        Holding.objects.visible_to(request.user).select_related(
            "institution", "sibu_class", "binding"
        ),
        pk=pk,
    )
    context = {"holding": holding, "responsibilities": list(holding.responsibilities.all())}
    return render(request, "guji/holding_print.html", context)


@require_http_methods(["POST"])
def holding_delete(request: HttpRequest, pk: int) -> HttpResponse:
    holding = get_object_or_404(Holding.objects.visible_to(request.user), pk=pk)
    require(request.user, "catalogue", holding)
    try:
        delete_draft(holding, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect(holding)
    messages.success(
        request,
        _("%(title)s deleted. Its history is kept; a manager of the institution can restore it.")
        % {"title": holding.title_juan},
    )
    return redirect("holding_list")


def deleted_list(request: HttpRequest) -> HttpResponse:
    if not can_anywhere(request.user, "manage"):
        raise PermissionDenied
    page = paginate(
        deleted_holdings(request.user), request.GET.get("page"), per_page=settings.GUJI_PAGE_SIZE
    )
    return render(request, "guji/deleted_list.html", {"page": page})


@require_http_methods(["POST"])
def holding_restore(request: HttpRequest, history_id: int) -> HttpResponse:
    version = get_object_or_404(deleted_holdings(request.user), history_id=history_id)
    try:
        holding = restore_holding(version, by=request.user, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
        return redirect("deleted_list")
    messages.success(request, _("Record restored."))
    return redirect(holding)
