"""Rows for the census workflow tests: entries in a given state, with the users who act."""

from datetime import date

from census.models import Campaign, CensusEntry, Participation
from census.services import accept_entry, return_entry, submit_entries
from guji.models import Holding, Institution, RoleAssignment, User
from tests.factories import make_holding, make_institution, make_user

Role = RoleAssignment.Role


def make_campaign(*institutions: Institution, estimate: int = 100, **fields) -> Campaign:
    values = {"name": f"普查{Campaign.objects.count() + 1}", "starts_on": date(2026, 1, 1)}
    values.setdefault("ends_on", date(2027, 12, 31))
    values.update(fields)
    campaign = Campaign.objects.create(**values)
    for institution in institutions:
        Participation.objects.create(
            campaign=campaign, institution=institution, estimated_holdings=estimate
        )
    return campaign


def make_entry(
    status: str = Holding.Status.SUBMITTED,
    *,
    institution: Institution | None = None,
    cataloguer: User | None = None,
    reviewer: User | None = None,
    **data,
) -> CensusEntry:
    """A holding taken through the workflow to ``status``, as real users would."""
    institution = institution or make_institution()
    cataloguer = cataloguer or make_user(Role.CATALOGUER, institution)
    holding = make_holding(institution, by=cataloguer, **data)
    if status == Holding.Status.DRAFT:
        return CensusEntry(holding=holding, institution=institution)
    (entry,) = submit_entries([holding], by=cataloguer, reason="初次提交")
    if status == Holding.Status.SUBMITTED:
        return entry
    reviewer = reviewer or make_user(Role.REVIEWER)
    if status == Holding.Status.RETURNED:
        return_entry(
            entry, by=reviewer, comment="请核对", field_comments={"title_juan": "卷数有误"}
        )
    elif status == Holding.Status.REGISTERED:
        accept_entry(entry, by=reviewer, comment="与卡片核对无误")
    else:
        raise ValueError(status)
    entry.refresh_from_db()
    entry.holding.refresh_from_db()
    return entry
