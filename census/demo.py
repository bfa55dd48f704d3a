"""The census's part of the demo city: the campaign, and the demo holdings taken through it.

Registered in ``census.hooks``; ``load_demo`` runs it after the register's part has created the
institutions, users and draft holdings. The holdings a spec marks as submitted, returned or
registered are submitted by their cataloguer and decided by the reviewer, in call-number order
(so census serials follow it); drafts that are already further along are left alone.
"""

from collections import Counter, defaultdict
from datetime import date

from census.models import Campaign
from census.services import accept_entry, open_campaign, return_entry, submit_entries
from guji import demo
from guji.models import Holding, Institution, RoleAssignment, User

SUBMIT = "演示数据载入：提交普查审核"
ACCEPT = "演示数据载入：与原书核对无误"


def load() -> dict[str, int]:
    made: Counter[str] = Counter()
    _load_campaign(made)
    cataloguers: dict[str, str] = {}
    for row in demo.user_rows():
        if row["role"] == RoleAssignment.Role.CATALOGUER:
            cataloguers.setdefault(row["institution_code"], row["username"])
    reviewer = demo.demo_user(
        next(r["username"] for r in demo.user_rows() if r["role"] == RoleAssignment.Role.REVIEWER)
    )
    waiting: dict[str, list] = defaultdict(list)
    for spec, holding in demo.demo_holdings(status=Holding.Status.DRAFT):
        if spec.status != Holding.Status.DRAFT:
            waiting[spec.institution_code].append((spec, holding))
    for code, pairs in waiting.items():
        _review(pairs, cataloguer=demo.demo_user(cataloguers[code]), reviewer=reviewer)
        made.update(spec.status for spec, _holding in pairs)
    return {
        "census campaign": made["campaigns"],
        "registered": made[Holding.Status.REGISTERED],
        "awaiting review": made[Holding.Status.SUBMITTED],
        "returned": made[Holding.Status.RETURNED],
    }


def _load_campaign(made: Counter) -> None:
    row = demo.fixture_rows("campaign.csv")[0]
    if Campaign.objects.filter(name=row["name"]).exists():
        return
    estimates = {r["code"]: int(r["estimated"]) for r in demo.institution_rows()}
    institutions = Institution.objects.filter(code__in=estimates).order_by("code")
    open_campaign(
        name=row["name"],
        starts_on=date.fromisoformat(row["starts_on"]),
        ends_on=date.fromisoformat(row["ends_on"]),
        description=row["description"],
        participants={inst: estimates[inst.code] for inst in institutions},
        by=demo.demo_admin(),
        reason=demo.REASON,
    )
    made["campaigns"] += 1


def _review(pairs: list, *, cataloguer: User, reviewer: User) -> None:
    """Take the holdings that are not drafts through the census, as their people would."""
    entries = {
        e.holding_id: e
        for e in submit_entries([h for _spec, h in pairs], by=cataloguer, reason=SUBMIT)
    }
    for spec, holding in pairs:  # in call-number order, so census serials follow it
        if spec.status == Holding.Status.REGISTERED:
            accept_entry(entries[holding.pk], by=reviewer, comment=ACCEPT)
        elif spec.status == Holding.Status.RETURNED:
            comment, field_comments = spec.review
            return_entry(
                entries[holding.pk], by=reviewer, comment=comment, field_comments=field_comments
            )
