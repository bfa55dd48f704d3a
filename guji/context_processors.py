from django.http import HttpRequest
from django.urls import reverse

from guji import registry
from guji.notifications import unread
from guji.permissions import can, can_anywhere, may_open_admin, roles_of


def navigation(request: HttpRequest) -> dict:
    """The header's menus and counts, computed once a request: a page that renders its panels or
    home sections as templates of their own runs the context processors for each of them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_guji_nav", None)
    if cached is not None and cached[0] is user:
        return cached[1]
    context = _navigation(user)
    request._guji_nav = (user, context)
    return context


def _navigation(user) -> dict:
    entries = [
        {"key": e.key, "label": e.label, "url": reverse(e.url_name, kwargs=e.url_kwargs)}
        for e in registry.nav_entries(user)
    ]
    return {
        "nav": {
            "roles": sorted(roles_of(user)),
            "can_catalogue": can_anywhere(user, "catalogue"),
            "can_review": can_anywhere(user, "review"),
            "is_staff": may_open_admin(user),
            "is_centre_admin": can(user, "manage"),  # everywhere: the centre's administrator
            "entries": entries,
            "unread": unread(user).count(),
        }
    }
