# ruff: noqa: RUF001, RUF003, RUF100 -- Chinese statements: full-width punctuation is intended
"""guji.grading.minimum_grade: every confirmed clause of grading.md, at each boundary, in both
character forms (the statement as a simplified and as a traditional catalogue writes it)."""

import pytest

from guji.editions import parse
from guji.grading import CLAUSES, minimum_grade

# (simplified, traditional, grade, clause)
CASES = [
    # 3.1.1 一级甲等: 北宋 and earlier; every 辽 and 西夏 book to the end of the regime
    ("北宋开宝四年刻本", "北宋開寶四年刻本", "1A", "3.1.1"),
    ("宋靖康元年刻本", "宋靖康元年刻本", "1A", "3.1.1"),
    ("唐写本", "唐寫本", "1A", "3.1.1"),
    ("五代刻本", "五代刻本", "1A", "3.1.1"),
    ("辽统和刻本", "遼統和刻本", "1A", "3.1.1"),
    ("辽保大五年刻本", "遼保大五年刻本", "1A", "3.1.1"),  # 1125, the end of 辽
    ("西夏乾祐二十年刻本", "西夏乾祐二十年刻本", "1A", "3.1.1"),  # 1189: 南宋 ruled the south
    ("西夏宝义二年刻本", "西夏寶義二年刻本", "1A", "3.1.1"),  # 1227, the end of 西夏
    # 3.1.2 一级乙等: 元 and earlier, including 南宋, 金, 蒙古
    ("金天辅四年刻本", "金天輔四年刻本", "1B", "3.1.2"),  # 1120, while 北宋 still ruled
    ("宋建炎元年刻本", "宋建炎元年刻本", "1B", "3.1.2"),  # 1127, 南宋's first year
    ("南宋刻本", "南宋刻本", "1B", "3.1.2"),
    ("宋刻元明递修本", "宋刻元明遞修本", "1B", "3.1.2"),  # 宋 undivided: at least 乙等
    ("蒙古乃马真后称制元年(1242)刻本", "蒙古乃馬真后稱制元年(1242)刻本", "1B", "3.1.2"),
    ("蒙古宪宗五年刻本", "蒙古憲宗五年刻本", "1B", "3.1.2"),
    ("元至正二十八年刻本", "元至正二十八年刻本", "1B", "3.1.2"),  # 1368 under 元
    ("元抄本", "元抄本", "1B", "3.1.2"),
    ("元末明初刻本", "元末明初刻本", "2C", "3.2"),  # may be 明: the safe minimum
    ("明初刻本", "明初刻本", "2C", "3.2"),
    # 3.1.3 一级丙等: 明 or earlier special techniques; 清 磁版 and 活字泥版
    ("明弘治无锡华氏会通馆铜活字印本", "明弘治無錫華氏會通館銅活字印本", "1C", "3.1.3"),
    ("明万历四十八年套印本", "明萬曆四十八年套印本", "1C", "3.1.3"),
    ("明崇祯十七年饾版拱花印本", "明崇禎十七年餖版拱花印本", "1C", "3.1.3"),
    ("明木活字印本", "明木活字印本", "1C", "3.1.3"),
    ("清道光磁版印本", "清道光磁版印本", "1C", "3.1.3"),
    ("清康熙铜活字印本", "清康熙銅活字印本", "4", "3.4"),  # 清 bronze type: not 3.1
    # 3.2 二级: 明洪武元年 (1368) to 隆庆六年 (1572)
    ("明洪武元年刻本", "明洪武元年刻本", "2C", "3.2"),  # 1368 under 明
    ("明正德十六年刻本", "明正德十六年刻本", "2C", "3.2"),  # no unconfirmed 甲/乙 split
    ("明嘉靖元年刻本", "明嘉靖元年刻本", "2C", "3.2"),
    ("明隆庆六年刻本", "明隆慶六年刻本", "2C", "3.2"),  # 1572
    ("明嘉靖刻本", "明嘉靖刻本", "2C", "3.2"),  # a reign inside the span, no year
    # 3.2: 乾隆 or earlier 内府 books; 明清 facsimiles of 宋元; short reigns and regimes
    ("清乾隆六十年内府刻本", "清乾隆六十年內府刻本", "2C", "3.2"),
    ("清乾隆四年(1739)武英殿刻本", "清乾隆四年(1739)武英殿刻本", "2C", "3.2"),
    ("清嘉庆元年内府刻本", "清嘉慶元年內府刻本", "4", "3.4"),  # after 乾隆
    ("明万历内府刻本", "明萬曆內府刻本", "2C", "3.2"),
    ("明影宋抄本", "明影宋抄本", "2C", "3.2"),
    ("清影元抄本", "清影元抄本", "2C", "3.2"),
    ("清影宋刻本", "清影宋刻本", "2C", "3.2"),
    ("明洪熙元年刻本", "明洪熙元年刻本", "2C", "3.2"),
    ("明泰昌元年刻本", "明泰昌元年刻本", "2C", "3.2"),  # 1620, after 1572
    ("南明弘光元年刻本", "南明弘光元年刻本", "2C", "3.2"),
    ("南明隆武二年刻本", "南明隆武二年刻本", "2C", "3.2"),
    ("清祺祥元年刻本", "清祺祥元年刻本", "2C", "3.2"),  # 1861
    ("大顺永昌元年刻本", "大順永昌元年刻本", "2C", "3.2"),  # 1644, neither 明 nor 清
    ("太平天国癸好三年刻本", "太平天國癸好三年刻本", "2C", "3.2"),
    # 3.3 三级: 明万历元年 (1573) to the end of 明
    ("明万历元年刻本", "明萬曆元年刻本", "3C", "3.3"),  # 1573
    ("明崇祯十七年刻本", "明崇禎十七年刻本", "3C", "3.3"),  # 1644 under 明
    ("明万历刻本", "明萬曆刻本", "3C", "3.3"),
    ("明刻本", "明刻本", "3C", "3.3"),  # 明 undated: the latest 明 class is the minimum
    ("南明永历五年刻本", "南明永曆五年刻本", "3C", "3.3"),
    # 3.4 四级: 清 books no other rule lifts
    ("清顺治元年刻本", "清順治元年刻本", "4", "3.4"),  # 1644 under 清
    ("清乾隆六十年刻本", "清乾隆六十年刻本", "4", "3.4"),
    ("清宣统三年刻本", "清宣統三年刻本", "4", "3.4"),
    ("明末清初刻本", "明末清初刻本", "4", "3.4"),
    ("清抄本", "清抄本", "4", "3.4"),
    # not 古籍, or no mechanical rule
    ("民国元年(1912)石印本", "民國元年(1912)石印本", None, None),
    ("稿本", "稿本", None, None),
    ("日本宽永刻本", "日本寬永刻本", None, None),
    ("", "", None, None),
]


@pytest.mark.parametrize(
    ("statement", "grade", "clause"),
    [
        pytest.param(text, grade, clause, id=text or "empty")
        for simplified, traditional, grade, clause in CASES
        for text in dict.fromkeys((simplified, traditional))
    ],
)
def test_minimum_grade(statement, grade, clause):
    result = minimum_grade(parse(statement))
    assert (result.grade, result.clause) == (grade, clause)


def test_the_traditional_cases_really_are_written_differently():
    differing = [t for s, t, _g, _c in CASES if s != t]
    assert len(differing) >= 25


def test_1368_and_1644_belong_to_two_regimes():
    assert parse("元至正二十八年刻本").year == parse("明洪武元年刻本").year == 1368
    assert minimum_grade(parse("元至正二十八年刻本")).grade == "1B"
    assert minimum_grade(parse("明洪武元年刻本")).grade == "2C"
    assert parse("明崇祯十七年刻本").year == parse("清顺治元年刻本").year == 1644
    assert minimum_grade(parse("明崇祯十七年刻本")).grade == "3C"
    assert minimum_grade(parse("清顺治元年刻本")).grade == "4"
    assert minimum_grade(parse("大顺永昌元年刻本")).grade == "2C"


def test_a_jin_book_of_1120_is_not_northern_song():
    jin = parse("金天辅四年刻本")
    song = parse("宋宣和二年刻本")
    assert jin.year == song.year == 1120
    assert (minimum_grade(jin).grade, minimum_grade(song).grade) == ("1B", "1A")


def test_every_clause_is_worded_and_the_result_shows_it():
    result = minimum_grade(parse("西夏刻本"))
    assert result.text == CLAUSES["3.1.1"]
    assert "西夏" in result.text
    assert result.level == 1
    assert minimum_grade(parse("稿本")).text == ""
