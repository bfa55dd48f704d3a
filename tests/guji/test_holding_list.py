"""The holdings list as people work through it: sort, page size, bulk actions, export, saved
searches, a record's previous/next, print, deleting and restoring drafts."""

from io import BytesIO
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from guji.models import Holding, SavedSearch
from guji.services import delete_draft
from tests.factories import make_holding

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return [h.title_juan for h, _link in response.context["rows"]]


@pytest.fixture
def shelf(world):
    """Five drafts at A with distinct titles and ce counts, made in this order."""
    titles = ["丙集五卷", "甲集三卷", "戊集一卷", "乙集二卷", "丁集四卷"]
    return [
        make_holding(world.institution_a, title_juan=t, volumes=v, edition_statement="清刻本")
        for t, v in zip(titles, [3, 1, 5, 2, 4], strict=True)
    ]


def test_the_list_sorts_by_a_column_both_ways(world, client, shelf):
    client.force_login(world.users["cataloguer_a"])
    url = reverse("holding_list")

    by_ce = _titles(client.get(url, {"q": "集", "sort": "volumes"}))
    by_ce_desc = _titles(client.get(url, {"q": "集", "sort": "-volumes"}))
    newest = _titles(client.get(url, {"q": "集"}))

    assert by_ce == ["甲集三卷", "乙集二卷", "丙集五卷", "丁集四卷", "戊集一卷"]
    assert by_ce_desc == list(reversed(by_ce))
    assert newest == [h.title_juan for h in reversed(shelf)]


def test_an_unknown_sort_is_the_default_order(world, client, shelf):
    client.force_login(world.users["cataloguer_a"])

    response = client.get(reverse("holding_list"), {"q": "集", "sort": "search_key"})

    assert _titles(response) == [h.title_juan for h in reversed(shelf)]


def test_a_column_header_sorts_and_keeps_the_filters(world, client, shelf):
    client.force_login(world.users["cataloguer_a"])

    response = client.get(reverse("holding_list"), {"q": "集", "sort": "volumes", "page": "1"})
    links = {c["column"].key: c for c in response.context["columns"]}

    assert links["volumes"]["state"] == "ascending"
    params = parse_qs(urlsplit(links["volumes"]["url"]).query)
    assert params == {"q": ["集"], "sort": ["-volumes"]}  # again: descending, from page 1


@pytest.mark.parametrize(("asked", "shown"), [("20", 20), ("100", 100), ("7", 50), ("x", 50)])
def test_the_page_size_is_one_of_20_50_100(world, client, asked, shown):
    client.force_login(world.users["cataloguer_a"])

    response = client.get(reverse("holding_list"), {"per_page": asked})

    assert response.context["page"].per_page == shown


def test_page_size_and_jump_keep_the_filters(world, client, shelf, settings):
    settings.GUJI_PAGE_SIZE = 2
    client.force_login(world.users["cataloguer_a"])

    html = client.get(reverse("holding_list"), {"q": "集", "sort": "volumes"}).content.decode()

    jump = html[html.index('class="jump"') :]
    assert '<input type="hidden" name="q" value="集">' in jump[: jump.index("</form>")]
    assert '<input type="hidden" name="sort" value="volumes">' in jump[: jump.index("</form>")]


def _bulk(client, **data):
    return client.post(reverse("holding_bulk"), data)


def test_bulk_storage_location_changes_each_record_with_history(world, client, shelf):
    client.force_login(world.users["cataloguer_a"])
    chosen = shelf[:2]

    response = _bulk(
        client,
        action="storage_location",
        scope="selected",
        holdings=[h.pk for h in chosen],
        storage_location="善本书库 3 架",
        reason="书库调整",
        results="q=集",
    )

    assert response.status_code == 302
    for h in chosen:
        h.refresh_from_db()
        assert h.storage_location == "善本书库 3 架"
        last = h.history.first()
        assert last.history_change_reason == "书库调整"
        assert last.history_user == world.users["cataloguer_a"]
    assert Holding.objects.get(pk=shelf[2].pk).storage_location == ""


def test_a_bulk_change_without_a_reason_changes_nothing(world, client, shelf):
    client.force_login(world.users["cataloguer_a"])

    _bulk(
        client,
        action="storage_location",
        scope="all",
        storage_location="甲库",
        reason=" ",
        results="q=集",
    )

    assert not Holding.objects.filter(storage_location="甲库").exists()


def test_all_matching_reaches_past_the_page_and_only_the_filter(world, client, shelf, settings):
    settings.GUJI_PAGE_SIZE = 2
    other = make_holding(world.institution_a, title_juan="史記一百三十卷")
    client.force_login(world.users["cataloguer_a"])

    _bulk(
        client,
        action="storage_location",
        scope="all",
        storage_location="乙库",
        reason="整理",
        results="q=集&page=1",
    )

    assert set(Holding.objects.filter(storage_location="乙库")) == set(shelf)
    assert Holding.objects.get(pk=other.pk).storage_location == ""


def test_bulk_changes_skip_what_the_user_may_not_catalogue(world, client, shelf):
    client.force_login(world.users["cataloguer_b"])

    _bulk(
        client,
        action="storage_location",
        scope="selected",
        holdings=[shelf[0].pk, world.holding_b.pk],
        storage_location="丙库",
        reason="整理",
        results="",
    )

    assert Holding.objects.get(pk=world.holding_b.pk).storage_location == "丙库"
    assert Holding.objects.get(pk=shelf[0].pk).storage_location == ""


def test_bulk_submit_sends_all_matching_drafts_to_review(world, client, shelf):
    client.force_login(world.users["cataloguer_a"])

    _bulk(client, action="submit", scope="all", reason="第一批", results="q=集")

    assert {h.status for h in Holding.objects.filter(pk__in=[h.pk for h in shelf])} == {
        Holding.Status.SUBMITTED
    }
    assert Holding.objects.get(pk=world.holding_a.pk).status == Holding.Status.DRAFT


def test_export_writes_the_filtered_list_as_text_cells(world, client, shelf):
    make_holding(world.institution_a, title_juan="=HYPERLINK(1)卷", volumes=1)
    client.force_login(world.users["cataloguer_a"])

    response = client.get(reverse("holding_export"), {"q": "集", "sort": "volumes"})

    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    titles = [r[3] for r in rows[1:]]
    assert titles == ["甲集三卷", "乙集二卷", "丙集五卷", "丁集四卷", "戊集一卷"]

    formula = client.get(reverse("holding_export"), {"q": "hyperlink"})
    cell = load_workbook(BytesIO(formula.content)).active["D2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(1)卷"


def test_export_shows_only_what_the_user_sees(world, client):
    client.force_login(world.users["cataloguer_b"])

    response = client.get(reverse("holding_export"))

    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == [world.holding_b.call_number]


def test_a_saved_search_is_listed_on_the_home_page_with_its_count(world, client, shelf):
    client.force_login(world.users["cataloguer_a"])

    client.post(
        reverse("saved_search_create"), {"name": "集部稿", "results": "q=集&sort=volumes&page=2"}
    )
    home = client.get(reverse("home"))

    saved = SavedSearch.objects.get(user=world.users["cataloguer_a"])
    assert saved.query == "q=%E9%9B%86"  # the filters, not the page or the sort
    assert [(s.name, n) for s, n, _acc in home.context["saved_searches"]] == [("集部稿", 5)]
    assert saved.get_absolute_url() in home.content.decode()


def test_saved_searches_are_per_user(world, client, shelf):
    SavedSearch.objects.create(user=world.users["cataloguer_b"], name="乙的", query="q=集")
    client.force_login(world.users["cataloguer_a"])

    assert client.get(reverse("home")).context["saved_searches"] == []


def test_a_record_opened_from_the_list_links_to_its_neighbours(world, client, shelf):
    client.force_login(world.users["cataloguer_a"])
    listing = client.get(reverse("holding_list"), {"q": "集", "sort": "volumes"})
    (second, link) = listing.context["rows"][1]

    page = client.get(link)

    nav = page.context["record_nav"]
    assert second.title_juan == "乙集二卷"
    previous = client.get(nav["previous"]).context["holding"]
    following = client.get(nav["next"]).context["holding"]
    assert (previous.title_juan, following.title_juan) == ("甲集三卷", "丙集五卷")
    back = parse_qs(urlsplit(nav["back"]).query)
    assert back["q"] == ["集"] and back["sort"] == ["volumes"] and back["page"] == ["1"]


def test_the_last_record_has_no_next(world, client, shelf):
    client.force_login(world.users["cataloguer_a"])
    listing = client.get(reverse("holding_list"), {"q": "集", "sort": "volumes"})
    _h, link = listing.context["rows"][-1]

    nav = client.get(link).context["record_nav"]

    assert "next" not in nav and "previous" in nav


def test_the_print_view_is_a_record_sheet(world, client):
    client.force_login(world.users["cataloguer_a"])

    response = client.get(reverse("holding_print", args=[world.holding_a.pk]))

    html = response.content.decode()
    assert "print.css" in html and 'class="catalogue-card"' in html
    assert world.holding_a.title_juan in html
    assert '<header class="site">' not in html


def test_a_draft_is_deleted_with_a_reason_and_restored_by_a_manager(world, client):
    draft = make_holding(world.institution_a, title_juan="重複著錄一卷")
    client.force_login(world.users["cataloguer_a"])

    client.post(reverse("holding_delete", args=[draft.pk]), {"reason": "重复著录"})

    assert not Holding.objects.filter(pk=draft.pk).exists()
    deletion = Holding.history.get(id=draft.pk, history_type="-")
    assert deletion.history_change_reason == "重复著录"
    assert deletion.history_user == world.users["cataloguer_a"]

    client.force_login(world.users["manager_a"])
    listed = client.get(reverse("deleted_list")).context["page"].object_list
    assert [v.id for v in listed] == [draft.pk]
    client.post(reverse("holding_restore", args=[deletion.history_id]), {"reason": "误删"})

    restored = Holding.objects.get(pk=draft.pk)
    assert restored.title_juan == "重複著錄一卷"
    assert restored.responsibilities.count() == 1
    assert restored.history.first().history_change_reason == "误删"


def test_only_a_draft_can_be_deleted(world, client):
    from tests.census.workflow_factories import make_entry

    entry = make_entry("submitted", institution=world.institution_a)
    client.force_login(world.users["cataloguer_a"])

    client.post(reverse("holding_delete", args=[entry.holding.pk]), {"reason": "不要了"})

    assert Holding.objects.filter(pk=entry.holding.pk).exists()


def test_a_deletion_needs_a_reason(world, client):
    client.force_login(world.users["cataloguer_a"])

    client.post(reverse("holding_delete", args=[world.holding_a.pk]), {"reason": ""})

    assert Holding.objects.filter(pk=world.holding_a.pk).exists()


def test_other_institutions_do_not_see_deleted_drafts(world, client):
    draft = make_holding(world.institution_a)
    delete_draft(draft, by=None, reason="测试")
    client.force_login(world.users["centre_admin"])
    assert [v.id for v in client.get(reverse("deleted_list")).context["page"].object_list] == [
        draft.pk
    ]
    client.force_login(world.users["cataloguer_a"])

    assert client.get(reverse("deleted_list")).status_code == 403


def _create(client, institution, **extra):
    data = {
        "institution": institution.pk,
        "call_number": "新0001",
        "title_juan": "史记一百三十卷",
        "volumes": 10,
        "edition_statement": "清乾隆四年（1739）武英殿刻本",
        "authors": "（漢）司馬遷撰",
    }
    return client.post(reverse("holding_create"), data | extra)


def test_creating_a_likely_duplicate_warns_before_saving(world, client):
    client.force_login(world.users["cataloguer_a"])  # world.holding_a: 史記一百三十卷, 武英殿

    warned = _create(client, world.institution_a)

    assert [d.pk for d in warned.context["duplicates"]] == [world.holding_a.pk]
    assert not Holding.objects.filter(call_number="新0001").exists()
    saved = _create(client, world.institution_a, confirm_duplicate="1")
    assert saved.status_code == 302
    assert Holding.objects.filter(call_number="新0001").exists()


def test_another_edition_is_no_duplicate(world, client):
    client.force_login(world.users["cataloguer_a"])

    response = _create(client, world.institution_a, edition_statement="明刻本")

    assert response.status_code == 302


def test_a_manager_edits_the_institution_with_history(world, client):
    client.force_login(world.users["manager_a"])

    client.post(
        reverse("institution_edit", args=[world.institution_a.pk]),
        {"contact_person": "林主任", "contact_phone": "0571-1234", "reason": "换了负责人"},
    )

    world.institution_a.refresh_from_db()
    assert world.institution_a.contact_person == "林主任"
    last = world.institution_a.history.first()
    assert last.history_user == world.users["manager_a"]
    assert last.history_change_reason == "换了负责人"


def test_a_manager_grants_and_revokes_the_cataloguer_role(world, client):
    from guji.models import RoleAssignment
    from guji.permissions import can
    from tests.factories import make_user

    staff = make_user()  # a staff member of A without a role yet
    staff.institution = world.institution_a
    staff.save()
    client.force_login(world.users["manager_a"])

    client.post(
        reverse("cataloguer_grant", args=[world.institution_a.pk]),
        {"user": staff.pk, "reason": "新进编目员"},
    )
    role = RoleAssignment.objects.get(user=staff, role="cataloguer")
    assert can(staff, "catalogue", world.holding_a)
    assert role.history.first().history_change_reason == "新进编目员"

    client.post(
        reverse("cataloguer_revoke", args=[world.institution_a.pk, role.pk]), {"reason": "调岗"}
    )
    staff = type(staff).objects.get(pk=staff.pk)
    assert not can(staff, "catalogue", world.holding_a)
    assert (
        RoleAssignment.history.filter(id=role.pk, history_type="-").get().history_change_reason
        == "调岗"
    )
