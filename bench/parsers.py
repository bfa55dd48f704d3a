"""Time the catalogue readers on 10⁵ distinct texts each (issue 8: under 10 s).

    python bench/parsers.py [--n 100000] [--seed 8]

Pure functions, no database: the 著作方式 come from guji/data/roles.csv as the admin table is
loaded from it. For each reader, N distinct texts in the forms catalogues write (both character
forms, spaces, ；/&, supplied brackets, copies, bare years …) are read once each, caches
cleared first. The same-run baseline is OpenCC's 繁→简 conversion of the same texts, the one
step every reader's input goes through somewhere; ``x baseline`` is reader time over it.
"""

import argparse
import csv
import gc
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guji import editions  # noqa: E402
from guji.cataloguing import (  # noqa: E402
    ClassIndex,
    ClassRow,
    _read_statements,
    parse_extent,
    parse_statements,
    read_title_juan,
)
from guji.chinese import to_simplified, write_number  # noqa: E402

DATA = ROOT / "guji" / "data"
TARGET_SECONDS = 10.0
SURNAMES = (
    "王李張劉陳楊黃趙吳周徐孫馬朱胡郭何高林羅鄭梁謝宋唐許韓馮鄧曹彭曾蕭田董袁潘蔣蔡余杜葉程蘇魏"
    "呂丁任沈姚盧姜崔鍾譚陸汪范金石廖賈夏韋付方白鄒孟熊秦邱江尹薛閻段雷侯龍史陶黎賀顧毛郝龔邵萬"
    "錢嚴覃武戴莫孔向湯"
)
GIVEN = (
    "之子文德明元正中和仁義禮智信忠孝廷延宗祖世承繼紹述大小光昭崇應運昌時興隆泰平安定靖康寧永長清"
)
DYNASTIES = ["漢", "晉", "唐", "宋", "元", "明", "清", "南朝宋", "三國魏", "日本", "朝鮮", "民國"]
REIGNS = [
    ("明", "萬曆", 48),
    ("明", "嘉靖", 45),
    ("清", "康熙", 61),
    ("清", "乾隆", 60),
    ("清", "嘉慶", 25),
    ("清", "道光", 30),
    ("清", "光緒", 34),
    ("清", "同治", 13),
]
PUBLISHERS = ["", "武英殿", "金陵書局", "毛氏汲古閣", "芝城", "揚州詩局", "掃葉山房", "文盛堂"]
TYPES = ["刻本", "抄本", "活字印本", "銅活字印本", "石印本", "鉛印本", "朱墨套印本", "刻後印本"]
TITLES = "詩書禮易春秋史記漢書文選通鑑集注疏說文字典類聚府志縣志宗譜家集年譜"


def _roles() -> frozenset[str]:
    with open(DATA / "roles.csv", encoding="utf-8") as f:
        names = {n for r in csv.DictReader(f) for n in (r["name"], r["trad"]) if n}
    return frozenset(names | {n.replace("注", "註") for n in names if "注" in n})


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _distinct(make, n: int, rng: random.Random) -> list[str]:
    seen: set[str] = set()
    while len(seen) < n:
        seen.add(make(rng))
    out = sorted(seen)
    rng.shuffle(out)
    return out


def make_statement(rng: random.Random, roles: list[str]) -> str:
    parts = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        dyn = rng.choice(DYNASTIES)
        names = [_name(rng) for _ in range(rng.choice((1, 1, 1, 2)))]
        role = rng.choice(roles)
        form = rng.random()
        if len(names) > 1:
            body = "、".join(names) + ("同" if form < 0.5 else "") + role
        elif form < 0.2:
            body = f" {names[0]} {role}"
        elif form < 0.25:
            body = names[0] + "等" + role
        else:
            body = names[0] + role
        open_, close = ("(", ")") if rng.random() < 0.5 else ("（", "）")
        text = f"{open_}{dyn}{close}{body}"
        if rng.random() < 0.05:
            text = f"[{text}]"
        elif rng.random() < 0.03:
            text = "題" + text
        parts.append(text)
    sep = rng.choice((" ", " ", "；", ";", " & "))
    text = sep.join(parts)
    return to_simplified(text) if rng.random() < 0.3 else text


def make_edition(rng: random.Random) -> str:
    r = rng.random()
    dyn, era, years = rng.choice(REIGNS)
    n = rng.randint(1, years)
    pub = rng.choice(PUBLISHERS)
    typ = rng.choice(TYPES)
    year = {"萬曆": 1573, "嘉靖": 1522, "康熙": 1662, "乾隆": 1736, "嘉慶": 1796, "道光": 1821}
    start = year.get(era, {"光緒": 1875, "同治": 1862}.get(era, 1800))
    if r < 0.5:
        text = f"{dyn}{era}{write_number(n) if n > 1 else '元'}年（{start + n - 1}）{pub}{typ}"
    elif r < 0.6:
        text = f"據{dyn}{era}{pub}刻本{rng.choice(('抄', '影抄', '傳鈔'))}"
    elif r < 0.7:
        text = f"{start + n - 1}{rng.choice(('年', ''))}{pub}{typ}"
    elif r < 0.8:
        text = f"{typ} {era}{write_number(n)}年[{start + n - 1}]"
    elif r < 0.9:
        text = f"{dyn}（{era}間）{pub}{typ} {dyn}{_name(rng)}跋"
    else:
        text = f"{dyn}{era}{write_number(n)}年{pub}刻{rng.choice(DYNASTIES[4:7])}印本"
    return to_simplified(text) if rng.random() < 0.3 else text


def make_extent(rng: random.Random) -> str:
    v = rng.randint(1, 9999)
    c = rng.randint(1, 99)
    f = rng.random()
    vs = write_number(v) if rng.random() < 0.5 else str(v)
    if f < 0.4:
        return f"{vs}冊；{c}函"
    if f < 0.6:
        return f"{vs}{rng.choice(('冊', '册', ''))}"
    if f < 0.8:
        return f"{vs}冊；{c}{rng.choice(('夾', '函'))}"
    return f"{vs}{rng.choice(('摺', '軸', '幅', '張', '件'))}"


def make_title(rng: random.Random) -> str:
    title = "".join(rng.choice(TITLES) for _ in range(rng.randint(2, 6)))
    n = rng.randint(1, 999)
    f = rng.random()
    if f < 0.7:
        return f"{title}{write_number(n)}卷"
    if f < 0.8:
        return f"［{rng.choice(('萬曆', '乾隆', '光緒'))}］{title}{write_number(n)}卷"
    if f < 0.9:
        return f"{title}{write_number(n)}{rng.choice(('回', '種', '篇', '則'))}"
    return f"{title}{write_number(n)}卷首一卷"


def make_class(rng: random.Random, rows: list[ClassRow]) -> str:
    row = rng.choice([r for r in rows if r.level == 2])
    sub = "".join(rng.choice(TITLES) for _ in range(rng.randint(1, 3)))
    sep = rng.choice(("/", " ", "·", "－"))
    bu = row.bu if rng.random() < 0.5 else row.bu[0]
    return f"{bu}{sep}{row.trad or row.name}{sep}{sub}"


def _time(fn, texts: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds): the machine is shared, CPU time is this process's own."""
    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    for t in texts:
        fn(t)
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    roles = _roles()
    role_list = sorted(roles)
    with open(DATA / "sibu.csv", encoding="utf-8") as f:
        rows = [
            ClassRow(r["code"], r["bu"], r["class"] or r["bu"], r["trad_class"], int(r["level"]))
            for r in csv.DictReader(f)
        ]
    index = ClassIndex(rows)

    def find_class(text: str):
        return ClassIndex.find.__wrapped__(index, text)  # uncached: every text read afresh

    readers = [
        (
            "著者 parse_statements",
            lambda r: make_statement(r, role_list),
            lambda t: parse_statements(t, roles),
        ),
        ("版本 editions.parse", make_edition, editions._parse.__wrapped__),
        ("册数 parse_extent", make_extent, parse_extent.__wrapped__),
        ("题名卷数 read_title_juan", make_title, read_title_juan.__wrapped__),
        ("分类 ClassIndex.find", lambda r: make_class(r, rows), find_class),
    ]
    print(
        f"{'reader':28} {'texts':>8} {'wall s':>7} {'CPU s':>7} {'µs/text':>8} "
        f"{'base CPU s':>10} {'x baseline':>10}  under {TARGET_SECONDS:g} s"
    )
    ok = True
    for name, make, read in readers:
        texts = _distinct(make, args.n, rng)
        _read_statements.cache_clear()
        _, base = _time(to_simplified, texts)
        wall, cpu = _time(read, texts)
        met = wall < TARGET_SECONDS
        ok &= met
        print(
            f"{name:28} {len(texts):>8,} {wall:>7.2f} {cpu:>7.2f} {cpu / len(texts) * 1e6:>8.1f} "
            f"{base:>10.2f} {cpu / base:>10.1f}  {'yes' if met else 'NO'}"
        )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
