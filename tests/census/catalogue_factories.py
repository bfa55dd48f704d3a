"""Registered holdings for the catalogue export tests, numbered as the tests need them."""

from census.models import Campaign, CensusEntry
from guji.history import save_audited
from guji.models import Holding, Institution
from tests.factories import make_holding


def register(holding: Holding, serial: int, *, campaign: Campaign | None = None) -> Holding:
    """Give a holding census number ``serial`` and the registered state, as acceptance does."""
    institution = holding.institution
    holding.census_number = f"{institution.region_code}-{institution.code}-{serial:07d}"
    holding.status = Holding.Status.REGISTERED
    save_audited(holding, by=None, reason="测试：登记", fields=["census_number", "status"])
    CensusEntry.objects.update_or_create(
        holding=holding, defaults={"institution": institution, "campaign": campaign}
    )
    return holding


def make_registered(
    institution: Institution, serial: int, *, campaign: Campaign | None = None, **data
) -> Holding:
    return register(make_holding(institution, **data), serial, campaign=campaign)
