"""Pages whose query count must not grow with the rows they show (STYLE.md: query-bound tests)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guji.cataloguing import parse_statements
from guji.models import Binding, SibuClass
from guji.services import update_holding
from tests.factories import make_holding, make_institution

pytestmark = pytest.mark.django_db


def _queries(client, url: str, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _fill(institution, n: int) -> None:
    """n holdings with everything the list shows: class, statements, census number, extant."""
    sibu = SibuClass.objects.filter(level=2).first()
    for i in range(n):
        make_holding(
            institution,
            sibu_class=sibu,
            extant=f"存{i + 1}卷",
            authors="（漢）司馬遷撰 （南朝宋）裴駰集解 （唐）司馬貞索隱",
        )


@pytest.mark.parametrize("role", ["cataloguer_a", "centre_admin"])
@pytest.mark.parametrize("params", [{}, {"q": "史记", "dynasty": "清"}], ids=["all", "search"])
def test_the_holding_list_costs_the_same_for_3_rows_and_for_30(world, client, role, params):
    client.force_login(world.users[role])
    url = reverse("holding_list")
    _fill(world.institution_a, 2)  # with the world's own holding: 3 at A
    few = _queries(client, url, **params)

    _fill(world.institution_a, 27)
    many = _queries(client, url, **params)

    assert few == many


def test_the_institution_list_costs_the_same_for_3_rows_and_for_30(world, client):
    client.force_login(world.users["provincial"])
    url = reverse("institution_list")
    make_institution()  # with A and B: 3
    few = _queries(client, url)

    for _ in range(27):
        _fill(make_institution(), 1)
    many = _queries(client, url)

    assert few == many


def test_the_holding_page_costs_the_same_for_1_statement_and_for_12(world, client):
    client.force_login(world.users["cataloguer_a"])
    one = make_holding(world.institution_a, authors="（漢）司馬遷撰")
    twelve = make_holding(
        world.institution_a,
        authors=" ".join(f"（清）某甲{i}撰" for i in range(12)),
        binding=Binding.objects.first(),
        sibu_class=SibuClass.objects.filter(level=2).first(),
    )

    assert _queries(client, reverse("holding_detail", args=[one.pk])) == _queries(
        client, reverse("holding_detail", args=[twelve.pk])
    )


def _edit(holding, times: int, statements: int) -> None:
    """Edit a holding ``times`` times, changing its binding and each of its statements."""
    bindings = list(Binding.objects.all()[:2])
    for i in range(times):
        update_holding(
            holding,
            data={"volumes": 10 + i, "binding": bindings[i % 2]},
            statements=parse_statements(" ".join(f"（清）某{i}_{k}撰" for k in range(statements))),
            by=None,
            reason=f"第{i + 1}次修改",
        )


def test_the_timeline_costs_the_same_for_2_versions_and_for_20(world, client):
    client.force_login(world.users["cataloguer_a"])
    short = make_holding(world.institution_a)
    _edit(short, times=2, statements=1)
    long = make_holding(world.institution_a)
    _edit(long, times=20, statements=8)

    few = _queries(client, reverse("holding_timeline", args=[short.pk]))
    many = _queries(client, reverse("holding_timeline", args=[long.pk]))

    assert few == many


def _entries(client, url: str) -> list[str]:
    """The timeline's entries on one page: the first line of each, with its number."""
    html = client.get(url).content.decode()
    return re.findall(r'<li id="(change-\d+)"', html)


def test_the_timeline_shows_50_entries_a_page_and_pages_through_them_all(world, client):
    client.force_login(world.users["cataloguer_a"])
    holding = make_holding(world.institution_a)
    _edit(holding, times=69, statements=1)  # 70 record versions, 70 statement versions
    url = reverse("holding_timeline", args=[holding.pk])

    first, second, third = (_entries(client, f"{url}?page={n}") for n in (1, 2, 3))

    assert first == [f"change-{i}" for i in range(1, 51)]
    assert second == [f"change-{i}" for i in range(51, 101)]
    assert third == [f"change-{i}" for i in range(101, 141)]
    assert 'rel="next"' in client.get(f"{url}?page=2").content.decode()
    assert 'rel="next"' not in client.get(f"{url}?page=3").content.decode()
    assert _entries(client, f"{url}?page=99") == third  # past the end: the last page
    oldest = client.get(f"{url}?page=3").content.decode()
    assert "第69次修改" in client.get(url).content.decode()  # newest first
    assert "第1次修改" in oldest

    assert len({_queries(client, f"{url}?page={n}") for n in (1, 2, 3, 99)}) == 1


def test_a_timeline_page_read_short_is_the_same_as_read_whole(world):
    from guji.views import holding_changes

    holding = make_holding(world.institution_a)
    _edit(holding, times=30, statements=3)

    whole = holding_changes(holding, limit=10_000)
    for limit in (10, 25, 51):
        assert holding_changes(holding, limit=limit)[:limit] == whole[:limit]
