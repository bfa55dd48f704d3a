"""The census in daily use: the correction list for every role, who is notified of what, and the
reviewer going on to the next entry."""

import pytest
from django.urls import reverse

from census.services import accept_correction, request_correction
from guji.models import Notification
from tests.census.workflow_factories import Role, make_entry
from tests.factories import make_institution, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending_correction(world):
    entry = make_entry("registered", institution=world.institution_a)
    cataloguer = make_user(Role.CATALOGUER, world.institution_a)
    return request_correction(entry.holding, data={"volumes": 30}, by=cataloguer, reason="册数点错")


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("reviewer", True),  # the bug: the reviewer's "everything" was dropped by the union
        ("centre_admin", True),
        ("cataloguer_a", True),
        ("manager_a", True),
        ("cataloguer_b", False),
    ],
)
def test_the_correction_list_shows_each_role_its_requests(
    world, client, pending_correction, role, sees
):
    client.force_login(world.users[role])

    page = client.get(reverse("census:correction_list"))

    listed = [c.pk for c in page.context["page"].object_list]
    assert listed == ([pending_correction.pk] if sees else [])


def _inbox(user) -> list[str]:
    return list(Notification.objects.filter(user=user).values_list("subject", flat=True))


def test_reviewers_hear_of_submissions_once_per_batch(world):
    reviewer = world.users["reviewer"]
    before = len(_inbox(reviewer))

    make_entry("submitted", institution=world.institution_a)

    assert len(_inbox(reviewer)) == before + 1
    assert "submitted for review" in _inbox(reviewer)[0] or "提交" in _inbox(reviewer)[0]


def test_the_cataloguer_and_managers_hear_of_a_return(world):
    a = world.institution_a
    cataloguer = make_user(Role.CATALOGUER, a)
    manager = world.users["manager_a"]

    entry = make_entry("returned", institution=a, cataloguer=cataloguer)

    (to_cataloguer,) = Notification.objects.filter(user=cataloguer)
    assert entry.holding.call_number in to_cataloguer.subject
    assert "卷数有误" in to_cataloguer.body  # the reviewer's comment on a field
    assert to_cataloguer.url == reverse("holding_edit", args=[entry.holding.pk])
    assert Notification.objects.filter(user=manager, url=to_cataloguer.url).count() == 1
    assert not Notification.objects.filter(user=world.users["cataloguer_b"]).exists()


def test_reviewers_hear_of_a_correction_request_and_its_maker_of_the_decision(
    world, pending_correction
):
    reviewer = world.users["reviewer"]
    assert any(pending_correction.holding.call_number in s for s in _inbox(reviewer))

    accept_correction(pending_correction, by=reviewer, reason="核对无误")

    (told,) = Notification.objects.filter(user=pending_correction.requested_by)
    assert pending_correction.holding.call_number in told.subject
    assert told.body == "核对无误"


def test_after_accepting_the_reviewer_goes_on_to_the_next_entry(world, client):
    a = make_institution()
    first = make_entry("submitted", institution=a)
    second = make_entry("submitted", institution=a)
    client.force_login(world.users["reviewer"])

    response = client.post(
        reverse("census:holding_review", args=[first.holding.pk]), {"decision": "accept"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("census:holding_review", args=[second.holding.pk])


def test_the_citywide_catalogue_names_the_city(settings):
    from census.exports import Scope

    settings.GUJI_CITY_NAME = "云川市"

    assert Scope(kind="city").title() == "云川市古籍普查登记目录"


def test_campaign_edit_shows_its_dates_as_the_date_input_takes_them(world, client):
    from tests.census.workflow_factories import make_campaign

    campaign = make_campaign(world.institution_a)
    client.force_login(world.users["centre_admin"])

    html = client.get(reverse("census:campaign_edit", args=[campaign.pk])).content.decode()

    assert f'value="{campaign.starts_on:%Y-%m-%d}"' in html
    assert f'value="{campaign.ends_on:%Y-%m-%d}"' in html


@pytest.mark.parametrize("url_name", ["holding_create", "census:catalogue"])
def test_menus_never_show_dashes(world, client, url_name):
    client.force_login(world.users["centre_admin"])

    assert "---------" not in client.get(reverse(url_name)).content.decode()


def test_a_returned_record_s_form_shows_each_comment_beside_its_field(world, client):
    a = world.institution_a
    cataloguer = make_user(Role.CATALOGUER, a)
    entry = make_entry("returned", institution=a, cataloguer=cataloguer)
    client.force_login(cataloguer)

    response = client.get(reverse("holding_edit", args=[entry.holding.pk]))

    assert response.context["field_notes"] == {"": ["请核对"], "title_juan": ["卷数有误"]}
    html = response.content.decode()
    title_field = html[html.index('id="id_title_juan"') :]
    assert "卷数有误" in title_field[: title_field.index("<label for=")]  # before the next field


def test_home_counts_link_to_the_queues_they_count(world, client):
    client.force_login(world.users["reviewer"])

    home = client.get(reverse("home"))

    links = {status: url for status, _label, _n, url in home.context["statuses"]}
    assert links["submitted"] == reverse("census:review_queue")
    assert reverse("census:correction_list") in home.content.decode()
    client.force_login(world.users["cataloguer_a"])
    links = {s: u for s, _l, _n, u in client.get(reverse("home")).context["statuses"]}
    assert links["returned"] == reverse("census:returned_list")
    assert links["draft"] == reverse("holding_list") + "?status=draft"
