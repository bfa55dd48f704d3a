"""A world with one row of every API endpoint at institutions A and B, and a token per role."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import transaction

from guji.api.tokens import issue_token
from tests.guji.conftest import ROLE_USERS, world  # noqa: F401 -- the shared fixture

# Which institutions each role sees (the pages' rule): institution staff their own, the centre all.
SEES = {
    "cataloguer_a": {"a"},
    "manager_a": {"a"},
    "cataloguer_b": {"b"},
    "reviewer": {"a", "b"},
    "conservator": {"a", "b"},
    "centre_admin": {"a", "b"},
    "provincial": {"a", "b"},
}
assert set(SEES) == set(ROLE_USERS)


def make_rows_at(institution, holding, conservator, admin) -> dict:
    from census.models import CensusEntry
    from environment.models import DailyRollup
    from tests.conservation.factories import assess, plan_for
    from tests.environment.factories import make_room, make_sensor

    entry = CensusEntry.objects.create(holding=holding, institution=institution, round=1)
    assessment = assess(holding, conservator)
    plan = plan_for(holding, by=conservator, conservators=[conservator], approve_by=admin)
    room = make_room(institution)
    rollup = DailyRollup.objects.create(
        sensor=make_sensor(room),
        day=datetime.date(2025, 3, 1),
        count=144,
        t_min=18.0,
        t_max=20.0,
        t_mean=19.0,
        rh_min=48.0,
        rh_max=55.0,
        rh_mean=52.0,
        seconds=86400,
        seconds_measured=86400,
        seconds_in_range=80000,
        pi_rate=86400 / 45,
    )
    return {
        "holdings": holding.pk,
        "institutions": institution.pk,
        "census-entries": entry.pk,
        "damage-assessments": assessment.pk,
        "repairs": plan.pk,
        "rooms": room.pk,
        "daily-climate": rollup.pk,
    }


@pytest.fixture(scope="module")
def api(world, django_db_blocker):  # noqa: F811
    """``api.ids[endpoint][institution key]`` and ``api.keys[role]`` (a token key each)."""
    with django_db_blocker.unblock(), transaction.atomic():
        conservator, admin = world.users["conservator"], world.users["centre_admin"]
        at = {
            "a": make_rows_at(world.institution_a, world.holding_a, conservator, admin),
            "b": make_rows_at(world.institution_b, world.holding_b, conservator, admin),
        }
        ids = {endpoint: {k: at[k][endpoint] for k in at} for endpoint in at["a"]}
        keys = {
            role: issue_token(user, name="测试", by=user)[1] for role, user in world.users.items()
        }
        yield SimpleNamespace(ids=ids, keys=keys, world=world)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counts live in the cache: each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}
