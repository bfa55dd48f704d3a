from django import template

from guji.chinese import write_number

register = template.Library()


@register.filter
def cn_number(value: int | None) -> str:
    """A count in Chinese numerals, as catalogues print 册数 (24 → 二十四)."""
    if value in (None, ""):
        return ""
    return write_number(int(value))
