from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guji import registry
from guji.concurrency import StaleEdit, refresh_version
from guji.forms import HoldingCreateForm, HoldingFilterForm, HoldingForm
from guji.history import version_changes
from guji.models import Holding, RoleAssignment
from guji.pagination import paginate
from guji.permissions import can, holds_globally, institutions_where, require
from guji.search import matching
from guji.services import check_writable, create_holding, update_holding


def home(request: HttpRequest) -> HttpResponse:
    holdings = Holding.objects.visible_to(request.user)
    by_status = dict(
        holdings.order_by().values_list("status").annotate(n=Count("id")).values_list("status", "n")
    )
    statuses = [(s, s.label, by_status.get(s.value, 0)) for s in Holding.Status]
    context = {
        "statuses": statuses,
        "total": sum(by_status.values()),
        "institutions": institutions_where(request.user, "view").count(),
        "sections": [  # other apps' blocks of the home page (registry.register_home_section)
            render_to_string(section.template, section_context, request)
            for section, section_context in registry.home_sections(request)
        ],
    }
    return render(request, "guji/home.html", context)


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
    }
    return render(request, "guji/institution_detail.html", context)


def holding_list(request: HttpRequest) -> HttpResponse:
    visible_institutions = institutions_where(request.user, "view")
    form = HoldingFilterForm(request.GET or None, institutions=visible_institutions)
    form.is_valid()  # a stale or foreign choice drops only itself, not the other filters
    institutions = list(visible_institutions.values_list("pk", "name"))
    holdings = Holding.objects.visible_to(request.user)
    if not holds_globally(request.user, "view"):
        # The same scope again as a list of ids: the planner then walks holding_inst_id
        # instead of testing two permission subqueries on every row.
        holdings = holdings.filter(institution__in=[pk for pk, _name in institutions])
    holdings = filter_holdings(holdings, getattr(form, "cleaned_data", {}))
    page = paginate(
        holdings.order_by("-id"),
        request.GET.get("page"),
        per_page=settings.GUJI_PAGE_SIZE,
        rows=Holding.objects.for_list(),
    )
    context = {
        "form": form,
        "page": page,
        "may_create": can_create(request),
        "institution_options": _institution_options(institutions, form),
    }
    return render(request, "guji/holding_list.html", context)


def _institution_options(institutions: list[tuple[int, str]], form: HoldingFilterForm) -> str:
    """The institution filter's options: a province has 10³ institutions, and the Select
    widget renders them a template each (~100 ms); this takes ~1 ms."""
    chosen = getattr(form, "cleaned_data", {}).get("institution")
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((pk, " selected" if chosen and pk == chosen.pk else "", n) for pk, n in institutions),
    )


def filter_holdings(holdings, data: dict):
    if data.get("institution"):
        holdings = holdings.filter(institution=data["institution"])
    if data.get("dynasty"):
        holdings = holdings.filter(edition_dynasty=data["dynasty"])
    if data.get("edition_type"):
        holdings = holdings.filter(edition_type=data["edition_type"])
    if sibu := data.get("sibu"):
        holdings = (
            holdings.filter(sibu_class__bu=sibu.bu)
            if sibu.level == 1
            else holdings.filter(sibu_class=sibu)
        )
    if data.get("grade"):
        holdings = holdings.filter(grade=data["grade"])
    if data.get("status"):
        holdings = holdings.filter(status=data["status"])
    if q := (data.get("q") or "").strip():
        holdings = matching(holdings, q)
    return holdings


def can_create(request: HttpRequest) -> bool:
    return institutions_where(request.user, "catalogue").exists()


def holding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    holding = get_object_or_404(
        Holding.objects.visible_to(request.user).select_related(
            "institution", "sibu_class", "binding"
        ),
        pk=pk,
    )
    context = {
        "holding": holding,
        "responsibilities": list(holding.responsibilities.all()),
        "may_edit": can(request.user, "catalogue", holding),
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
    if request.method == "POST" and form.is_valid():
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
    context = {"form": form, "holding": holding, "stale": stale}
    return render(request, "guji/holding_form.html", context, status=status)


def holding_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    holding = get_object_or_404(Holding.objects.visible_to(request.user), pk=pk)
    return render(
        request,
        "guji/holding_timeline.html",
        {"holding": holding, "changes": holding_changes(holding)},
    )


def holding_changes(holding: Holding, *, limit: int = 200) -> list:
    """One timeline: the holding's versions and its responsibility statements', newest first."""
    from guji.models import Responsibility

    hidden = ("search_key", "updated_at", "created_at")
    versions = list(holding.history.select_related("history_user")[:limit])
    changes = version_changes(versions, subject=_("Catalogue record"), hide=hidden)
    by_row: dict[int, list] = {}
    for v in Responsibility.history.filter(holding_id=holding.pk).select_related("history_user")[
        :limit
    ]:
        by_row.setdefault(v.id, []).append(v)
    for rows in by_row.values():
        changes += version_changes(rows, subject=_statement_subject, hide=("seq",))
    for extra in timeline_sources(holding):
        changes += extra
    changes.sort(key=lambda c: c.when, reverse=True)
    return changes


def _statement_subject(version) -> str:
    return f"{_('Responsibility')} {version.instance.catalogue_form()}"


def timeline_sources(holding: Holding) -> list[list]:
    """Other apps' entries for a holding's timeline (census reviews, repairs …)."""
    return [source(holding) for source in registry.timeline_sources()]
