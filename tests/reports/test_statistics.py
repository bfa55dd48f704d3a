"""The statistics pages: every count links to the holding list with the same filters, and the
list there counts exactly as many holdings."""

import re
from io import StringIO
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from guji.models import Holding, User

pytestmark = pytest.mark.django_db
LINK = re.compile(r'<a class="drill[^"]*" href="([^"]+)">([\d,]+)</a>')
UNLINKED = re.compile(r'<span class="nolink"[^>]*>([\d,]+)</span>')


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


def links(client, params: str = "") -> list[tuple[str, int]]:
    response = client.get(reverse("statistics:index") + params)
    assert response.status_code == 200
    html = response.content.decode().replace("&amp;", "&")
    return [(href, int(n.replace(",", ""))) for href, n in LINK.findall(html)], html


def listed(client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    page = response.context["page"]
    return page.count


@pytest.mark.parametrize(
    ("username", "params"),
    [
        ("admin", ""),
        ("cataloguer", ""),
        ("reviewer", "?status=registered"),
        ("admin", "?grade=4&dynasty=清"),
    ],
)
def test_every_count_opens_a_list_of_as_many_holdings(demo, client, username, params):
    client.force_login(User.objects.get(username=username))
    found, _html = links(client, params)
    assert len(found) > 20
    for href, n in found:
        assert urlsplit(href).path == reverse("holding_list")
        for key, value in parse_qsl(urlsplit(params).query):
            assert (key, value) in parse_qsl(urlsplit(href).query), href
        assert listed(client, href) == n, href


def test_the_totals_are_the_holdings_the_user_may_see(demo, client):
    cataloguer = User.objects.get(username="cataloguer")
    client.force_login(cataloguer)
    found, _html = links(client)
    visible = Holding.objects.visible_to(cataloguer).count()
    totals = [n for href, n in found if href == reverse("holding_list")]
    assert totals and set(totals) == {visible}
    assert visible < Holding.objects.count()


def test_only_counts_of_unrecorded_values_have_no_link(demo, client):
    client.force_login(User.objects.get(username="admin"))
    _found, html = links(client)
    blank_dynasty = Holding.objects.filter(edition_dynasty="").count()
    unlinked = [int(n.replace(",", "")) for n in UNLINKED.findall(html)]
    assert (blank_dynasty in unlinked) if blank_dynasty else True


def test_bad_filters_are_dropped_not_a_500(demo, client):
    client.force_login(User.objects.get(username="admin"))
    response = client.get(reverse("statistics:index") + "?institution=abc&grade=9Z&sibu=-1")
    assert response.status_code == 200
