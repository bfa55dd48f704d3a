"""Messages to users: an inbox on the site, and e-mail where the user has an address.

Any app tells a user something through one call::

    from guji.notifications import notify
    notify(cataloguer, _("Returned: %(title)s") % {...}, body=comment, url=holding_url)

The message is stored at once (the inbox and the unread count in the header read it); the
e-mail is sent after the surrounding transaction commits, on Huey, so a slow mail server never
holds up a page and a rolled-back change sends nothing.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from huey.contrib.djhuey import db_task

from guji.models import Notification, User


def notify(user: User, subject: str, body: str = "", url: str = "") -> Notification | None:
    """Tell ``user`` something; returns the stored message (None for an inactive user)."""
    if user is None or not user.is_active:
        return None
    message = Notification.objects.create(
        user=user, subject=str(subject)[:200], body=str(body), url=url[:500]
    )
    if user.email:
        transaction.on_commit(lambda: send_notification_email(message.pk))
    return message


def notify_all(users: Iterable[User], subject: str, body: str = "", url: str = "") -> int:
    """The same message to several users (each once); returns how many were told."""
    seen, n = set(), 0
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        n += notify(user, subject, body, url) is not None
    return n


@db_task(retries=3, retry_delay=60)
def send_notification_email(notification_id: int) -> None:
    message = (
        Notification.objects.select_related("user")
        .filter(pk=notification_id, emailed=False)
        .first()
    )
    if message is None or not message.user.email:
        return
    link = f"\n\n{settings.GUJI_SITE_URL}{message.url}" if message.url else ""
    send_mail(
        message.subject,
        f"{message.body}{link}".strip(),
        settings.DEFAULT_FROM_EMAIL,
        [message.user.email],
    )
    Notification.objects.filter(pk=message.pk).update(emailed=True)


def unread(user: User) -> QuerySet:
    return Notification.objects.filter(user=user, read_at=None)


def mark_read(user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the user's messages read (all of them when ``ids`` is None)."""
    messages = unread(user)
    if ids is not None:
        messages = messages.filter(pk__in=list(ids))
    return messages.update(read_at=timezone.now())
