from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe

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


@register.filter
def fast_select(bound_field) -> str:
    """A choice field as a ``<select>``, written in one pass.

    Django's Select widget renders each option through the form templates (~40 µs an option);
    a list's filter form has a few hundred options on every page. Same markup, a few µs each.
    """
    field = bound_field.field
    value = bound_field.value()
    # A model choice field iterates model instances; a form may hand over plain (id, label)
    # pairs instead (see HoldingFilterForm.plain_choices).
    choices = getattr(bound_field.form, "plain_choices", {}).get(bound_field.name, field.choices)
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value or "")}
    options = "".join(
        f'<option value="{escape(key)}"{" selected" if str(key) in chosen else ""}>'
        f"{escape(label)}</option>"
        for key, label in _flat_choices(choices)
    )
    return format_html(
        '<select name="{}" id="{}"{}>{}</select>',
        bound_field.html_name,
        bound_field.auto_id,
        " required" if field.required else "",
        mark_safe(options),  # every key and label escaped above
    )


def _flat_choices(choices):
    for key, label in choices:
        if isinstance(label, list | tuple):
            yield from _flat_choices(label)
        else:
            yield getattr(key, "value", key), label


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template (None when missing)."""
    return mapping.get(key) if mapping else None
