"""The census admin: read-only rows, transitions as actions through the domain functions."""

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from census.models import CensusCounter, CorrectionRequest
from census.services import request_correction
from guji.models import Holding
from tests.census.workflow_factories import Role, make_entry
from tests.factories import make_user

pytestmark = pytest.mark.django_db

S = Holding.Status


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(Role.CENTRE_ADMIN))
    return client


@pytest.mark.parametrize(
    "model", ["campaign", "censusentry", "reviewround", "censuscounter", "correctionrequest"]
)
def test_census_admin_pages_open_for_the_centre_administrator(admin_client, model):
    make_entry(S.REGISTERED)
    assert admin_client.get(reverse(f"admin:census_{model}_changelist")).status_code == 200


def test_accept_action_asks_for_a_comment_then_registers_through_the_workflow(admin_client):
    entry = make_entry()
    url = reverse("admin:census_censusentry_changelist")
    chosen = {"action": "accept_selected", helpers.ACTION_CHECKBOX_NAME: [entry.pk]}

    asked = admin_client.post(url, chosen)
    assert asked.status_code == 200
    entry.holding.refresh_from_db()
    assert entry.holding.status == S.SUBMITTED

    admin_client.post(url, {**chosen, "apply": "1", "text": "后台通过"})

    entry.holding.refresh_from_db()
    assert entry.holding.status == S.REGISTERED
    assert entry.holding.census_number
    assert entry.holding.history.order_by("-history_id").first().history_change_reason == "后台通过"


def test_return_action_needs_a_comment(admin_client):
    entry = make_entry()
    url = reverse("admin:census_censusentry_changelist")
    chosen = {"action": "return_selected", helpers.ACTION_CHECKBOX_NAME: [entry.pk], "apply": "1"}

    admin_client.post(url, {**chosen, "text": ""})
    entry.holding.refresh_from_db()
    assert entry.holding.status == S.SUBMITTED

    admin_client.post(url, {**chosen, "text": "请补版本"})
    entry.holding.refresh_from_db()
    assert entry.holding.status == S.RETURNED


def test_refuse_correction_action_keeps_the_reason(admin_client):
    entry = make_entry(S.REGISTERED)
    request = request_correction(
        entry.holding, data={"volumes": 3}, by=entry.rounds.get().submitted_by, reason="点数"
    )
    url = reverse("admin:census_correctionrequest_changelist")

    admin_client.post(
        url,
        {
            "action": "refuse_selected",
            helpers.ACTION_CHECKBOX_NAME: [request.pk],
            "apply": "1",
            "text": "不符",
        },
    )

    request.refresh_from_db()
    assert (request.status, request.decision_reason) == (CorrectionRequest.Status.REFUSED, "不符")


def test_census_counter_cannot_be_edited_in_the_admin(admin_client):
    entry = make_entry(S.REGISTERED)
    counter = CensusCounter.objects.get(institution=entry.institution)

    response = admin_client.post(
        reverse("admin:census_censuscounter_change", args=[counter.pk]), {"last_serial": 0}
    )

    counter.refresh_from_db()
    assert counter.last_serial == 1
    assert response.status_code == 403
