"""Pages of graded protection. Every view asks ``guji.permissions`` on the server."""

import mimetypes

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from guji.history import version_changes
from guji.models import Grade, Holding
from guji.permissions import (
    can,
    can_anywhere,
    holds_globally,
    institutions_where,
    require,
    scope_filter,
)
from guji.protection import services, statistics
from guji.protection.documents import file_response, render_pdf
from guji.protection.forms import (
    ApplicationForm,
    AssessmentForm,
    BulkForm,
    CommentForm,
    DecisionForm,
    EvidenceForm,
    ListForm,
    ListingForm,
    OutcomeForm,
    PhotoForm,
    ProposalForm,
)
from guji.protection.models import (
    ApplicationPhoto,
    GradeProposal,
    KeyUnitAssessment,
    KeyUnitEvidence,
    ListingApplication,
    PreciousList,
    relic_level,
)

PAGE = 50
BULK_BATCH = 500  # rows reviewed on one page; the next batch follows once these are proposed


# Snapshots and answers are shown whole on the page; their JSON diffs would say nothing more.
_HIDDEN = ("answers", "collection_summary", "compliance_summary", "criteria")


def _changes(obj) -> list:
    """The object's versions, newest first, as timeline entries."""
    versions = list(obj.history.select_related("history_user").order_by("-history_date")[:100])
    return version_changes(versions, subject=str(obj._meta.verbose_name), hide=_HIDDEN)


def _visible_holding(request: HttpRequest, pk: int) -> Holding:
    return get_object_or_404(
        Holding.objects.visible_to(request.user).select_related("institution"), pk=pk
    )


def _error(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- grades -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def holding_grade(request: HttpRequest, pk: int) -> HttpResponse:
    """Propose a grade: the edition's minimum grade and its clause shown, the person decides."""
    holding = _visible_holding(request, pk)
    require(request.user, "propose_grade", holding)
    hint = services.suggestion(holding)
    initial = {"grade": hint.grade or "", "criteria": ["date"] if hint.grade else []}
    if hint.grade:
        initial["historical_value"] = hint.text
    form = ProposalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.propose_grade(holding, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _error(form, exc)
        else:
            messages.success(request, _("Grade proposed; the centre will confirm it."))
            return redirect(holding)
    context = {
        "holding": holding,
        "form": form,
        "hint": hint,
        "hint_label": Grade(hint.grade).label if hint.grade else "",
        "proposals": holding.grade_proposals.select_related("proposed_by", "decided_by"),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "protection/holding_grade.html", context, status=status)


def proposal_list(request: HttpRequest) -> HttpResponse:
    if not can_anywhere(request.user, "view"):
        raise PermissionDenied
    status = request.GET.get("status", GradeProposal.Status.PROPOSED)
    if status not in GradeProposal.Status.values:
        status = GradeProposal.Status.PROPOSED
    proposals = (
        GradeProposal.objects.filter(scope_filter(request.user, "view", "holding__institution"))
        .filter(status=status)
        .select_related("holding__institution", "proposed_by", "decided_by")
        .order_by("proposed_at", "id")
    )
    page = Paginator(proposals, PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "status": status,
        "statuses": GradeProposal.Status.choices,
        "may_confirm": can_anywhere(request.user, "confirm_grade"),
    }
    return render(request, "protection/proposal_list.html", context)


@require_http_methods(["GET", "POST"])
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = get_object_or_404(
        GradeProposal.objects.filter(
            scope_filter(request.user, "view", "holding__institution")
        ).select_related("holding__institution", "proposed_by", "decided_by"),
        pk=pk,
    )
    may_confirm = can(request.user, "confirm_grade", proposal.holding)
    form = DecisionForm(request.POST or None, initial={"grade": proposal.grade})
    if request.method == "POST":
        if not may_confirm:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.decide_grade(proposal, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _error(form, exc)
            else:
                messages.success(request, _("Grade decided."))
                return redirect("protection:proposal_list")
    context = {
        "proposal": proposal,
        "holding": proposal.holding,
        "form": form,
        "may_confirm": may_confirm and proposal.status == GradeProposal.Status.PROPOSED,
        "relic": relic_level(proposal.grade),
        "history": _changes(proposal),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "protection/proposal_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
def bulk_grades(request: HttpRequest, pk: int) -> HttpResponse:
    """Every ungraded holding of an institution with its minimum grade, reviewed before saving."""
    institution = get_object_or_404(institutions_where(request.user, "view"), pk=pk)
    require(request.user, "propose_grade", institution)
    rows = services.bulk_candidates(institution, limit=BULK_BATCH)
    proposable = [r for r in rows if r.hint.grade]
    form = BulkForm(request.POST or None, ids=[r.holding.pk for r in proposable])
    if request.method == "POST" and form.is_valid():
        made = services.propose_many(
            institution,
            form.cleaned_data["holdings"],
            by=request.user,
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("%(n)d grades proposed.") % {"n": len(made)})
        return redirect("protection:proposal_list")
    context = {
        "institution": institution,
        "rows": rows,
        "form": form,
        "batch": BULK_BATCH if len(rows) == BULK_BATCH else None,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "protection/bulk_grades.html", context, status=status)


# --- precious-books lists ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def list_index(request: HttpRequest) -> HttpResponse:
    if not can_anywhere(request.user, "view"):
        raise PermissionDenied
    may_edit = holds_globally(request.user, "review_listing")
    form = ListForm(request.POST or None) if may_edit else None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "notes"}
            try:
                batch = services.create_list(by=request.user, **data)
            except ValidationError as exc:
                _error(form, exc)
            else:
                return redirect(batch)
    lists = PreciousList.objects.all()
    status = 400 if request.method == "POST" else 200
    return render(
        request, "protection/list_index.html", {"lists": lists, "form": form}, status=status
    )


@require_http_methods(["GET", "POST"])
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not can_anywhere(request.user, "view"):
        raise PermissionDenied
    batch = get_object_or_404(PreciousList, pk=pk)
    may_edit = holds_globally(request.user, "review_listing")
    form = ListingForm(request.POST or None) if may_edit else None
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        if form.is_valid():
            data = form.cleaned_data
            try:
                _listing, warnings = services.add_listing(batch, by=request.user, **data)
            except ValidationError as exc:
                _error(form, exc)
            else:
                for w in warnings:
                    messages.warning(request, w)
                return redirect(batch)
    visible = set(
        Holding.objects.visible_to(request.user)
        .filter(listings__precious_list=batch)
        .values_list("pk", flat=True)
    )
    entries = batch.listings.select_related("holding__institution")
    context = {"batch": batch, "entries": entries, "visible": visible, "form": form}
    status = 400 if request.method == "POST" else 200
    return render(request, "protection/list_detail.html", context, status=status)


def _applications(request: HttpRequest):
    return ListingApplication.objects.filter(
        scope_filter(request.user, "view", "holding__institution")
    ).select_related("holding__institution", "listing__precious_list", "created_by")


def application_list(request: HttpRequest) -> HttpResponse:
    if not can_anywhere(request.user, "view"):
        raise PermissionDenied
    page = Paginator(_applications(request), PAGE).get_page(request.GET.get("page"))
    return render(request, "protection/application_list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, pk: int) -> HttpResponse:
    holding = _visible_holding(request, pk)
    require(request.user, "apply_listing", holding)
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            app = services.create_application(holding, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _error(form, exc)
        else:
            return redirect(app)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "protection/application_form.html",
        {"holding": holding, "form": form},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(_applications(request), pk=pk)
    may_apply = can(request.user, "apply_listing", app.holding)
    may_review = can(request.user, "review_listing", app.holding)
    forms = {
        "comment": CommentForm(request.POST or None),
        "photo": PhotoForm(request.POST or None, request.FILES or None),
        "outcome": OutcomeForm(request.POST or None),
    }
    if request.method == "POST":
        action = request.POST.get("action", "")
        right = {"submit": may_apply, "photo": may_apply, "return": may_review}
        right |= {"forward": may_review, "outcome": may_review}
        if not right.get(action):
            raise PermissionDenied
        try:
            if action == "photo":
                form = forms["photo"]
                if form.is_valid():
                    services.add_application_photo(app, by=request.user, **form.cleaned_data)
                    return redirect(app)
            elif action == "outcome":
                form = forms["outcome"]
                if form.is_valid():
                    services.record_outcome(app, by=request.user, **form.cleaned_data)
                    return redirect(app)
            elif forms["comment"].is_valid():
                comment = forms["comment"].cleaned_data["comment"]
                services.move_application(app, action, by=request.user, comment=comment)
                return redirect(app)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(app)
    context = {
        "app": app,
        "holding": app.holding,
        "may_apply": may_apply and app.status in ("draft", "returned"),
        "may_review": may_review and app.status == "submitted",
        "may_outcome": may_review and app.status == "forwarded",
        "relic": relic_level(app.holding.grade),
        "history": _changes(app),
        **forms,
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "protection/application_detail.html", context, status=status)


def application_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    app = get_object_or_404(_applications(request), pk=pk)
    context = {"app": app, "holding": app.holding, "relic": relic_level(app.holding.grade)}
    html = render_to_string("protection/application_dossier.html", context)
    pdf, missing = render_pdf(html)
    if missing:  # a missing glyph is a bug: say so on the first page, never print boxes silently
        context["missing"] = missing
        pdf, _again = render_pdf(render_to_string("protection/application_dossier.html", context))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="application-{app.pk}.pdf"'
    return response


def _content_type(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def application_photo(request: HttpRequest, pk: int) -> HttpResponse:
    photo = get_object_or_404(ApplicationPhoto.objects.select_related("application"), pk=pk)
    allowed = can(request.user, "view", photo.application.holding)
    if not allowed:
        raise Http404  # as for a holding the user cannot see
    name = photo.image.name
    return file_response(
        request, name, allowed=allowed, content_type=_content_type(name), as_attachment=False
    )


# --- key protection units ---------------------------------------------------------------------


def _assessments(request: HttpRequest):
    return KeyUnitAssessment.objects.filter(
        scope_filter(request.user, "view", "institution")
    ).select_related("institution")


def keyunit_list(request: HttpRequest) -> HttpResponse:
    if not can_anywhere(request.user, "view"):
        raise PermissionDenied
    page = Paginator(_assessments(request), PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "may_assess": can_anywhere(request.user, "assess_key_unit")}
    return render(request, "protection/keyunit_list.html", context)


@require_http_methods(["GET", "POST"])
def keyunit_create(request: HttpRequest) -> HttpResponse:
    institutions = institutions_where(request.user, "assess_key_unit")
    if not institutions.exists():
        raise PermissionDenied
    form = AssessmentForm(request.POST or None, institutions=institutions)
    if len(institutions) == 1:
        form.fields["institution"].initial = institutions[0]
    if request.method == "POST" and form.is_valid():
        assessment = services.save_assessment(
            form.cleaned_data["institution"],
            level=form.cleaned_data["level"],
            answers=form.answers(),
            staff_count=form.cleaned_data["staff_count"],
            by=request.user,
        )
        return redirect(assessment)
    status = 400 if request.method == "POST" else 200
    return render(request, "protection/keyunit_form.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def keyunit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = get_object_or_404(_assessments(request), pk=pk)
    institution = assessment.institution
    may_assess = can(request.user, "assess_key_unit", institution)
    may_review = can(request.user, "review_key_unit", institution)
    editable = assessment.status in ("draft", "returned")
    form = AssessmentForm(
        request.POST if request.POST.get("action") == "save" else None,
        institutions=institutions_where(request.user, "view"),
        instance=assessment,
    )
    evidence_form = EvidenceForm(
        request.POST if request.POST.get("action") == "evidence" else None, request.FILES or None
    )
    comment_form = CommentForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        allowed = {"save": may_assess, "evidence": may_assess, "submit": may_assess}
        allowed |= {"accept": may_review, "return": may_review}
        if not allowed.get(action):
            raise PermissionDenied
        try:
            if action == "save" and form.is_valid():
                services.save_assessment(
                    institution,
                    level=form.cleaned_data["level"],
                    answers=form.answers(),
                    staff_count=form.cleaned_data["staff_count"],
                    assessment=assessment,
                    by=request.user,
                )
                return redirect(assessment)
            if action == "evidence" and evidence_form.is_valid():
                services.add_evidence(assessment, by=request.user, **evidence_form.cleaned_data)
                return redirect(assessment)
            if action == "submit":
                services.submit_assessment(assessment, by=request.user)
                return redirect(assessment)
            if action in ("accept", "return") and comment_form.is_valid():
                services.review_assessment(
                    assessment,
                    accept=action == "accept",
                    comment=comment_form.cleaned_data["comment"],
                    by=request.user,
                )
                return redirect(assessment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(assessment)
    live = None
    if editable:
        live = {
            "collection": services.collection_summary(institution),
            "rooms": services.measured_compliance(institution),
        }
    context = {
        "assessment": assessment,
        "form": form,
        "evidence_form": evidence_form,
        "comment_form": comment_form,
        "may_edit": may_assess and editable,
        "may_review": may_review and assessment.status == "submitted",
        "live": live,
        "grades": dict(Grade.choices),
        "history": _changes(assessment),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "protection/keyunit_detail.html", context, status=status)


def keyunit_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = get_object_or_404(KeyUnitEvidence.objects.select_related("assessment"), pk=pk)
    allowed = can(request.user, "view", evidence.assessment.institution)
    if not allowed:
        raise Http404
    name = evidence.file.name
    return file_response(
        request, name, allowed=allowed, content_type=_content_type(name), as_attachment=True
    )


# --- statistics -------------------------------------------------------------------------------


def _stats_scope(request: HttpRequest):
    if not can_anywhere(request.user, "view"):
        raise PermissionDenied
    institutions = institutions_where(request.user, "view").order_by("code")
    chosen = request.GET.get("institution")
    if chosen:
        try:
            institutions = institutions.filter(pk=int(chosen))
        except ValueError:
            raise Http404 from None
    return institutions


def statistics_view(request: HttpRequest) -> HttpResponse:
    institutions = _stats_scope(request)
    table = statistics.grade_table(institutions)
    context = {
        "table": table,
        "chart": statistics.bars(table.totals_by_grade()),
        "damage": statistics.damage_table(institutions),
        "choices": institutions_where(request.user, "view").order_by("code"),
        "chosen": request.GET.get("institution", ""),
        "citywide": holds_globally(request.user, "view") and not request.GET.get("institution"),
    }
    return render(request, "protection/statistics.html", context)


def statistics_export(request: HttpRequest) -> HttpResponse:
    institutions = _stats_scope(request)
    data = statistics.workbook(institutions)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="grades.xlsx"'
    return response
