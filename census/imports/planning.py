"""Comparing checked rows with the register: create, update, unchanged, or a conflict.

A registered or submitted holding is locked: it changes by a correction request or the
reviewer's decision, never by an import.
"""

from functools import cache

from django.db.models.base import ModelState
from django.utils.translation import gettext as _

from census.imports.columns import FIELDS
from census.imports.report import ImportReport, Problem, RowPlan
from guji.cataloguing import catalogue_form
from guji.models import Holding, Institution
from guji.services import derive


@cache
def _defaults(model: type) -> dict:
    return {k: v for k, v in model().__dict__.items() if k != "_state"}


def instance(model: type, values: dict):
    """A new model instance without ``Model.__init__``, the largest cost of building 10⁵ of
    them: the field defaults of one instance made the ordinary way, then ``values`` (attnames).
    """
    obj = model.__new__(model)
    obj.__dict__.update(_defaults(model))
    obj.__dict__.update(values)
    obj._state = ModelState()
    return obj


def candidate(institution: Institution, plan: RowPlan) -> Holding:
    data = dict(plan.data)
    sibu_class, binding = data.pop("sibu_class"), data.pop("binding")
    data["institution_id"] = institution.pk
    data["sibu_class_id"] = sibu_class.pk if sibu_class else None
    data["binding_id"] = binding.pk if binding else None
    holding = instance(Holding, data)
    derive(holding, plan.statements)
    return holding


COMPARED = (
    *FIELDS,
    "volume_unit",
    "extent_note",
    "sibu_subdivision",
    "title",
    "juan_count",
    "authors_text",
)


def _display(value: object) -> str:
    return "" if value is None else str(value)


def locked_message(holding: Holding) -> str | None:
    """The census lock: a registered (accepted) entry changes only by a correction request."""
    if holding.status == Holding.Status.REGISTERED:
        return _(
            "Holding %(number)s is registered in the census: change it with a correction "
            "request, not by import."
        ) % {"number": holding.call_number}
    if holding.status == Holding.Status.SUBMITTED:
        return _("Holding %(number)s is under census review: wait for the reviewer's decision.") % {
            "number": holding.call_number
        }
    return None


def differences(old: Holding, new: Holding) -> list[tuple[str, str, str]]:
    changes = []
    for name in COMPARED:
        attname = Holding._meta.get_field(name).attname  # compare keys, show names
        before, after = getattr(old, attname), getattr(new, attname)
        if before == after or (before in ("", None) and after in ("", None)):
            continue
        if attname != name:
            before, after = getattr(old, name), getattr(new, name)
        label = str(Holding._meta.get_field(name).verbose_name)
        changes.append((label, _display(before), _display(after)))
    return changes


def plan_against_register(
    plans: list[RowPlan],
    *,
    institution: Institution,
    update_existing: bool,
    headers_call_number: str,
    report: ImportReport,
    batch_size: int,
) -> None:
    for start in range(0, len(plans), batch_size):
        batch = plans[start : start + batch_size]
        existing = {
            h.call_number: h
            for h in Holding.objects.filter(
                institution=institution, call_number__in=[p.data["call_number"] for p in batch]
            ).prefetch_related("responsibilities")
        }
        for plan in batch:
            holding = existing.get(plan.data["call_number"])
            if holding is None:
                continue
            plan.holding_id = holding.pk
            new = candidate(institution, plan)
            changes = differences(holding, new)
            old_statements = [r.statement() for r in holding.responsibilities.all()]
            if old_statements != plan.statements and holding.authors_text == new.authors_text:
                label = str(Holding._meta.get_field("authors_text").verbose_name)
                changes.append((label, catalogue_form(old_statements), new.authors_text))
            plan.changes = changes
            if not changes:
                plan.action = "unchanged"
                continue
            locked = locked_message(holding)
            if locked or not update_existing:
                plan.action = "conflict"
                report.problems.append(
                    Problem(
                        locked
                        or _(
                            "Call number %(number)s already exists at this institution with "
                            "other values (%(fields)s). Choose “update existing” to overwrite it."
                        )
                        % {
                            "number": plan.data["call_number"],
                            "fields": "、".join(c[0] for c in changes),
                        },
                        row=plan.row,
                        column=headers_call_number,
                        value=str(plan.data["call_number"]),
                        kind="conflict",
                    )
                )
            else:
                plan.action = "update"
