"""``/api/v1/``: the read API (namespace ``api``); ``/api/tokens/``: the tokens page.

The core's endpoints are registered here; the apps' come from ``guji.registry.api_routes()``,
filled in their ``AppConfig.ready()``. API views answer to a token or a session themselves
(401 without either): DRF exempts them from the site's login redirect. The docs page is for
people, so a stranger is sent to the login page instead.
"""

from django.contrib.auth.decorators import login_required
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from guji import registry
from guji.api import token_views, views


def _router() -> DefaultRouter:
    router = DefaultRouter()
    router.include_format_suffixes = False
    router.register("holdings", views.HoldingViewSet, basename="holding")
    router.register("institutions", views.InstitutionViewSet, basename="institution")
    router.register("grades", views.GradeViewSet, basename="grade")
    for route in registry.api_routes():
        router.register(route.prefix, route.viewset, basename=route.basename)
    return router


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI served by the project (drf-spectacular-sidecar), its start-up script a file
    of its own (``?script``): no inline script or style, so the site's CSP holds unchanged."""

    template_name = "guji_api/swagger_ui.html"
    url_name = "api:schema"


api_patterns = [
    *_router().urls,
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", login_required(DocsView.as_view()), name="docs"),
]

token_patterns = [
    path("", token_views.token_list, name="token_list"),
    path("new/", token_views.token_create, name="token_create"),
    path("<int:pk>/revoke/", token_views.token_revoke, name="token_revoke"),
]
