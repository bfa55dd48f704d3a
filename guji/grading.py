# ruff: noqa: RUF001, RUF002, RUF003, RUF100 -- Chinese text: full-width punctuation is intended
"""The minimum grade an edition statement fixes mechanically under WH/T 20-2006.

``minimum_grade(parse("元至正二十八年刻本"))`` is 1B by clause 3.1.2; the same year written
``明洪武元年刻本`` is level 2. The rules go by regime and reign as the statement names them, never
by Gregorian year alone (see the domain note grading.md §0):

* 3.1.1 一级甲等 — 北宋 and earlier, and every 辽 and 西夏 book to the end of those regimes;
* 3.1.2 一级乙等 — 元 and earlier, including 南宋, 金 and 蒙古 (a 金 book of 1120 is here);
* 3.1.3 一级丙等 — 明 or earlier bronze-type, wood-type, colour-register (套版), 饾版 and 拱花
  prints; 清 porcelain-plate (磁版) and 活字泥版 prints;
* 3.2 二级 — 明洪武元年 to 隆庆六年; 乾隆 or earlier 内府 books; 明清 facsimiles (影刻、影写) of
  宋元 editions; the short reigns 洪熙, 泰昌, 弘光, 隆武, 祺祥 and the regimes 大顺 and 太平天国;
* 3.3 三级 — 明万历元年 to the end of 明;
* 3.4 四级 — 清 books no other rule lifts.

Only the level is sure where the standard's sub-grade splits are unconfirmed, so those rules give
the lowest grade of the level (2C, 3C): a grader may raise it. Judgements the text cannot make
(稿本 of *famous* scholars, *important* 批校题跋) give nothing. The function is pure: it reads the
parsed edition only, and imports neither Django nor the models.
"""

from __future__ import annotations

from dataclasses import dataclass

from guji.chinese import to_simplified
from guji.editions import Edition, reigns

__all__ = ["CLAUSES", "MinimumGrade", "minimum_grade"]

# Clause → what it says, in Chinese as the standard words it (shown beside the proposal).
CLAUSES: dict[str, str] = {
    "3.1.1": "一级甲等：北宋及北宋以前（包括辽、西夏时期）刻印、抄写的古籍",
    "3.1.2": "一级乙等：元代及其以前（包括南宋、金、蒙古时期）刻印、抄写的古籍",
    "3.1.3": "一级丙等：明代及其以前具有代表性的活字印本、套印本、饾版拱花印本；"
    "清代磁版、活字泥版印本",
    "3.2": "二级：明洪武元年至隆庆六年刻印、抄写的古籍；乾隆及其以前内府本；"
    "明清影刻、影写宋元版本；洪熙、泰昌、弘光、隆武、祺祥年号及大顺、太平天国刻印、抄写的古籍",
    "3.3": "三级：明万历元年至明末刻印、抄写的古籍",
    "3.4": "四级：清代刻印、抄写的普通古籍",
}

# Regimes whose every book is 一级甲等 / 一级乙等 (3.1.1, 3.1.2).
_JIA = frozenset({"北宋", "辽", "西夏", "五代", "唐", "隋"})
_YI = frozenset({"南宋", "金", "蒙古", "元"})
# 3.1's special techniques (明 or earlier) and 清's porcelain and clay plates.
_MING_TECHNIQUES = frozenset(
    {"铜活字印本", "木活字印本", "泥活字印本", "活字本", "套印本", "饾版印本", "拱花印本"}
)
_QING_TECHNIQUES = frozenset({"磁版印本", "活字泥版印本"})
# Level 2 by name: short reigns and regimes of special significance.
_SHORT_REIGNS = frozenset({"洪熙", "泰昌", "弘光", "隆武", "祺祥"})
_LEVEL2_REGIMES = frozenset({"大顺", "太平天国"})
_QING_PALACE_UNTIL = 1795  # 乾隆六十年
_FACSIMILE_TYPES = frozenset({"影刻本", "影抄本"})
_FACSIMILE_OF_SONG_YUAN = ("影宋", "影元", "景宋", "景元", "仿宋刻", "仿元刻")


@dataclass(frozen=True)
class MinimumGrade:
    """``grade`` is a ``guji.models.Grade`` code or None; ``clause`` the clause applied."""

    grade: str | None
    clause: str | None = None

    @property
    def text(self) -> str:
        return CLAUSES.get(self.clause or "", "")

    @property
    def level(self) -> int | None:
        return int(self.grade[0]) if self.grade else None


NONE = MinimumGrade(None)


def _regime(e: Edition) -> str | None:
    """The regime that made the book: the reign's own dynasty when the statement names a reign
    (宋 becomes 北宋 or 南宋, 明 becomes 南明 after 崇祯), else the dynasty as written."""
    if e.era_dynasty:
        return e.era_dynasty
    if e.qualifier and "末" in e.qualifier and e.qualifier.endswith("初"):
        return e.qualifier.split("末")[1][:-1]  # 明末清初: the later regime is the safe minimum
    if e.dynasty == "宋" and e.year is not None:  # within one regime a year is safe
        return "北宋" if e.year < 1127 else "南宋" if e.year > 1127 else "宋"
    if e.dynasty == "后金":
        return "清"
    return e.dynasty


def _is_palace(e: Edition) -> bool:
    publisher = e.publisher or ""
    return "内府" in publisher or "武英殿" in publisher or "经厂" in publisher


def _is_song_yuan_facsimile(e: Edition) -> bool:
    if e.edition_type not in _FACSIMILE_TYPES:
        return False
    text = to_simplified(e.text)
    return any(mark in text for mark in _FACSIMILE_OF_SONG_YUAN)


def minimum_grade(edition: Edition) -> MinimumGrade:
    """The lowest grade the statement fixes, and the clause; ``MinimumGrade(None)`` when none."""
    regime = _regime(edition)
    if regime is None or regime == "民国":  # undated, or not 古籍 (1912 and later)
        return NONE
    if regime in _JIA:
        return MinimumGrade("1A", "3.1.1")
    if regime in _YI or regime == "宋":
        return MinimumGrade("1B", "3.1.2")
    if regime in ("明", "南明") and edition.edition_type in _MING_TECHNIQUES:
        return MinimumGrade("1C", "3.1.3")
    if regime == "清" and edition.edition_type in _QING_TECHNIQUES:
        return MinimumGrade("1C", "3.1.3")
    if regime in _LEVEL2_REGIMES or edition.era in _SHORT_REIGNS:
        return MinimumGrade("2C", "3.2")
    if regime in ("明", "南明", "清") and _is_song_yuan_facsimile(edition):
        return MinimumGrade("2C", "3.2")
    if regime in ("明", "南明") and _is_palace(edition):
        return MinimumGrade("2C", "3.2")
    if regime == "清" and _is_palace(edition) and _qing_year_at_most(edition, _QING_PALACE_UNTIL):
        return MinimumGrade("2C", "3.2")
    if regime == "明" and edition.era is not None:
        if edition.year is not None:
            return MinimumGrade("2C", "3.2") if edition.year <= 1572 else MinimumGrade("3C", "3.3")
        return _by_ming_reign(edition.era)  # a reign without a year: its span decides
    if regime == "明" and (edition.qualifier or "").endswith("初"):
        return MinimumGrade("2C", "3.2")  # 明初, 元末明初: early 明, inside 洪武–隆庆
    if regime == "南明":
        return MinimumGrade("3C", "3.3")  # the end of 明: 绍武, 永历 …
    if regime == "明":
        return MinimumGrade("3C", "3.3")  # 明 undated: at least the latest 明 class
    if regime == "清":
        if edition.year is not None and edition.year > 1911:
            return NONE  # a 清 reign counted on after 1911 (宣统四年): not 古籍
        return MinimumGrade("4", "3.4")
    return NONE


def _by_ming_reign(era: str) -> MinimumGrade:
    row = next((r for r in reigns() if r.dynasty == "明" and r.era == era), None)
    if row is not None and row.end_year <= 1572:
        return MinimumGrade("2C", "3.2")
    return MinimumGrade("3C", "3.3")


def _qing_year_at_most(e: Edition, last: int) -> bool:
    """True when the 清 book is surely no later than ``last`` (by reign when no year)."""
    if e.year is not None:
        return e.year <= last
    if e.era is None:
        return False
    row = next((r for r in reigns() if r.dynasty == "清" and r.era == e.era), None)
    return row is not None and row.end_year <= last
