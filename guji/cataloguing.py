"""Reading the catalogue forms of 题名卷数, 著者, 册数/函数 and 分类 (census.md §2, §4).

Every reader here is a pure function of its text (and of the vocabulary it is given): no
database access except :func:`role_names`, which reads the admin-editable 著作方式 table once
and is cached. A reader that is unsure keeps the text as written and says so in ``warnings``;
it never stores a structure it could not read with confidence.
"""

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache

from guji.chinese import chinese_number, fold_variants, to_simplified

_NUMERAL = "〇零一二三四五六七八九十百千万萬廿卅两兩"

# --- 题名卷数 ---------------------------------------------------------------------------------

# Units a 题名卷数 counts in: 卷 mostly; 回 (novels), 種 (collectanea), 篇, 則, 冊, 齣 (plays).
TITLE_UNITS = "卷回種种篇則则冊册齣"
_UNIT_SIMPLE = {"種": "种", "則": "则", "冊": "册", "齣": "出"}
_TITLE_COUNT = re.compile(
    rf"^(?P<title>.*?)(?:(?P<n>[{_NUMERAL}]+)(?P<unit>[卷回種种篇則则冊册齣出])|(?P<unknown>□+)卷|不分卷)"
)


@dataclass(frozen=True)
class TitleJuan:
    title: str
    count: int | None  # the number written after the title (in ``unit``), None when unknown
    unit: str = "卷"  # simplified: 卷, 回, 种, 篇, 则, 册, 出 (齣)
    undivided: bool = False  # 不分卷
    unknown: bool = False  # □□卷
    warnings: tuple[str, ...] = ()


@lru_cache(maxsize=65536)
def read_title_juan(text: str) -> TitleJuan:
    """Split 题名卷数 into the title and its count: ``紅樓夢一百二十回`` is 紅樓夢, 120 回.

    A cataloguer's bracketed prefix (``［萬曆］金華府志三十卷``) or a supplied title
    (``[某某年譜]一卷``) stays part of the title; the first count after it ends the title.
    """
    text = (text or "").strip()
    if not text:
        return TitleJuan("", None)
    bracket = re.match(r"^[［\[〔【][^］\]〕】]*[］\]〕】]", text)
    prefix = bracket.group() if bracket else ""
    m = _TITLE_COUNT.match(text[len(prefix) :])
    if not m or not (prefix or m.group("title")):
        warning = "题名卷数中未见卷数：请在题名后写卷数（史記一百三十卷），或写不分卷、□□卷"
        helpful = not re.search(r"[卷回種种篇則则冊册齣]", text)
        return TitleJuan(text, None, warnings=(warning,) if helpful else ())
    title = prefix + m.group("title")
    if m.group("n"):
        unit = m.group("unit")
        count = chinese_number(m.group("n"))
        warnings = ()
        if count == 0:
            warnings = (f"题名卷数{text}的{unit}数为零",)
        return TitleJuan(title, count, _UNIT_SIMPLE.get(unit, unit), warnings=warnings)
    if m.group("unknown"):
        return TitleJuan(title, None, unknown=True)
    return TitleJuan(title, None, undivided=True)


def parse_title_juan(text: str) -> tuple[str, int | None]:
    """Split 题名卷数 into the title and its count (None when unknown or 不分卷)."""
    t = read_title_juan(text)
    return t.title, t.count


# --- 著者 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    dynasty: str
    name: str
    role: str
    attributed: bool = False  # 題(漢)東方朔撰
    supplied: bool = False  # supplied by the cataloguer: [（清）阮元撰], ［明］佚名輯
    written: str = ""  # a statement that could not be read, kept exactly as written

    def text(self) -> str:
        """``（漢）司馬遷撰``; an attributed author is prefixed 題 (题 in simplified records)."""
        if self.written:
            return self.written
        dynasty = f"（{self.dynasty}）" if self.dynasty else ""
        prefix = ""
        if self.attributed:
            written = self.dynasty + self.name + self.role
            prefix = "題" if to_simplified(written) != written else "题"
        body = f"{prefix}{dynasty}{self.name}{self.role}"
        return f"［{body}］" if self.supplied else body


class Statements(list):
    """The statements read from one text, in order, with what the reader was unsure of."""

    def __init__(self, items: Iterable[Statement] = (), warnings: Iterable[str] = ()):
        super().__init__(items)
        self.warnings: tuple[str, ...] = tuple(warnings)


@cache
def role_names() -> frozenset[str]:
    """著作方式 names in both forms from the AuthorRole table (admin-editable)."""
    from guji.models import AuthorRole

    names: set[str] = set()
    for name, trad in AuthorRole.objects.filter(active=True).values_list("name", "trad"):
        names.update(n for n in (name, trad) if n)
        names.update(n.replace("注", "註") for n in (name, trad) if n and "注" in n)
    return frozenset(names)


def forget_role_names() -> None:
    role_names.cache_clear()
    _read_statements.cache_clear()


# A name is at least a surname and a given name; these surnames take two characters, so 歐陽修
# is a name (role shared with the next statement), not 歐陽 + 修.
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "长孙",
        "慕容",
        "令狐",
        "夏侯",
        "独孤",
        "宇文",
        "鲜于",
        "司空",
        "轩辕",
        "端木",
        "澹台",
        "公羊",
        "穀梁",
        "谷梁",
        "西门",
        "南宫",
        "万俟",
        "闻人",
        "赫连",
        "呼延",
        "申屠",
        "太史",
        "钟离",
        "第五",
        "完颜",
    }
)
_COMPOUND_BOTH = COMPOUND_SURNAMES | {
    "歐陽",
    "司馬",
    "諸葛",
    "東方",
    "尉遲",
    "公孫",
    "長孫",
    "獨孤",
    "鮮于",
    "軒轅",
    "西門",
    "南宮",
    "聞人",
    "赫連",
    "鍾離",
    "鐘離",
    "完顏",
}
_MAX_ROLE = 4


def split_role(body: str, roles: frozenset[str] | None = None) -> tuple[str, str]:
    """Split ``司馬遷撰`` into name and 著作方式 (longest role wins); leave a bare name whole."""
    roles = role_names() if roles is None else roles
    for k in range(min(_MAX_ROLE, len(body) - 2), 0, -1):
        role = body[-k:]
        if role in roles:
            name = body[:-k]
            if name not in _COMPOUND_BOTH:
                return name, role
    return body, ""


_NO_STATEMENT = frozenset({"不著撰人", "不著撰者", "不著編者", "不著编者", "不著撰人名氏"})
_FOLD = str.maketrans(
    {"（": "(", "）": ")", "［": "[", "］": "]", "〔": "[", "〕": "]", "【": "[", "】": "]"}
)
_TOKEN = re.compile(
    r"(?P<sep>[；;&＆，,\n/／|｜]+)"
    r"|(?P<attr>(?:舊|旧)?[題题])(?=\s*[(\[])"
    r"|\((?P<dyn>[^()\[\]]*)\)"
    r"|\[(?P<sup>[^\[\]]*)\]"
    r"|(?P<space>\s+)"
    r"|(?P<word>[^\s()\[\]；;&＆，,\n/／|｜]+)"
    r"|(?P<other>.)"
)
_LIST_SEP = re.compile(r"[、､]")
_DYNASTY_OK = re.compile(r"^[\u3400-\u9fff]{1,6}$")
_NAME_OK = re.compile(r"^[\u3400-\u9fff\U00020000-\U0003ffff□·・]{1,14}$")


@dataclass
class _Group:
    start: int
    dynasty: str = ""
    attributed: bool = False
    supplied: bool = False
    words: list[str] = field(default_factory=list)
    bad: str = ""  # why the group cannot be read
    end: int = 0


def parse_statements(text: str, roles: frozenset[str] | None = None) -> Statements:
    """Read a 著者 field into statements, in order; ``.warnings`` says what was left as written.

    Forms read (census.md §4.2 and library catalogues): ``（漢）司馬遷撰 （南朝宋）裴駰集解``;
    spaces anywhere (``(清) 王念孫 撰``); statements joined by ``；``, ``;``, ``&`` or spaces;
    several persons under one dynasty and role (``(清)王鳴盛、錢大昕同撰``, ``(清) 甲 乙 注``);
    supplied statements (``[（清）阮元撰]``, ``［明］佚名輯``); attributed authors
    (``題(漢)東方朔撰``); ``等`` kept with the name; ``不著撰人`` is no statement. A name
    without a role in a statement of its own shares the role written after the next name (it is
    kept with an empty role). What cannot be read with confidence is kept as written.
    """
    roles = role_names() if roles is None else roles
    statements, warnings = _read_statements((text or "").strip(), roles)
    return Statements(statements, warnings)


@lru_cache(maxsize=65536)
def _read_statements(
    text: str, roles: frozenset[str]
) -> tuple[tuple[Statement, ...], tuple[str, ...]]:
    if not text or text in _NO_STATEMENT:
        return (), ()
    folded = text.translate(_FOLD)
    groups = _groups(folded)
    out: list[Statement] = []
    warnings: list[str] = []
    for g in groups:
        written = text[g.start : g.end].strip()
        read = None if g.bad else _read_group(g, roles)
        if read is None:
            out.append(Statement("", "", "", written=written))
            why = g.bad or "无法确定朝代、姓名与著作方式"
            warnings.append(f"著者“{written}”未能可靠解析（{why}），已按原文保留")
        else:
            out.extend(read)
    named = [s for s in out if not s.written]
    if named and not named[-1].role and out[-1] is named[-1]:
        warnings.append(f"著者“{named[-1].name}”未注著作方式（撰、輯、注等）")
    return tuple(out), tuple(warnings)


def _groups(s: str) -> list[_Group]:
    """Cut the text into statements: each starts at a dynasty, a 題 or after a separator."""
    groups: list[_Group] = []
    current: _Group | None = None

    def close(at: int) -> None:
        nonlocal current
        if current is not None:
            current.end = at
            if current.words or current.dynasty or current.bad:
                groups.append(current)
        current = None

    def fresh(at: int) -> _Group:
        nonlocal current
        if current is None:
            current = _Group(start=at)
        return current

    for m in _TOKEN.finditer(s):
        kind = m.lastgroup
        if kind == "space":
            continue
        if kind == "sep":
            close(m.start())
            continue
        if kind == "attr":
            close(m.start())
            fresh(m.start()).attributed = True
            continue
        if kind == "dyn":
            dyn = m.group("dyn").strip()
            if current is not None and (current.words or current.dynasty):
                close(m.start())
            g = fresh(m.start())
            g.dynasty = dyn
            if not _DYNASTY_OK.match(dyn):
                g.bad = "括号中不是朝代或国别"
            continue
        if kind == "sup":
            inner = m.group("sup").strip()
            if _DYNASTY_OK.match(inner) and len(inner) <= 4:  # ［明］佚名輯: a supplied dynasty
                if current is not None and (current.words or current.dynasty):
                    close(m.start())
                g = fresh(m.start())
                g.dynasty, g.supplied = inner, True
                continue
            # [（清）阮元撰]: whole statements supplied by the cataloguer
            close(m.start())
            attributed = current.attributed if current else False
            inner_groups = _groups(inner)
            for ig in inner_groups:
                ig.start += m.start("sup")
                ig.end += m.start("sup")
                ig.supplied = True
                ig.attributed = ig.attributed or attributed
            if inner_groups:
                inner_groups[0].start = m.start()
                inner_groups[-1].end = m.end()
            else:
                groups.append(_Group(start=m.start(), end=m.end(), bad="方括号中无内容"))
            groups.extend(inner_groups)
            continue
        g = fresh(m.start())
        if kind == "other":
            g.bad = g.bad or f"有无法识别的符号“{m.group()}”"
            continue
        g.words.append(m.group("word"))
    close(len(s))
    return groups


def _read_group(g: _Group, roles: frozenset[str]) -> list[Statement] | None:
    """Persons of one statement: they share its dynasty; a role written after names is theirs."""
    persons: list[list[str]] = []  # [name, role]
    pending: list[list[str]] = []  # names still waiting for a role
    for word in g.words:
        if word[:1] == "等" and (word == "等" or word[1:] in roles) and (pending or persons):
            last = (pending or persons)[-1]
            last[0] += "等"  # 王念孫 等撰: 等 stays with the name, as written
            word = word[1:]
            if not word:
                continue
        if word in roles or (word[:1] in "同合" and word[1:] in roles):
            if not pending:
                return None  # a role with nobody before it
            role = word[1:] if word not in roles else word
            for p in pending:
                p[1] = role
            pending = []
            continue
        parts = [p for p in _LIST_SEP.split(word) if p] if "、" in word or "､" in word else [word]
        if not parts:
            return None
        several = len(parts) > 1 or bool(persons)
        for part in parts:
            name, role = split_role(part, roles)
            if role and several and len(name) >= 3 and name[-1] in "同合":
                name = name[:-1]  # 王鳴盛、錢大昕同撰
            if not _NAME_OK.match(name) or name in roles:
                return None
            person = [name, role]
            persons.append(person)
            if role:
                for p in pending:
                    p[1] = role
                pending = []
            else:
                pending.append(person)
    if not persons:
        return None
    return [Statement(g.dynasty, name, role, g.attributed, g.supplied) for name, role in persons]


def catalogue_form(statements: list[Statement]) -> str:
    return " ".join(s.text() for s in statements)


def search_key(*parts: str) -> str:
    """What search matches against: simplified, variants folded, lower-case, so that 繁 and 简,
    峯 and 峰 find each other."""
    return fold_variants(to_simplified(" ".join(p for p in parts if p))).lower()


# A holding's key is made of sections, one per field group, each opened by its marker (a
# private-use character no one types): a search restricted to one field looks for the word
# after that field's marker and before the next (see guji.search.matching). The numbers come
# last, so that appending a census number (census.services.accept_entry) lands in them.
SEARCH_FIELDS: dict[str, str] = {
    "title": "\ue001",
    "author": "\ue002",
    "edition": "\ue003",
    "annotations": "\ue004",
    "seals": "\ue005",
    "number": "\ue006",
}
SEARCH_MARKS = "\ue000-\ue00f"  # the markers' range, for a character class
MAX_SECTION = 1500  # characters of a long 批校题跋 or 钤印 text that are indexed


def holding_search_key(holding) -> str:
    """The search key of a holding (any object with the Holding's text fields)."""
    sections = {
        "title": [holding.title_juan, holding.title, holding.series],
        "author": [holding.authors_text],
        "edition": [holding.edition_statement],
        "annotations": [holding.annotations],
        "seals": [holding.seals],
        "number": [holding.call_number, holding.census_number],
    }
    parts = []
    for name, mark in SEARCH_FIELDS.items():
        text = " ".join(t for t in sections[name] if t)[:MAX_SECTION]
        if text:
            parts += [mark, text]
    return search_key(*parts)


# --- 册数 and 函数 ----------------------------------------------------------------------------

# What a count of the physical extent may count, simplified (the first is the default).
VOLUME_UNITS = ("册", "折", "轴", "幅", "张", "件", "叶")
_UNIT_FORMS = {
    "冊": "册",
    "册": "册",
    "本": "册",
    "摺": "折",
    "折": "折",
    "軸": "轴",
    "轴": "轴",
    "幅": "幅",
    "張": "张",
    "张": "张",
    "件": "件",
    "葉": "叶",
    "叶": "叶",
    "頁": "叶",
    "页": "叶",
}
_CASE_FORMS = frozenset("函")
_OTHER_CONTAINERS = frozenset("夾夹套盒匣箱包")
_EXTENT_PART = re.compile(
    rf"^(?P<n>\d+(?:\.0+)?|[{_NUMERAL}]+)\s*(?P<unit>[\u4e00-\u9fff]{{0,2}})$"
)
_NO_CASE = re.compile(r"^[無无没沒]函(?:套)?$|^[無无]套$")


@dataclass(frozen=True)
class Extent:
    """册数 and 函数 read from ``10冊；2函``, ``4冊；1夾``, ``三摺``."""

    volumes: int | None = None  # the count of ``unit``
    unit: str = "册"
    cases: int | None = None
    other: str = ""  # parts kept as written: ``1夾``, ``無函套``
    warnings: tuple[str, ...] = ()

    def summary(self) -> str:
        """What was split out, for a dry run: ``册数 10；函数 2；另记 1夾``."""
        parts = []
        if self.volumes is not None:
            parts.append(f"{self.unit}数 {self.volumes}")
        if self.cases is not None:
            parts.append(f"函数 {self.cases}")
        if self.other:
            parts.append(f"另记 {self.other}")
        return "；".join(parts)


@lru_cache(maxsize=4096)
def parse_extent(text: str) -> Extent:
    """Read the extent as catalogues write it; parts it cannot place are kept as written.

    ``18``, ``十八册``, ``10冊；2函``, ``4冊；1夾`` (夾 kept as written), ``1冊；無函套``,
    ``4冊；`` (trailing separator), ``三摺`` and ``2軸`` (the count is of 摺/轴, not 册).
    """
    text = (text or "").strip()
    volumes: int | None = None
    unit = "册"
    cases: int | None = None
    other: list[str] = []
    warnings: list[str] = []
    text = re.sub(rf"([冊册函夾夹摺折軸轴幅張张件套])(?=[\d{_NUMERAL}無无])", r"\1；", text)
    for raw in re.split(r"[；;，,、/／\s]+", text):
        part = raw.strip().rstrip("。.")
        if not part:
            continue
        if _NO_CASE.match(part):
            other.append(part)
            continue
        m = _EXTENT_PART.match(part)
        n = None
        if m:
            digits = m.group("n")
            n = int(float(digits)) if digits[0].isdigit() else chinese_number(digits)
        word = m.group("unit") if m else ""
        if n is None or n < 1:
            other.append(part)
            warnings.append(f"册数“{part}”无法读出数目，已按原文保留")
            continue
        if word in ("", *_UNIT_FORMS) and volumes is None:
            volumes, unit = n, _UNIT_FORMS.get(word, "册")
        elif word in _CASE_FORMS and cases is None:
            cases = n
        elif word and (word in _OTHER_CONTAINERS or word in _UNIT_FORMS):
            other.append(part)
        else:
            other.append(part)
            warnings.append(f"册数中的“{part}”无法确定含义，已按原文保留")
    return Extent(volumes, unit, cases, "；".join(other), tuple(warnings))


# --- 分类 (四部) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClassRow:
    """The parts of a 四部 class the reader needs (SibuClass rows, or csv rows)."""

    code: str
    bu: str
    name: str  # the class (类) name, or the 部 itself at level 1
    trad: str = ""
    level: int = 2

    def label(self) -> str:
        return self.bu if self.level == 1 else f"{self.bu}·{self.name}"


@dataclass(frozen=True)
class ClassMatch:
    code: str | None  # the class found; None when unknown or ambiguous
    subdivision: str = ""  # a 属 written after the class (方志, 宋), as written
    suggestions: tuple[str, ...] = ()  # nearest classes, labels like 史部·地理类
    ambiguous: bool = False  # the class name exists in several 部


_BU = {"经": "经部", "史": "史部", "子": "子部", "集": "集部", "丛": "丛部", "丛书": "丛部"}
_CLASS_SEP = re.compile(r"[/／·・.\s、,，>＞\-－—:：|｜]+")


def _bare(text: str) -> str:
    return to_simplified(text).strip().removesuffix("类").removesuffix("部")


class ClassIndex:
    """Find a 四部 class as catalogues write it: ``集部/別集類``, ``集部 別集``,
    ``集 别集 宋``, ``史部·地理類·方志``, ``史部地理类``, ``别集类``, ``S11``."""

    def __init__(self, rows: Iterable[ClassRow]):
        self.rows = tuple(rows)
        self.by_code = {r.code.casefold(): r for r in self.rows}
        self.by_bu_name: dict[tuple[str, str], ClassRow] = {}
        self.by_name: dict[str, list[ClassRow]] = {}
        for r in self.rows:
            if r.level == 1:
                self.by_bu_name[(r.bu, "")] = r
                continue
            for n in {_bare(r.name), _bare(r.trad or r.name)}:
                self.by_bu_name[(r.bu, n)] = r
                self.by_name.setdefault(n, []).append(r)

    @lru_cache(maxsize=4096)  # noqa: B019 -- one index per import; rows are immutable
    def find(self, text: str) -> ClassMatch:
        text = (text or "").strip()
        if not text:
            return ClassMatch(None)
        row = self.by_code.get(text.casefold())
        if row:
            return ClassMatch(row.code)
        s = to_simplified(text).replace("（", "(").replace("）", ")")
        s = re.sub(r"\(.*?\)", " ", s)
        tokens = [t for t in _CLASS_SEP.split(s) if t]
        if len(tokens) == 1:  # 史部地理类: the 部 and the class written together
            m = re.match(r"^(经|史|子|集|丛书|丛)部(.+)$", tokens[0])
            if m:
                tokens = [m.group(1), m.group(2)]
        bu = _BU.get(_bare(tokens[0])) if tokens else None
        if bu:
            rest = tokens[1:]
            if not rest:
                row = self.by_bu_name.get((bu, ""))
                return ClassMatch(row.code) if row else self._unknown(text, bu)
            row = self.by_bu_name.get((bu, _bare(rest[0])))
            if row:
                return ClassMatch(row.code, " ".join(rest[1:]))
            return self._unknown(text, bu)
        found = self.by_name.get(_bare(tokens[0]), []) if tokens else []
        if len(found) == 1:
            return ClassMatch(found[0].code, " ".join(tokens[1:]))
        if len(found) > 1:
            return ClassMatch(None, suggestions=tuple(r.label() for r in found), ambiguous=True)
        return self._unknown(text, None)

    def _unknown(self, text: str, bu: str | None) -> ClassMatch:
        labels = {r.label(): r for r in self.rows}
        key = to_simplified(text)
        pool = [label for label, r in labels.items() if bu is None or r.bu == bu] or list(labels)
        close = difflib.get_close_matches(key, pool, n=3, cutoff=0.3)
        if not close:
            bare = [
                (difflib.SequenceMatcher(None, _bare(key), _bare(lb)).ratio(), lb) for lb in pool
            ]
            close = [lb for _, lb in sorted(bare, reverse=True)[:3]]
        return ClassMatch(None, suggestions=tuple(close))


# --- the import template's example row --------------------------------------------------------

# Cells of the template's example that no real row shares by chance: an invented call number,
# shelf and seal. Title, authors and edition alone may be a real copy of the same edition.
EXAMPLE_MARKERS = ("call_number", "seals", "storage_location")
EXAMPLE_DISTINCT = (
    "call_number",
    "title_juan",
    "authors",
    "edition_statement",
    "layout",
    "seals",
    "storage_location",
)


def _same(a: str, b: str) -> bool:
    fold = re.compile(r"[\s，,。．.;；:：()（）]+")
    return bool(a) and fold.sub("", to_simplified(a)) == fold.sub("", to_simplified(b))


def example_values(values: Mapping[str, str], example: Mapping[str, str]) -> tuple[str, ...]:
    """Keys of a row that still hold the template's example values, when the row is the example
    left partly unchanged: two or more of its distinctive cells, one of them invented (the call
    number, seal or shelf). Empty for a row of one's own.
    """
    same = tuple(
        k for k in EXAMPLE_DISTINCT if k in values and _same(values[k], example.get(k, ""))
    )
    if len(same) >= 2 and any(k in EXAMPLE_MARKERS for k in same):
        return same
    return ()
