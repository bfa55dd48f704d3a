"""Writing the repair base: the one path that views, commands and the demo loader call.

Each function checks permission through guji.permissions, validates, and saves with the history
user and reason (guji.history.save_audited), so every write shows in the holding's timeline.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from conservation.grading import Decision, damage_level
from conservation.models import (
    Acceptance,
    Assessment,
    DamageScheme,
    Finding,
    HoldingDamage,
    MaterialBatch,
    QualityGrade,
    RepairLog,
    RepairOperation,
    RepairPlan,
    RepairRequest,
)
from guji.history import save_audited
from guji.models import Holding, User
from guji.permissions import can, grant, require, revoke

PAPER_FIELDS = (
    "size_cm",
    "paper_kind",
    "paper_colour",
    "paper_thickness_mm",
    "chain_lines",
    "earlier_repairs",
)
FINDING_FIELDS = (
    "damage_type",
    "ph",
    "ph_method",
    "leaves_affected",
    "leaves_total",
    "area_pct",
    "leaf_area_pct",
    "item_area_pct",
    "fraction_of_sheet",
    "qualitative",
    "location",
    "notes",
)


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why you are making this change."), code="reason_required")
    return reason


def active_scheme() -> DamageScheme:
    scheme = DamageScheme.objects.filter(active=True).first()
    if scheme is None:
        raise ValidationError(_("No damage-level scheme is active; ask the centre administrator."))
    return scheme


# --- assessments ---------------------------------------------------------------------------------


@transaction.atomic
def create_assessment(
    holding: Holding,
    *,
    findings: Sequence[Mapping[str, object]],
    by: User | None,
    assessed_on: datetime.date | None = None,
    volume: int | None = None,
    scheme: DamageScheme | None = None,
    notes: str = "",
    override_level: int | None = None,
    override_reason: str = "",
    paper: Mapping[str, object] | None = None,
) -> Assessment:
    """Record a 破损定级 and grade it with the one damage-level function."""
    if by is not None:
        require(by, "assess", holding)
    scheme = scheme or active_scheme()
    if volume is not None and not 1 <= volume <= holding.volumes:
        raise ValidationError(
            {"volume": _("This holding has %(n)d ce.") % {"n": holding.volumes}}, code="volume"
        )
    numbers = set(scheme.levels.values_list("number", flat=True))
    override_reason = (override_reason or "").strip()
    if override_level is not None:
        if override_level not in numbers:
            raise ValidationError({"override_level": _("Not a level of this scheme.")})
        if not override_reason:
            raise ValidationError(
                {"override_reason": _("Say why you override the computed level.")},
                code="override_reason",
            )
    types = [f["damage_type"] for f in findings]
    if len(set(types)) != len(types):
        raise ValidationError(_("Record each damage type once per assessment."), code="dup_type")
    rows = [Finding(**{k: v for k, v in f.items() if k in FINDING_FIELDS}) for f in findings]
    for row in rows:
        row.full_clean(exclude=["assessment"])
    decision = damage_level(rows, scheme)
    assessment = Assessment(
        holding=holding,
        institution_id=holding.institution_id,
        volume=volume,
        scheme=scheme,
        assessed_by=by,
        assessed_on=assessed_on or timezone.localdate(),
        notes=notes,
        computed_level=decision.level,
        computed_rule=decision.rule,
        override_level=override_level,
        override_reason=override_reason,
        **{k: v for k, v in (paper or {}).items() if k in PAPER_FIELDS and v is not None},
    )
    reason = _("Damage assessed")
    if override_level is not None:
        reason = f"{reason}; {_('level overridden')}: {override_reason}"
    save_audited(assessment, by=by, reason=reason)
    for row in rows:
        row.assessment = assessment
        save_audited(row, by=by, reason=reason)
    _store_current(holding)
    return assessment


def _store_current(holding: Holding) -> None:
    now = current_damage(holding)
    HoldingDamage.objects.update_or_create(
        holding=holding,
        defaults={
            "level": now.level,
            "level_name": now.name,
            "assessed_on": max(a.assessed_on for a in now.assessments),
        },
    )


def regrade(assessment: Assessment) -> Decision:
    """The decision for a stored assessment (under its own scheme), e.g. to show per-type levels."""
    return damage_level(list(assessment.findings.select_related("damage_type")), assessment.scheme)


@dataclass(frozen=True)
class CurrentDamage:
    level: int | None
    name: str
    assessments: list[Assessment]  # the ones that decided: the latest per unit (部 or 册)


def current_damage(holding: Holding) -> CurrentDamage | None:
    """The holding's damage level now: the latest whole-部 assessment and any later per-册 ones,
    each 册 by its latest assessment; the worst decides (damage.md §4 rule 3)."""
    assessments = list(
        holding.assessments.select_related("scheme").prefetch_related("scheme__levels")
    )  # newest first
    if not assessments:
        return None
    latest: dict[int | None, Assessment] = {}
    for a in assessments:
        if a.volume is None and None in latest:
            continue
        if None in latest:
            break  # older than the latest whole-部 assessment
        latest.setdefault(a.volume, a)
        if a.volume is None:
            break
    deciding = list(latest.values())
    graded = [a for a in deciding if a.level is not None]
    if not graded:
        return CurrentDamage(None, str(_("no damage level reached")), deciding)
    worst = min(graded, key=lambda a: a.level)
    return CurrentDamage(worst.level, worst.level_name(), deciding)


# --- requests and the queue --------------------------------------------------------------------


@transaction.atomic
def request_repair(holding: Holding, *, description: str, by: User) -> RepairRequest:
    """An institution asks for repair of its holding (its cataloguers and manager may)."""
    require(by, "catalogue", holding)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Say what needs repair.")})
    if holding.repair_requests.filter(status=RepairRequest.Status.OPEN).exists():
        raise ValidationError(_("A request for this holding is already waiting."), code="dup")
    req = RepairRequest(
        holding=holding, institution_id=holding.institution_id, requested_by=by,
        description=description,
    )  # fmt: skip
    save_audited(req, by=by, reason=_("Repair requested"))
    return req


# --- plans ---------------------------------------------------------------------------------------

PLAN_FIELDS = (
    "volumes",
    "condition_summary",
    "goals",
    "methods",
    "materials",
    "estimated_hours",
)


def _check_conservators(conservators: Iterable[User]) -> list[User]:
    conservators = list(conservators)
    if not conservators:
        raise ValidationError({"conservators": _("Assign at least one conservator.")})
    for user in conservators:
        if not user.role_assignments.filter(role="conservator").exists():
            raise ValidationError(
                {"conservators": _("%(user)s is not a conservator.") % {"user": user}}
            )
    return conservators


def _sync_grants(
    plan: RepairPlan, before: set[int], after: list[User], *, by: User | None, reason: str
) -> None:
    """The assigned conservators hold "repair" on this plan alone (guji.permissions.grant)."""
    after_ids = {u.pk for u in after}
    for user in after:
        if user.pk not in before:
            grant(user, "repair", plan, by=by, reason=reason)
    for user in User.objects.filter(pk__in=before - after_ids):
        revoke(user, "repair", plan, by=by, reason=reason)


@transaction.atomic
def create_plan(
    holding: Holding,
    *,
    data: Mapping[str, object],
    operations: Iterable[RepairOperation],
    conservators: Iterable[User],
    by: User,
    assessment: Assessment | None = None,
    request: RepairRequest | None = None,
) -> RepairPlan:
    require(by, "plan", holding)
    conservators = _check_conservators(conservators)
    plan = RepairPlan(
        holding=holding,
        institution_id=holding.institution_id,
        planned_by=by,
        assessment=assessment or holding.assessments.first(),
        request=request or holding.repair_requests.filter(status="open").first(),
        **{k: data[k] for k in PLAN_FIELDS if k in data},
    )
    plan.full_clean(exclude=["planned_by", "conservators", "operations"])
    reason = _("Repair plan drawn up")
    save_audited(plan, by=by, reason=reason)
    plan.operations.set(operations)
    plan.conservators.set(conservators)
    _sync_grants(plan, set(), conservators, by=by, reason=reason)
    if plan.request is not None:
        plan.request.status = RepairRequest.Status.PLANNED
        save_audited(plan.request, by=by, reason=reason, fields=["status"])
    return plan


def may_edit_plan(user: User, plan: RepairPlan) -> bool:
    return plan.status != RepairPlan.Status.ACCEPTED and (
        can(user, "plan", plan.holding) or can(user, "repair", plan)
    )


@transaction.atomic
def update_plan(
    plan: RepairPlan,
    *,
    data: Mapping[str, object],
    operations: Iterable[RepairOperation],
    conservators: Iterable[User],
    by: User,
    version: int,
    reason: str = "",
) -> RepairPlan:
    """Change a plan. After approval a change needs a reason and becomes a new revision."""
    plan = RepairPlan.objects.select_for_update().get(pk=plan.pk)
    if not may_edit_plan(by, plan):
        raise PermissionDenied
    if version != plan.version:
        raise ValidationError(
            _("Someone else changed this plan after you opened it. Reload it and make your change "
              "again."),
            code="stale",
        )  # fmt: skip
    conservators = _check_conservators(conservators)
    if plan.status == RepairPlan.Status.DRAFT:
        reason = (reason or "").strip() or _("Repair plan changed")
    else:
        reason = _reason(reason)
        plan.revision += 1
    for k in PLAN_FIELDS:
        if k in data:
            setattr(plan, k, data[k])
    plan.version += 1
    plan.full_clean(exclude=["planned_by", "conservators", "operations"])
    before = set(plan.conservators.values_list("pk", flat=True))
    save_audited(plan, by=by, reason=reason)
    plan.operations.set(operations)
    plan.conservators.set(conservators)
    _sync_grants(plan, before, conservators, by=by, reason=reason)
    return plan


@transaction.atomic
def approve_plan(plan: RepairPlan, *, by: User, comment: str = "") -> RepairPlan:
    require(by, "approve_plan", plan)
    plan = RepairPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != RepairPlan.Status.DRAFT:
        raise ValidationError(_("Only a draft plan can be approved."), code="not_draft")
    plan.status = RepairPlan.Status.APPROVED
    plan.approved_by = by
    plan.approved_at = timezone.now()
    plan.approval_comment = (comment or "").strip()
    plan.version += 1
    save_audited(plan, by=by, reason=plan.approval_comment or _("Repair plan approved"))
    return plan


# --- logs ----------------------------------------------------------------------------------------

LOG_FIELDS = (
    "worked_on",
    "volumes",
    "volume_count",
    "leaves",
    "leaf_count",
    "hours",
    "interruptions",
    "findings",
)


@transaction.atomic
def add_log(
    plan: RepairPlan,
    *,
    data: Mapping[str, object],
    operations: Iterable[RepairOperation],
    materials: Iterable[MaterialBatch],
    by: User,
) -> RepairLog:
    """One work session, by a conservator with rights on the plan, after approval."""
    require(by, "repair", plan)
    if plan.status != RepairPlan.Status.APPROVED:
        raise ValidationError(
            _("Work is logged on an approved plan that is not finished."), code="not_approved"
        )
    log = RepairLog(plan=plan, conservator=by, **{k: data[k] for k in LOG_FIELDS if k in data})
    log.full_clean(exclude=["operations", "materials"])
    save_audited(log, by=by, reason=_("Work session logged"))
    log.operations.set(operations)
    log.materials.set(materials)
    return log


@dataclass(frozen=True)
class Totals:
    sessions: int
    hours: Decimal
    volumes: int
    leaves: int


def plan_totals(plan: RepairPlan) -> Totals:
    agg = plan.logs.aggregate(
        n=Count("id"), hours=Sum("hours"), volumes=Sum("volume_count"), leaves=Sum("leaf_count")
    )
    return Totals(agg["n"], agg["hours"] or Decimal(0), agg["volumes"] or 0, agg["leaves"] or 0)


@transaction.atomic
def finish_work(plan: RepairPlan, *, by: User, note: str = "") -> RepairPlan:
    require(by, "repair", plan)
    plan = RepairPlan.objects.select_for_update().get(pk=plan.pk)
    if plan.status != RepairPlan.Status.APPROVED or not plan.logs.exists():
        raise ValidationError(_("Log the work before declaring it finished."), code="no_logs")
    plan.status = RepairPlan.Status.FINISHED
    plan.version += 1
    save_audited(plan, by=by, reason=(note or "").strip() or _("Work finished"))
    return plan


def workers(plan: RepairPlan) -> set[int]:
    """Everyone who did the work: the assigned conservators and whoever logged a session."""
    return set(plan.conservators.values_list("pk", flat=True)) | set(
        plan.logs.values_list("conservator_id", flat=True)
    )


@transaction.atomic
def accept_repair(
    plan: RepairPlan,
    *,
    result: QualityGrade,
    by: User,
    criteria: Sequence[str] = (),
    remarks: str = "",
    accepted_on: datetime.date | None = None,
) -> Acceptance:
    """验收 by someone who did not work on the plan; a failed result sends the work back."""
    require(by, "accept_repair", plan)
    plan = RepairPlan.objects.select_for_update().get(pk=plan.pk)
    if by.pk in workers(plan):
        raise ValidationError(
            _("A repair is accepted by someone who did not work on it."), code="own_work"
        )
    if plan.status != RepairPlan.Status.FINISHED:
        raise ValidationError(_("Only finished work can be accepted."), code="not_finished")
    remarks = (remarks or "").strip()
    if not result.passed and not remarks:
        raise ValidationError({"remarks": _("Say what must be redone.")}, code="remarks")
    acceptance = Acceptance(
        plan=plan,
        inspector=by,
        accepted_on=accepted_on or timezone.localdate(),
        result=result,
        criteria=list(criteria),
        remarks=remarks,
    )
    reason = f"{_('Acceptance')}: {result}"
    save_audited(acceptance, by=by, reason=reason)
    plan.status = RepairPlan.Status.ACCEPTED if result.passed else RepairPlan.Status.APPROVED
    plan.version += 1
    save_audited(plan, by=by, reason=reason)
    return acceptance


# --- materials -----------------------------------------------------------------------------------


BATCH_FIELDS = (
    "kind",
    "name",
    "batch_code",
    "maker",
    "supplier",
    "fibre",
    "ph",
    "thickness_mm",
    "colour",
    "received_on",
    "quantity",
    "remaining",
    "unit",
    "notes",
)


@transaction.atomic
def save_batch(
    batch: MaterialBatch | None, *, data: Mapping[str, object], by: User, reason: str = ""
) -> MaterialBatch:
    if not can(by, "materials", batch or MaterialBatch()):
        raise PermissionDenied
    batch = batch or MaterialBatch()
    for k in BATCH_FIELDS:
        if k in data:
            setattr(batch, k, data[k])
    if batch.remaining is None:
        batch.remaining = batch.quantity
    batch.full_clean()
    save_audited(batch, by=by, reason=(reason or "").strip() or _("Material batch recorded"))
    return batch


def recall(batch: MaterialBatch):
    """Every holding mended with ``batch``: one query."""
    return (
        Holding.objects.filter(repair_plans__logs__materials=batch)
        .select_related("institution")
        .distinct()
        .order_by("institution__code", "call_number")
    )
