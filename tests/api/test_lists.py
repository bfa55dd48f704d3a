"""Cursor pages, the holding list's filters, throttling."""

from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guji.lists import HoldingQuery
from guji.models import Holding
from tests.api.conftest import auth, make_rows_at
from tests.factories import make_holding

pytestmark = pytest.mark.django_db
HOLDINGS = "/api/v1/holdings/"


def _ids(client, key, params) -> list[int]:
    return [r["id"] for r in client.get(HOLDINGS, params, **auth(key)).json()["results"]]


def test_a_cursor_walk_visits_every_visible_holding_once(api, client):
    institution = api.world.institution_a
    for _ in range(7):
        make_holding(institution)
    expected = set(Holding.objects.filter(institution=institution).values_list("pk", flat=True))

    seen, url, pages = [], f"{HOLDINGS}?page_size=3", 0
    while url:
        body = client.get(url, **auth(api.keys["cataloguer_a"])).json()
        seen += [r["id"] for r in body["results"]]
        url, pages = body["next"], pages + 1
        assert len(body["results"]) <= 3

    assert len(seen) == len(set(seen)) == len(expected) and set(seen) == expected
    assert seen == sorted(seen, reverse=True)  # newest first, as the list
    assert pages == -(-len(expected) // 3)


def test_a_page_stays_stable_when_rows_are_added_before_it(api, client):
    institution = api.world.institution_a
    for _ in range(4):
        make_holding(institution)
    key = api.keys["cataloguer_a"]
    first = client.get(f"{HOLDINGS}?page_size=2", **auth(key)).json()
    make_holding(institution)  # newer than everything: would shift an offset page

    second = client.get(first["next"], **auth(key)).json()

    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}
    assert max(r["id"] for r in second["results"]) < min(r["id"] for r in first["results"])


def test_a_bad_cursor_is_404_not_500(api, client):
    response = client.get(f"{HOLDINGS}?cursor=garbage", **auth(api.keys["provincial"]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "params",
    [
        {"grade": "2A"},
        {"status": "registered"},
        {"dynasty": "明"},
        {"q": "周易"},
        {"q": "汲古阁", "field": "edition"},
        {"grade": "2A", "q": "周易"},
    ],
)
def test_filters_give_what_the_holding_list_gives(api, client, params):
    institution = api.world.institution_a
    make_holding(institution, title_juan="周易九卷", edition_statement="明崇禎汲古閣刻本")
    graded = make_holding(institution, title_juan="周易注十卷")
    Holding.objects.filter(pk=graded.pk).update(grade="2A", status="registered")
    make_holding(api.world.institution_b, title_juan="周易九卷", edition_statement="明刻本")
    user = api.world.users["cataloguer_a"]

    query = HoldingQuery.from_params(user, QueryDict(urlencode(params)))
    expected = list(query.queryset(user).values_list("pk", flat=True))

    got = _ids(client, api.keys["cataloguer_a"], params)

    assert got == expected
    assert got  # each case matches something


def test_an_institution_filter_keeps_its_holdings(api, client):
    params = {"institution": api.world.institution_b.pk}

    got = _ids(client, api.keys["reviewer"], params)

    assert got and set(got) <= set(
        Holding.objects.filter(institution=api.world.institution_b).values_list("pk", flat=True)
    )


def test_another_institution_as_a_filter_is_a_400_not_its_holdings(api, client):
    response = client.get(
        HOLDINGS, {"institution": api.world.institution_b.pk}, **auth(api.keys["cataloguer_a"])
    )

    assert response.status_code == 400
    assert "institution" in response.json()


@pytest.mark.parametrize(
    "params", [{"grade": "9Z"}, {"status": "lost"}, {"sibu": "x"}, {"q": "a\x00b"}]
)
def test_bad_filter_values_are_400(api, client, params):
    response = client.get(HOLDINGS, params, **auth(api.keys["provincial"]))

    assert response.status_code == 400
    assert set(params) <= set(response.json())


def test_app_endpoints_filter_by_institution(api, client):
    for name in ("census_entry", "damage_assessment", "repair", "room", "daily_climate"):
        url = reverse(f"api:{name}-list")
        params = {"institution": api.world.institution_a.pk}

        rows = client.get(url, params, **auth(api.keys["provincial"])).json()["results"]

        ids = {r["id"] for r in rows}
        endpoint = {
            "census_entry": "census-entries",
            "damage_assessment": "damage-assessments",
            "repair": "repairs",
            "room": "rooms",
            "daily_climate": "daily-climate",
        }[name]
        assert api.ids[endpoint]["a"] in ids and api.ids[endpoint]["b"] not in ids, name


def test_daily_climate_filters_by_day(api, client):
    key = api.keys["provincial"]
    url = reverse("api:daily_climate-list")

    inside = client.get(url, {"day_from": "2025-03-01", "day_to": "2025-03-01"}, **auth(key))
    after = client.get(url, {"day_from": "2025-03-02"}, **auth(key))

    assert {r["id"] for r in inside.json()["results"]} >= set(api.ids["daily-climate"].values())
    assert after.json()["results"] == []


def test_too_many_requests_are_throttled(api, client, settings):
    rest = dict(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"] = {"api_burst": "3/min", "api_user": "1000/day"}
    settings.REST_FRAMEWORK = rest
    key = api.keys["provincial"]

    statuses = [client.get(HOLDINGS, **auth(key)).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    assert client.get(HOLDINGS, **auth(api.keys["reviewer"])).status_code == 200  # per user


@pytest.mark.parametrize(
    "endpoint",
    ["holding", "census_entry", "damage_assessment", "repair", "room", "daily_climate"],
)
def test_a_pages_queries_do_not_grow_with_its_rows(
    api, client, endpoint, django_assert_max_num_queries
):
    url, key = reverse(f"api:{endpoint}-list"), api.keys["cataloguer_a"]
    with CaptureQueriesContext(connection) as few:
        client.get(url, **auth(key))
    institution = api.world.institution_a
    for _ in range(3):
        holding = make_holding(institution)
        if endpoint != "holding":
            make_rows_at(
                institution,
                holding,
                api.world.users["conservator"],
                api.world.users["centre_admin"],
            )

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url, **auth(key))
    assert len(response.json()["results"]) >= 4


def test_token_answers_are_never_cached(api, client):
    response = client.get(HOLDINGS, **auth(api.keys["provincial"]))

    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
