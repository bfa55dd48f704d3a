# ruff: noqa: RUF001, RUF002, RUF003, RUF100 -- Chinese text: full-width punctuation is intended
"""Read an edition statement (版本项) into dynasty, reign, year and edition type.

``parse("清乾隆四年（1739）武英殿刻本")`` gives dynasty 清, era 乾隆, era_year 4, year 1739,
edition_type 刻本 and publisher 武英殿. The conventions are those of the domain note
editions.md; the reign table and the edition-type vocabulary are the project's copies
``guji/data/reigns.csv`` and ``guji/data/edition_types.csv``.

Choices this module makes where the conventions leave room:

* Dynasty inferred from a reign (statement names a reign but no dynasty) is written as a
  catalogue writes it: reigns.csv's 北宋 and 南宋 become 宋, 南明 becomes 明 (后金 reigns are
  already 清 in the table). The table's own dynasty stays available as ``era_dynasty`` (grading
  tells 北宋 from 南宋). A dynasty the statement does write is kept as written (宋, 北宋, 南宋,
  南明, 后金 …).
* A reign title several dynasties used (大安, 乾道, 天顺, 正德 …) is resolved with the stated
  dynasty; with no dynasty, with the year number (only reigns long enough remain), then by the
  dynasty most catalogued (清, 明, 元, 南宋, 北宋, 金, 辽, 南明, 西夏) with a warning. Plain 至元
  is the first (世祖) 至元; 后至元 is the second.
* Impression (递修, 重修, 后印, 补刻 …) and ink (朱印, 蓝印) qualify the production type:
  ``宋刻元明递修本`` is 刻本 with modifier 递修; edition_types.csv's child type (递修本, 重修本,
  后印本) is in ``impression_type``. 朱印本/蓝印本 are the type only when nothing names how the
  book was made.
* 初/末/间 right after a dynasty or reign date it approximately (``清初刻本`` is 清, qualifier
  初, 刻本 — not 初刻本).
* A year number outside the reign's span of a dynasty's last reign still gives
  ``start + n − 1`` (loyalists kept counting 崇祯, 永历, 宣统) with a warning; outside any other
  reign (乾隆九十年) the year is impossible: no Gregorian year, with a warning.
* A copy is dated as a copy (据明嘉靖刻本抄, 传钞明活字本: 抄本, undated, ``copy_of`` the source);
  several types of one copy (刻本 朱墨套印本) give the most specific; a date printed after the
  type (刻本 光绪十年[1884]) dates the edition; placeholders (null, 不详, ?) give nothing.
* A bracketed Gregorian year that disagrees with
  the reign year is reported; the reign wins.
* 油印本 is not in the domain vocabulary; the project copy of edition_types.csv adds it
  (is_guji_edition_type=no). 排印 is read as 铅印本, 景印/景宋抄 as 影印本/影抄本.

The module depends on neither Django nor the models: migrations and scripts may import it.
"""

from __future__ import annotations

import csv
import logging
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from guji.chinese import chinese_number
from guji.chinese import t2s_converter as _t2s

DATA_DIR = Path(__file__).resolve().parent / "data"
_STRIP = " \t\r\n,，、.。:：;；"

logger = logging.getLogger(__name__)

__all__ = [
    "INTERNAL_ERROR",
    "Edition",
    "EditionTypeRow",
    "Reign",
    "chinese_number",
    "edition_type_names",
    "edition_types",
    "ganzhi_index",
    "ganzhi_years",
    "parse",
    "reigns",
]


# --- reference data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Reign:
    """One row of reigns.csv."""

    dynasty: str
    era: str
    era_pinyin: str
    start_year: int
    end_year: int
    trad: str
    note: str

    @property
    def years(self) -> int:
        """Number of year numbers the reign used (乾隆: 60)."""
        return self.end_year - self.start_year + 1

    def year(self, era_year: int) -> int:
        return self.start_year + era_year - 1


@dataclass(frozen=True)
class EditionTypeRow:
    """One row of edition_types.csv."""

    code: str
    name: str
    trad: str
    is_guji_edition_type: str
    parent: str
    description: str


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@cache
def reigns() -> tuple[Reign, ...]:
    """The rows of guji/data/reigns.csv in file order (民国 included)."""
    return tuple(
        Reign(
            dynasty=r["dynasty"],
            era=r["era"],
            era_pinyin=r["era_pinyin"],
            start_year=int(r["start_year"]),
            end_year=int(r["end_year"]),
            trad=r["trad"],
            note=r["note"],
        )
        for r in _read_csv("reigns.csv")
    )


@cache
def edition_types() -> tuple[EditionTypeRow, ...]:
    """The rows of guji/data/edition_types.csv in file order."""
    return tuple(EditionTypeRow(**r) for r in _read_csv("edition_types.csv"))


@cache
def edition_type_names() -> frozenset[str]:
    return frozenset(t.name for t in edition_types())


@cache
def _reigns_by_era() -> dict[str, tuple[Reign, ...]]:
    by_era: dict[str, list[Reign]] = {}
    for r in reigns():
        if r.dynasty != "民国":
            by_era.setdefault(r.era, []).append(r)
    return {era: tuple(rows) for era, rows in by_era.items()}


@cache
def _last_reigns() -> frozenset[tuple[str, str]]:
    """(dynasty, era) of each dynasty's last reign: loyalists kept counting it (崇祯, 宣统)."""
    last: dict[str, Reign] = {}
    for r in reigns():
        if r.dynasty not in last or r.start_year >= last[r.dynasty].start_year:
            last[r.dynasty] = r
    return frozenset((r.dynasty, r.era) for r in last.values())


# --- result -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edition:
    """What an edition statement says. Fields are None when the statement does not say."""

    text: str = ""  # the statement as given
    dynasty: str | None = None  # period the statement opens with, simplified (清, 宋, 民国 …)
    era: str | None = None  # reign title from reigns.csv, simplified (乾隆); None for 民国
    era_year: int | None = None  # year number within the reign or within 民国 (元年 → 1)
    year: int | None = None  # Gregorian year
    edition_type: str | None = None  # a name from edition_types.csv (刻本, 铜活字印本 …)
    warnings: tuple[str, ...] = ()  # cataloguing slips worth showing, in Chinese
    era_dynasty: str | None = None  # reigns.csv dynasty of the era (北宋, 南宋, 南明 …)
    qualifier: str | None = None  # approximate date: 初, 末, 间, 中叶, 明末清初 …
    stated_year: int | None = None  # the bracketed Gregorian year as written
    end_era: str | None = None  # second reign of a range (乾隆嘉庆间, 道光十年至咸丰二年)
    end_year: int | None = None  # Gregorian year ending a range
    publisher: str | None = None  # maker or place before the type (武英殿, 芝城, 毛氏汲古阁)
    impression_type: str | None = None  # 递修本/重修本/后印本 when the statement names one
    modifiers: tuple[str, ...] = ()  # 递修, 后印, 朱印, 蓝印, 配补, 存疑, 推定 …
    annotations: tuple[str, ...] = ()  # trailing 批校题跋 and bracketed notes (清黄丕烈跋)
    copy_of: str | None = None  # the edition a copy was made from (据明嘉靖刻本抄: 明嘉靖刻本)


# --- normalisation ----------------------------------------------------------------------------


# Variant forms OpenCC leaves alone; full-width ASCII and bracket forms unified to ASCII.
_VARIANTS = str.maketrans(
    {
        **{chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)},  # （１７３９） → (1739)
        "\u3000": " ",
        "淸": "清",
        "熈": "熙",
        "凞": "熙",
        "緖": "绪",
        "乹": "乾",
        "寳": "宝",
        "搨": "拓",
        "刋": "刊",
        "栞": "刊",
        "歴": "历",
        "暦": "历",
        "〔": "[",
        "〕": "]",
        "【": "[",
        "】": "]",
    }
)


def _normalize(text: str) -> str:
    text = text.translate(_VARIANTS)
    out = _t2s().convert(text)
    if "乾" in text and "干" in out:
        # OpenCC turns 乾 into 干 in 乾德, 乾统, 乾亨, 乾兴: put 乾 back where it was.
        if len(out) == len(text):
            return "".join("乾" if a == "乾" else b for a, b in zip(text, out, strict=True))
        return "乾".join(_t2s().convert(part) for part in text.split("乾"))
    return out


# --- numerals and 干支 ------------------------------------------------------------------------

_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"


def ganzhi_index(gz: str) -> int | None:
    """Position of a 干支 in the sexagenary cycle (甲子 → 0, 乙未 → 31); None when invalid."""
    if len(gz) != 2 or gz[0] not in _STEMS or gz[1] not in _BRANCHES:
        return None
    s, b = _STEMS.index(gz[0]), _BRANCHES.index(gz[1])
    if s % 2 != b % 2:
        return None
    return (6 * s - 5 * b) % 60  # the i with i ≡ s (mod 10) and i ≡ b (mod 12)


def ganzhi_years(gz: str, start: int, end: int) -> list[int]:
    """Gregorian years in [start, end] whose 干支 is ``gz`` (1984 is 甲子)."""
    idx = ganzhi_index(gz)
    if idx is None:
        return []
    first = start + (idx - (start - 4)) % 60
    return list(range(first, end + 1, 60))


# --- patterns ---------------------------------------------------------------------------------

# Dynasties a statement opens with → the reigns.csv dynasties whose reigns it may name.
_DYNASTY_ROWS: dict[str, frozenset[str]] = {
    "宋": frozenset({"北宋", "南宋"}),
    "北宋": frozenset({"北宋"}),
    "南宋": frozenset({"南宋"}),
    "辽": frozenset({"辽"}),
    "金": frozenset({"金"}),
    "西夏": frozenset({"西夏"}),
    "蒙古": frozenset({"元"}),
    "元": frozenset({"元"}),
    "明": frozenset({"明", "南明"}),
    "南明": frozenset({"南明"}),
    "后金": frozenset({"清"}),
    "清": frozenset({"清"}),
    "大顺": frozenset({"大顺"}),  # 李自成's regime (永昌), named in WH/T 20's level-2 wording
}
# Periods with no reign titles in reigns.csv: an era after them is not looked up in the table.
_OTHER_DYNASTIES = ("太平天国", "五代", "唐", "隋", "日本", "朝鲜", "高丽", "越南", "琉球")
_DYNASTY_ALIASES = {"中华民国": "民国"}
# How a catalogue writes the dynasty of a reign from reigns.csv.
_CATALOGUE_DYNASTY = {"北宋": "宋", "南宋": "宋", "南明": "明"}
# Which dynasty wins when an unqualified reign title is ambiguous.
_DYNASTY_PREFERENCE = ("清", "明", "元", "南宋", "北宋", "金", "辽", "南明", "西夏", "大顺")
# Alternative names of reigns → (dynasty, era, occurrence index among that era's rows).
_ERA_ALIASES = {
    "后至元": ("元", "至元", 1),
    "太康": ("辽", "大康", 0),
    "寿隆": ("辽", "寿昌", 0),
}

_NUM = r"(?:元|[〇零一二三四五六七八九十廿卅卌百\d]{1,6})"
_GZ = rf"[{_STEMS}][{_BRANCHES}]"

# Where a dynasty's name starts a place or family name instead: 金陵, 金华, 明州, 元和, 唐氏 ….
_NOT_DYNASTY_AFTER = {"金": "陵华坛溪氏", "明": "州氏", "元": "和氏", "宋": "氏", "唐": "氏"}
_DYNASTY_RE = re.compile(
    "(?P<dyn>"
    + "|".join(
        name + (f"(?![{_NOT_DYNASTY_AFTER[name]}])" if name in _NOT_DYNASTY_AFTER else "")
        for name in sorted(
            [*_DYNASTY_ROWS, *_OTHER_DYNASTIES, *_DYNASTY_ALIASES, "民国"], key=len, reverse=True
        )
    )
    + ")"
)
_CROSS_RE = re.compile(r"末(?P<next>清|明|元|宋|民国|民)初")
_YEAR_RE = re.compile(rf"(?P<num>{_NUM})年")
_GZ_RE = re.compile(rf"(?P<gz>{_GZ})(?:年|岁)?")
_QUAL_RE = re.compile(r"中后期|中叶|中期|前期|后期|晚期|早期|间|初|末")
_MONTH_RE = re.compile(r"闰?[正一二三四五六七八九十冬腊]{1,3}月(?:[初上中下]旬)?")
_BRACKET_RE = re.compile(r"\((?:公元)?(?P<b>\d{3,4})(?:年)?\)")
_RANGE_RE = re.compile(r"至|-|—|–|~|～")
_UNKNOWN_ERA_RE = re.compile(rf"(?P<name>[\u4e00-\u9fff]{{2,4}}?)(?={_NUM}年)")
_GREGORIAN_RE = re.compile(r"(?P<y>\d{4})年")
_BARE_YEAR_RE = re.compile(r"(?P<y>1[0-9]{3}|20[0-9]{2})(?=[\u4e00-\u9fff(])(?!年)")


@cache
def _era_re() -> re.Pattern[str]:
    names = set(_reigns_by_era()) | set(_ERA_ALIASES)
    return re.compile("|".join(sorted(names, key=len, reverse=True)))


# Edition-type keywords: (literals, kind, value). kind: P production type, I impression,
# K ink colour, S supplemented (配补). At each position the longest literal wins.
_KEYWORDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("活字泥版",), "P", "活字泥版印本"),
    (("铜活字",), "P", "铜活字印本"),
    (("木活字",), "P", "木活字印本"),
    (("泥活字",), "P", "泥活字印本"),
    (("锡活字", "活字"), "P", "活字本"),
    (("聚珍版", "聚珍"), "P", "聚珍版印本"),
    (("磁版", "瓷版"), "P", "磁版印本"),
    (("铜版",), "P", "铜版印本"),
    (("饾版",), "P", "饾版印本"),
    (("拱花",), "P", "拱花印本"),
    (("套印", "套版", "朱墨印"), "P", "套印本"),
    (("珂罗版", "珂罗"), "P", "珂罗版印本"),
    (("影印", "景印"), "P", "影印本"),
    (("油印",), "P", "油印本"),
    (("石印",), "P", "石印本"),
    (("铅印", "铅字", "铅排", "排印"), "P", "铅印本"),
    (("钤印",), "P", "钤印本"),
    (("拓本", "拓片", "精拓", "旧拓"), "P", "拓本"),
    (("贝叶",), "P", "贝叶经"),
    (("彩绘",), "P", "彩绘本"),
    (
        tuple(
            f"{a}{b}{c}"
            for a in "影景"
            for b in ("", "宋", "元", "明", "旧")
            for c in ("抄", "钞", "写")
        ),
        "P",
        "影抄本",
    ),
    (("手稿",), "P", "手稿本"),
    (("清稿",), "P", "清稿本"),
    (("修改稿",), "P", "修改稿本"),
    (("稿",), "P", "稿本"),
    (("写本", "写经"), "P", "写本"),
    (("抄配", "配抄", "补抄", "抄补", "配补", "补配", "配本"), "S", "配补"),
    (("抄", "钞"), "P", "抄本"),
    (
        tuple(f"{a}{b}{c}" for a in "影景" for b in ("", "宋", "元", "明") for c in ("刻", "刊")),
        "P",
        "影刻本",
    ),
    (
        tuple(
            f"{a}{b}{c}" for a in "翻覆复仿" for b in ("", "宋", "元", "明") for c in ("刻", "刊")
        ),
        "P",
        "翻刻本",
    ),
    (("重刻", "重刊", "重镌"), "P", "重刻本"),
    (("初刻",), "P", "初刻本"),
    (("递修",), "I", "递修"),
    (("重修", "修补", "补修", "修"), "I", "重修"),
    (("后印", "后刷"), "I", "后印"),
    (("初印",), "I", "初印"),
    (("补刻", "补版"), "I", "补刻"),
    (("增修",), "I", "增修"),
    (("写刻", "刻", "刊", "椠", "雕", "镌", "梓"), "P", "刻本"),
    (("朱印", "红印"), "K", "朱印"),
    (("蓝印",), "K", "蓝印"),
)
_INK_TYPES = {"朱印": "朱印本", "蓝印": "蓝印本"}
_LATER_IMPRESSION = re.compile(
    r"刻.*?(?:宋|元|明|清|民国|\d年|[〇一二三四五六七八九十]年|间)(?:\(\d{3,4}\))?印本"
)
_IMPRESSION_TYPES = {"递修": "递修本", "重修": "重修本", "后印": "后印本"}
_COLOURS = frozenset("朱墨蓝绿黄紫红二三四五六色")  # 朱墨套印, 五色套印: part of the type phrase


def _keyword_allowed(s: str, i: int, literal: str) -> bool:
    """Context rules for keywords that also occur in names and dates."""
    after = s[i + len(literal) : i + len(literal) + 2]
    if literal == "修":  # 刻明修本; not 修 in a name
        return after[:1] == "本"
    if literal == "刻":  # 金陵刻经处 is a maker
        return after != "经处"
    if literal == "聚珍":  # 聚珍堂 is a maker
        return after[:1] != "堂"
    if literal == "石印":  # 上海石印书局 is a maker
        return after[:1] != "局" and after != "书局"
    if literal == "初印":  # 明末刻清初印本: 清初 dates the impression
        return i == 0 or s[i - 1] not in "宋元明清"
    if literal in ("抄", "钞"):  # 某某丛钞本, 国朝诗钞本: a title, not a hand copy
        return i == 0 or s[i - 1] not in "丛类汇杂诗文词选摘"
    return True


@cache
def _keyword_index() -> dict[str, tuple[tuple[str, str, str, bool], ...]]:
    """First character → (literal, kind, value, has_context_rule), longest literal first."""
    ruled = {"修", "刻", "聚珍", "石印", "初印", "抄", "钞"}
    index: dict[str, list[tuple[str, str, str, bool]]] = {}
    for literals, kind, value in _KEYWORDS:
        for literal in literals:
            index.setdefault(literal[0], []).append((literal, kind, value, literal in ruled))
    return {
        ch: tuple(sorted(entries, key=lambda e: len(e[0]), reverse=True))
        for ch, entries in index.items()
    }


def _scan_keywords(s: str) -> list[tuple[int, int, str, str]]:
    """Non-overlapping keyword matches (start, end, kind, value), left to right."""
    index = _keyword_index()
    found: list[tuple[int, int, str, str]] = []
    i, n = 0, len(s)
    while i < n:
        entries = index.get(s[i])
        if entries:
            for literal, kind, value, ruled in entries:
                if s.startswith(literal, i) and (not ruled or _keyword_allowed(s, i, literal)):
                    found.append((i, i + len(literal), kind, value))
                    i += len(literal)
                    break
            else:
                i += 1
        else:
            i += 1
    return found


# --- dating -----------------------------------------------------------------------------------


@dataclass
class _Dating:
    end: int = 0
    dynasty: str | None = None
    era_name: str | None = None  # as matched (may be an alias)
    era_known: bool = False
    unknown_era: str | None = None
    num_text: str | None = None
    ganzhi: str | None = None
    gregorian: int | None = None  # 1921年 written without reign
    qualifier: str | None = None
    stated_year: int | None = None
    end_era_name: str | None = None
    end_num_text: str | None = None
    end_ganzhi: str | None = None

    @property
    def score(self) -> int:
        if self.era_known:
            return 3 if (self.num_text or self.ganzhi) else 2
        if self.unknown_era or self.qualifier or self.num_text:
            return 1
        return 0


def _read_year(s: str, pos: int, d: _Dating, *, end: bool = False) -> int:
    """Read a year number or 干支 at ``pos``; return the new position."""
    m = _YEAR_RE.match(s, pos)
    if m:
        if end:
            d.end_num_text = m["num"]
        else:
            d.num_text = m["num"]
        return m.end()
    m = _GZ_RE.match(s, pos)
    if m:
        if end:
            d.end_ganzhi = m["gz"]
        else:
            d.ganzhi = m["gz"]
        return m.end()
    return pos


def _read_tail(s: str, pos: int, d: _Dating) -> int:
    """After the reign and year: month, bracketed year, a range's second half."""
    dated = bool(d.num_text or d.ganzhi)
    if dated:
        m = _MONTH_RE.match(s, pos)
        if m:
            pos = m.end()
    if s.startswith("(", pos):
        m = _BRACKET_RE.match(s, pos)
        if m:
            d.stated_year = int(m["b"])
            pos = m.end()
    m = _RANGE_RE.match(s, pos) if dated else None
    if m:
        p = m.end()
        em = _era_re().match(s, p) if d.era_known else None
        if em:
            p = em.end()
        q = _read_year(s, p, d, end=True)
        if q > p:
            if em:
                d.end_era_name = em.group()
            pos = q
            m = _MONTH_RE.match(s, pos)
            if m:
                pos = m.end()
            m = _BRACKET_RE.match(s, pos)
            if m:
                pos = m.end()
        else:
            d.end_num_text = d.end_ganzhi = None
    return pos


def _read_dating(s: str, pos: int, dynasty: str | None) -> _Dating:
    d = _Dating(end=pos, dynasty=dynasty)
    if dynasty == "民国":
        p = _read_year(s, pos, d)
        if d.ganzhi:  # 民国 is not dated by 干支 in this parser
            d.ganzhi, p = None, pos
        m = _QUAL_RE.match(s, p)
        if m and p == pos:
            d.qualifier, p = m.group(), m.end()
        d.end = _read_tail(s, p, d)
        return d
    if dynasty:
        m = _CROSS_RE.match(s, pos)
        if m:
            nxt = "民国" if m["next"] == "民" else m["next"]
            d.qualifier = f"{dynasty}末{nxt}初"
            d.end = m.end()
            return d
    table_dynasty = dynasty is None or dynasty in _DYNASTY_ROWS
    m = _era_re().match(s, pos) if table_dynasty else None
    if m:
        d.era_name, d.era_known = m.group(), True
        p = m.end()
        m2 = _era_re().match(s, p) if "间" in s else None
        if m2 and _QUAL_RE.match(s, m2.end()):  # 乾隆嘉庆间
            d.end_era_name, p = m2.group(), m2.end()
        q = _read_year(s, p, d)
        if q == p:
            mq = _QUAL_RE.match(s, p)
            if mq:
                d.qualifier, q = mq.group(), mq.end()
        d.end = _read_tail(s, q, d)
        return d
    m = _BARE_YEAR_RE.match(s, pos) if dynasty is None else None
    if m:  # 1915刻本: a Gregorian year written without 年
        d.gregorian = int(m["y"])
        d.end = _read_tail(s, m.end(), d)
        return d
    if "年" in s:
        m = _GREGORIAN_RE.match(s, pos)
        if m:
            d.gregorian = int(m["y"])
            d.end = _read_tail(s, m.end(), d)
            return d
        m = _UNKNOWN_ERA_RE.match(s, pos)
        if m:
            d.unknown_era = m["name"]
            q = _read_year(s, m.end(), d)
            d.end = _read_tail(s, q, d)
            return d
    m = _GZ_RE.match(s, pos)
    if m and dynasty:
        d.ganzhi = m["gz"]
        pos = m.end()
    m = _QUAL_RE.match(s, pos)
    if m and dynasty:
        d.qualifier, pos = m.group(), m.end()
    d.end = _read_tail(s, pos, d)
    return d


def _best_dating(s: str) -> _Dating:
    m = _DYNASTY_RE.match(s)
    if not m:
        return _read_dating(s, 0, None)
    dynasty = _DYNASTY_ALIASES.get(m["dyn"], m["dyn"])
    with_dynasty = _read_dating(s, m.end(), dynasty)
    # 元贞元年, 明道二年, 清宁三年: a reign title that starts with a dynasty's name.
    era = _era_re().match(s)
    if era and era.end() > m.end():
        without = _read_dating(s, 0, None)
        if without.score > with_dynasty.score:
            return without
    return with_dynasty


# --- era resolution ---------------------------------------------------------------------------


def _resolve_era(
    name: str, dynasty: str | None, era_year: int | None, ganzhi: str | None, warnings: list[str]
) -> Reign | None:
    if name in _ERA_ALIASES:
        dyn, era, index = _ERA_ALIASES[name]
        rows = [r for r in _reigns_by_era()[era] if r.dynasty == dyn]
        return rows[min(index, len(rows) - 1)]
    rows = list(_reigns_by_era().get(name, ()))
    if not rows:
        return None
    if dynasty:
        allowed = _DYNASTY_ROWS.get(dynasty, frozenset())
        matching = [r for r in rows if r.dynasty in allowed]
        if matching:
            rows = matching
        else:
            owners = "、".join(dict.fromkeys(r.dynasty for r in rows))
            warnings.append(f"年号{name}属{owners}，与所题朝代{dynasty}不符")
    if len(rows) > 1 and era_year:
        fitting = [r for r in rows if era_year <= r.years]
        rows = fitting or rows
    if len(rows) > 1 and ganzhi:
        fitting = [r for r in rows if ganzhi_years(ganzhi, r.start_year, r.end_year)]
        rows = fitting or rows
    dynasties = list(dict.fromkeys(r.dynasty for r in rows))
    if len(dynasties) > 1:
        rows.sort(key=lambda r: _DYNASTY_PREFERENCE.index(r.dynasty))
        if not dynasty:
            warnings.append(
                f"年号{name}为{'、'.join(dynasties)}共用，未题朝代，按{rows[0].dynasty}推定"
            )
    # Same dynasty twice (元 至元, 西夏 大庆): the first unless written 后至元.
    return rows[0]


def _era_label(era: str, num_text: str | None, ganzhi: str | None) -> str:
    if num_text:
        return f"{era}{num_text}年"
    return f"{era}{ganzhi or ''}"


def _year_in_era(
    row: Reign, num_text: str | None, ganzhi: str | None, label: str, warnings: list[str]
) -> tuple[int | None, int | None]:
    """(era_year, year) for a reign row and a year number or 干支."""
    if num_text:
        n = chinese_number(num_text)
        if n is None:
            return None, None
        if n < 1:
            warnings.append(f"{label}不是有效的年份")
            return n, None
        if n > row.years:
            span = f"{row.era}年间（{row.start_year}—{row.end_year}，共{row.years}年）"
            if (row.dynasty, row.era) not in _last_reigns():
                warnings.append(f"{label}超出{span}，不可能有此年，未推算公元年")
                return n, None
            warnings.append(f"{label}超出{span}")
        return n, row.year(n)
    if ganzhi:
        if ganzhi_index(ganzhi) is None:
            warnings.append(f"{ganzhi}不是有效的干支")
            return None, None
        years = ganzhi_years(ganzhi, row.start_year, row.end_year)
        if not years:
            warnings.append(
                f"{row.era}年间（{row.start_year}—{row.end_year}）没有{ganzhi}年，无法推算年份"
            )
            return None, None
        if len(years) > 1:
            shown = "、".join(str(y) for y in years)
            warnings.append(f"{label}可指{shown}年，取{years[0]}年")
        return years[0] - row.start_year + 1, years[0]
    return None, None


# --- edition type -----------------------------------------------------------------------------


@dataclass
class _TypeInfo:
    edition_type: str | None = None
    publisher: str | None = None
    impression_type: str | None = None
    modifiers: list[str] | None = None
    tail: str = ""
    found: bool = False


def _has_keyword(s: str) -> bool:
    index = _keyword_index()
    return any(ch in index for ch in s) and bool(_scan_keywords(s))


def _read_type(s: str) -> _TypeInfo:
    matches = _scan_keywords(s)
    info = _TypeInfo(modifiers=[])
    if not matches:
        return info
    info.found = True
    first_start, first_end = matches[0][0], matches[0][1]
    cut = s.find("本", first_end)
    if cut != -1 and cut + 1 < len(s):
        info.tail = s[cut + 1 :]
        matches = [x for x in matches if x[0] < cut]
    production: list[str] = []
    impressions: list[str] = []
    inks: list[str] = []
    supplements: list[str] = []
    by_kind = {"P": production, "I": impressions, "K": inks, "S": supplements}
    for _, _, kind, value in matches:
        by_kind[kind].append(value)
    if production:
        info.edition_type = production[-1]  # the type named last, just before 本
    elif impressions:
        info.edition_type = "刻本"  # old blocks repaired or reprinted: a woodblock edition
    elif inks:
        info.edition_type = _INK_TYPES[inks[-1]]
        inks = inks[:-1]
    info.modifiers = list(dict.fromkeys([*impressions, *inks, *supplements]))
    if info.edition_type == "刻本" and "后印" not in info.modifiers and _LATER_IMPRESSION.search(s):
        info.modifiers.append("后印")  # 明刻清印本: blocks carved under 明, printed under 清
        impressions.append("后印")
    if info.edition_type == "刻本":
        info.impression_type = next(
            (_IMPRESSION_TYPES[i] for i in impressions if i in _IMPRESSION_TYPES), None
        )
    if matches[0][3] == "套印本":
        while first_start > 0 and s[first_start - 1] in _COLOURS:
            first_start -= 1
    publisher = s[:first_start].strip(_STRIP)
    info.publisher = publisher or None
    return info


# --- parse ------------------------------------------------------------------------------------


def parse(text: str) -> Edition:
    """Read an edition statement; never raises (odd input gives None fields and warnings)."""
    raw = text if isinstance(text, str) else ("" if text is None else str(text))
    try:
        return _parse(raw)
    except Exception as exc:  # a parser bug must not stop an import, nor pass unseen
        logger.exception("edition parser failed on %r", raw)
        return Edition(text=raw, warnings=(f"{INTERNAL_ERROR}：{type(exc).__name__}",))


# The warning of a parser bug (logged with its traceback); tests assert it never appears.
INTERNAL_ERROR = "版本项无法解析（程序错误）"


_PAREN_NOTE_RE = re.compile(r"\(([^()]*)\)")
_BRACKET_YEAR_RE = re.compile(r"\[(\d{3,4})\]")


# Copies made from another edition: the period named belongs to the source (editions.md).
_COPY_FROM_RE = re.compile(
    r"^(?P<pre>.*?)(?:据|依|从)(?P<src>[^()]+?本)"
    r"(?P<how>影抄|影钞|影写|影摹|传抄|传钞|传写|转抄|转钞|过录|抄|钞|写|摹)本?$"
)
_COPY_OF_RE = re.compile(r"^(?P<pre>.*?)(?P<how>传抄|传钞|传写|转抄|转钞|过录)(?P<src>[^()]+?)本?$")
_TRACED = ("影抄", "影钞", "影写", "影摹")
_COPY_HINT = frozenset("据依从传转过")
# Nothing to read: the whole statement is a placeholder.
_PLACEHOLDERS = frozenset(
    {"null", "none", "nil", "nan", "n/a", "不详", "不明", "未详", "待考", "无"}
)
_SPAN_RE = re.compile(r"\d{3,4}\s*[-—–~～至]\s*\d{3,4}年?")
_FACSIMILE_NOTE = re.compile(r"^影(?:宋|元|明|旧)?(?:刻|刊)?本$")
_GENERIC_TYPES = frozenset({"刻本", "抄本"})


def _copy_statement(s: str) -> tuple[str, str | None]:
    """``据明嘉靖刻本抄`` → (``抄本``, ``明嘉靖刻本``); a statement dating the copying keeps it:
    ``清同治间传钞明崇祯刻本`` → (``清同治间抄本``, ``明崇祯刻本``)."""
    for pattern in (_COPY_FROM_RE, _COPY_OF_RE):
        m = pattern.match(s)
        if m:
            kind = "影抄本" if m["how"] in _TRACED else "抄本"
            return m["pre"] + kind, m["src"] if m["src"].endswith("本") else m["src"] + "本"
    return s, None


def _specificity(name: str) -> int:
    """How specific a type is: a child type (递修本, 影抄本) over a family head (套印本) over
    the generic 刻本/抄本."""
    row = next((t for t in edition_types() if t.name == name), None)
    if row is not None and row.parent:
        return 3
    return 1 if name in _GENERIC_TYPES else 2


def _is_type_phrase(part: str) -> _TypeInfo | None:
    """What a part that is nothing but a type names (``朱墨套印本``, ``后印本``)."""
    if not part.endswith("本"):
        return None
    t = _read_type(part)
    if t.found and not t.publisher and not t.tail and t.edition_type:
        return t
    return None


def _is_placeholder(s: str) -> bool:
    return s.casefold() in _PLACEHOLDERS or not s.strip("?？□〇 -—_.")


@lru_cache(maxsize=65536)  # catalogues repeat statements (清刻本, 清抄本); Edition is immutable
def _parse(raw: str) -> Edition:
    s = _normalize(raw).strip(_STRIP)
    if not s:
        return Edition(text=raw)
    if _is_placeholder(s):
        return Edition(text=raw, warnings=(f"版本项“{raw.strip()}”不是版本，视为未著录",))
    warnings: list[str] = []
    modifiers: list[str] = []
    annotations: list[str] = []

    if "?" in s:
        modifiers.append("存疑")
        s = s.replace("?", "").strip(_STRIP)
    if "[" in s or "]" in s:
        s = _BRACKET_YEAR_RE.sub(r"(\1)", s)
    if "[" in s or "]" in s:
        modifiers.append("推定")  # cataloguer's addition, e.g. [清]刻本
        s = s.replace("[", "").replace("]", "")

    # The statement proper runs to the first part naming a type; the rest is 批校题跋, except
    # parts that only name a type of the same copy (刻本 朱墨套印本) or date it (刻本 光绪十年).
    parts = s.split()
    if not parts:  # nothing but markers: "?", "[]"
        return Edition(
            text=raw,
            warnings=(f"未能识别版本项：{raw.strip()}",),
            modifiers=tuple(dict.fromkeys(modifiers)),
        )
    main = parts[0]
    more_types: list[_TypeInfo | None] = []  # None: 影宋本, a facsimile
    if len(parts) > 1:
        main_parts: list[str] = []
        for i, part in enumerate(parts):
            main_parts.append(part)
            if _has_keyword(_PAREN_NOTE_RE.sub("", part) if "(" in part else part):
                for rest in parts[i + 1 :]:
                    typed = _is_type_phrase(rest)
                    if typed:
                        more_types.append(typed)
                    elif _FACSIMILE_NOTE.match(rest):
                        more_types.append(None)
                    else:
                        annotations.append(rest)
                break
        main = "".join(main_parts)

    copy_of = None
    if _COPY_HINT.intersection(main):
        main, copy_of = _copy_statement(main)

    # Bracketed notes that are not a year: (卷一至三配清抄本); a bracketed dynasty first: (清)刻本;
    # a bracketed reign after the dynasty: 清(嘉庆间)刻本; a span restating the reign: 明万历
    # (1573-1620)刻本 gives no year and is dropped.
    def keep_year(m: re.Match[str]) -> str:
        note = m[1].strip()
        if _BRACKET_RE.fullmatch(m.group()):
            return m.group()
        if m.start() == 0 and _DYNASTY_RE.fullmatch(note):
            return note
        before = main[: m.start()]
        if before and _DYNASTY_RE.fullmatch(before) and _era_re().match(note):
            return note
        if _SPAN_RE.fullmatch(note):
            return ""
        if note:
            annotations.append(note)
        return ""

    if "(" in main:
        main = _PAREN_NOTE_RE.sub(keep_year, main)
        if "(" in main and _SPAN_RE.search(main):
            main = re.sub(r"\(" + _SPAN_RE.pattern + r"\)", "", main)

    d = _best_dating(main)
    t = _read_type(main[d.end :])
    tail = t.tail.strip(_STRIP)
    if tail:
        late_year = _BRACKET_RE.fullmatch(tail)
        if late_year and d.stated_year is None:  # 清乾隆四年刻本(1739)
            d.stated_year = int(late_year["b"])
        else:
            annotations.insert(0, tail)
    if not (d.dynasty or d.era_known or d.gregorian or d.unknown_era or d.num_text):
        # 刻本 光绪十年(1884): some catalogues print the date after the type
        for a in list(annotations):
            later = _best_dating(a)
            if later.end == len(a) and (later.era_known or later.gregorian or later.dynasty):
                d = later
                annotations.remove(a)
                break
    modifiers.extend(t.modifiers or ())
    if annotations and "配补" not in modifiers and any("配" in a for a in annotations):
        modifiers.append("配补")
    edition_type, impression_type = t.edition_type, t.impression_type
    for extra in more_types:
        if extra is None:  # 刻本 影宋本: a facsimile of the source
            facsimile = {"刻本": "影刻本", "抄本": "影抄本"}
            edition_type = facsimile.get(edition_type or "", edition_type)
            continue
        modifiers.extend(extra.modifiers or ())
        impression_type = impression_type or extra.impression_type
        name = extra.edition_type or ""
        if edition_type is None or _specificity(name) > _specificity(edition_type):
            edition_type = name
    if edition_type == "抄本" and any(h in a for a in annotations for h in _TRACED):
        edition_type = "影抄本"  # 清抄本(据宋刻本影抄)
    if copy_of:
        annotations.insert(0, f"据{copy_of}")

    dynasty = d.dynasty
    era = era_dynasty = end_era = None
    era_year = year = end_year = None
    label = None
    if d.era_known and d.era_name:
        n = chinese_number(d.num_text or "")
        row = _resolve_era(d.era_name, dynasty, n, d.ganzhi, warnings)
        if row is not None:
            era, era_dynasty = row.era, row.dynasty
            if dynasty is None:
                dynasty = _CATALOGUE_DYNASTY.get(row.dynasty, row.dynasty)
            label = _era_label(d.era_name, d.num_text, d.ganzhi)
            era_year, year = _year_in_era(row, d.num_text, d.ganzhi, label, warnings)
            if d.stated_year is not None and year is None:
                year = d.stated_year
                if row.start_year <= year <= row.end_year:
                    era_year = era_year or year - row.start_year + 1
                else:
                    warnings.append(
                        f"括注公元{year}年不在{row.era}年间（{row.start_year}—{row.end_year}）"
                    )
            end_row = row
            if d.end_era_name:
                end_row = _resolve_era(d.end_era_name, dynasty, None, None, warnings) or row
                end_era = end_row.era
            if d.end_num_text or d.end_ganzhi:
                end_label = _era_label(end_row.era, d.end_num_text, d.end_ganzhi)
                _, end_year = _year_in_era(
                    end_row, d.end_num_text, d.end_ganzhi, end_label, warnings
                )
    elif dynasty == "民国":
        if d.num_text:
            era_year = chinese_number(d.num_text)
            if era_year is not None:
                label = f"民国{d.num_text}年"
                if era_year < 1:
                    warnings.append(f"{label}不是有效的年份")
                else:
                    year = 1911 + era_year
                    last = next((r for r in reigns() if r.dynasty == "民国"), None)
                    if last and year > last.end_year:
                        warnings.append(f"{label}（{year}）晚于年号表所载民国止年{last.end_year}")
        if d.end_num_text:
            n = chinese_number(d.end_num_text)
            end_year = 1911 + n if n else None
        if year is None and d.stated_year is not None:
            year = d.stated_year
            if year > 1911:
                era_year = year - 1911
    elif d.unknown_era:
        where = f"（{dynasty}）" if dynasty and dynasty not in _DYNASTY_ROWS else ""
        warnings.append(f"年号{d.unknown_era}{where}不在年号表中，无法推算年份")
        year = d.stated_year
    else:
        if d.ganzhi:
            warnings.append(f"{d.ganzhi}未附年号，无法推算年份")
        year = d.gregorian or d.stated_year

    if label and year is not None and d.stated_year is not None and d.stated_year != year:
        warnings.append(f"括注公元{d.stated_year}年与{label}（{year}）不符")

    recognised = dynasty or era or year or d.qualifier or d.unknown_era or t.found
    if not recognised:
        warnings.append(f"未能识别版本项：{raw.strip()}")
    elif edition_type is None:
        warnings.append("版本项未注明版本类型")

    return Edition(
        text=raw,
        dynasty=dynasty,
        era=era,
        era_year=era_year,
        year=year,
        edition_type=edition_type,
        warnings=tuple(warnings),
        era_dynasty=era_dynasty,
        qualifier=d.qualifier,
        stated_year=d.stated_year,
        end_era=end_era,
        end_year=end_year,
        publisher=t.publisher,
        impression_type=impression_type if edition_type == "刻本" else None,
        modifiers=tuple(dict.fromkeys(modifiers)),
        annotations=tuple(annotations),
        copy_of=copy_of,
    )
