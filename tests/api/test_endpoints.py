"""Every endpoint × role: strangers get 401, each role sees exactly what the pages show it."""

import pytest
from django.urls import reverse

from tests.api.conftest import SEES, auth

ENDPOINTS = {  # prefix → URL basename
    "holdings": "holding",
    "institutions": "institution",
    "census-entries": "census_entry",
    "damage-assessments": "damage_assessment",
    "repairs": "repair",
    "rooms": "room",
    "daily-climate": "daily_climate",
}
pytestmark = pytest.mark.django_db


def _list(endpoint: str) -> str:
    return reverse(f"api:{ENDPOINTS[endpoint]}-list")


def _detail(endpoint: str, pk: int) -> str:
    return reverse(f"api:{ENDPOINTS[endpoint]}-detail", args=[pk])


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_strangers_get_401_with_a_challenge(api, client, endpoint):
    for url in (_list(endpoint), _detail(endpoint, api.ids[endpoint]["a"])):
        response = client.get(url)

        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("url", ["api:api-root", "api:schema", "api:grade-list"])
def test_strangers_get_401_from_the_root_schema_and_grades(api, client, url):
    assert client.get(reverse(url)).status_code == 401


def test_a_wrong_or_malformed_token_is_401(api, client):
    for header in ("Token nope", "Token", "Token a b", "Bearer nope"):
        response = client.get(_list("holdings"), HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header


@pytest.mark.parametrize("role", SEES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_each_role_lists_only_what_it_may_see(api, client, role, endpoint):
    response = client.get(_list(endpoint), **auth(api.keys[role]))

    assert response.status_code == 200
    listed = {row["id"] for row in response.json()["results"]}
    expected = {api.ids[endpoint][k] for k in SEES[role]}
    hidden = {api.ids[endpoint][k] for k in {"a", "b"} - SEES[role]}
    assert expected <= listed
    assert not hidden & listed


@pytest.mark.parametrize("role", SEES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_another_institutions_object_is_404(api, client, role, endpoint):
    for k in ("a", "b"):
        response = client.get(_detail(endpoint, api.ids[endpoint][k]), **auth(api.keys[role]))

        assert response.status_code == (200 if k in SEES[role] else 404), k
        if k in SEES[role]:
            assert response.json()["id"] == api.ids[endpoint][k]


def test_the_session_of_a_signed_in_user_works_too(api, client):
    client.force_login(api.world.users["cataloguer_a"])

    response = client.get(_list("holdings"))

    assert response.status_code == 200
    assert {r["id"] for r in response.json()["results"]} == {api.ids["holdings"]["a"]}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_the_api_is_read_only(api, client, method):
    url = _detail("holdings", api.ids["holdings"]["a"])

    assert getattr(client, method)(url).status_code == 401
    response = getattr(client, method)(url, **auth(api.keys["centre_admin"]))
    assert response.status_code == 405
    list_response = client.post(_list("holdings"), {}, **auth(api.keys["centre_admin"]))
    assert list_response.status_code == 405


def test_grades_count_only_the_holdings_the_caller_sees(api, client):
    from guji.models import Holding

    Holding.objects.filter(pk=api.ids["holdings"]["a"]).update(grade="2A")
    Holding.objects.filter(pk=api.ids["holdings"]["b"]).update(grade="2A")

    mine = client.get(reverse("api:grade-list"), **auth(api.keys["cataloguer_a"])).json()
    everyone = client.get(reverse("api:grade-list"), **auth(api.keys["provincial"])).json()

    assert [g["code"] for g in mine][:3] == ["1A", "1B", "1C"] and len(mine) == 10
    assert {g["code"]: g["holdings"] for g in mine}["2A"] == 1
    assert {g["code"]: g["holdings"] for g in everyone}["2A"] == 2
    one = client.get(reverse("api:grade-detail", args=["2A"]), **auth(api.keys["cataloguer_b"]))
    assert one.json() == {
        "code": "2A",
        "label": one.json()["label"],
        "level": 2,
        "shanben": True,
        "holdings": 1,
    }
    missing = client.get(reverse("api:grade-detail", args=["4A"]), **auth(api.keys["provincial"]))
    assert missing.status_code == 404


def test_no_internal_field_is_shown(api, client):
    response = client.get(
        _detail("holdings", api.ids["holdings"]["a"]), **auth(api.keys["centre_admin"])
    )
    fields = set(response.json())

    assert {"title_juan", "census_number", "grade", "status", "institution"} <= fields
    assert not fields & {"search_key", "storage_location", "cataloguing_warnings", "notes"}
    institution = client.get(
        _detail("institutions", api.ids["institutions"]["a"]), **auth(api.keys["centre_admin"])
    ).json()
    assert not set(institution) & {"contact_phone", "contact_email", "contact_person", "notes"}


def test_repairs_sum_the_work_logged(api, client):
    from conservation.models import RepairPlan
    from conservation.services import add_log

    plan = RepairPlan.objects.get(pk=api.ids["repairs"]["a"])
    for hours, leaves in (("2.5", 10), ("1.0", 4)):
        add_log(
            plan,
            data={"worked_on": "2026-03-02", "hours": hours, "leaf_count": leaves},
            operations=[],
            materials=[],
            by=api.world.users["conservator"],
        )

    row = client.get(_detail("repairs", plan.pk), **auth(api.keys["manager_a"])).json()

    assert row["hours_logged"] == "3.5"
    assert row["leaves_treated"] == 14
    assert row["status"] == "approved"


def test_daily_climate_gives_the_days_twpi(api, client):
    row = client.get(
        _detail("daily-climate", api.ids["daily-climate"]["b"]), **auth(api.keys["cataloguer_b"])
    ).json()

    assert row["twpi_years"] == pytest.approx(45.0)
    assert row["day"] == "2025-03-01"
    assert row["room"] == api.ids["rooms"]["b"]
