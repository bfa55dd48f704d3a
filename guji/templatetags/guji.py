from django import template

register = template.Library()

_DIGITS = "〇一二三四五六七八九"


@register.filter
def cn_number(value: int | None) -> str:
    """Write a count as catalogues print it: 18 → 十八, 24 → 二十四, 105 → 一百〇五."""
    if value in (None, ""):
        return ""
    n = int(value)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 100:
        return _DIGITS[n // 10] + "十" + (_DIGITS[n % 10] if n % 10 else "")
    if n < 1000:
        rest = n % 100
        tail = "" if rest == 0 else ("〇" + _DIGITS[rest] if rest < 10 else cn_number(rest))
        if 10 <= rest < 20:
            tail = "一" + tail
        return _DIGITS[n // 100] + "百" + tail
    return str(n)
