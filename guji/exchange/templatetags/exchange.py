from django import template

from guji.permissions import can_anywhere

register = template.Library()

# The choices offered on pages (the export views take every format of views.FORMATS).
OFFERED = (
    ("marc21", "MARC 21"),
    ("marc21-xml", "MARCXML"),
    ("cnmarc", "CNMARC"),
    ("dc", "Dublin Core"),
)


@register.inclusion_tag("exchange/includes/list_exports.html", takes_context=True)
def list_exports(context, querystring: str) -> dict:
    """Links exporting the holding list as filtered, for users who may export somewhere."""
    user = context["request"].user
    return {
        "may_export": can_anywhere(user, "export"),
        "formats": OFFERED,
        "querystring": querystring,
    }
