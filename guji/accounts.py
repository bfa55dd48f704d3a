"""Accounts: a user changes their own password; the centre administrator sees and lifts lockouts.

Signing in writes no audit-history row: ``last_login`` is stamped by a queryset update (no
signals, no history), since a login changes nothing anyone audits.
"""

import time

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import user_logged_in
from django.contrib.auth.models import update_last_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from guji.lockouts import current_lockouts
from guji.permissions import holds_globally


def stamp_last_login(sender, user, request=None, **kwargs) -> None:
    type(user).objects.filter(pk=user.pk).update(last_login=timezone.now())
    if request is not None and hasattr(request, "session"):
        request.session["guji_seen"] = int(time.time())  # the idle clock starts at login


def connect_login_signals() -> None:
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    user_logged_in.connect(stamp_last_login, dispatch_uid="guji.stamp_last_login")


def _require_admin(request: HttpRequest) -> None:
    if not holds_globally(request.user, "manage"):
        raise PermissionDenied


@require_http_methods(["GET"])
def lockout_list(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return render(request, "registration/lockout_list.html", {"lockouts": current_lockouts()})


@require_POST
def lockout_lift(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    kind, value = request.POST.get("kind"), (request.POST.get("value") or "").strip()
    if kind not in ("username", "ip_address") or not value:
        messages.error(request, _("Say which username or address to let in again."))
        return redirect("lockout_list")
    removed = axes_reset(username=value) if kind == "username" else axes_reset(ip=value)
    messages.success(
        request,
        _("Lifted the lockout of %(value)s (%(n)d failed attempts cleared).")
        % {"value": value, "n": removed},
    )
    return redirect("lockout_list")
