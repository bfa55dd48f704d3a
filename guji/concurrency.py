"""Two people editing one record must not erase each other: every edit carries the version it read.

A record's version is the id of its newest history row. Every write path leaves one (forms, the
admin, imports through the bulk writer, commands), so the version moves whenever anything changes
the record, and it costs no column of its own. An edit form carries the version it was read at;
the domain function compares it under the row lock and refuses a stale save with ``StaleEdit``,
which lists what the other person changed (who, when, field by field) so the page can show it
beside the user's own input, kept as typed.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

from guji.history import Change, version_changes


def current_version(obj: models.Model) -> int:
    """The id of the record's newest history row (0 for a record without history)."""
    return obj.history.order_by("-history_id").values_list("history_id", flat=True).first() or 0


def changes_since(obj: models.Model, version: int, *, hide=("seq",)) -> list[Change]:
    """What was changed after ``version`` (newest first), each with who, when and why."""
    rows = list(
        obj.history.filter(history_id__gte=version)
        .select_related("history_user")
        .order_by("-history_id")
    )
    if not rows:
        return []
    changes = version_changes(rows, subject=str(obj._meta.verbose_name), hide=hide)
    if rows[-1].history_id == version:  # the version that was read is the base, not a change
        changes = changes[:-1]
    return changes


class StaleEdit(ValidationError):
    """Someone saved the record after this edit read it."""

    def __init__(self, obj: models.Model, read_version: int):
        self.record = obj
        self.read_version = read_version
        self.current_version = current_version(obj)
        self.changes = changes_since(obj, read_version)
        names = sorted({str(c.user) for c in self.changes if c.user}) or [_("someone")]
        super().__init__(
            _(
                "%(who)s saved this record after you opened it. Your changes are below and have "
                "not been saved: compare them with what changed, then save again."
            )
            % {"who": "、".join(names)},
            code="stale",
        )


def check_version(obj: models.Model, read_version: int | str | None) -> None:
    """Refuse when the record moved on since ``read_version``; call with the row locked.

    ``None`` (a caller that read nothing, such as a command working on the latest state) passes.
    """
    if read_version in (None, ""):
        return
    try:
        read = int(read_version)
    except (TypeError, ValueError):
        raise ValidationError(
            _("The form's version is not a number."), code="bad_version"
        ) from None
    if current_version(obj) != read:
        raise StaleEdit(obj, read)


class VersionField(forms.IntegerField):
    """The hidden field an edit form carries: the version the record was read at."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 0)
        super().__init__(**kwargs)


def refresh_version(form: forms.BaseForm, obj: models.Model, name: str = "version") -> None:
    """After a stale save, let the user save again on purpose: the form now carries the current
    version, and their input stays as typed."""
    data = form.data.copy()
    data[form.add_prefix(name)] = str(current_version(obj))
    form.data = data
