"""Writing with history outside a request, and reading a holding's timeline."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from django.db import models


def save_audited(
    obj: models.Model, *, by, reason: str, fields: Sequence[str] | None = None
) -> None:
    """Save with the history user and reason set (simple-history reads both at save time)."""
    obj._history_user = by
    obj._change_reason = reason
    obj.save(update_fields=fields)


def delete_audited(obj: models.Model, *, by, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason
    obj.delete()


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: object
    new: object


@dataclass(frozen=True)
class Change:
    """One entry of a timeline: a version of some record, and what it changed."""

    when: datetime
    user: object
    reason: str
    kind: str  # "+" created, "~" changed, "-" deleted (simple-history's history_type)
    subject: str  # what was changed: the holding itself or a related record
    fields: list[FieldChange] = field(default_factory=list)
    comment: str = ""


def _label(model: type[models.Model], name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:
        return name


def _display(model: type[models.Model], name: str, value: object) -> object:
    try:
        f = model._meta.get_field(name)
    except Exception:
        return value
    if f.choices and value not in (None, ""):
        return dict(f.flatchoices).get(value, value)
    return value


def version_changes(
    versions: Sequence[models.Model], *, subject: str, hide: Sequence[str] = ()
) -> list[Change]:
    """Diff neighbouring versions (newest first) from one list, never a query per row."""
    changes = []
    for version, previous in pairwise([*versions, None]):
        model = version.instance_type
        fields = []
        if previous is not None:
            for c in version.diff_against(previous, excluded_fields=list(hide)).changes:
                fields.append(
                    FieldChange(
                        c.field,
                        _label(model, c.field),
                        _display(model, c.field, c.old),
                        _display(model, c.field, c.new),
                    )
                )
        changes.append(
            Change(
                when=version.history_date,
                user=version.history_user,
                reason=version.history_change_reason or "",
                kind=version.history_type,
                subject=subject,
                fields=fields,
            )
        )
    return changes
