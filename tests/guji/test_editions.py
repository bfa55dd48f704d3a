# ruff: noqa: RUF001, RUF003, RUF100 -- Chinese statements: full-width punctuation is intended
"""guji.editions.parse: edition statements (版本项) read as in the domain note editions.md."""

import random
from dataclasses import FrozenInstanceError

import pytest

from guji import editions
from guji.editions import Edition, chinese_number, ganzhi_index, ganzhi_years, parse


def fields(e: Edition) -> tuple:
    return (e.dynasty, e.era, e.era_year, e.year, e.edition_type)


# --- the worked examples ----------------------------------------------------------------------

EDITIONS_MD_EXAMPLES = [
    ("清乾隆四年（1739）武英殿刻本", ("清", "乾隆", 4, 1739, "刻本")),
    ("明嘉靖三十年(1551)芝城銅活字印本", ("明", "嘉靖", 30, 1551, "铜活字印本")),
    ("清光緒十年上海同文書局石印本", ("清", "光绪", 10, 1884, "石印本")),
    ("民国十年（1921）石印本", ("民国", None, 10, 1921, "石印本")),
    ("清乾隆間刻本", ("清", "乾隆", None, None, "刻本")),
    ("明末刻本", ("明", None, None, None, "刻本")),
]

CENSUS_MD_EXAMPLES = [
    ("明萬曆刻本", ("明", "万历", None, None, "刻本")),
    ("清乾隆四年(1739)武英殿刻本", ("清", "乾隆", 4, 1739, "刻本")),
    ("明嘉靖三十年(1551)芝城銅活字印本", ("明", "嘉靖", 30, 1551, "铜活字印本")),
    ("宋刻元明遞修本", ("宋", None, None, None, "刻本")),
    ("清抄本", ("清", None, None, None, "抄本")),
    ("稿本", (None, None, None, None, "稿本")),
    ("清光緒十年(1884)上海同文書局石印本", ("清", "光绪", 10, 1884, "石印本")),
    ("明嘉靖三十年（1551）芝城銅活字印本", ("明", "嘉靖", 30, 1551, "铜活字印本")),
    ("明嘉靖三十一年（1552）芝城銅活字藍印本", ("明", "嘉靖", 31, 1552, "铜活字印本")),
    ("清抄本 清黄丕烈跋", ("清", None, None, None, "抄本")),
    ("明刻本 清何焯批校", ("明", None, None, None, "刻本")),
    ("清刻本　清某某批校", ("清", None, None, None, "刻本")),
    ("明万历三十三年(1605)王肯堂刻本 孙星衍跋", ("明", "万历", 33, 1605, "刻本")),
]


@pytest.mark.parametrize(("statement", "expected"), EDITIONS_MD_EXAMPLES)
def test_editions_md_examples_give_the_documented_fields(statement, expected):
    e = parse(statement)
    assert fields(e) == expected
    assert e.warnings == ()


@pytest.mark.parametrize(("statement", "expected"), CENSUS_MD_EXAMPLES)
def test_census_md_examples_give_the_documented_fields(statement, expected):
    e = parse(statement)
    assert fields(e) == expected
    assert e.warnings == ()


def test_census_example_d_gives_publisher_wuyingdian():
    e = parse("清乾隆四年（1739）武英殿刻本")
    assert (e.publisher, e.stated_year, e.era_dynasty) == ("武英殿", 1739, "清")


def test_result_keeps_the_statement_as_given():
    assert parse("清乾隆間刻本").text == "清乾隆間刻本"


# --- traditional and simplified ---------------------------------------------------------------

TRAD_SIMP = [
    ("明萬曆刻本", "明万历刻本"),
    ("清光緒十年上海同文書局石印本", "清光绪十年上海同文书局石印本"),
    ("清嘉慶二十五年刻本", "清嘉庆二十五年刻本"),
    ("明嘉靖三十年（1551）芝城銅活字印本", "明嘉靖三十年（1551）芝城铜活字印本"),
    ("宋刻元明遞修本", "宋刻元明递修本"),
    ("清乾隆間刻本", "清乾隆间刻本"),
    ("清刻後印本", "清刻后印本"),
    ("民國十年（1921）鉛印本", "民国十年（1921）铅印本"),
    ("清咸豐三年刻本", "清咸丰三年刻本"),
    ("清宣統元年刻本", "清宣统元年刻本"),
    ("明天啟三年刻本", "明天启三年刻本"),
    ("明崇禎十七年刻本", "明崇祯十七年刻本"),
    ("南宋紹興十八年刻本", "南宋绍兴十八年刻本"),
    ("遼統和刻本", "辽统和刻本"),
    ("毛氏汲古閣影宋鈔本", "毛氏汲古阁影宋抄本"),
    ("明藍印本", "明蓝印本"),
    ("清寫本", "清写本"),
]


@pytest.mark.parametrize(("traditional", "simplified"), TRAD_SIMP)
def test_traditional_and_simplified_statements_read_the_same(traditional, simplified):
    t, s = parse(traditional), parse(simplified)
    assert fields(t) == fields(s)
    assert (t.modifiers, t.publisher, t.warnings) == (s.modifiers, s.publisher, s.warnings)
    assert t.edition_type is not None


@pytest.mark.parametrize(
    ("statement", "era", "year"),
    [
        ("宋乾德三年刻本", "乾德", 965),  # OpenCC alone writes 干德
        ("北宋乾德三年刻本", "乾德", 965),
        ("宋乾興元年刻本", "乾兴", 1022),
        ("遼乾統二年刻本", "乾统", 1102),
        ("遼乾亨元年刻本", "乾亨", 979),
        ("清乾隆元年刻本", "乾隆", 1736),
    ],
)
def test_qian_in_reign_titles_is_not_turned_into_gan(statement, era, year):
    e = parse(statement)
    assert (e.era, e.year) == (era, year)


@pytest.mark.parametrize(
    ("statement", "era", "year"),
    [("淸康熈十年刻本", "康熙", 1671), ("清光緖元年刻本", "光绪", 1875)],
)
def test_variant_characters_opencc_leaves_alone_are_read(statement, era, year):
    e = parse(statement)
    assert (e.dynasty, e.era, e.year) == ("清", era, year)


# --- numerals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "era", "era_year", "year"),
    [
        ("清乾隆元年刻本", "乾隆", 1, 1736),
        ("清乾隆二年刻本", "乾隆", 2, 1737),
        ("清乾隆九年刻本", "乾隆", 9, 1744),
        ("清乾隆十年刻本", "乾隆", 10, 1745),
        ("清乾隆十一年刻本", "乾隆", 11, 1746),
        ("清乾隆二十年刻本", "乾隆", 20, 1755),
        ("清乾隆二十四年刻本", "乾隆", 24, 1759),
        ("清乾隆三十四年刻本", "乾隆", 34, 1769),
        ("清乾隆六十年刻本", "乾隆", 60, 1795),
        ("清乾隆廿年刻本", "乾隆", 20, 1755),
        ("清乾隆廿四年刻本", "乾隆", 24, 1759),
        ("清乾隆卅年刻本", "乾隆", 30, 1765),
        ("清乾隆卅四年刻本", "乾隆", 34, 1769),
        ("清康熙六十一年刻本", "康熙", 61, 1722),
        ("清乾隆4年刻本", "乾隆", 4, 1739),
    ],
)
def test_chinese_numerals_give_the_reign_year(statement, era, era_year, year):
    e = parse(statement)
    assert (e.era, e.era_year, e.year) == (era, era_year, year)
    assert e.warnings == ()


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("元", 1),
        ("一", 1),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十四", 24),
        ("三十四", 34),
        ("六十", 60),
        ("廿", 20),
        ("廿四", 24),
        ("卅", 30),
        ("卅五", 35),
        ("一百二十", 120),
        ("24", 24),
        ("", None),
        ("年", None),
    ],
)
def test_chinese_number_reads_numerals(text, value):
    assert chinese_number(text) == value


# --- bracketed Gregorian year -----------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "清乾隆四年（1739）刻本",
        "清乾隆四年(1739)刻本",
        "清乾隆四年 (1739) 刻本",
        "清乾隆四年(1739年)刻本",
        "清乾隆四年(公元1739年)刻本",
        "清乾隆四年（１７３９）刻本",
        "清乾隆四年刻本（1739）",
    ],
)
def test_bracketed_year_in_either_bracket_form_is_read(statement):
    e = parse(statement)
    assert (e.year, e.stated_year, e.warnings) == (1739, 1739, ())


@pytest.mark.parametrize("statement", ["清乾隆四年（1740）刻本", "清乾隆四年(1740)刻本"])
def test_bracketed_year_disagreeing_with_reign_is_warned_and_reign_wins(statement):
    e = parse(statement)
    assert (e.era_year, e.year, e.stated_year) == (4, 1739, 1740)
    assert e.warnings == ("括注公元1740年与乾隆四年（1739）不符",)


def test_bracketed_year_disagreeing_with_minguo_year_is_warned():
    e = parse("民国十年（1922）铅印本")
    assert (e.era_year, e.year) == (10, 1921)
    assert e.warnings == ("括注公元1922年与民国十年（1921）不符",)


def test_bracketed_year_alone_with_reign_dates_within_the_reign():
    e = parse("清乾隆間(1739)刻本")
    assert (e.era, e.era_year, e.year, e.qualifier) == ("乾隆", 4, 1739, "间")


def test_bracketed_year_outside_the_named_reign_is_warned():
    e = parse("清乾隆(1820)刻本")
    assert e.year == 1820
    assert any("1820" in w and "乾隆" in w for w in e.warnings)


# --- 干支 within a reign ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "era", "era_year", "year"),
    [
        ("清乾隆乙未刻本", "乾隆", 40, 1775),
        ("清乾隆乙未年刻本", "乾隆", 40, 1775),
        ("清道光乙未刻本", "道光", 15, 1835),
        ("清同治甲子刻本", "同治", 3, 1864),
        ("清光緒甲午刻本", "光绪", 20, 1894),
        ("康熙丙子刻本", "康熙", 35, 1696),
    ],
)
def test_ganzhi_inside_a_reign_gives_the_matching_year(statement, era, era_year, year):
    e = parse(statement)
    assert (e.dynasty, e.era, e.era_year, e.year) == ("清", era, era_year, year)
    assert e.warnings == ()


def test_ganzhi_cycle_is_anchored_on_1984_jiazi():
    assert ganzhi_index("甲子") == 0
    assert ganzhi_index("乙未") == 31
    assert ganzhi_index("癸亥") == 59
    assert ganzhi_years("甲子", 1900, 2000) == [1924, 1984]


def test_ganzhi_not_in_the_reign_span_is_warned_and_leaves_year_empty():
    e = parse("清道光甲子刻本")  # 道光 1821–1850 has no 甲子 year
    assert (e.era, e.era_year, e.year) == ("道光", None, None)
    assert any("甲子" in w for w in e.warnings)


def test_invalid_ganzhi_is_warned():
    e = parse("清乾隆甲丑刻本")
    assert e.year is None
    assert any("甲丑" in w for w in e.warnings)


def test_ganzhi_occurring_twice_in_a_long_reign_takes_the_first_and_warns():
    e = parse("清康熙壬寅刻本")  # 1662 and 1722
    assert e.year == 1662
    assert any("1722" in w for w in e.warnings)


# --- 民国 ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "era_year", "year"),
    [
        ("民国十年（1921）石印本", 10, 1921),
        ("民國元年石印本", 1, 1912),
        ("民国廿四年铅印本", 24, 1935),
        ("中华民国二十年铅印本", 20, 1931),
        ("民国三十八年油印本", 38, 1949),
    ],
)
def test_minguo_year_counts_from_1911_and_has_no_era(statement, era_year, year):
    e = parse(statement)
    assert (e.dynasty, e.era, e.era_year, e.year) == ("民国", None, era_year, year)


def test_minguo_without_year_keeps_the_period_only():
    e = parse("民国间铅印本")
    assert fields(e) == ("民国", None, None, None, "铅印本")
    assert e.qualifier == "间"


# --- statements without a year ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "expected", "qualifier"),
    [
        ("明万历刻本", ("明", "万历", None, None, "刻本"), None),
        ("清乾隆间刻本", ("清", "乾隆", None, None, "刻本"), "间"),
        ("明末刻本", ("明", None, None, None, "刻本"), "末"),
        ("清初抄本", ("清", None, None, None, "抄本"), "初"),
        ("清抄本", ("清", None, None, None, "抄本"), None),
        ("稿本", (None, None, None, None, "稿本"), None),
        ("明末清初刻本", ("明", None, None, None, "刻本"), "明末清初"),
        ("清中叶刻本", ("清", None, None, None, "刻本"), "中叶"),
        ("宋刻本", ("宋", None, None, None, "刻本"), None),
    ],
)
def test_statements_without_a_year_leave_year_fields_empty(statement, expected, qualifier):
    e = parse(statement)
    assert fields(e) == expected
    assert e.qualifier == qualifier
    assert e.warnings == ()


# --- edition type -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "edition_type"),
    [
        ("明刻本", "刻本"),
        ("宋刊本", "刻本"),
        ("明活字印本", "活字本"),
        ("明活字本", "活字本"),
        ("清木活字印本", "木活字印本"),
        ("清泥活字印本", "泥活字印本"),
        ("明铜活字印本", "铜活字印本"),
        ("明芝城铜活字蓝印本", "铜活字印本"),
        ("清武英殿聚珍版印本", "聚珍版印本"),
        ("清内府朱墨套印本", "套印本"),
        ("清五色套印本", "套印本"),
        ("明饾版印本", "饾版印本"),
        ("清抄本", "抄本"),
        ("清钞本", "抄本"),
        ("毛氏汲古阁影宋抄本", "影抄本"),
        ("清影宋抄本", "影抄本"),
        ("清影宋刻本", "影刻本"),
        ("明覆宋刻本", "翻刻本"),
        ("明翻刻本", "翻刻本"),
        ("清重刻本", "重刻本"),
        ("清初刻本", "刻本"),  # 初 dates the edition (early 清); see qualifier test
        ("稿本", "稿本"),
        ("清稿本", "稿本"),  # 清 is the dynasty
        ("清清稿本", "清稿本"),
        ("清手稿本", "手稿本"),
        ("唐写本", "写本"),
        ("清内府写本", "写本"),
        ("清写刻本", "刻本"),
        ("清光绪石印本", "石印本"),
        ("清光绪铅印本", "铅印本"),
        ("民国排印本", "铅印本"),
        ("清宣统影印本", "影印本"),
        ("民国景印本", "影印本"),
        ("民国油印本", "油印本"),
        ("清彩绘本", "彩绘本"),
        ("清拓本", "拓本"),
        ("明朱印本", "朱印本"),
        ("明蓝印本", "蓝印本"),
        ("金陵刻经处刻本", "刻本"),
    ],
)
def test_edition_type_is_the_most_specific_production_type_named(statement, edition_type):
    e = parse(statement)
    assert e.edition_type == edition_type
    assert e.edition_type in editions.edition_type_names()


@pytest.mark.parametrize(
    ("statement", "publisher"),
    [
        ("清乾隆四年（1739）武英殿刻本", "武英殿"),
        ("清康熙四十五年扬州诗局刻本", "扬州诗局"),
        ("清同治八年金陵书局刻本", "金陵书局"),
        ("明嘉靖三十年（1551）芝城铜活字印本", "芝城"),
        ("明毛氏汲古阁影宋抄本", "毛氏汲古阁"),
        ("清内府朱墨套印本", "内府"),
        ("金陵刻经处刻本", "金陵刻经处"),
        ("明华氏会通馆铜活字印本", "华氏会通馆"),
        ("宋刻元明递修本", None),
    ],
)
def test_maker_or_place_is_not_part_of_the_type(statement, publisher):
    e = parse(statement)
    assert e.publisher == publisher
    assert publisher is None or publisher not in (e.edition_type or "")


@pytest.mark.parametrize(
    ("statement", "dynasty", "publisher"),
    [
        ("金陵书局刻本", None, "金陵书局"),
        ("金华府刻本", None, "金华府"),
        ("元和江氏刻本", None, "元和江氏"),
        ("唐氏刻本", None, "唐氏"),
        ("明华氏会通馆铜活字印本", "明", "华氏会通馆"),
        ("金刻本", "金", None),
    ],
)
def test_place_or_family_name_starting_with_a_dynasty_name_is_not_the_dynasty(
    statement, dynasty, publisher
):
    e = parse(statement)
    assert (e.dynasty, e.publisher) == (dynasty, publisher)


def test_ink_colour_qualifies_movable_type_rather_than_replacing_it():
    e = parse("明嘉靖三十一年（1552）芝城銅活字藍印本")
    assert (e.edition_type, e.modifiers) == ("铜活字印本", ("蓝印",))


def test_ink_colour_qualifies_a_woodblock():
    e = parse("清内府刻朱印本")
    assert (e.edition_type, e.modifiers) == ("刻本", ("朱印",))


def test_repeated_repair_is_a_woodblock_with_the_dixiu_modifier():
    e = parse("宋刻元明遞修本")
    assert (e.dynasty, e.edition_type, e.modifiers) == ("宋", "刻本", ("递修",))
    assert e.impression_type == "递修本"
    assert e.year is None


@pytest.mark.parametrize(
    ("statement", "modifier", "impression_type"),
    [
        ("清刻後印本", "后印", "后印本"),
        ("明嘉靖刻万历重修本", "重修", "重修本"),
        ("元至正二十五年(1365)刻明修本", "重修", "重修本"),
        ("明弘治十八年刻正德嘉靖递修本", "递修", "递修本"),
        ("明递修本", "递修", "递修本"),
    ],
)
def test_impression_qualifies_the_woodblock_type(statement, modifier, impression_type):
    e = parse(statement)
    assert e.edition_type == "刻本"
    assert modifier in e.modifiers
    assert e.impression_type == impression_type


def test_impression_does_not_change_dating():
    assert fields(parse("明弘治十八年刻正德嘉靖递修本"))[:4] == ("明", "弘治", 18, 1505)


@pytest.mark.parametrize(
    "note", ["清黄丕烈跋", "清何焯批校", "清顾广圻校并跋 清黄丕烈题记", "配清抄本"]
)
@pytest.mark.parametrize("statement", ["清乾隆四年（1739）武英殿刻本", "明抄本", "清乾隆乙未刻本"])
def test_trailing_annotations_do_not_change_dating_or_type(statement, note):
    plain, annotated = parse(statement), parse(f"{statement} {note}")
    assert fields(annotated) == fields(plain)
    assert annotated.annotations == tuple(note.split())


def test_annotation_written_without_a_space_is_split_off():
    e = parse("清抄本清黄丕烈跋")
    assert (e.edition_type, e.annotations) == ("抄本", ("清黄丕烈跋",))


def test_supplemented_copy_is_flagged_and_keeps_the_main_type():
    e = parse("明刻本（卷一至三配清抄本）")
    assert (e.dynasty, e.edition_type) == ("明", "刻本")
    assert "配补" in e.modifiers
    assert e.annotations == ("卷一至三配清抄本",)


def test_cataloguer_brackets_and_question_mark_are_modifiers():
    assert parse("[清]刻本").dynasty == "清"
    assert "推定" in parse("[清]刻本").modifiers
    assert "存疑" in parse("明刻本？").modifiers
    assert parse("（清）刻本").dynasty == "清"


# --- dynasty: inferred, ambiguous reigns ------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "dynasty", "era_dynasty", "year"),
    [
        ("乾隆四年刻本", "清", "清", 1739),
        ("萬曆刻本", "明", "明", None),
        ("绍兴十八年刻本", "宋", "南宋", 1148),
        ("开宝四年刻本", "宋", "北宋", 971),
        ("永历三年刻本", "明", "南明", 1649),
        ("天命三年刻本", "清", "清", 1618),
        ("至正二十五年刻本", "元", "元", 1365),
        ("统和十年刻本", "辽", "辽", 992),
        ("泰和四年刻本", "金", "金", 1204),
    ],
)
def test_dynasty_is_inferred_from_the_reign_as_a_catalogue_writes_it(
    statement, dynasty, era_dynasty, year
):
    e = parse(statement)
    assert (e.dynasty, e.era_dynasty, e.year) == (dynasty, era_dynasty, year)
    assert e.warnings == ()


@pytest.mark.parametrize(
    ("statement", "dynasty"),
    [("南宋刻本", "南宋"), ("北宋刻本", "北宋"), ("南明弘光元年刻本", "南明")],
)
def test_dynasty_written_in_the_statement_is_kept(statement, dynasty):
    assert parse(statement).dynasty == dynasty


@pytest.mark.parametrize(
    ("statement", "era_dynasty", "year"),
    [
        ("宋乾道三年刻本", "南宋", 1167),
        ("西夏乾道二年刻本", "西夏", 1069),
        ("金大安三年刻本", "金", 1211),
        ("辽大安三年刻本", "辽", 1087),
        ("西夏大安三年刻本", "西夏", 1077),
        ("明天顺三年刻本", "明", 1459),
        ("元天顺元年刻本", "元", 1328),
        ("明正德三年刻本", "明", 1508),
        ("西夏正德三年刻本", "西夏", 1129),
        ("元大德三年刻本", "元", 1299),
        ("辽天庆三年刻本", "辽", 1113),
        ("西夏天庆三年刻本", "西夏", 1196),
    ],
)
def test_reign_title_used_by_several_dynasties_is_resolved_by_the_stated_dynasty(
    statement, era_dynasty, year
):
    e = parse(statement)
    assert (e.era_dynasty, e.year) == (era_dynasty, year)
    assert e.warnings == ()


def test_ambiguous_reign_without_dynasty_is_resolved_by_year_span_silently():
    e = parse("正德十年刻本")  # 西夏 正德 has 8 years, 明 正德 16
    assert (e.dynasty, e.year, e.warnings) == ("明", 1515, ())


def test_ambiguous_reign_without_dynasty_is_guessed_with_a_warning():
    e = parse("大安三年刻本")
    assert (e.dynasty, e.year) == ("金", 1211)
    assert len(e.warnings) == 1
    assert "大安" in e.warnings[0]


@pytest.mark.parametrize(
    ("statement", "year"),
    [
        ("元至元三年刻本", 1266),
        ("元至元三十年刻本", 1293),
        ("元後至元三年刻本", 1337),
        ("后至元六年刻本", 1340),
    ],
)
def test_zhiyuan_is_the_first_unless_written_hou_zhiyuan(statement, year):
    e = parse(statement)
    assert (e.dynasty, e.era, e.year) == ("元", "至元", year)


@pytest.mark.parametrize(
    ("statement", "dynasty", "era", "year"),
    [
        ("元贞元年刻本", "元", "元贞", 1295),
        ("元元贞元年刻本", "元", "元贞", 1295),
        ("明道二年刻本", "宋", "明道", 1033),
        ("清宁三年刻本", "辽", "清宁", 1057),
        ("宋至道二年刻本", "宋", "至道", 996),
    ],
)
def test_reign_title_starting_with_a_dynasty_name_is_read_as_the_reign(
    statement, dynasty, era, year
):
    e = parse(statement)
    assert (e.dynasty, e.era, e.year) == (dynasty, era, year)


def test_reign_of_another_dynasty_than_the_stated_one_is_warned():
    e = parse("清万历刻本")
    assert (e.dynasty, e.era, e.era_dynasty) == ("清", "万历", "明")
    assert any("万历" in w and "清" in w for w in e.warnings)


# --- ranges, months ---------------------------------------------------------------------------


def test_year_range_within_a_reign_gives_end_year():
    e = parse("清乾隆四十年至四十二年刻本")
    assert (e.year, e.end_year, e.end_era) == (1775, 1777, None)


def test_year_range_across_reigns_gives_end_era_and_year():
    e = parse("清道光十年至咸丰二年刻本")
    assert (e.era, e.year, e.end_era, e.end_year) == ("道光", 1830, "咸丰", 1852)


def test_two_reigns_with_jian_give_end_era():
    e = parse("清乾隆嘉庆间刻本")
    assert (e.era, e.end_era, e.qualifier, e.year) == ("乾隆", "嘉庆", "间", None)


def test_month_after_the_year_is_skipped():
    e = parse("清光绪三年四月刻本")
    assert (e.year, e.edition_type, e.publisher) == (1877, "刻本", None)


# --- warnings ---------------------------------------------------------------------------------


@pytest.mark.parametrize("statement", ["清乾隆七十年刻本", "乾隆九十年刻本", "清嘉慶三十年刻本"])
def test_an_impossible_reign_year_gives_no_gregorian_year_and_is_warned(statement):
    e = parse(statement)
    assert e.era_year is not None
    assert e.year is None
    assert len(e.warnings) == 1
    assert "超出" in e.warnings[0]


def test_loyalist_year_after_the_reign_ended_is_computed_and_warned():
    e = parse("清宣统四年刻本")
    assert e.year == 1912
    assert len(e.warnings) == 1


def test_unknown_reign_title_is_warned_and_gives_no_year():
    e = parse("清乾龙四年刻本")
    assert fields(e) == ("清", None, None, None, "刻本")
    assert e.warnings == ("年号乾龙不在年号表中，无法推算年份",)


def test_foreign_reign_title_is_not_looked_up_in_the_chinese_table():
    e = parse("日本正德三年刻本")  # Japanese 正德 (1713), not 明 正德
    assert (e.dynasty, e.era, e.year, e.edition_type) == ("日本", None, None, "刻本")
    assert any("正德" in w for w in e.warnings)


# --- odd input --------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "　", None])
def test_empty_input_gives_all_none_and_no_warning(text):
    e = parse(text)
    assert fields(e) == (None, None, None, None, None)
    assert e.warnings == ()


@pytest.mark.parametrize("text", ["abc", "()", "？？", "本", "1a2b", "!!!", "(((", "清乾隆"])
def test_garbage_input_does_not_raise_and_warns(text):
    e = parse(text)
    assert e.edition_type is None
    assert e.warnings
    assert not [w for w in e.warnings if w.startswith(editions.INTERNAL_ERROR)]


def test_non_string_input_does_not_raise():
    assert parse(12345).edition_type is None  # type: ignore[arg-type]


def test_random_text_never_raises():
    pool = (
        "清明宋元民国乾隆嘉庆光绪四十廿卅元年间初末刻抄本印活字铜蓝朱递修()（）[]? 甲子乙未1739跋"
    )
    rng = random.Random(20240601)
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 30)))
        e = parse(text)
        assert isinstance(e, Edition)
        assert e.edition_type is None or e.edition_type in editions.edition_type_names()
        assert all(isinstance(w, str) for w in e.warnings)
        assert not [w for w in e.warnings if w.startswith(editions.INTERNAL_ERROR)], text


def test_a_parser_bug_is_a_marked_warning_and_logged(monkeypatch, caplog):
    def broken(raw):
        raise IndexError("a bug")

    monkeypatch.setattr(editions, "_parse", broken)
    e = parse("清刻本")
    assert e.warnings == (f"{editions.INTERNAL_ERROR}：IndexError",)
    assert "edition parser failed" in caplog.text


def test_very_long_input_is_parsed():
    e = parse("清乾隆四年武英殿刻本" + "某" * 10000)
    assert (e.year, e.edition_type) == (1739, "刻本")


def test_edition_is_frozen_and_hashable():
    e = parse("清抄本")
    with pytest.raises(FrozenInstanceError):
        e.year = 1800  # type: ignore[misc]
    assert hash(e) == hash(parse("清抄本"))


# --- reference data ---------------------------------------------------------------------------


def test_reigns_are_loaded_from_the_project_copy():
    rows = editions.reigns()
    qianlong = next(r for r in rows if r.era == "乾隆")
    assert (qianlong.dynasty, qianlong.start_year, qianlong.end_year, qianlong.years) == (
        "清",
        1736,
        1795,
        60,
    )
    assert any(r.dynasty == "民国" for r in rows)


def test_edition_types_include_the_spec_types_and_the_added_youyinben():
    types = {t.name: t for t in editions.edition_types()}
    for name in ("刻本", "活字本", "铜活字印本", "聚珍版印本", "抄本", "影抄本", "稿本", "写本"):
        assert name in types
    for name in ("石印本", "铅印本", "影印本", "套印本"):
        assert name in types
    assert types["油印本"].is_guji_edition_type == "no"
    assert types["递修本"].parent == "kanben"


def _first_rows():
    seen, rows = set(), []
    for r in editions.reigns():
        if r.dynasty != "民国" and (r.dynasty, r.era) not in seen:
            seen.add((r.dynasty, r.era))
            rows.append(r)
    return rows


@pytest.mark.parametrize("row", _first_rows(), ids=lambda r: f"{r.dynasty}{r.era}")
def test_every_reign_in_the_table_reads_in_simplified_and_traditional(row):
    for era in {row.era, row.trad or row.era}:
        e = parse(f"{row.dynasty}{era}元年刻本")
        assert (e.era, e.era_dynasty, e.era_year, e.year) == (
            row.era,
            row.dynasty,
            1,
            row.start_year,
        )
        assert e.warnings == ()
