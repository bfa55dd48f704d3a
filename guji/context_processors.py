from django.http import HttpRequest
from django.urls import reverse

from guji import registry
from guji.notifications import unread
from guji.permissions import can_anywhere, holds_globally, roles_of


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    entries = [
        {"key": e.key, "label": e.label, "url": reverse(e.url_name, kwargs=e.url_kwargs)}
        for e in registry.nav_entries(user)
    ]
    return {
        "nav": {
            "roles": sorted(roles_of(user)),
            "can_catalogue": can_anywhere(user, "catalogue"),
            "can_review": can_anywhere(user, "review"),
            "is_staff": user.is_staff,
            "is_centre_admin": holds_globally(user, "manage"),
            "entries": entries,
            "unread": unread(user).count(),
        }
    }
