"""Issuing and revoking API tokens: who may, and the history row each leaves."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guji.api.models import ApiToken, hash_key
from guji.history import required_reason, save_audited
from guji.models import User
from guji.permissions import can

MAX_ACTIVE = 20  # tokens a user may hold at once


def may_manage_all_tokens(user) -> bool:
    """The centre's administrators see and revoke every user's tokens."""
    return can(user, "manage")


@transaction.atomic
def issue_token(user: User, *, name: str, by: User) -> tuple[ApiToken, str]:
    """A new token for ``user`` (issued by ``user`` themself); returns it and its key.

    The key is returned once and never stored: only its hash is.
    """
    if by.pk != user.pk or not user.is_active:
        raise PermissionDenied
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("Say what the token is for."), code="name_required")
    if ApiToken.objects.active().filter(user=user).count() >= MAX_ACTIVE:
        raise ValidationError(
            _("You hold %(n)s tokens already: revoke one first.") % {"n": MAX_ACTIVE},
            code="too_many",
        )
    key = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name, prefix=key[:8], key_hash=hash_key(key), created_by=by)
    save_audited(token, by=by, reason=_("Issued the API token “%(name)s”.") % {"name": name})
    return token, key


@transaction.atomic
def revoke_token(token: ApiToken, *, by: User, reason: str = "") -> ApiToken:
    """Revoke ``token``: its owner may, and the centre administrator may revoke anyone's
    (saying why). A revoked token fails at once and stays listed with who revoked it."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    own = token.user_id == by.pk
    if not (own or may_manage_all_tokens(by)):
        raise PermissionDenied
    if not own:
        reason = required_reason(reason)
    if token.revoked_at is not None:
        raise ValidationError(_("This token is revoked already."), code="revoked")
    token.revoked_at, token.revoked_by = timezone.now(), by
    reason = (reason or "").strip() or _("Revoked by its owner.")
    save_audited(token, by=by, reason=reason, fields=["revoked_at", "revoked_by"])
    return token


def user_for_key(key: str) -> User | None:
    """The active user an active token's key belongs to, else None."""
    if not key or len(key) > 200:
        return None
    token = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(key_hash=hash_key(key), user__is_active=True)
        .first()
    )
    return token.user if token else None
