"""Catalogue forms as large libraries write them (issue 8), each case in both character forms.

Cases are written in traditional characters, as catalogues print them; each is also run converted
to simplified characters, with the expected values converted the same way.
"""

import csv
from pathlib import Path

import pytest

from guji.cataloguing import (
    ClassIndex,
    ClassRow,
    Statement,
    catalogue_form,
    example_values,
    parse_extent,
    parse_statements,
    read_title_juan,
)
from guji.chinese import to_simplified
from guji.editions import parse

DATA = Path(__file__).resolve().parents[2] / "guji" / "data"


def _roles() -> frozenset[str]:
    names: set[str] = set()
    with open(DATA / "roles.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            names |= {r["name"], r["trad"]}
            names |= {n.replace("注", "註") for n in (r["name"], r["trad"]) if "注" in n}
    return frozenset(names - {""})


ROLES = _roles()


def both(cases):
    """Each case as written and converted to simplified characters (expected values too)."""
    out = []
    for case in cases:
        out.append(pytest.param(*case, id=str(case[0])))
        simple = tuple(_simplify(v) for v in case)
        if simple != tuple(case):
            out.append(pytest.param(*simple, id=f"{simple[0]} (简)"))
    return out


def _simplify(value):
    if isinstance(value, str):
        return to_simplified(value)
    if isinstance(value, tuple | list):
        return type(value)(_simplify(v) for v in value)
    return value


def read(text):
    return [(s.dynasty, s.name, s.role) for s in parse_statements(text, ROLES)]


# --- 著者 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    both(
        [
            ("(清) 王念孫 撰", [("清", "王念孫", "撰")]),
            ("（宋） 朱熹 集註", [("宋", "朱熹", "集註")]),
            ("（明）　宋濂　等撰", [("明", "宋濂等", "撰")]),
            ("(宋)朱熹集註；(明)胡廣等纂", [("宋", "朱熹", "集註"), ("明", "胡廣等", "纂")]),
            ("(漢)鄭玄注;(唐)賈公彥疏", [("漢", "鄭玄", "注"), ("唐", "賈公彥", "疏")]),
            ("(清)段玉裁撰 & (清)徐灝箋", [("清", "段玉裁", "撰"), ("清", "徐灝", "箋")]),
            ("(清)王鳴盛、錢大昕同撰", [("清", "王鳴盛", "撰"), ("清", "錢大昕", "撰")]),
            ("(清) 惠棟 江聲 注", [("清", "惠棟", "注"), ("清", "江聲", "注")]),
            ("(明)胡廣等纂", [("明", "胡廣等", "纂")]),
            ("(日本)山井鼎撰", [("日本", "山井鼎", "撰")]),
            ("(朝鮮)徐居正等編", [("朝鮮", "徐居正等", "編")]),
            ("(英)傅蘭雅口譯 (清)趙元益筆述", [("英", "傅蘭雅", "口譯"), ("清", "趙元益", "筆述")]),
            ("(清)釋道霈撰", [("清", "釋道霈", "撰")]),
            ("(後秦)釋鳩摩羅什譯", [("後秦", "釋鳩摩羅什", "譯")]),
            ("王念孫撰", [("", "王念孫", "撰")]),
            ("(宋)蘇軾撰 (明)茅坤批點", [("宋", "蘇軾", "撰"), ("明", "茅坤", "批點")]),
            ("(清)朱彝尊纂輯", [("清", "朱彝尊", "纂輯")]),
            ("(清)翟灝續編", [("清", "翟灝", "續編")]),
            ("(明)鍾惺輯錄", [("明", "鍾惺", "輯錄")]),
            ("(清)何焯批校", [("清", "何焯", "批校")]),
            ("(宋)謝枋得標注", [("宋", "謝枋得", "標注")]),
            ("(明)梅鼎祚編次", [("明", "梅鼎祚", "編次")]),
            ("(宋)朱熹考異", [("宋", "朱熹", "考異")]),
            ("(清)黃丕烈題識", [("清", "黃丕烈", "題識")]),
            ("(宋)史炤音釋", [("宋", "史炤", "音釋")]),
            ("(清)吳任臣訂補", [("清", "吳任臣", "訂補")]),
            ("(清)金聖嘆評點", [("清", "金聖嘆", "評點")]),
            ("(清)盧見曾校刊", [("清", "盧見曾", "校刊")]),
            ("(清)沈德潛重訂", [("清", "沈德潛", "重訂")]),
            ("(清)王先謙增訂", [("清", "王先謙", "增訂")]),
            ("(清)王琦箋注", [("清", "王琦", "箋注")]),
            ("(三國魏)何晏集解", [("三國魏", "何晏", "集解")]),
            ("(清)陳夢雷彙編", [("清", "陳夢雷", "彙編")]),
            ("(清)林紓譯述", [("清", "林紓", "譯述")]),
            ("(清)汪某口述 (清)李某筆錄", [("清", "汪某", "口述"), ("清", "李某", "筆錄")]),
            ("(清)改琦繪圖", [("清", "改琦", "繪圖")]),
            ("(宋)歐陽修 (宋)宋祁撰", [("宋", "歐陽修", ""), ("宋", "宋祁", "撰")]),
            ("(明)王懋德 (明)陸鳳儀纂修", [("明", "王懋德", ""), ("明", "陸鳳儀", "纂修")]),
        ]
    ),
)
def test_responsibility_statements_are_read_as_catalogues_write_them(text, expected):
    statements = parse_statements(text, ROLES)
    assert read(text) == expected
    assert statements.warnings == ()


@pytest.mark.parametrize(
    ("text", "supplied", "attributed", "expected"),
    both(
        [
            ("[（清）阮元撰]", True, False, [("清", "阮元", "撰")]),
            ("［明］佚名輯", True, False, [("明", "佚名", "輯")]),
            ("〔清〕王某編", True, False, [("清", "王某", "編")]),
            ("題(漢)東方朔撰", False, True, [("漢", "東方朔", "撰")]),
            ("舊題(唐)柳宗元撰", False, True, [("唐", "柳宗元", "撰")]),
        ]
    ),
)
def test_supplied_and_attributed_statements_are_marked(text, supplied, attributed, expected):
    statements = parse_statements(text, ROLES)
    assert read(text) == expected
    assert [(s.supplied, s.attributed) for s in statements] == [(supplied, attributed)]
    # read back from its catalogue form, the statement is the same
    assert list(parse_statements(catalogue_form(statements), ROLES)) == list(statements)


@pytest.mark.parametrize("text", both([("不著撰人",), ("不著撰者",), ("",)]))
def test_no_statement_gives_no_person(text):
    assert parse_statements(text, ROLES) == []


@pytest.mark.parametrize(
    "text",
    both(
        [
            ("(清)",),
            ("編；",),
            ("(清) 撰",),
            ("(1890)王某撰",),
            ("(清)王某撰?",),
            ("(清)王念孫撰 (清)",),
        ]
    ),
)
def test_an_unreadable_statement_is_kept_as_written_with_a_warning(text):
    statements = parse_statements(text, ROLES)
    assert statements.warnings
    written = [s for s in statements if s.written]
    assert written, "the unread part is kept as written"
    for s in statements:
        # never a person called (清) or 編；
        assert s.name not in ("(清)", "（清）", "清", "編", "编", "編；", "编；", "撰")
        assert not s.written or (s.dynasty, s.name, s.role) == ("", "", "")
    assert all(s.written in text for s in written)


@pytest.mark.parametrize("text", both([("(清)王念孫",), ("王念孫",)]))
def test_a_role_missing_at_the_end_is_kept_and_warned(text):
    statements = parse_statements(text, ROLES)
    assert [(s.name, s.role) for s in statements] == [(text[-3:], "")]
    assert len(statements.warnings) == 1


# --- 册数 and 函数 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "volumes", "unit", "cases", "other"),
    both(
        [
            ("10冊；2函", 10, "册", 2, ""),
            ("10冊;2函", 10, "册", 2, ""),
            ("十冊二函", 10, "册", 2, ""),
            ("4冊；1夾", 4, "册", None, "1夾"),
            ("1冊；無函套", 1, "册", None, "無函套"),
            ("4冊；", 4, "册", None, ""),
            ("三摺", 3, "折", None, ""),
            ("2折", 2, "折", None, ""),
            ("2軸", 2, "轴", None, ""),
            ("1幅", 1, "幅", None, ""),
            ("12張", 12, "张", None, ""),
            ("3件", 3, "件", None, ""),
            ("十八", 18, "册", None, ""),
            ("18", 18, "册", None, ""),
            ("18.0", 18, "册", None, ""),
            ("二十四冊 四函", 24, "册", 4, ""),
        ]
    ),
)
def test_extents_split_into_volumes_cases_and_what_is_kept_as_written(
    text, volumes, unit, cases, other
):
    e = parse_extent(text)
    assert (e.volumes, e.unit, e.cases, e.other) == (volumes, unit, cases, other)
    assert e.warnings == ()


@pytest.mark.parametrize("text", both([("十冊又殘葉",), ("若干",), ("0",)]))
def test_an_unreadable_extent_is_kept_as_written_with_a_warning(text):
    e = parse_extent(text)
    assert e.volumes is None
    assert e.other == text
    assert e.warnings


def test_the_extent_summary_says_what_was_split():
    assert parse_extent("10冊；2函").summary() == "册数 10；函数 2"
    assert parse_extent("4冊；1夾").summary() == "册数 4；另记 1夾"


# --- 题名卷数 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "title", "count", "unit"),
    both(
        [
            ("紅樓夢一百二十回", "紅樓夢", 120, "回"),
            ("叢書十六種", "叢書", 16, "种"),
            ("詩話十篇", "詩話", 10, "篇"),
            ("笑林廣記四則", "笑林廣記", 4, "则"),
            ("某某圖說二冊", "某某圖說", 2, "册"),
            ("牡丹亭五十五齣", "牡丹亭", 55, "出"),
            ("[某某年譜]一卷", "[某某年譜]", 1, "卷"),
            ("［某某年譜］一卷", "［某某年譜］", 1, "卷"),
            ("［萬曆］金華府志三十卷", "［萬曆］金華府志", 30, "卷"),
            ("史記一百三十卷", "史記", 130, "卷"),
            ("十三經注疏四百十六卷", "十三經注疏", 416, "卷"),
        ]
    ),
)
def test_title_counts_in_other_units_than_juan(text, title, count, unit):
    t = read_title_juan(text)
    assert (t.title, t.count, t.unit) == (title, count, unit)
    assert t.warnings == ()


@pytest.mark.parametrize(
    ("text", "warned"),
    both(
        [
            ("紅樓夢不分卷", False),
            ("通書□□卷", False),
            ("某書卷上", False),
            ("某書", True),
            ("某書殘卷", False),
        ]
    ),
)
def test_a_juan_warning_appears_only_when_it_helps(text, warned):
    assert bool(read_title_juan(text).warnings) is warned


# --- 分类 -------------------------------------------------------------------------------------


def _classes() -> ClassIndex:
    with open(DATA / "sibu.csv", encoding="utf-8") as f:
        return ClassIndex(
            ClassRow(r["code"], r["bu"], r["class"] or r["bu"], r["trad_class"], int(r["level"]))
            for r in csv.DictReader(f)
        )


CLASSES = _classes()


@pytest.mark.parametrize(
    ("text", "code", "subdivision"),
    both(
        [
            ("集部/別集類", "JI02", ""),
            ("集部 別集", "JI02", ""),
            ("集 別集 宋", "JI02", "宋"),
            ("史部·地理類·方志", "S11", "方志"),
            ("史部地理類", "S11", ""),
            ("史部·紀傳類", "S02", ""),
            ("經部 易類", "J02", ""),
            ("子部－醫家類", "Z06", ""),
            ("叢部·雜纂類", "C01", ""),
            ("別集類", "JI02", ""),
            ("集部", "JI", ""),
            ("S02", "S02", ""),
        ]
    ),
)
def test_classes_are_found_in_the_forms_catalogues_use(text, code, subdivision):
    m = CLASSES.find(text)
    assert (m.code, m.subdivision) == (code, subdivision)


@pytest.mark.parametrize(
    ("text", "nearest"),
    both(
        [("史部·地里類", "史部·地理类"), ("集部·別籍類", "集部·别集类"), ("經部·易經", "经部·易类")]
    ),
)
def test_an_unknown_class_gets_the_nearest_classes(text, nearest):
    m = CLASSES.find(text)
    assert m.code is None
    assert nearest in m.suggestions


def test_a_class_name_two_branches_share_is_ambiguous():
    m = CLASSES.find("小說類")
    assert (m.code, m.ambiguous) == (None, True)
    assert set(m.suggestions) == {"子部·小说类", "集部·小说类"}


# --- 版本 -------------------------------------------------------------------------------------


def fields(e):
    return (e.dynasty, e.era, e.era_year, e.year, e.edition_type)


@pytest.mark.parametrize(
    ("statement", "expected"),
    both(
        [
            ("據明嘉靖刻本抄", (None, None, None, None, "抄本")),
            ("清抄本（據宋刻本影抄）", ("清", None, None, None, "影抄本")),
            ("傳抄明銅活字本", (None, None, None, None, "抄本")),
            ("據明崇禎刻本傳鈔", (None, None, None, None, "抄本")),
            ("影宋抄本", (None, None, None, None, "影抄本")),
            ("傳鈔明活字本", (None, None, None, None, "抄本")),
            ("刻本 影宋本", (None, None, None, None, "影刻本")),
            ("清同治間傳鈔明崇禎刻本", ("清", "同治", None, None, "抄本")),
            ("清同治三年據明刻本影抄", ("清", "同治", 3, 1864, "影抄本")),
            ("清道光刻某某叢鈔本", ("清", "道光", None, None, "刻本")),
            ("清王某某初刻本", ("清", None, None, None, "初刻本")),
            ("刻本 朱墨套印本", (None, None, None, None, "套印本")),
            ("清刻本 後印本", ("清", None, None, None, "刻本")),
            ("明刻清印本", ("明", None, None, None, "刻本")),
            ("1904年刻本", (None, None, None, 1904, "刻本")),
            ("1915刻本", (None, None, None, 1915, "刻本")),
            ("清（嘉慶間）刻本", ("清", "嘉庆", None, None, "刻本")),
            ("刻本 光緒十年[1884]", ("清", "光绪", 10, 1884, "刻本")),
            ("石印本 民國十年", ("民国", None, 10, 1921, "石印本")),
            ("光緒十年（1884）刻本", ("清", "光绪", 10, 1884, "刻本")),
            ("明萬曆刻清乾隆四十四年（1779）印本", ("明", "万历", None, None, "刻本")),
            ("明萬曆（1573-1620）刻本", ("明", "万历", None, None, "刻本")),
            ("明末（1621-1644）刻本", ("明", None, None, None, "刻本")),
            ("清道光十年至咸豐二年刻本", ("清", "道光", 10, 1830, "刻本")),
        ]
    ),
)
def test_edition_statements_as_catalogues_write_them(statement, expected):
    e = parse(statement)
    assert fields(e) == expected
    assert e.warnings == ()


@pytest.mark.parametrize(
    ("statement", "copy_of"),
    both([("據明嘉靖刻本抄", "明嘉靖刻本"), ("清同治間傳鈔明崇禎刻本", "明崇禎刻本")]),
)
def test_a_copy_says_what_it_was_copied_from(statement, copy_of):
    assert parse(statement).copy_of == to_simplified(copy_of)


@pytest.mark.parametrize("statement", both([("明刻清印本",), ("清刻本 後印本",), ("刻本 後印本",)]))
def test_a_later_impression_of_old_blocks_is_named(statement):
    assert (parse(statement).edition_type, parse(statement).impression_type) == ("刻本", "后印本")


@pytest.mark.parametrize("statement", both([("null",), ("不詳",), ("?",), ("？",), ("□□",)]))
def test_nothing_to_read_gives_empty_fields_and_a_warning(statement):
    e = parse(statement)
    assert fields(e) == (None, None, None, None, None)
    assert len(e.warnings) == 1


def test_a_loyalist_year_of_a_last_reign_is_still_counted():
    assert parse("明崇禎二十年刻本").year == 1647


# --- the template's example row ---------------------------------------------------------------

EXAMPLE = {
    "call_number": "善001",
    "title_juan": "史記一百三十卷",
    "authors": "（漢）司馬遷撰",
    "edition_statement": "清乾隆四年（1739）武英殿刻本",
    "seals": "乾隆御覽之寶",
    "storage_location": "善本书库 A-03",
    "binding": "线装",
}


@pytest.mark.parametrize(
    ("row", "flagged"),
    [
        ({**EXAMPLE, "title_juan": "周易本義四卷"}, True),
        (
            {"call_number": "普0457", "seals": "乾隆御覽之寶", "storage_location": "善本书库 A-03"},
            True,
        ),
        ({"call_number": "善001", "title_juan": "史记一百三十卷"}, True),
        ({"call_number": "善001", "title_juan": "周易本義四卷"}, False),
        # a real copy of the same edition, with its own call number, shelf and seal
        ({**EXAMPLE, "call_number": "普9", "seals": "", "storage_location": "甲库"}, False),
        ({"call_number": "普9", "binding": "线装"}, False),
    ],
)
def test_a_row_still_holding_the_examples_values_is_recognised(row, flagged):
    assert bool(example_values(row, EXAMPLE)) is flagged


def test_statement_equality_ignores_nothing_it_should_keep():
    assert Statement("清", "王某", "撰", supplied=True) != Statement("清", "王某", "撰")
