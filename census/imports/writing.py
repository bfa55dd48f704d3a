"""Writing a checked, planned import: new holdings at the driver with their history rows
(``guji.files.bulk``), updates through the register's own ``update_holding``. The caller holds
the transaction: all or nothing.
"""

from itertools import islice

from census.imports.planning import candidate, instance, locked_message
from census.imports.report import Progress, RowPlan
from guji.concurrency import StaleEdit
from guji.files.bulk import create_with_history
from guji.models import Holding, Institution, Responsibility, User
from guji.services import update_holding


class RegisterChanged(Exception):
    """Between the check and the write, someone else created or changed one of the holdings."""


def write(
    plans: list[RowPlan],
    *,
    institution: Institution,
    by: User,
    reason: str,
    batch_size: int,
    progress: Progress | None,
) -> None:
    to_write = [p for p in plans if p.action in ("create", "update")]
    total, done = len(to_write), 0
    creates = iter(p for p in to_write if p.action == "create")
    while batch := list(islice(creates, batch_size)):
        numbers = [p.data["call_number"] for p in batch]
        clash = list(
            Holding.objects.filter(institution=institution, call_number__in=numbers).values_list(
                "call_number", flat=True
            )[:5]
        )
        if clash:
            raise RegisterChanged(", ".join(clash))
        holdings = [candidate(institution, p) for p in batch]
        create_with_history(holdings, by=by, reason=reason)
        statements = [
            instance(
                Responsibility,
                {
                    "holding_id": holding.pk,
                    "seq": seq,
                    "dynasty": s.dynasty,
                    "name": s.name,
                    "role": s.role,
                    "attributed": s.attributed,
                    "supplied": s.supplied,
                    "written": s.written,
                },
            )
            for holding, plan in zip(holdings, batch, strict=True)
            for seq, s in enumerate(plan.statements, start=1)
        ]
        create_with_history(statements, by=by, reason=reason)
        for holding, plan in zip(holdings, batch, strict=True):
            plan.holding_id = holding.pk
        done += len(batch)
        if progress:
            progress("writing", done, total)
    for plan in to_write:
        if plan.action != "update":
            continue
        holding = Holding.objects.get(pk=plan.holding_id)
        if locked_message(holding):
            raise RegisterChanged(holding.call_number)
        try:
            update_holding(
                holding,
                data=plan.update,
                statements=plan.update_statements,
                by=by,
                reason=reason,
                expected_version=plan.version,  # as planned, or nothing
            )
        except StaleEdit:
            raise RegisterChanged(holding.call_number) from None
        done += 1
        if progress and done % 100 == 0:
            progress("writing", done, total)
    if progress:
        progress("writing", done, total)
