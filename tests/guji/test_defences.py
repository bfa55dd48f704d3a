"""Defences a production system is expected to have: login throttling, a strict CSP with nothing
inline, private pages, idle sessions, changing one's own password, logins that write no history."""

import re
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from guji.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _login(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_ten_failures_for_a_username_lock_it_even_with_the_right_password(client):
    make_user(username="lin", password="right-pw-123")
    for _ in range(settings.GUJI_LOGIN_FAILURES_PER_USER - 1):
        assert _login(client, "lin", "wrong").status_code == 200  # the form again, with an error
    assert _login(client, "lin", "wrong").status_code == 429  # the tenth locks the username

    response = _login(client, "lin", "right-pw-123", address="10.0.0.2")

    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_nine_failures_do_not_lock(client):
    make_user(username="lin", password="right-pw-123")
    for _ in range(settings.GUJI_LOGIN_FAILURES_PER_USER - 1):
        _login(client, "lin", "wrong")

    response = _login(client, "lin", "right-pw-123")

    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_thirty_failures_from_one_address_lock_the_address_for_every_username(client):
    make_user(username="zhou", password="right-pw-123")
    for i in range(settings.GUJI_LOGIN_FAILURES_PER_ADDRESS):
        _login(client, f"guess{i % 5}", "wrong", address="10.9.9.9")

    assert _login(client, "zhou", "right-pw-123", address="10.9.9.9").status_code == 429
    assert _login(client, "zhou", "right-pw-123", address="10.1.1.1").status_code == 302


def test_the_lock_lifts_after_the_lockout_period(client, settings):
    from axes.models import AccessAttempt

    make_user(username="lin", password="right-pw-123")
    for _ in range(settings.GUJI_LOGIN_FAILURES_PER_USER):
        _login(client, "lin", "wrong")
    assert _login(client, "lin", "right-pw-123").status_code == 429
    earlier = AccessAttempt.objects.first().attempt_time.replace(year=2000)
    AccessAttempt.objects.update(attempt_time=earlier)

    assert _login(client, "lin", "right-pw-123").status_code == 302


def test_the_centre_administrator_sees_and_lifts_a_lockout(client):
    from guji.models import RoleAssignment

    make_user(username="lin", password="right-pw-123")
    admin = make_user(RoleAssignment.Role.CENTRE_ADMIN)
    for _ in range(settings.GUJI_LOGIN_FAILURES_PER_USER):
        _login(client, "lin", "wrong")
    client.force_login(admin)

    page = client.get(reverse("lockout_list")).content.decode()
    assert "lin" in page
    response = client.post(reverse("lockout_lift"), {"kind": "username", "value": "lin"})
    assert response.status_code == 302
    assert "lin" not in client.get(reverse("lockout_list")).context["lockouts"].__repr__()
    client.logout()

    assert _login(client, "lin", "right-pw-123").status_code == 302


def test_a_login_writes_no_history_row(client):
    user = make_user(username="lin", password="right-pw-123")
    before = user.history.count()

    assert _login(client, "lin", "right-pw-123").status_code == 302

    user.refresh_from_db()
    assert user.last_login is not None
    assert user.history.count() == before


def test_a_user_changes_their_own_password(client):
    user = make_user(username="lin", password="old-pw-12345")
    client.force_login(user)

    response = client.post(
        reverse("password_change"),
        {
            "old_password": "old-pw-12345",
            "new_password1": "a-much-better-one-42",
            "new_password2": "a-much-better-one-42",
        },
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-much-better-one-42")


def test_a_session_ends_after_the_idle_period(client):
    user = make_user()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["guji_seen"] = int(time.time()) - settings.GUJI_SESSION_IDLE_SECONDS - 5
    session.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_active_session_is_renewed(client):
    user = make_user()
    client.force_login(user)
    client.get(reverse("home"))
    session = client.session
    session["guji_seen"] = int(time.time()) - settings.GUJI_SESSION_IDLE_SECONDS + 120
    session.save()

    assert client.get(reverse("home")).status_code == 200
    assert client.session["guji_seen"] >= int(time.time()) - 5


def test_signed_in_pages_are_private_and_carry_the_policy(client):
    client.force_login(make_user())

    response = client.get(reverse("holding_list"))

    assert set(response["Cache-Control"].replace(" ", "").split(",")) >= {"private", "no-store"}
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "a style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def _templates():
    roots = [
        TEMPLATES,
        *Path(settings.BASE_DIR).glob("*/templates"),
        *Path(settings.BASE_DIR).glob("guji/*/templates"),
    ]
    for root in roots:
        yield from sorted(root.rglob("*.html"))


def test_no_template_has_inline_script_or_style():
    found = []
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        # Templates rendered to PDF only (never served) may style themselves inline.
        if "pdf" in path.parts or path.stem.endswith("_pdf") or "{# pdf only #}" in text:
            continue
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert not found, "The Content-Security-Policy would block:\n" + "\n".join(found)


def test_user_model_keeps_no_login_in_history():
    assert "last_login" not in {f.name for f in User.history.model._meta.fields}


@pytest.mark.parametrize("command", ["clean_old_history", "clean_duplicate_history"])
def test_history_pruning_refuses_without_the_explicit_flag(command):
    from django.core.management import CommandError, call_command

    from tests.factories import make_holding

    holding = make_holding()
    before = holding.history.count()

    args = ["--auto", "--days", "0"] if command == "clean_old_history" else ["--auto"]

    with pytest.raises(CommandError, match="i-understand-history-is-lost"):
        call_command(command, *args)

    assert holding.history.count() == before
