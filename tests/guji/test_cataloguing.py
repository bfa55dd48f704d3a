import pytest

from guji.cataloguing import (
    Statement,
    catalogue_form,
    parse_statements,
    parse_title_juan,
    search_key,
)
from guji.chinese import chinese_number, write_number

pytestmark = pytest.mark.django_db  # role names come from the AuthorRole table


@pytest.mark.parametrize(
    ("text", "title", "juan"),
    [
        ("史記一百三十卷", "史記", 130),
        ("周易兼義九卷", "周易兼義", 9),
        ("［萬曆］金華府志三十卷", "［萬曆］金華府志", 30),
        ("通書類聚尅擇大全□□卷", "通書類聚尅擇大全", None),
        ("紅樓夢不分卷", "紅樓夢", None),
        ("文選六十卷首一卷", "文選", 60),
        ("太平御覽一千卷", "太平御覽", 1000),
        ("楚辭章句十七卷", "楚辭章句", 17),
        ("某書", "某書", None),
    ],
)
def test_title_and_juan_are_split_as_catalogues_write_them(text, title, juan):
    assert parse_title_juan(text) == (title, juan)


def test_statements_keep_dynasty_name_and_role_in_order():
    statements = parse_statements(
        "（漢）司馬遷撰 （南朝宋）裴駰集解 （唐）司馬貞索隱 （唐）張守節正義"
    )
    assert statements == [
        Statement("漢", "司馬遷", "撰"),
        Statement("南朝宋", "裴駰", "集解"),
        Statement("唐", "司馬貞", "索隱"),
        Statement("唐", "張守節", "正義"),
    ]


def test_a_shared_role_is_written_once_after_the_last_name():
    statements = parse_statements("(魏)王弼 (晉)韓康伯注 (唐)孔穎達疏")
    assert [(s.dynasty, s.name, s.role) for s in statements] == [
        ("魏", "王弼", ""),
        ("晉", "韓康伯", "注"),
        ("唐", "孔穎達", "疏"),
    ]


def test_the_longest_role_wins_and_attributed_authors_are_marked():
    assert parse_statements("（明）王懋德 （明）陸鳳儀纂修")[1] == Statement("明", "陸鳳儀", "纂修")
    assert parse_statements("題（漢）東方朔撰")[0] == Statement(
        "漢", "東方朔", "撰", attributed=True
    )
    assert parse_statements("（清）紀昀等纂")[0] == Statement("清", "紀昀等", "纂")


def test_the_catalogue_form_round_trips():
    text = "（漢）司馬遷撰 （南朝宋）裴駰集解"
    assert catalogue_form(parse_statements(text)) == text


def test_search_keys_fold_traditional_into_simplified():
    assert search_key("史記", "（漢）司馬遷撰") == search_key("史记", "（汉）司马迁撰")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("十", 10),
        ("十八", 18),
        ("二十四", 24),
        ("一百三十", 130),
        ("廿", 20),
        ("卅一", 31),
        ("元", 1),
        ("一千", 1000),
        ("18", 18),
        ("一九三一", 1931),
        ("甲", None),
        ("", None),
    ],
)
def test_chinese_numerals(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (18, "十八"),
        (24, "二十四"),
        (105, "一百〇五"),
        (110, "一百一十"),
        (1010, "一千〇一十"),
        (5020, "五千〇二十"),
        (10000, "一万"),
        (12345, "一万二千三百四十五"),
    ],
)
def test_counts_are_written_as_catalogues_print_them_and_read_back(n, text):
    assert write_number(n) == text
    assert chinese_number(text) == n


def test_a_compound_surname_is_not_mistaken_for_name_and_role():
    statements = parse_statements("（宋）歐陽修 （宋）宋祁撰")
    assert [(s.name, s.role) for s in statements] == [("歐陽修", ""), ("宋祁", "撰")]


def test_the_attribution_prefix_follows_the_records_script():
    assert parse_statements("題（漢）東方朔撰")[0].text() == "題（漢）東方朔撰"
    assert parse_statements("题（汉）东方朔撰")[0].text() == "题（汉）东方朔撰"


def test_common_catalogue_roles_beyond_the_reference_are_known():
    assert parse_statements("（漢）毛亨傳 （漢）鄭玄箋")[0].role == "傳"
    assert parse_statements("（漢）王逸章句")[0].role == "章句"


@pytest.mark.parametrize(
    ("n", "text"),
    [(1, "一"), (16, "十六"), (30, "三十"), (106, "一百六"), (210, "二百十"), (416, "四百十六")],
)
def test_the_terse_style_drops_zeros_and_the_one_before_ten_and_reads_back(n, text):
    assert write_number(n, terse=True) == text
    assert chinese_number(text) == n
