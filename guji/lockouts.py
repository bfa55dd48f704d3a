"""Login throttling: django-axes with one limit per username and another per address."""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone


def _window_start():
    return timezone.now() - timedelta(minutes=settings.GUJI_LOCKOUT_MINUTES)


def failures(*, username: str | None = None, ip_address: str | None = None) -> int:
    """Failed logins within the lockout window for a username or an address."""
    attempts = AccessAttempt.objects.filter(attempt_time__gte=_window_start())
    if username is not None:
        attempts = attempts.filter(username=username)
    if ip_address is not None:
        attempts = attempts.filter(ip_address=ip_address)
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


def is_locked_out(username: str | None, ip_address: str | None) -> bool:
    return bool(
        (username and failures(username=username) >= settings.GUJI_LOGIN_FAILURES_PER_USER)
        or (
            ip_address
            and failures(ip_address=ip_address) >= settings.GUJI_LOGIN_FAILURES_PER_ADDRESS
        )
    )


class GujiAxesHandler(AxesDatabaseHandler):
    """Locks a username after GUJI_LOGIN_FAILURES_PER_USER failures and an address after
    GUJI_LOGIN_FAILURES_PER_ADDRESS, each counted over the last GUJI_LOCKOUT_MINUTES."""

    def is_locked(self, request, credentials=None) -> bool:
        if not settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        username = get_client_username(request, credentials)
        ip_address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        return is_locked_out(username, ip_address)


def current_lockouts() -> list[dict]:
    """Usernames and addresses that are locked out now, for the administrator's page."""
    since = _window_start()
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    out = []
    by_user = (
        recent.exclude(username=None).values("username").annotate(n=Sum("failures_since_start"))
    )
    for row in by_user:
        if row["n"] >= settings.GUJI_LOGIN_FAILURES_PER_USER:
            out.append({"kind": "username", "value": row["username"], "failures": row["n"]})
    by_ip = (
        recent.exclude(ip_address=None).values("ip_address").annotate(n=Sum("failures_since_start"))
    )
    for row in by_ip:
        if row["n"] >= settings.GUJI_LOGIN_FAILURES_PER_ADDRESS:
            out.append({"kind": "ip_address", "value": row["ip_address"], "failures": row["n"]})
    for item in out:
        item["last"] = (
            recent.filter(**{item["kind"]: item["value"]})
            .order_by("-attempt_time")
            .values_list("attempt_time", flat=True)
            .first()
        )
    return out


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out login sees: a clear page with status 429 (Too Many Requests)."""
    context = {"lockout_minutes": settings.GUJI_LOCKOUT_MINUTES}
    return render(request, "registration/locked_out.html", context, status=429)
