"""Pages of the census workflow: campaigns, submission, review, returned records, corrections.

Each view asks guji.permissions and calls census.services; no rule is decided here.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from census.dashboard import (
    STATES,
    campaign_progress,
    campaign_summaries,
    campaigns_visible_to,
)
from census.forms import (
    BatchReviewForm,
    BatchSubmitForm,
    CampaignForm,
    CorrectionForm,
    DecisionForm,
    ParticipantFormSet,
    QueueFilterForm,
    ReviewForm,
    SubmitForm,
)
from census.models import CensusEntry, CorrectionRequest, ReviewRound
from census.review import (
    AGE_BUCKETS,
    age_bucket,
    field_label,
    likely_duplicates,
    queue_entries,
    snapshot,
    snapshot_diff,
    snapshot_rows,
)
from census.services import (
    accept_correction,
    accept_entry,
    open_campaign,
    refuse_correction,
    request_correction,
    return_entry,
    review_entries,
    submit_entries,
    update_campaign,
)
from census.timeline import correction_fields, vocabulary_names
from guji.concurrency import StaleEdit, check_version, refresh_version
from guji.lists import page_size
from guji.models import Holding, User
from guji.pagination import paginate
from guji.permissions import (
    can,
    can_anywhere,
    institutions_where,
    require,
    scope_any,
    scope_filter,
)


def _page(request: HttpRequest, rows):
    # Exact counts: the queues say how many entries wait (they stay far below the register).
    return paginate(
        rows, request.GET.get("page"), per_page=page_size(request.GET), count_limit=10**9
    )


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _post_status(request: HttpRequest, stale: StaleEdit | None) -> int:
    """200 for a page read, 409 for a save over someone else's, 400 for other refusals."""
    if request.method != "POST":
        return 200
    return 409 if stale else 400


def _stale(obj, read_version) -> StaleEdit | None:
    """The refusal of a form read at ``read_version`` when the record moved on since."""
    try:
        check_version(obj, read_version)
    except StaleEdit as exc:
        return exc
    except ValidationError:
        return None
    return None


def _back(request: HttpRequest, default: str) -> str:
    """The page the user came from (a list with its filters), when it is ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


# --- campaigns ------------------------------------------------------------------------------


def campaign_list(request: HttpRequest) -> HttpResponse:
    page = _page(request, campaigns_visible_to(request.user).order_by("-starts_on", "name"))
    summaries = campaign_summaries(page.object_list, request.user)
    context = {
        "page": page,
        "rows": [(c, summaries[c.pk]) for c in page.object_list],
        "may_open": can(request.user, "manage_campaign"),
    }
    return render(request, "census/campaign_list.html", context)


def _require_centre_admin(user: User) -> None:
    if not can(user, "manage_campaign"):
        raise PermissionDenied


@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    _require_centre_admin(request.user)
    form = CampaignForm(request.POST or None)
    formset = ParticipantFormSet(request.POST or None, prefix="p", initial=None)
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            campaign = open_campaign(
                **form.campaign_data(),
                participants=formset.participants(),
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Campaign opened."))
            return redirect(campaign)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "formset": formset}
    return render(request, "census/campaign_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    _require_centre_admin(request.user)
    initial = [
        {"institution": p.institution, "estimated_holdings": p.estimated_holdings}
        for p in campaign.participations.select_related("institution")
    ]
    form = CampaignForm(request.POST or None, instance=campaign)
    formset = ParticipantFormSet(request.POST or None, prefix="p", initial=initial)
    stale = None
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            update_campaign(
                campaign,
                data=form.campaign_data(),
                participants=formset.participants(),
                by=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as exc:
            stale = exc  # show what the other person changed; keep this user's input
            form.add_error(None, exc)
            refresh_version(form, campaign)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(campaign)
    status = _post_status(request, stale)
    context = {"form": form, "formset": formset, "campaign": campaign, "stale": stale}
    return render(request, "census/campaign_form.html", context, status=status)


def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(campaigns_visible_to(request.user), pk=pk)
    rows, totals = campaign_progress(campaign, request.user)
    context = {
        "campaign": campaign,
        "rows": rows,
        "totals": totals,
        "buckets": AGE_BUCKETS,
        "states": STATES,
        "may_edit": can(request.user, "manage_campaign"),
        "may_review": can_anywhere(request.user, "review"),
    }
    return render(request, "census/campaign_detail.html", context)


# --- the reviewers' queue -------------------------------------------------------------------


def _require_reviewer(user: User) -> None:
    if not can_anywhere(user, "review"):
        raise PermissionDenied


def review_queue(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    filters = QueueFilterForm(
        request.GET or None, institutions=institutions_where(request.user, "review")
    )
    entries = queue_entries(request.user).prefetch_related(
        Prefetch(
            "rounds",
            queryset=ReviewRound.objects.filter(decision=ReviewRound.Decision.PENDING)
            .select_related("submitted_by")
            .only("id", "entry_id", "number", "submitted_by"),
            to_attr="pending",
        )
    )
    if filters.is_valid():
        if institution := filters.cleaned_data["institution"]:
            entries = entries.filter(institution=institution)
        if campaign := filters.cleaned_data["campaign"]:
            entries = entries.filter(campaign=campaign)
    page = _page(request, entries)
    rows = list(page.object_list)
    duplicates = likely_duplicates([e.holding for e in rows])
    now = timezone.now()
    context = {
        "filters": filters,
        "page": page,
        "rows": [
            {
                "entry": e,
                "holding": e.holding,
                "round": e.pending[0] if e.pending else None,
                "age": now - e.submitted_at,
                "bucket": age_bucket(e.submitted_at, now=now),
                "duplicates": duplicates.get(e.holding_id, []),
            }
            for e in rows
        ],
    }
    return render(request, "census/review_queue.html", context)


@require_POST
def review_batch(request: HttpRequest) -> HttpResponse:
    _require_reviewer(request.user)
    back = _back(request, reverse("census:review_queue"))
    reviewable = CensusEntry.objects.filter(scope_filter(request.user, "review", "institution"))
    form = BatchReviewForm(request.POST, entries=reviewable)
    decision = request.POST.get("decision")
    if decision not in ("accept", "return"):
        messages.error(request, _("Choose to accept or to return the selected entries."))
        return redirect(back)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    entries = list(form.cleaned_data["entries"].select_related("holding"))
    try:
        result = review_entries(
            entries,
            by=request.user,
            accept=decision == "accept",
            comment=form.cleaned_data["comment"],
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
        return redirect(back)
    n = len(result.done)
    if decision == "accept":
        text = ngettext("Accepted %(n)d entry.", "Accepted %(n)d entries.", n)
    else:
        text = ngettext("Returned %(n)d entry.", "Returned %(n)d entries.", n)
    messages.success(request, text % {"n": n})
    for entry, problem in result.problems:
        messages.warning(request, f"{entry.holding.call_number} {entry.holding}: {problem}")
    return redirect(back)


# --- one entry under review -------------------------------------------------------------------


def _next_in_queue(request: HttpRequest, done: CensusEntry) -> HttpResponse:
    """After a decision the reviewer goes on to the next entry waiting (the queue's order)."""
    waiting = queue_entries(request.user).exclude(pk=done.pk)
    following = waiting.values_list("holding_id", flat=True).first()
    if following is None:
        messages.info(request, _("Nothing more is waiting for review."))
        return redirect("census:review_queue")
    return redirect("census:holding_review", following)


@require_http_methods(["GET", "POST"])
def holding_review(request: HttpRequest, pk: int) -> HttpResponse:
    holding = get_object_or_404(
        Holding.objects.visible_to(request.user).select_related(
            "institution", "sibu_class", "binding"
        ),
        pk=pk,
    )
    require(request.user, "review", holding)
    entry = CensusEntry.objects.filter(holding=holding).select_related("campaign").first()
    rounds = (
        list(
            entry.rounds.select_related("submitted_by", "decided_by").prefetch_related(
                "field_comments"
            )
        )
        if entry
        else []
    )
    waiting = holding.status == Holding.Status.SUBMITTED and rounds
    current = rounds[-1] if waiting else None
    form = ReviewForm(request.POST or None, holding=holding)
    stale = None
    if request.method == "POST":
        if current is None:
            stale = _stale(holding, request.POST.get("version"))
            if stale is None:
                messages.error(request, _("This record is not waiting for review."))
                return redirect("census:holding_review", holding.pk)
            form.add_error(None, stale)  # decided by someone else since: show what they did
            refresh_version(form, holding)
        decision = request.POST.get("decision")
        if stale is not None:
            pass
        elif decision not in ("accept", "return"):
            form.add_error(None, _("Choose to accept or to return the entry."))
        elif form.is_valid():
            try:
                version = form.cleaned_data["version"]
                if decision == "accept":
                    accepted = accept_entry(
                        entry,
                        by=request.user,
                        comment=form.cleaned_data["comment"],
                        expected_version=version,
                    )
                    messages.success(
                        request,
                        _("Accepted and registered with census number %(number)s.")
                        % {"number": accepted.census_number},
                    )
                    return _next_in_queue(request, entry)
                return_entry(
                    entry,
                    by=request.user,
                    comment=form.cleaned_data["comment"],
                    field_comments=form.field_comments(),
                    expected_version=version,
                )
            except StaleEdit as exc:
                stale = exc  # the entry changed since the page was read: show how
                form.add_error(None, exc)
                refresh_version(form, holding)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Returned to the cataloguer with your comments."))
                return _next_in_queue(request, entry)

    values = current.snapshot if current else snapshot(holding)
    previous = rounds[-2] if current and len(rounds) >= 2 else None
    diff = snapshot_diff(previous.snapshot, values) if previous else []
    changed = {c.field for c in diff}
    earlier_comments: dict[str, list] = {}
    for r in rounds:
        if r is current:
            continue
        for fc in r.field_comments.all():
            earlier_comments.setdefault(fc.field, []).append((r.number, fc.comment))
    fields = [
        {
            "name": name,
            "label": label,
            "value": value,
            "changed": name in changed,
            "comment_field": form[f"on_{name}"] if current else None,
            "earlier": earlier_comments.get(name, []),
        }
        for name, label, value in snapshot_rows(values)
    ]
    context = {
        "holding": holding,
        "entry": entry,
        "current": current,
        "previous": previous,
        "past_rounds": [r for r in reversed(rounds) if r is not current],
        "diff": diff,
        "fields": fields,
        "form": form,
        # The photographs as submitted in this round; between rounds, the record's own.
        "photos": list(current.photos.all() if current else holding.leaf_photos.all()),
        "duplicates": likely_duplicates([holding]).get(holding.pk, []),
        "age": timezone.now() - current.submitted_at if current else None,
        "stale": stale,
    }
    status = _post_status(request, stale)
    return render(request, "census/holding_review.html", context, status=status)


# --- the cataloguer's side --------------------------------------------------------------------


@require_POST
def holding_submit(request: HttpRequest, pk: int) -> HttpResponse:
    holding = get_object_or_404(Holding.objects.visible_to(request.user), pk=pk)
    require(request.user, "catalogue", holding)
    form = SubmitForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        submit_entries([holding], by=request.user, reason=note)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, _("Submitted for census review."))
    return redirect(holding)


def _submittable(user: User):
    return Holding.objects.filter(
        scope_filter(user, "catalogue", "institution"),
        status__in=[Holding.Status.DRAFT, Holding.Status.RETURNED],
    )


@require_http_methods(["GET", "POST"])
def submit_list(request: HttpRequest) -> HttpResponse:
    if not can_anywhere(request.user, "catalogue"):
        raise PermissionDenied
    holdings = _submittable(request.user)
    form = BatchSubmitForm(request.POST or None, holdings=holdings)
    if request.method == "POST":
        if form.is_valid():
            chosen = list(form.cleaned_data["holdings"])
            try:
                submit_entries(chosen, by=request.user, reason=form.cleaned_data["note"])
            except ValidationError as exc:
                messages.error(request, _errors(exc))
            else:
                n = len(chosen)
                messages.success(
                    request,
                    ngettext(
                        "Submitted %(n)d record for review.",
                        "Submitted %(n)d records for review.",
                        n,
                    )
                    % {"n": n},
                )
                return redirect("census:submit_list")
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    listed = holdings.for_list().order_by("status", "institution_id", "call_number", "id")
    if status := request.GET.get("status"):
        listed = listed.filter(status=status)
    page = _page(request, listed)
    context = {"page": page, "form": form, "selected": set(request.POST.getlist("holdings"))}
    return render(request, "census/submit_list.html", context)


def returned_list(request: HttpRequest) -> HttpResponse:
    if not can_anywhere(request.user, "catalogue"):
        raise PermissionDenied
    entries = (
        CensusEntry.objects.filter(
            scope_filter(request.user, "catalogue", "institution"),
            holding__status=Holding.Status.RETURNED,
        )
        .select_related("holding", "institution")
        .prefetch_related(
            Prefetch(
                "rounds",
                queryset=ReviewRound.objects.filter(decision=ReviewRound.Decision.RETURNED)
                .select_related("decided_by")
                .prefetch_related("field_comments")
                .order_by("-number"),
                to_attr="returned_rounds",
            )
        )
        .order_by("-holding__updated_at", "-pk")
    )
    page = _page(request, entries)
    rows = []
    for entry in page.object_list:
        last = entry.returned_rounds[0] if entry.returned_rounds else None
        notes = (
            [(field_label(fc.field), fc.comment) for fc in last.field_comments.all()]
            if last
            else []
        )
        rows.append({"entry": entry, "holding": entry.holding, "round": last, "notes": notes})
    return render(request, "census/returned_list.html", {"page": page, "rows": rows})


# --- corrections to registered records --------------------------------------------------------


@require_http_methods(["GET", "POST"])
def holding_correction(request: HttpRequest, pk: int) -> HttpResponse:
    holding = get_object_or_404(
        Holding.objects.visible_to(request.user).select_related("institution"), pk=pk
    )
    may_request = can(request.user, "catalogue", holding)
    may_decide = can(request.user, "review", holding)
    if not (may_request or may_decide):
        raise PermissionDenied
    requests = list(holding.correction_requests.select_related("requested_by", "decided_by"))
    pending = next((r for r in requests if r.status == CorrectionRequest.Status.PENDING), None)
    action = request.POST.get("action") if request.method == "POST" else None
    request_form = decision_form = None
    # A request posted after someone else's is kept on the page with the reason it is refused.
    if (
        may_request
        and holding.status == Holding.Status.REGISTERED
        and (pending is None or action == "request")
    ):
        # The form validates into its own copy, never into the record shown beside it.
        copy = Holding.objects.get(pk=holding.pk)
        request_form = CorrectionForm(request.POST if action == "request" else None, instance=copy)
    if may_decide and pending is not None:
        decision_form = DecisionForm(
            request.POST if action in ("accept", "refuse") else None, holding=holding
        )
    stale = None

    if action == "request" and request_form is not None and request_form.is_valid():
        try:
            request_correction(
                holding,
                data=request_form.holding_data(),
                statements=request_form.cleaned_data["authors"],
                by=request.user,
                reason=request_form.cleaned_data["reason"],
                expected_version=request_form.cleaned_data["version"],
            )
        except StaleEdit as exc:
            stale = exc  # show what the other person changed; keep this user's input
            request_form.add_error(None, exc)
            refresh_version(request_form, holding)
        except ValidationError as exc:
            request_form.add_error(None, exc)
        else:
            messages.success(
                request, _("Correction requested: a reviewer will accept or refuse it.")
            )
            return redirect("census:holding_correction", holding.pk)
    elif action in ("accept", "refuse") and decision_form is not None and decision_form.is_valid():
        reason = decision_form.cleaned_data["reason"]
        version = decision_form.cleaned_data["version"]
        try:
            if action == "accept":
                accept_correction(pending, by=request.user, reason=reason, expected_version=version)
                messages.success(request, _("Correction accepted and applied to the record."))
            else:
                refuse_correction(pending, by=request.user, reason=reason, expected_version=version)
                messages.success(request, _("Correction refused."))
        except StaleEdit as exc:
            stale = exc
            decision_form.add_error(None, exc)
            refresh_version(decision_form, holding)
        except ValidationError as exc:
            decision_form.add_error(None, exc)
        else:
            return redirect("census:holding_correction", holding.pk)
    elif action is not None and request_form is None and decision_form is None:
        raise PermissionDenied

    names = vocabulary_names(requests)
    context = {
        "holding": holding,
        "requests": [(r, correction_fields(r, names)) for r in requests],
        "pending": pending,
        "request_form": request_form,
        "decision_form": decision_form,
        "may_request": may_request,
        "stale": stale,
    }
    status = _post_status(request, stale)
    return render(request, "census/holding_correction.html", context, status=status)


def correction_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (can_anywhere(user, "review") or can_anywhere(user, "catalogue")):
        raise PermissionDenied
    scope = scope_any(user, ("review", "catalogue"), "institution")
    status = request.GET.get("status", CorrectionRequest.Status.PENDING)
    corrections = (
        CorrectionRequest.objects.filter(scope)
        .select_related("holding", "institution", "requested_by", "decided_by")
        .order_by("requested_at", "pk")
    )
    if status in CorrectionRequest.Status.values:
        corrections = corrections.filter(status=status)
    page = _page(request, corrections)
    context = {"page": page, "status": status, "statuses": CorrectionRequest.Status.choices}
    return render(request, "census/correction_list.html", context)
