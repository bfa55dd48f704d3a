"""What every endpoint of the read API shares: token authentication, read-only access for
signed-in users, cursor pagination and throttling. Apps build their viewsets on ``ReadOnlyApi``
and register them with ``guji.registry.register_api`` (see docs/api.md).

Rows are scoped by the queryset each viewset returns (``visible_to(request.user)``, the same
``guji.permissions`` scope the pages use): an object the user may not see is a 404, so its
existence does not leak.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import viewsets

MAX_ID = 2**63 - 1  # a bigger number is no row's id (and would overflow the database's integer)


class ReadOnlyApi(viewsets.ReadOnlyModelViewSet):
    """Base of every endpoint: list and retrieve, nothing else."""

    http_method_names = ["get", "head", "options"]
    lookup_value_regex = r"[0-9]{1,18}"  # anything else is a 404 from the URL resolver


class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number in the database's range (else a 400, never an overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


def institution_filter():
    """A filter on the institutions the caller may see (another's is a 400, as a bad id is)."""
    from guji.api.filters import visible_institutions

    return django_filters.ModelChoiceFilter(
        label=_("Institution"), queryset=visible_institutions, field_name="institution"
    )
