"""Tokens: issued on the tokens page, shown once, stored hashed, revoked with history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from guji.api.models import ApiToken, hash_key
from guji.api.tokens import issue_token, revoke_token
from tests.api.conftest import auth

pytestmark = pytest.mark.django_db
HOLDINGS = "/api/v1/holdings/"


def test_a_revoked_token_fails_at_once(api, client):
    user = api.world.users["cataloguer_a"]
    token, key = issue_token(user, name="省平台", by=user)
    assert client.get(HOLDINGS, **auth(key)).status_code == 200

    revoke_token(token, by=user)

    response = client.get(HOLDINGS, **auth(key))
    assert response.status_code == 401
    assert client.get(HOLDINGS, **auth(api.keys["cataloguer_a"])).status_code == 200


def test_a_deactivated_users_token_fails(api, client):
    from tests.factories import make_user

    user = make_user("provincial")
    _token, key = issue_token(user, name="x", by=user)
    user.is_active = False
    user.save()

    assert client.get(HOLDINGS, **auth(key)).status_code == 401


def test_only_the_hash_is_stored(api):
    user = api.world.users["reviewer"]

    token, key = issue_token(user, name="统计", by=user)

    token.refresh_from_db()
    assert token.key_hash == hash_key(key) and key not in token.key_hash
    assert token.prefix == key[:8]
    assert not ApiToken.objects.filter(key_hash=key).exists()


def test_tokens_are_issued_only_to_oneself(api):
    admin, other = api.world.users["centre_admin"], api.world.users["reviewer"]

    with pytest.raises(PermissionDenied):
        issue_token(other, name="代办", by=admin)


def test_the_centre_administrator_revokes_anyones_token_saying_why(api):
    owner, admin = api.world.users["cataloguer_b"], api.world.users["centre_admin"]
    token, _key = issue_token(owner, name="同步", by=owner)

    with pytest.raises(ValidationError):
        revoke_token(token, by=admin, reason="")
    revoke_token(token, by=admin, reason="人员离职")

    token.refresh_from_db()
    assert token.revoked_by == admin and token.revoked_at is not None
    issued, revoked = token.history.order_by("history_date", "history_id")
    assert (issued.history_user, revoked.history_user) == (owner, admin)
    assert revoked.history_change_reason == "人员离职"
    assert "同步" in issued.history_change_reason


def test_nobody_else_revokes_a_token(api):
    owner = api.world.users["cataloguer_b"]
    token, _key = issue_token(owner, name="同步", by=owner)

    with pytest.raises(PermissionDenied):
        revoke_token(token, by=api.world.users["manager_a"], reason="试试")
    with pytest.raises(PermissionDenied):
        revoke_token(token, by=api.world.users["provincial"], reason="试试")


def test_the_page_issues_a_token_and_shows_the_key_once(api, client):
    user = api.world.users["manager_a"]
    client.force_login(user)

    response = client.post(reverse("guji_api:token_create"), {"name": "馆藏系统"})

    assert response.status_code == 200
    key = response.context["key"]
    assert key in response.content.decode()
    assert client.get(HOLDINGS, **auth(key)).status_code == 200
    page = client.get(reverse("guji_api:token_list")).content.decode()
    assert "馆藏系统" in page and key not in page and key[:8] in page


def test_the_page_refuses_a_token_without_a_name(api, client):
    client.force_login(api.world.users["manager_a"])

    response = client.post(reverse("guji_api:token_create"), {"name": "  "})

    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=api.world.users["manager_a"], name="").exists()


def test_a_user_revokes_their_own_token_on_the_page(api, client):
    user = api.world.users["cataloguer_a"]
    token, key = issue_token(user, name="临时", by=user)
    client.force_login(user)

    response = client.post(reverse("guji_api:token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert client.get(HOLDINGS, **auth(key)).status_code == 401
    page = client.get(reverse("guji_api:token_list")).content.decode()
    assert "临时" in page


def test_another_users_token_is_not_found_on_the_page(api, client):
    owner = api.world.users["cataloguer_b"]
    token, key = issue_token(owner, name="乙馆同步", by=owner)
    client.force_login(api.world.users["cataloguer_a"])

    assert client.post(reverse("guji_api:token_revoke", args=[token.pk])).status_code == 404
    assert "乙馆同步" not in client.get(reverse("guji_api:token_list")).content.decode()
    assert client.get(HOLDINGS, **auth(key)).status_code == 200


def test_the_centre_administrator_sees_and_revokes_others_tokens_on_the_page(api, client):
    owner = api.world.users["cataloguer_b"]
    token, key = issue_token(owner, name="乙馆同步", by=owner)
    client.force_login(api.world.users["centre_admin"])

    assert "乙馆同步" in client.get(reverse("guji_api:token_list")).content.decode()
    url = reverse("guji_api:token_revoke", args=[token.pk])
    client.post(url, {"reason": ""})
    assert client.get(HOLDINGS, **auth(key)).status_code == 200  # no reason: nothing revoked
    client.post(url, {"reason": "人员调动"})

    assert client.get(HOLDINGS, **auth(key)).status_code == 401
    assert "人员调动" in client.get(reverse("guji_api:token_list")).content.decode()
