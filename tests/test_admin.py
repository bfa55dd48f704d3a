"""The admin covers every model, with history, and opens for the centre administrator."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from tests.factories import make_holding, make_user

pytestmark = pytest.mark.django_db

OURS = (
    "guji",
    "guji_api",
    "guji_reports",
    "census",
    "conservation",
    "environment",
    "protection",
    "supervision",
)


def our_models():
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in OURS
        and not m.__name__.startswith("Historical")
        and not m._meta.auto_created
    ]


EXEMPT = {  # guardian's rows follow the role assignments (guji.permissions.grant_role)
    "InstitutionUserObjectPermission",
    "InstitutionGroupObjectPermission",
    # 10⁸ rows keyed by (sensor, time), which the admin cannot page: read on the room pages,
    # audited through environment.Ingest (in the admin).
    "Reading",
}


def test_every_model_has_an_admin():
    inlined = {i.model for a in admin.site._registry.values() for i in a.inlines}
    covered = set(admin.site._registry) | inlined
    missing = [m.__name__ for m in our_models() if m not in covered]
    assert not [name for name in missing if name not in EXEMPT], missing


def test_every_model_with_history_shows_it_in_the_admin():
    without = [
        m.__name__
        for m, model_admin in admin.site._registry.items()
        if m._meta.app_label in OURS
        and hasattr(m, "history")
        and not isinstance(model_admin, SimpleHistoryAdmin)
    ]
    assert not without


def test_the_centre_administrator_opens_every_changelist(client):
    make_holding()
    client.force_login(make_user("centre_admin"))
    for model in admin.site._registry:
        if model._meta.app_label not in OURS:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_a_cataloguer_cannot_open_the_admin(client):
    client.force_login(make_user("cataloguer", make_holding().institution))
    assert client.get(reverse("admin:index")).status_code == 302
