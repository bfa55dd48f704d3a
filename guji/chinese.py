"""Chinese text helpers shared by the parsers: 繁→简 and Chinese numerals."""

from functools import cache

import opencc


@cache
def t2s_converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return t2s_converter().convert(text) if text else text


_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_MYRIADS = {"万": 10_000, "萬": 10_000}  # 一萬卷 (古今圖書集成), 二萬二千八百七十七卷


def chinese_number(text: str) -> int | None:
    """Read 一 … 九萬九千九百九十九, 廿/卅, 元 (=1) and digit strings; None when not a number."""
    text = text.strip()
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if text == "元":
        return 1
    text = text.replace("廿", "二十").replace("卅", "三十").replace("卌", "四十")
    if all(ch in _DIGITS for ch in text) and len(text) > 1:  # 一九三一 read digit by digit
        return int("".join(str(_DIGITS[ch]) for ch in text))
    total, section, current = 0, 0, 0  # section: the part below the last 萬
    for ch in text:
        if ch in _DIGITS:
            current = _DIGITS[ch]
        elif ch in _UNITS:
            section += (current or 1) * _UNITS[ch]
            current = 0
        elif ch in _MYRIADS:
            total += ((section + current) or 1) * _MYRIADS[ch]
            section = current = 0
        else:
            return None
    return total + section + current


_NUMERALS = "〇一二三四五六七八九"


def write_number(n: int, *, terse: bool = False) -> str:
    """Write a count as catalogues print it: 18 → 十八, 105 → 一百〇五, 10000 → 一万.

    ``terse`` is the older catalogue style for juan and line counts, without 〇 and with 十 for
    一十: 106 → 一百六, 210 → 二百十, 416 → 四百十六.
    """
    if n < 0:
        return str(n)
    if n >= 10000:
        high, rest = divmod(n, 10000)
        tail = write_number(rest, terse=terse) if rest else ""
        if rest and rest < 1000 and not terse:
            tail = "〇" + ("一" + tail if 10 <= rest < 20 else tail)
        return write_number(high, terse=terse) + "万" + tail
    if n < 10:
        return _NUMERALS[n]
    out, zero, rest = "", False, n
    for value, unit in ((1000, "千"), (100, "百"), (10, "十")):
        digit, rest = divmod(rest, value)
        if digit:
            one_ten = digit == 1 and value == 10 and (terse or not out)
            out += ("〇" if zero else "") + ("" if one_ten else _NUMERALS[digit]) + unit
            zero = False
        elif out and not terse:
            zero = True
    if rest:
        out += ("〇" if zero else "") + _NUMERALS[rest]
    return out


# --- variant characters (異體字) --------------------------------------------------------------
# yitizi (CC0 data, shipped in the wheel) lists each character's variants: 竒/奇, 寛/寬, 囘/回,
# 峯/峰, 菴/庵 … Its pairs are joined into classes (at most ten characters each), and every
# character of a class is written as one representative (see _representative_rank).
# Search folds both the stored keys and the query this way, after 繁→简.


@cache
def _variant_table() -> dict[int, str]:
    import yitizi

    parent: dict[str, str] = {}

    def root(c: str) -> str:
        while parent.get(c, c) != c:
            parent[c] = parent.get(parent[c], parent[c])
            c = parent[c]
        return c

    for char, variants in yitizi.yitizi_data.items():
        parent.setdefault(char, char)
        for other in variants:
            parent.setdefault(other, other)
            a, b = root(char), root(other)
            if a != b:
                parent[a] = b
    classes: dict[str, list[str]] = {}
    for char in parent:
        classes.setdefault(root(char), []).append(char)
    table: dict[int, str] = {}
    for members in classes.values():
        chosen = min(members, key=lambda c: _representative_rank(c))
        table.update({ord(c): chosen for c in members if c != chosen})
    return table


def _representative_rank(char: str) -> tuple:
    """Common simplified characters first (in GB 2312: 集 over 亼, 回 over 囘)."""
    try:
        char.encode("gb2312")
        common = True
    except UnicodeEncodeError:
        common = False
    return (not common, to_simplified(char) != char, char)


def fold_variants(text: str) -> str:
    """Write every variant character as its class's representative (峯 → 峰, 竒 → 奇)."""
    return text.translate(_variant_table()) if text else text
