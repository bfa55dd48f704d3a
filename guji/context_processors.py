from django.http import HttpRequest

from guji.permissions import can_anywhere, roles_of


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav": {
            "roles": sorted(roles_of(user)),
            "can_catalogue": can_anywhere(user, "catalogue"),
            "can_review": can_anywhere(user, "review"),
            "is_staff": user.is_staff,
        }
    }
