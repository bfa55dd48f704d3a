"""What every endpoint of the read API shares: token authentication, read-only access for
signed-in users, cursor pagination and throttling. Apps build their viewsets on ``ReadOnlyApi``
and register them with ``guji.registry.register_api`` (see docs/api.md).

Rows are scoped by the queryset each viewset returns (``visible_to(request.user)``, the same
``guji.permissions`` scope the pages use): an object the user may not see is a 404, so its
existence does not leak.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import viewsets


class ReadOnlyApi(viewsets.ReadOnlyModelViewSet):
    """Base of every endpoint: list and retrieve, nothing else."""

    http_method_names = ["get", "head", "options"]


def institution_filter():
    """A filter on the institutions the caller may see (another's is a 400, as a bad id is)."""
    import django_filters

    from guji.api.filters import visible_institutions

    return django_filters.ModelChoiceFilter(
        label=_("Institution"), queryset=visible_institutions, field_name="institution"
    )
