"""Every write of graded protection: views, admin actions, the demo and commands call these.

Each function checks the acting user's right through ``guji.permissions`` (``by=None`` is the
code path: demo data, migrations) and saves through ``save_audited`` so history keeps who and why.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from guji import editions, registry
from guji.files import images
from guji.grading import MinimumGrade, minimum_grade
from guji.history import save_audited
from guji.models import Grade, Holding, Institution, User
from guji.permissions import holds_globally, require
from guji.protection.checklist import Requirement, Result
from guji.protection.models import (
    ApplicationPhoto,
    Criterion,
    GradeProposal,
    KeyUnitAssessment,
    KeyUnitEvidence,
    Listing,
    ListingApplication,
    ListLevel,
    PreciousList,
)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why you are making this change."), code="reason_required")
    return reason


def _check(by: User | None, action: str, obj) -> None:
    if by is not None:
        require(by, action, obj)


def suggestion(holding: Holding) -> MinimumGrade:
    """The minimum grade the holding's edition statement fixes (WH/T 20 clause 3)."""
    return minimum_grade(editions.parse(holding.edition_statement or ""))


# --- grades -----------------------------------------------------------------------------------


@transaction.atomic
def propose_grade(
    holding: Holding,
    *,
    grade: str,
    criteria: Sequence[str],
    historical_value: str = "",
    academic_value: str = "",
    artistic_value: str = "",
    by: User | None,
    reason: str,
) -> GradeProposal:
    """Propose a grade for a holding; an open proposal for it is withdrawn in its favour."""
    _check(by, "propose_grade", holding)
    reason = _reason(reason)
    grade = Grade(grade)
    unknown = set(criteria) - set(Criterion.values)
    if unknown:
        raise ValidationError(_("Unknown criteria: %s") % ", ".join(sorted(unknown)))
    if not criteria:
        raise ValidationError(_("Cite at least one criterion."), code="criteria_required")
    if not (historical_value or academic_value or artistic_value).strip():
        raise ValidationError(
            _("Say which value (historical, academic or artistic) justifies the grade."),
            code="values_required",
        )
    for old in GradeProposal.objects.select_for_update().filter(
        holding=holding, status=GradeProposal.Status.PROPOSED
    ):
        old.status = GradeProposal.Status.WITHDRAWN
        save_audited(old, by=by, reason=_("Replaced by a new proposal"))
    hint = suggestion(holding)
    proposal = GradeProposal(
        holding=holding,
        grade=grade,
        criteria=list(dict.fromkeys(criteria)),
        clause=hint.clause or "",
        suggested_grade=hint.grade or "",
        historical_value=historical_value.strip(),
        academic_value=academic_value.strip(),
        artistic_value=artistic_value.strip(),
        proposed_by=by,
    )
    save_audited(proposal, by=by, reason=reason)
    return proposal


@transaction.atomic
def decide_grade(
    proposal: GradeProposal, *, grade: str, by: User | None, reason: str = ""
) -> GradeProposal:
    """Confirm the proposed grade, or give another with a reason; the holding takes the grade."""
    _check(by, "confirm_grade", proposal.holding)
    proposal = (
        GradeProposal.objects.select_for_update().select_related("holding").get(pk=proposal.pk)
    )
    if proposal.status != GradeProposal.Status.PROPOSED:
        raise ValidationError(
            _("This proposal was already decided or withdrawn; reload the page."), code="stale"
        )
    grade = Grade(grade)
    changed = grade != proposal.grade
    reason = _reason(reason) if changed else (reason or "").strip()
    reason = reason or _("Proposed grade confirmed")
    proposal.status = GradeProposal.Status.CHANGED if changed else GradeProposal.Status.CONFIRMED
    proposal.decided_grade = grade
    proposal.decided_by = by
    proposal.decided_at = timezone.now()
    proposal.decision_reason = reason
    save_audited(proposal, by=by, reason=reason)
    set_grade(proposal.holding, grade, by=by, reason=reason)
    return proposal


def set_grade(holding: Holding, grade: str, *, by: User | None, reason: str) -> Holding:
    """Give the holding its grade (a centre decision): a version of the holding records it.

    Not ``update_holding``: grading is the centre's and does not touch catalogue fields, so it
    needs neither the institution's cataloguing right nor an unlocked record."""
    _check(by, "confirm_grade", holding)
    holding = Holding.objects.select_for_update().get(pk=holding.pk)
    holding.grade = Grade(grade).value
    save_audited(holding, by=by, reason=_reason(reason), fields=["grade", "updated_at"])
    return holding


@dataclass(frozen=True)
class BulkRow:
    holding: Holding
    hint: MinimumGrade

    @property
    def label(self) -> str:
        return str(Grade(self.hint.grade).label) if self.hint.grade else ""


def bulk_candidates(institution: Institution, *, limit: int | None = None) -> list[BulkRow]:
    """The institution's ungraded holdings without an open proposal, each with its minimum
    (the first ``limit`` by call number: a page reviews a batch at a time)."""
    holdings = (
        institution.holdings.filter(grade="")
        .exclude(grade_proposals__status=GradeProposal.Status.PROPOSED)
        .only("id", "title_juan", "call_number", "edition_statement", "institution_id")
        .order_by("call_number", "id")
    )
    if limit is not None:
        holdings = holdings[:limit]
    return [BulkRow(h, suggestion(h)) for h in holdings]


@transaction.atomic
def propose_many(
    institution: Institution, holding_ids: Iterable[int], *, by: User | None, reason: str
) -> list[GradeProposal]:
    """Propose each chosen holding's minimum grade, citing the edition's period (the bulk step)."""
    _check(by, "propose_grade", institution)
    reason = _reason(reason)
    wanted = set(holding_ids)
    out = []
    for row in bulk_candidates(institution):
        if row.holding.pk not in wanted or row.hint.grade is None:
            continue
        out.append(
            propose_grade(
                row.holding,
                grade=row.hint.grade,
                criteria=[Criterion.DATE],
                historical_value=row.hint.text,
                by=by,
                reason=reason,
            )
        )
    return out


# --- precious-books lists ---------------------------------------------------------------------


def _require_centre(by: User | None, action: str) -> None:
    if by is not None and not holds_globally(by, action):
        raise PermissionDenied


@transaction.atomic
def create_list(
    *, level: str, name: str, batch: int, year: int, issued_by: str, by: User | None, reason: str
) -> PreciousList:
    _require_centre(by, "review_listing")
    batch_ = PreciousList(
        level=ListLevel(level), name=name, batch=batch, year=year, issued_by=issued_by
    )
    batch_.full_clean()
    save_audited(batch_, by=by, reason=_reason(reason))
    return batch_


@transaction.atomic
def add_listing(
    precious_list: PreciousList,
    *,
    holding: Holding,
    number: int,
    entry_text: str = "",
    by: User | None,
    reason: str,
) -> tuple[Listing, list[str]]:
    """Enter a holding on a list; returns the entry and warnings (a list takes levels 1–2)."""
    _require_centre(by, "review_listing")
    listing = Listing(
        precious_list=precious_list, holding=holding, number=number, entry_text=entry_text
    )
    listing.full_clean()
    save_audited(listing, by=by, reason=_reason(reason))
    warnings = []
    if holding.grade and holding.grade[0] not in "12":
        warnings.append(
            _("Lists take level 1 and 2 books in principle; this holding is %(grade)s.")
            % {"grade": holding.get_grade_display()}
        )
    return listing, warnings


@transaction.atomic
def create_application(
    holding: Holding,
    *,
    level: str,
    description: str,
    justification: str,
    by: User | None,
    reason: str = "",
) -> ListingApplication:
    _check(by, "apply_listing", holding)
    app = ListingApplication(
        holding=holding,
        level=ListLevel(level),
        description=description.strip(),
        justification=justification.strip(),
        created_by=by,
    )
    app.full_clean()
    save_audited(app, by=by, reason=reason or _("Application prepared"))
    return app


def add_application_photo(
    app: ListingApplication, *, image, caption: str = "", by: User | None
) -> ApplicationPhoto:
    _check(by, "apply_listing", app.holding)
    if app.status not in (ListingApplication.Status.DRAFT, ListingApplication.Status.RETURNED):
        raise ValidationError(_("Only a draft or returned application takes photographs."))
    images.verify_image(image)  # a clear error for a damaged, huge or non-image file
    image.seek(0)
    photo = ApplicationPhoto(application=app, image=image, caption=caption)
    save_audited(photo, by=by, reason=_("Photograph added"))
    return photo


_APP_MOVES = {
    # action: (allowed from, to, who may)
    "submit": (("draft", "returned"), "submitted", "apply_listing"),
    "return": (("submitted",), "returned", "review_listing"),
    "forward": (("submitted",), "forwarded", "review_listing"),
}


@transaction.atomic
def move_application(
    app: ListingApplication, action: str, *, by: User | None, comment: str = ""
) -> ListingApplication:
    """submit (institution), return or forward (centre) an application; comment kept."""
    sources, target, right = _APP_MOVES[action]
    _check(by, right, app.holding)
    app = ListingApplication.objects.select_for_update().get(pk=app.pk)
    if app.status not in sources:
        raise ValidationError(
            _("This application is %(status)s; reload the page.")
            % {"status": app.get_status_display()},
            code="stale",
        )
    if action == "return":
        comment = _reason(comment)
    if action == "submit" and not app.holding.grade:
        raise ValidationError(_("Grade the holding before applying for a list."), code="ungraded")
    app.status = target
    if comment and action != "submit":
        app.centre_comment = comment
    save_audited(app, by=by, reason=comment or str(ListingApplication.Status(target).label))
    return app


@transaction.atomic
def record_outcome(
    app: ListingApplication,
    *,
    listed: bool,
    precious_list: PreciousList | None = None,
    number: int | None = None,
    by: User | None,
    reason: str,
) -> ListingApplication:
    _check(by, "review_listing", app.holding)
    app = ListingApplication.objects.select_for_update().get(pk=app.pk)
    if app.status != ListingApplication.Status.FORWARDED:
        raise ValidationError(_("Only a forwarded application has an outcome."), code="stale")
    reason = _reason(reason)
    if listed:
        if precious_list is None or number is None:
            raise ValidationError(_("Name the list and the entry's number."))
        app.listing, _warnings = add_listing(
            precious_list, holding=app.holding, number=number, by=by, reason=reason
        )
        app.status = ListingApplication.Status.LISTED
    else:
        app.status = ListingApplication.Status.NOT_LISTED
    save_audited(app, by=by, reason=reason)
    return app


# --- key protection units ---------------------------------------------------------------------


def collection_summary(institution: Institution) -> dict:
    """Collection size and holdings by grade, as the self-assessment records them."""
    holdings = Holding.objects.filter(institution=institution)
    by_grade = dict(
        holdings.order_by().values_list("grade").annotate(n=Count("id")).values_list("grade", "n")
    )
    return {
        "holdings": sum(by_grade.values()),
        "by_grade": {g or "": n for g, n in sorted(by_grade.items())},
        "shanben": sum(n for g, n in by_grade.items() if g and g[0] in "123"),
        "listed": Listing.objects.filter(holding__institution=institution).count(),
    }


def measured_compliance(institution: Institution) -> list[dict] | None:
    """Per room: share of the last year's readings in range, and TWPI — when the environment
    app offers ``room_compliance``; None before it exists (the form then asks for evidence)."""
    fn = registry.provider("room_compliance")
    return fn(institution) if fn is not None else None


def _clean_answers(answers: Mapping[str, Mapping[str, str]]) -> dict:
    out = {}
    for req in Requirement:
        given = answers.get(req.value) or {}
        result = given.get("result", "")
        if result and result not in Result.values:
            raise ValidationError(_("Unknown result for %s.") % req.label)
        out[req.value] = {"result": result, "note": (given.get("note") or "").strip()}
    return out


@transaction.atomic
def save_assessment(
    institution: Institution,
    *,
    level: str,
    answers: Mapping[str, Mapping[str, str]],
    staff_count: int,
    assessment: KeyUnitAssessment | None = None,
    by: User | None,
    reason: str = "",
) -> KeyUnitAssessment:
    _check(by, "assess_key_unit", institution)
    if assessment is None:
        assessment = KeyUnitAssessment(institution=institution)
    elif assessment.status not in (
        KeyUnitAssessment.Status.DRAFT,
        KeyUnitAssessment.Status.RETURNED,
    ):
        raise ValidationError(_("A submitted assessment is with the centre."), code="stale")
    assessment.level = ListLevel(level)
    assessment.answers = _clean_answers(answers)
    assessment.staff_count = staff_count
    save_audited(assessment, by=by, reason=reason or _("Self-assessment saved"))
    return assessment


def add_evidence(
    assessment: KeyUnitAssessment, *, requirement: str, file, description: str, by: User | None
) -> KeyUnitEvidence:
    _check(by, "assess_key_unit", assessment.institution)
    evidence = KeyUnitEvidence(
        assessment=assessment,
        requirement=Requirement(requirement),
        file=file,
        description=description,
    )
    save_audited(evidence, by=by, reason=_("Evidence attached"))
    return evidence


@transaction.atomic
def submit_assessment(assessment: KeyUnitAssessment, *, by: User | None) -> KeyUnitAssessment:
    _check(by, "assess_key_unit", assessment.institution)
    assessment = KeyUnitAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status not in (
        KeyUnitAssessment.Status.DRAFT,
        KeyUnitAssessment.Status.RETURNED,
    ):
        raise ValidationError(_("This assessment is already with the centre."), code="stale")
    missing = [str(Requirement(k).label) for k, v in assessment.answers.items() if not v["result"]]
    if missing or not assessment.answers:
        raise ValidationError(
            _("Assess every requirement before submitting: %s") % "、".join(missing)
        )
    assessment.collection_summary = collection_summary(assessment.institution)
    assessment.compliance_summary = {"rooms": measured_compliance(assessment.institution)}
    assessment.status = KeyUnitAssessment.Status.SUBMITTED
    save_audited(assessment, by=by, reason=_("Submitted to the centre"))
    institution = assessment.institution
    if not institution.key_protection:
        institution.key_protection = Institution.KeyProtection.APPLYING
        save_audited(
            institution,
            by=by,
            reason=_("Key-unit self-assessment submitted"),
            fields=["key_protection"],
        )
    return assessment


@transaction.atomic
def review_assessment(
    assessment: KeyUnitAssessment, *, accept: bool, comment: str, by: User | None
) -> KeyUnitAssessment:
    _check(by, "review_key_unit", assessment.institution)
    assessment = KeyUnitAssessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.status != KeyUnitAssessment.Status.SUBMITTED:
        raise ValidationError(_("Only a submitted assessment is reviewed."), code="stale")
    comment = _reason(comment) if not accept else (comment or "").strip()
    assessment.status = (
        KeyUnitAssessment.Status.ACCEPTED if accept else KeyUnitAssessment.Status.RETURNED
    )
    assessment.centre_comment = comment
    save_audited(assessment, by=by, reason=comment or _("Accepted by the centre"))
    return assessment
