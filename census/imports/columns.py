"""The census columns of the import: keys, headers as the template writes them, aliases."""

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from guji.chinese import to_simplified


@dataclass(frozen=True)
class Column:
    key: str  # Holding field, or "authors" for the responsibility statements
    header: str  # census.md §2, as the template writes it
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("call_number", "索书号", ("call number", "call no", "callnumber"), required=True),
    Column("sibu_class", "分类", ("class", "classification", "四部分类", "sibu")),
    Column("title_juan", "题名卷数", ("title", "title and juan", "题名"), required=True),
    Column("authors", "著者", ("author", "authors", "responsibility", "责任者")),
    Column("edition_statement", "版本", ("edition", "edition statement", "版本项")),
    Column("layout", "版式", ("layout",)),
    Column("binding", "装帧", ("binding", "装帧形式")),
    Column("series", "丛书", ("series",)),
    Column("annotations", "批校题跋", ("annotations",)),
    Column("seals", "钤印", ("seals",)),
    Column("extant", "存缺卷", ("extant", "存缺卷数", "存卷")),
    Column("volumes", "册数", ("volumes", "ce", "number of ce"), required=True),
    Column("cases", "函数", ("cases", "number of cases")),
    Column("notes", "附注", ("notes", "note")),
    Column("storage_location", "存放位置", ("location", "storage location", "shelf")),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED_CELLS = ("call_number", "title_juan", "volumes")
# Holding fields an import sets; title and juan_count are derived from 题名卷数 (services.derive).
FIELDS = tuple(c.key for c in COLUMNS if c.key != "authors")
TEXT_FIELDS = tuple(k for k in FIELDS if k not in ("sibu_class", "binding", "volumes", "cases"))
# The holding fields each column sets ("authors" stands for the responsibility statements): an
# update changes only the fields of the columns the file holds.
FIELDS_OF = {
    **{c.key: (c.key,) for c in COLUMNS},
    "sibu_class": ("sibu_class", "sibu_subdivision"),
    "volumes": ("volumes", "volume_unit", "extent_note"),
}
EXAMPLE_ROW = {
    "call_number": "善001",
    "sibu_class": "史部·纪传类",
    "title_juan": "史記一百三十卷",
    "authors": "（漢）司馬遷撰 （南朝宋）裴駰集解 （唐）司馬貞索隱 （唐）張守節正義",
    "edition_statement": "清乾隆四年（1739）武英殿刻本",
    "layout": "半叶十行，行二十一字，小字双行同，白口，四周双边",
    "binding": "线装",
    "series": "",
    "annotations": "",
    "seals": "乾隆御覽之寶",
    "extant": "",
    "volumes": "二十四",
    "cases": "4",
    "notes": "",
    "storage_location": "善本书库 A-03",
}

HEADER_SEARCH_ROWS = 10  # a title row (XX图书馆古籍普查登记表) may sit above the header


@lru_cache(maxsize=8192)  # vocabulary cells repeat on every row
def norm(text: str) -> str:
    return re.sub(r"[\s_·・/／\-—:：()（）]+", "", to_simplified(text)).casefold()


@cache
def header_index() -> dict[str, str]:
    index = {}
    for c in COLUMNS:
        for name in (c.header, c.key, *c.aliases):
            index[norm(name)] = c.key
    return index
