"""Comparing checked rows with the register: create, update, unchanged, or a conflict.

A registered or submitted holding is locked: it changes by a correction request or the
reviewer's decision, never by an import.
"""

from functools import cache

from django.db.models import Max
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


def versions(pks: list[int]) -> dict[int, int]:
    """{holding id: version} for many holdings in one query: the version is what
    ``guji.concurrency.current_version`` says, the id of the newest history row."""
    rows = (
        Holding.history.filter(id__in=pks)
        .values("id")
        .annotate(version=Max("history_id"))
        .values_list("id", "version")
    )
    return {pk: 0 for pk in pks} | dict(rows)


def plan_update(holding: Holding, plan: RowPlan, *, clear_empty: bool) -> None:
    """What an update of ``holding`` by this row sets: the fields of the cells that hold a value
    and, when ``clear_empty``, the empty cells' fields; a column the file lacks changes nothing.
    Sets ``plan.update``, ``plan.update_statements``, ``plan.changes`` and ``plan.clears``."""
    fields = set(plan.given) | (set(plan.blank) if clear_empty else set())
    fields -= {"call_number"}  # the key the row was matched by
    authors = "authors" in fields
    fields.discard("authors")
    plan.update = {name: plan.data[name] for name in COMPARED if name in fields}
    plan.update_statements = list(plan.statements) if authors else None
    values = {f.attname: getattr(holding, f.attname) for f in Holding._meta.concrete_fields}
    for name, value in plan.update.items():
        if name in ("sibu_class", "binding"):
            values[f"{name}_id"] = value.pk if value else None
        else:
            values[name] = value
    if "title_juan" in plan.update:  # title and juan are read again, as update_holding does
        values["title"], values["juan_count"] = "", None
    new = instance(Holding, values)
    derive(new, plan.update_statements)
    changes = differences(holding, new)
    old_statements = [r.statement() for r in holding.responsibilities.all()]
    label = str(Holding._meta.get_field("authors_text").verbose_name)
    if authors and old_statements != plan.statements and holding.authors_text == new.authors_text:
        changes.append((label, catalogue_form(old_statements), new.authors_text))
    plan.changes = changes
    emptied = (plan.blank - {"authors"}) if clear_empty else set()
    plan.clears = [
        str(Holding._meta.get_field(name).verbose_name)
        for name in COMPARED
        if name in emptied and getattr(holding, name) not in ("", None)
    ]
    if clear_empty and "authors" in plan.blank and (old_statements or holding.authors_text):
        plan.clears.append(label)


def plan_against_register(
    plans: list[RowPlan],
    *,
    institution: Institution,
    update_existing: bool,
    headers_call_number: str,
    report: ImportReport,
    batch_size: int,
    clear_empty: bool = False,
) -> None:
    for start in range(0, len(plans), batch_size):
        batch = plans[start : start + batch_size]
        existing = {
            h.call_number: h
            for h in Holding.objects.filter(
                institution=institution, call_number__in=[p.data["call_number"] for p in batch]
            ).prefetch_related("responsibilities")
        }
        seen = versions([h.pk for h in existing.values()])
        for plan in batch:
            holding = existing.get(plan.data["call_number"])
            if holding is None:
                continue
            plan.holding_id = holding.pk
            plan.version = seen[holding.pk]
            report.versions[holding.call_number] = plan.version
            plan_update(holding, plan, clear_empty=clear_empty)
            changes = plan.changes
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


def changed_since_check(report: ImportReport, expected: dict[str, int] | None) -> list[str]:
    """The call numbers whose holdings are not as the dry run saw them: changed since (another
    version), created since (a planned new call number now taken), or gone. None when there was
    no dry run to compare with (the command imports the register as it is)."""
    if expected is None:
        return []
    now = report.versions
    return sorted(n for n in set(now) | set(expected) if now.get(n) != expected.get(n))
