from types import SimpleNamespace

import pytest
from django.db import transaction

from guji.models import RoleAssignment
from tests.factories import make_holding, make_institution, make_user

Role = RoleAssignment.Role

# Every role a test may sign in as, with the institution an institution role is held at.
ROLE_USERS = {
    "cataloguer_a": (Role.CATALOGUER, "a"),
    "manager_a": (Role.MANAGER, "a"),
    "cataloguer_b": (Role.CATALOGUER, "b"),
    "reviewer": (Role.REVIEWER, None),
    "conservator": (Role.CONSERVATOR, None),
    "centre_admin": (Role.CENTRE_ADMIN, None),
    "provincial": (Role.PROVINCIAL, None),
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Institutions A and B with a holding each, and one user per role.

    Built once per module inside a transaction that is rolled back afterwards; each test runs in
    a savepoint within it, so tests may add rows freely. Not for modules with transactional
    tests (live_server, transaction=True): their flush would run inside this transaction.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        institutions = {
            "a": make_institution(name="甲图书馆", short_name="甲馆"),
            "b": make_institution(name="乙图书馆", short_name="乙馆"),
        }
        users = {
            key: make_user(role, institutions[at] if at else None, username=key)
            for key, (role, at) in ROLE_USERS.items()
        }
        yield SimpleNamespace(
            users=users,
            institution_a=institutions["a"],
            institution_b=institutions["b"],
            holding_a=make_holding(institutions["a"]),
            holding_b=make_holding(institutions["b"]),
        )
        transaction.set_rollback(True)
