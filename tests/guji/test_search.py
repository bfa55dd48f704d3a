"""guji/search.py (gram-indexed substring search) and guji/pagination.py (bounded paging).

Run on SQLite and on PostgreSQL (DATABASE_URL=postgres://…): the search index differs (FTS5
table and triggers, GIN expression index), the results must not.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from guji import pagination, search
from guji.cataloguing import parse_statements
from guji.history import delete_audited
from guji.models import Holding
from guji.pagination import count_rows, page_number, paginate
from guji.services import update_holding
from tests.factories import make_holding, make_institution

pytestmark = pytest.mark.django_db

TITLES = [
    ("史記一百三十卷", "（漢）司馬遷撰 （南朝宋）裴駰集解"),
    ("史记评林一百三十卷", "（明）凌稚隆辑"),
    ("漢書一百卷", "（漢）班固撰 （唐）顏師古注"),
    ("資治通鑑二百九十四卷", "（宋）司馬光撰"),
    ("松雲堂詩集十卷", "（清）王松撰"),
    ("雲松山房詩鈔四卷", "（清）李雲撰"),
    ("海寧縣志十二卷", "（清）戰效曾修 （清）汪仁纂"),
    ("山陰王氏宗譜八卷", "（清）王甲纂修"),
    ("ABC English Title 2 vols", "Smith"),
    ("集", "（清）某撰"),
]
QUERIES = [
    "史记",  # 2 characters, simplified for 史記
    "史",  # 1 character
    "司马",
    "司马迁",  # 3 characters: grams narrow, LIKE decides
    "马光 通鉴",  # two words, both must match
    "松云",
    "云松",  # the same characters in the other order
    "诗集",
    "集",
    "王",
    "宗谱",
    "（汉）",  # brackets are characters like any other
    "english",  # lower-cased like search_key
    "abc title",
    "善0",  # call numbers: 善0001 …
    "0001",
    "12卷",
    "龙门",  # in no key
    "史记 龙门",
]


@pytest.fixture
def catalogue(world):
    institution = make_institution()
    for title, authors in TITLES:
        make_holding(institution, title_juan=title, authors=authors)
    return Holding.objects.filter(institution=institution)


def _substring(holdings, query: str) -> set[int]:
    """What search means: every word of the normalised query is in search_key."""
    words = search.words(query)
    return {h.pk for h in holdings if all(w in h.search_key for w in words)}


@pytest.mark.parametrize("query", QUERIES)
def test_search_finds_exactly_the_keys_that_contain_every_word(catalogue, query):
    found = set(search.matching(catalogue, query).values_list("pk", flat=True))

    assert found == _substring(catalogue, query)


@pytest.mark.parametrize("query", ["史记", "集", "司马迁", "善0"])
def test_a_word_too_common_for_the_index_finds_the_same_holdings(catalogue, query, monkeypatch):
    indexed = set(search.matching(catalogue, query).values_list("pk", flat=True))
    monkeypatch.setattr(search, "SQLITE_COMMON", 0)  # every word is "common": LIKE alone
    monkeypatch.setattr(search, "POSTGRES_COMMON", -1.0)

    assert set(search.matching(catalogue, query).values_list("pk", flat=True)) == indexed


def test_the_queries_cover_words_that_match_and_words_that_do_not(catalogue):
    hits = [q for q in QUERIES if _substring(catalogue, q)]
    assert 0 < len(hits) < len(QUERIES)


def test_search_follows_a_changed_title_and_forgets_a_deleted_holding(world):
    holding = make_holding(make_institution(), title_juan="松雲堂詩集十卷")
    holdings = Holding.objects.filter(pk=holding.pk)

    update_holding(
        holding,
        data={"title_juan": "竹石齋文鈔四卷"},
        statements=parse_statements("（清）某撰"),
        by=None,
        reason="据卷端改正",
    )
    assert not search.matching(holdings, "松云").exists()
    assert search.matching(holdings, "石斋").exists()

    delete_audited(Holding.objects.get(pk=holding.pk), by=None, reason="重复著录")
    assert not search.matching(Holding.objects.all(), "竹石斋文钞").exists()


def test_a_word_needs_its_two_character_pieces():
    assert search.grams("史") == ["史"]
    assert search.grams("史记") == ["史记"]
    assert search.grams("司马迁") == ["司马", "马迁"]
    assert search.grams("哈哈哈") == ["哈哈"]


# --- pagination -------------------------------------------------------------------------------


@pytest.fixture
def shelf(world):
    """Five holdings at a new institution, and the queryset that lists them newest first."""
    institution = make_institution()
    made = [make_holding(institution) for _ in range(5)]
    return Holding.objects.filter(institution=institution).order_by("-id"), made[::-1]


def test_pages_split_the_rows_in_order_and_know_their_neighbours(shelf):
    holdings, newest_first = shelf

    first = paginate(holdings, 1, per_page=2)
    last = paginate(holdings, 3, per_page=2)

    assert first.object_list == newest_first[:2]
    assert (first.has_previous, first.has_next, first.num_pages) == (False, True, 3)
    assert last.object_list == newest_first[4:]
    assert (last.has_previous, last.has_next, last.previous_page_number()) == (True, False, 2)
    assert (first.count, first.accuracy) == (5, "exact")


def test_a_page_past_the_end_is_the_last_page_and_nonsense_is_the_first(shelf):
    holdings, _ = shelf

    assert paginate(holdings, 99, per_page=2).number == 3
    assert paginate(holdings, "abc", per_page=2).number == 1
    assert page_number("-4") == 1


def test_counting_stops_at_the_limit_and_paging_goes_on_past_it(shelf):
    holdings, newest_first = shelf

    page = paginate(holdings, 2, per_page=2, count_limit=3)

    assert (page.count, page.accuracy, page.num_pages) == (3, "at_least", None)
    assert page.object_list == newest_first[2:4]
    assert page.has_next


def test_a_whole_table_is_counted_exactly_on_sqlite_or_estimated_on_postgresql(shelf):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE guji_holding")
    total = Holding.objects.count()

    count, accuracy = count_rows(Holding.objects.all(), limit=3)

    if connection.vendor == "postgresql":
        assert (count, accuracy) == (total, "about")  # ANALYZE just counted every row
    else:
        assert (count, accuracy) == (total, "exact")


def test_a_page_costs_two_queries_for_five_rows_and_for_fifty(shelf):
    holdings, _ = shelf
    with CaptureQueriesContext(connection) as few:
        paginate(holdings, 2, per_page=2, rows=Holding.objects.for_list())
    institution = holdings.first().institution
    for _ in range(45):
        make_holding(institution)
    with CaptureQueriesContext(connection) as many:
        page = paginate(holdings, 2, per_page=2, rows=Holding.objects.for_list())

    assert len(few) == len(many) == 2
    assert page.count == 50


# --- the list page ----------------------------------------------------------------------------


def test_the_list_links_to_the_next_and_previous_pages(world, client, settings):
    settings.GUJI_PAGE_SIZE = 2
    institution = make_institution()
    for _ in range(5):
        make_holding(institution)
    client.force_login(world.users["centre_admin"])
    url = reverse("holding_list")

    middle = client.get(url, {"institution": institution.pk, "page": 2}).content.decode()
    last = client.get(url, {"institution": institution.pk, "page": 3}).content.decode()

    assert f"?institution={institution.pk}&amp;page=3" in middle
    assert f"?institution={institution.pk}&amp;page=1" in middle
    assert "page=4" not in last
    assert f"?institution={institution.pk}&amp;page=2" in last


def test_the_list_says_more_than_the_limit_when_it_stops_counting(
    world, client, settings, monkeypatch
):
    settings.GUJI_PAGE_SIZE = 2
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 3)
    institution = make_institution()
    for _ in range(5):
        make_holding(institution)
    client.force_login(world.users["centre_admin"])

    response = client.get(reverse("holding_list"), {"institution": institution.pk})

    page = response.context["page"]
    assert (page.count, page.accuracy) == (3, "at_least")
    assert "page=2" in response.content.decode()


def test_the_institution_filter_keeps_its_choice(world, client):
    client.force_login(world.users["centre_admin"])

    html = client.get(reverse("holding_list"), {"institution": world.institution_b.pk}).content

    assert f'<option value="{world.institution_b.pk}" selected>'.encode() in html
    assert f'<option value="{world.institution_a.pk}">'.encode() in html


# --- variant characters and fields ------------------------------------------------------------


@pytest.fixture
def variants(world):
    institution = make_institution()
    common = {"edition_statement": "清刻本"}
    rows = {
        "qi": ("竒觚十卷", "（清）王甲撰", {}),
        "feng": ("雲峯集四卷", "（明）李乙撰", {}),
        "an": ("梅菴詩鈔二卷", "（清）張丙撰", {}),
        "hui": ("囘文類聚四卷", "（宋）桑世昌輯", {}),
        "kuan": ("寛齋集三卷", "（清）陳丁撰", {}),
        "wang": (
            "說文解字三十卷",
            "（漢）許慎撰",
            {
                "edition_statement": "清同治十二年（1873）金陵書局刻本",
                "seals": "汪士鐘印\n閬源真賞",
                "annotations": "清黃丕烈跋",
            },
        ),
        "wuying": ("史記一百三十卷", "（漢）司馬遷撰", {"edition_statement": "清武英殿刻本"}),
    }
    return {
        key: make_holding(institution, title_juan=title, authors=authors, **(common | extra))
        for key, (title, authors, extra) in rows.items()
    }


def _found(query: str, field: str | None = None) -> set[int]:
    """What the query finds among the holdings made by the test (not the world's)."""
    holdings = Holding.objects.exclude(institution__name__in=["甲图书馆", "乙图书馆"])
    return set(search.matching(holdings, query, field).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("奇觚", "qi"),  # the record's variant found by the standard form …
        ("竒觚", "qi"),  # … and by itself
        ("云峰", "feng"),  # 简 and the standard form of 峯
        ("雲峯", "feng"),
        ("云峯", "feng"),  # 简 for 雲 combined with the variant 峯
        ("梅庵", "an"),
        ("回文", "hui"),
        ("宽斋", "kuan"),  # 寛 (variant) ← 宽 (简)
        ("寬齋", "kuan"),  # and the traditional form
    ],
)
def test_search_treats_variant_characters_as_the_same(variants, query, key):
    assert _found(query) == {variants[key].pk}


def test_a_standard_form_in_the_record_is_found_by_a_variant_in_the_query(world):
    holding = make_holding(make_institution(), title_juan="奇觚十卷")

    assert _found("竒觚") == {holding.pk}
    assert _found("竒") >= {holding.pk}


@pytest.mark.parametrize(
    ("query", "key"),
    [
        ("金陵书局", "wang"),  # publishers and places in the edition statement
        ("武英殿", "wuying"),
        ("汪士钟", "wang"),  # people in the seals, in 简
        ("汪士鐘", "wang"),
        ("黄丕烈", "wang"),  # 批校题跋
    ],
)
def test_search_covers_edition_annotations_and_seals(variants, query, key):
    assert _found(query) == {variants[key].pk}


@pytest.mark.parametrize(
    ("query", "field", "expected"),
    [
        ("钤印:汪士鐘", None, {"wang"}),
        ("鈐印：汪士钟", None, {"wang"}),
        ("汪士钟", "seals", {"wang"}),
        ("汪士钟", "title", set()),  # not in the title
        ("题名:汪士钟", None, set()),
        ("版本:武英殿", None, {"wuying"}),
        ("著者:司马迁", None, {"wuying"}),
        ("题名:史记", None, {"wuying"}),
        ("著者:史记", None, set()),
        ("批校:黄丕烈", None, {"wang"}),
        ("编号:善", None, {"qi", "feng", "an", "hui", "kuan", "wang", "wuying"}),
        ("题名:说文 版本:金陵", None, {"wang"}),
    ],
)
def test_a_field_prefix_or_the_field_filter_restricts_a_word_to_one_field(
    variants, query, field, expected
):
    assert _found(query, field) == {variants[k].pk for k in expected}


def test_an_unknown_prefix_is_part_of_the_word(variants):
    assert _found("某某:史记") == set()
