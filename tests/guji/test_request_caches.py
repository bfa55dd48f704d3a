"""Answers remembered for one request (the user's institutions and grants, the header's menus)
never reach another request or another user."""

import pytest
from django.urls import reverse

from guji.models import User
from guji.notifications import notify
from guji.permissions import can, grant, grant_role, revoke, scope_filter
from tests.factories import make_holding, make_user

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def _sees(client, holding) -> bool:
    detail = client.get(reverse("holding_detail", args=[holding.pk])).status_code
    listed = (
        reverse("holding_detail", args=[holding.pk])
        in client.get(reverse("holding_list")).content.decode()
    )
    assert (detail == 200) == listed  # the list and the record page agree
    return listed


def test_a_role_granted_between_two_requests_counts_at_the_next_one(world, client):
    cataloguer = make_user("cataloguer", world.institution_a)
    client.force_login(cataloguer)
    assert _sees(client, world.holding_a)
    assert not _sees(client, world.holding_b)

    # granted elsewhere (another request, another copy of the user)
    grant_role(
        _fresh(cataloguer),
        "cataloguer",
        institution=world.institution_b,
        by=world.users["centre_admin"],
        reason="兼任乙馆编目",
    )

    assert _sees(client, world.holding_b)
    assert _sees(client, world.holding_a)


def test_one_client_signed_in_as_two_users_sees_each_ones_own(world, client):
    client.force_login(world.users["cataloguer_a"])
    assert _sees(client, world.holding_a) and not _sees(client, world.holding_b)

    client.force_login(world.users["cataloguer_b"])
    assert _sees(client, world.holding_b) and not _sees(client, world.holding_a)

    client.force_login(world.users["cataloguer_a"])
    assert _sees(client, world.holding_a) and not _sees(client, world.holding_b)


def test_a_grant_on_one_object_between_two_requests_counts_at_the_next_one(world, client):
    conservator = make_user("conservator")
    other = make_holding(world.institution_b)
    client.force_login(conservator)
    edit = reverse("holding_edit", args=[other.pk])
    assert client.get(edit).status_code == 403

    grant(_fresh(conservator), "catalogue", other, by=world.users["centre_admin"], reason="核对")
    assert client.get(edit).status_code == 200

    revoke(_fresh(conservator), "catalogue", other, by=world.users["centre_admin"], reason="完成")
    assert client.get(edit).status_code == 403


def test_the_same_user_object_forgets_its_answers_when_its_grants_change(world):
    user = make_user()
    holding = make_holding(world.institution_b)
    assert not can(user, "catalogue", holding)  # remembered: nothing

    grant(user, "catalogue", holding, by=world.users["centre_admin"], reason="核对")
    assert can(user, "catalogue", holding)

    grant_role(user, "cataloguer", institution=world.institution_a, by=None, reason="入职")
    assert can(user, "catalogue", world.holding_a)
    scoped = holding.__class__.objects.filter(scope_filter(user, "catalogue", "institution"))
    assert set(scoped) >= {world.holding_a}

    revoke(user, "catalogue", holding, by=world.users["centre_admin"], reason="完成")
    assert not can(user, "catalogue", holding)


def test_the_unread_count_in_the_header_is_counted_at_every_request(world, client):
    user = make_user("cataloguer", world.institution_a)
    client.force_login(user)
    assert 'class="unread"' not in client.get(reverse("help")).content.decode()

    notify(user, "条目被退回")

    page = client.get(reverse("help")).content.decode()
    assert 'class="unread"' in page and ">1</span>" in page


def test_the_header_menus_are_each_users_own(world, client):
    client.force_login(world.users["centre_admin"])
    admin_page = client.get(reverse("help")).content.decode()
    client.force_login(world.users["cataloguer_a"])
    cataloguer_page = client.get(reverse("help")).content.decode()

    lockouts = reverse("lockout_list")
    assert lockouts in admin_page
    assert lockouts not in cataloguer_page
