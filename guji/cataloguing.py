"""Reading the catalogue forms of 题名卷数 and 著者 (census.md §4.1–4.2) into structured data."""

import re
from dataclasses import dataclass
from functools import cache

from guji.chinese import chinese_number, fold_variants, to_simplified

_NUMERAL = "〇零一二三四五六七八九十百千万萬廿卅两兩"
# The first "N卷" (or 不分卷 / □□卷) after the title ends the title proper.
_TITLE_JUAN = re.compile(rf"^(?P<title>.+?)(?:(?P<n>[{_NUMERAL}]+)卷|(?P<unknown>□+)卷|不分卷)")
_STATEMENT = re.compile(
    r"(?P<attr>[题題])?[(（](?P<dynasty>[^()（）]{1,8})[)）](?P<body>[^()（）\s]+)"
)


def parse_title_juan(text: str) -> tuple[str, int | None]:
    """Split 题名卷数 into the title and the total number of 卷 (None when unknown or 不分卷)."""
    text = text.strip()
    bracket = re.match(r"^[［\[][^］\]]*[］\]]", text)  # ［萬曆］ is a cataloguer's prefix
    start = bracket.end() if bracket else 0
    m = _TITLE_JUAN.match(text[start:])
    if not m:
        return text, None
    title = text[: start + m.end("title")]
    if m.group("n"):
        return title, chinese_number(m.group("n"))
    return title, None


@dataclass(frozen=True)
class Statement:
    dynasty: str
    name: str
    role: str
    attributed: bool = False

    def text(self) -> str:
        """``（漢）司馬遷撰``; an attributed author is prefixed 題 (题 in simplified records)."""
        dynasty = f"（{self.dynasty}）" if self.dynasty else ""
        prefix = ""
        if self.attributed:
            written = self.dynasty + self.name + self.role
            prefix = "題" if to_simplified(written) != written else "题"
        return f"{prefix}{dynasty}{self.name}{self.role}"


@cache
def _role_names() -> tuple[str, ...]:
    """Role names (both forms), longest first, so 纂修 wins over 修."""
    from guji.models import AuthorRole

    names = set()
    for name, trad in AuthorRole.objects.filter(active=True).values_list("name", "trad"):
        names.update(n for n in (name, trad) if n)
    return tuple(sorted(names, key=len, reverse=True))


def forget_role_names() -> None:
    _role_names.cache_clear()


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


def split_role(body: str) -> tuple[str, str]:
    """Split ``司馬遷撰`` into name and 著作方式; leave a bare name whole."""
    for role in _role_names():
        if body.endswith(role):
            name = body[: -len(role)]
            if len(name) >= 2 and to_simplified(name) not in COMPOUND_SURNAMES:
                return name, role
    return body, ""


def parse_statements(text: str) -> list[Statement]:
    """Read ``（漢）司馬遷撰 （南朝宋）裴駰集解`` into statements, in order.

    A name without a role shares the role written after the next name (census.md §4.2), so it
    is kept with an empty role. Text outside the (朝代)姓名 pattern is read as names with no
    dynasty, one per space-separated word.
    """
    statements: list[Statement] = []
    pos = 0
    text = text.strip()
    for m in _STATEMENT.finditer(text):
        statements.extend(_bare_names(text[pos : m.start()]))
        name, role = split_role(m.group("body"))
        statements.append(Statement(m.group("dynasty"), name, role, bool(m.group("attr"))))
        pos = m.end()
    statements.extend(_bare_names(text[pos:]))
    return statements


def _bare_names(text: str) -> list[Statement]:
    out = []
    for word in text.split():
        name, role = split_role(word)
        out.append(Statement("", name, role))
    return out


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
    for field, mark in SEARCH_FIELDS.items():
        text = " ".join(t for t in sections[field] if t)[:MAX_SECTION]
        if text:
            parts += [mark, text]
    return search_key(*parts)
