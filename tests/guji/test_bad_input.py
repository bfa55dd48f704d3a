"""Bad input gets a 400 or a form error, never a 500 (issue 9).

Malformed numbers, ids and dates in GET filters and POST forms, and values the database
constraints refuse, are answered by the page itself; nothing reaches the database to fail there.
"""

from datetime import date

import pytest
from django.urls import reverse

from census.forms import CampaignForm
from census.models import Campaign
from guji.concurrency import current_version
from guji.forms import HoldingForm
from tests.census.workflow_factories import make_campaign

pytestmark = pytest.mark.django_db

BAD_VALUES = ["abc", "-1", "0", "1.5", "99999999999999999999", "2024/13/45", "%00", "' OR 1=1"]

# URL name → path keys ("holding", "institution", "campaign") and GET parameters tried.
LIST_PARAMS = {
    "holding_list": ["page", "institution", "sibu", "grade", "status", "dynasty", "edition_type"],
    "institution_list": ["page"],
    "census:campaign_list": ["page"],
    "census:review_queue": ["page", "institution", "campaign"],
    "census:submit_list": ["page", "status"],
    "census:returned_list": ["page"],
    "census:correction_list": ["page", "status"],
    "census:import_list": ["page"],
    "census:catalogue": ["page", "institution", "campaign"],
}
DETAIL_URLS = {
    "holding_detail": "holding",
    "holding_edit": "holding",
    "holding_timeline": "holding",
    "institution_detail": "institution",
    "census:campaign_detail": "campaign",
    "census:campaign_edit": "campaign",
    "census:holding_review": "holding",
    "census:holding_correction": "holding",
}


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.users["centre_admin"])
    return client


@pytest.fixture
def campaign(world):
    return make_campaign(world.institution_a)


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize("name", LIST_PARAMS)
def test_malformed_filters_never_break_a_list(admin_client, name, value):
    params = dict.fromkeys(LIST_PARAMS[name], value)
    response = admin_client.get(reverse(name), params)
    assert response.status_code < 500


@pytest.mark.parametrize("name", DETAIL_URLS)
def test_an_oversized_id_is_not_found(admin_client, name):
    url = reverse(name, kwargs={"pk": 1}).replace("/1/", "/99999999999999999999/")
    assert admin_client.get(url).status_code == 404


@pytest.mark.parametrize("value", BAD_VALUES)
@pytest.mark.parametrize("name", DETAIL_URLS)
def test_malformed_query_strings_never_break_a_page(admin_client, world, campaign, name, value):
    target = {"holding": world.holding_a, "institution": world.institution_a}
    target["campaign"] = campaign
    url = reverse(name, kwargs={"pk": target[DETAIL_URLS[name]].pk})
    response = admin_client.get(url, {"page": value, "status": value, "version": value})
    assert response.status_code < 500


@pytest.mark.parametrize("value", BAD_VALUES)
def test_malformed_holding_form_values_are_form_errors(admin_client, world, value):
    holding = world.holding_a
    data = {
        "title_juan": holding.title_juan,
        "volumes": value,
        "juan_count": value,
        "cases": value,
        "sibu_class": value,
        "binding": value,
        "version": value,
        "reason": "测试",
    }
    response = admin_client.post(reverse("holding_edit", kwargs={"pk": holding.pk}), data)
    assert response.status_code == 400
    response = admin_client.post(
        reverse("holding_create"), {**data, "institution": value, "call_number": "X1"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("value", BAD_VALUES)
def test_malformed_campaign_form_values_are_form_errors(admin_client, campaign, value):
    data = {"name": "新普查", "starts_on": value, "ends_on": value, "reason": "测试"}
    data.update({"p-TOTAL_FORMS": value, "p-INITIAL_FORMS": value})
    assert admin_client.post(reverse("census:campaign_create"), data).status_code == 400
    url = reverse("census:campaign_edit", kwargs={"pk": campaign.pk})
    assert admin_client.post(url, data).status_code == 400


@pytest.mark.parametrize(
    ("volumes", "says"),
    [
        ("0", "No number of ce could be read from 0"),
        ("99999999999999999999", "ce is more than any holding has: at most 1000000."),
    ],
)
def test_impossible_volumes_are_an_error_on_the_volumes_field(world, settings, volumes, says):
    settings.LANGUAGE_CODE = "en"
    holding = world.holding_a
    data = {
        "call_number": holding.call_number,
        "title_juan": holding.title_juan,
        "volumes": volumes,
        "reason": "测试",
        "version": current_version(holding),
    }
    form = HoldingForm(data, instance=holding)
    assert not form.is_valid()
    assert says in form.errors["volumes"][0]


def test_zero_volumes_posted_leaves_the_holding_as_it_was(admin_client, world):
    holding = world.holding_a
    before = holding.volumes
    data = {
        "call_number": holding.call_number,
        "title_juan": holding.title_juan,
        "volumes": "0冊",
        "reason": "测试",
        "version": current_version(holding),
    }
    response = admin_client.post(reverse("holding_edit", kwargs={"pk": holding.pk}), data)
    assert response.status_code == 400
    assert "volumes" in response.context["form"].errors
    holding.refresh_from_db()
    assert holding.volumes == before


def test_a_campaign_ending_before_it_starts_is_an_error_on_the_end_date(db, settings):
    settings.LANGUAGE_CODE = "en"
    form = CampaignForm(
        {"name": "倒序普查", "starts_on": "2026-06-01", "ends_on": "2026-05-31", "reason": ""}
    )
    assert not form.is_valid()
    assert form.errors["ends_on"] == ["A campaign cannot end before it starts."]
    assert "__all__" not in form.errors


def test_a_campaign_ending_before_it_starts_is_refused_on_the_page(
    admin_client, campaign, settings
):
    settings.LANGUAGE_CODE = "en"
    data = {
        "name": campaign.name,
        "starts_on": "2026-06-01",
        "ends_on": "2026-05-31",
        "is_open": "on",
        "reason": "改期",
        "p-TOTAL_FORMS": "0",
        "p-INITIAL_FORMS": "0",
    }
    url = reverse("census:campaign_edit", kwargs={"pk": campaign.pk})
    response = admin_client.post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["ends_on"] == ["A campaign cannot end before it starts."]
    campaign.refresh_from_db()
    assert campaign.ends_on == date(2027, 12, 31)


def test_the_constraints_carry_a_human_message(settings):
    settings.LANGUAGE_CODE = "en"
    from guji.models import Holding

    messages = {
        c.name: str(c.violation_error_message)
        for model in (Holding, Campaign)
        for c in model._meta.constraints
    }
    assert messages["holding_volumes_positive"] == "The number of ce must be at least 1."
    assert messages["campaign_period_ordered"] == "A campaign cannot end before it starts."
