"""Request plumbing the whole site shares: private pages stay out of caches; idle sessions end."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.utils.cache import patch_cache_control

RENEW_EVERY = 60  # seconds: an active session is written at most this often


class PrivatePagesMiddleware:
    """Pages for signed-in users are ``Cache-Control: private, no-store``: no proxy or browser
    cache keeps a copy of a record, a list or a download after the user has gone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
            if "public" in response.get("Cache-Control", ""):
                response["Cache-Control"] = "private, no-store"
        return response


class IdleSessionMiddleware:
    """Ends a session that saw no request for ``GUJI_SESSION_IDLE_SECONDS``.

    The session's expiry is renewed (and the session written) at most once a minute, so an active
    user stays signed in without a database write on every page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            seen = request.session.get("guji_seen", now)
            if now - seen > settings.GUJI_SESSION_IDLE_SECONDS:
                logout(request)
            elif now - seen >= RENEW_EVERY or "guji_seen" not in request.session:
                request.session["guji_seen"] = now  # marks the session modified: renews expiry
        return self.get_response(request)
