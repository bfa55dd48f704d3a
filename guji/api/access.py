"""Authentication, permission, pagination and throttling of the read API: the classes named
in ``settings.REST_FRAMEWORK`` (kept apart from the viewsets, which DRF builds from them)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, pagination, permissions, throttling
from rest_framework.settings import api_settings

from guji.api.tokens import user_for_key


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Token <key>`` (or ``Bearer <key>``) with a key from the tokens page."""

    keywords = ("token", "bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user = user_for_key(key)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return user, None

    def authenticate_header(self, request) -> str:
        return 'Token realm="api"'


class ReadOnlyForSignedIn(permissions.BasePermission):
    """Signed in (by token or session) and reading: GET, HEAD and OPTIONS only."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class CursorPagination(pagination.CursorPagination):
    """Stable pages over a changing register: ``?cursor=`` from ``next``/``previous``."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def decode_cursor(self, request):
        """DRF's, and a position that is no id in the database's range is a bad cursor (404),
        not a query that overflows."""
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            try:
                valid = 0 <= int(cursor.position) < 2**63
            except ValueError:
                valid = False
            if not valid:
                raise exceptions.NotFound(self.invalid_cursor_message)
        return cursor


class _RateFromSettings:
    """Reads its rate when asked (not at import), so a deployment's or a test's setting holds."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(_RateFromSettings, throttling.UserRateThrottle):
    scope = "api_user"


class BurstThrottle(_RateFromSettings, throttling.UserRateThrottle):
    scope = "api_burst"
