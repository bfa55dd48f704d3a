from django import template
from django.utils.translation import gettext

from guji.models import Grade

register = template.Library()


@register.simple_tag
def grade_label(code: str) -> str:
    if not code:
        return gettext("Ungraded")
    try:
        return str(Grade(code).label)
    except ValueError:
        return code


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)
