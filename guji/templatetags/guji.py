from django import template
from django.utils.html import format_html_join

from guji.chinese import write_number

register = template.Library()


@register.filter
def cn_number(value: int | None) -> str:
    """A count in Chinese numerals, as catalogues print 册数 (24 → 二十四)."""
    if value in (None, ""):
        return ""
    return write_number(int(value))


@register.simple_tag(takes_context=True)
def hidden_query_fields(context, *exclude: str) -> str:
    """The current query string as hidden inputs, less ``exclude``: a GET form inside a list
    (jump to page, page size) keeps the list's filters and sort."""
    request = context["request"]
    return format_html_join(
        "",
        '<input type="hidden" name="{}" value="{}">',
        (
            (key, value)
            for key, values in request.GET.lists()
            if key not in exclude
            for value in values
        ),
    )
