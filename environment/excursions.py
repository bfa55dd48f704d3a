"""Excursions: runs of readings outside a room's limits, found as readings arrive.

A run of consecutive readings above the maximum (or below the minimum) of one parameter is one
excursion; a run that starts within MERGE_GAP of an excursion already stored for the same sensor,
parameter and side extends it instead, so an overlapping or continued upload never creates a
second one. New excursions notify the institution's managers, in the app and by e-mail.
"""

from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from environment.models import Excursion, Notification, Sensor
from environment.thresholds import Limit
from guji.history import save_audited
from guji.models import RoleAssignment, User

MERGE_GAP = timedelta(minutes=30)


@dataclass
class Run:
    parameter: str
    high: bool
    start: object
    end: object
    peak: float
    limit: float


def find_runs(frame: pd.DataFrame, limits: dict[str, Limit]) -> list[Run]:
    """Runs of consecutive out-of-limit readings per parameter and side, oldest first."""
    runs: list[Run] = []
    times = frame["time"]
    for parameter, limit in limits.items():
        if parameter not in frame:
            continue
        values = frame[parameter]
        present = values.notna().to_numpy()
        if not present.any():
            continue
        v = values.to_numpy()
        for high, bound in ((True, limit.maximum), (False, limit.minimum)):
            if bound is None:
                continue
            with np.errstate(invalid="ignore"):
                out = (v > bound) if high else (v < bound)
            out &= present
            # Missing values do not end a run; readings within limits do.
            idx = np.flatnonzero(present)
            flags = out[idx]
            if not flags.any():
                continue
            edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
            starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
            for s, e in zip(starts, ends, strict=True):
                rows = idx[s : e + 1]
                segment = v[rows]
                runs.append(
                    Run(
                        parameter=parameter,
                        high=high,
                        start=times.iloc[rows[0]].to_pydatetime(),
                        end=times.iloc[rows[-1]].to_pydatetime(),
                        peak=float(segment.max() if high else segment.min()),
                        limit=float(bound),
                    )
                )
    runs.sort(key=lambda r: r.start)
    return runs


@transaction.atomic
def record_runs(sensor: Sensor, runs: list[Run], *, by) -> tuple[list[Excursion], int]:
    """Store runs as excursions (new or extended). Returns (new excursions, extended count)."""
    new: list[Excursion] = []
    extended = 0
    for run in runs:
        existing = (
            Excursion.objects.filter(
                sensor=sensor,
                parameter=run.parameter,
                high=run.high,
                start__lte=run.end + MERGE_GAP,
                end__gte=run.start - MERGE_GAP,
            )
            .order_by("start")
            .first()
        )
        if existing is None:
            excursion = Excursion(
                room_id=sensor.room_id,
                sensor=sensor,
                parameter=run.parameter,
                high=run.high,
                start=run.start,
                end=run.end,
                peak=run.peak,
                limit=run.limit,
            )
            save_audited(excursion, by=by, reason=_("Found in readings as they arrived"))
            new.append(excursion)
            continue
        start, end = min(existing.start, run.start), max(existing.end, run.end)
        peak = max(existing.peak, run.peak) if run.high else min(existing.peak, run.peak)
        if (start, end, peak) != (existing.start, existing.end, existing.peak):
            existing.start, existing.end, existing.peak = start, end, peak
            save_audited(existing, by=by, reason=_("Extended by readings that arrived later"))
            extended += 1
    return new, extended


def managers_of(institution_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role=RoleAssignment.Role.MANAGER,
            role_assignments__institution_id=institution_id,
        ).distinct()
    )


def notify(sensor: Sensor, excursions: list[Excursion]) -> int:
    """One in-app notification and one e-mail per manager for a batch of new excursions."""
    if not excursions:
        return 0
    room = sensor.room
    url = reverse("environment:room_excursions", args=[room.pk])
    managers = managers_of(room.institution_id)
    with translation.override(settings.LANGUAGE_CODE):
        title = _("%(count)d new excursion(s) in %(room)s") % {
            "count": len(excursions),
            "room": room.name,
        }
        lines = [
            _("%(parameter)s %(side)s the limit %(limit)s from %(start)s to %(end)s, peak %(peak)s")
            % {
                "parameter": e.get_parameter_display(),
                "side": _("above") if e.high else _("below"),
                "limit": f"{e.limit:g}",
                "start": timezone.localtime(e.start).strftime("%Y-%m-%d %H:%M"),
                "end": timezone.localtime(e.end).strftime("%Y-%m-%d %H:%M"),
                "peak": f"{e.peak:.1f}",
            }
            for e in excursions[:20]
        ]
        if len(excursions) > 20:
            lines.append(_("… and %(n)d more.") % {"n": len(excursions) - 20})
        body = "\n".join(lines)
    Notification.objects.bulk_create(
        [Notification(user=m, title=title, body=body, url=url) for m in managers]
    )
    recipients = [m.email for m in managers if m.email]
    if recipients:
        transaction.on_commit(
            lambda: send_mail(title, f"{body}\n\n{url}", None, recipients, fail_silently=True)
        )
    return len(managers)


class AlreadyAcknowledged(ValueError):
    pass


@transaction.atomic
def acknowledge(excursion: Excursion, *, by, comment: str) -> Excursion:
    """Acknowledge once: a second acknowledgement (two managers on one page) is refused, so the
    first comment is never overwritten unseen."""
    if not comment.strip():
        raise ValueError("An acknowledgement needs a comment.")
    current = Excursion.objects.select_for_update().get(pk=excursion.pk)
    if current.acknowledged_at is not None:
        raise AlreadyAcknowledged(current.acknowledged_by, current.comment)
    excursion.acknowledged_at = timezone.now()
    excursion.acknowledged_by = by
    excursion.comment = comment
    save_audited(excursion, by=by, reason=comment)
    return excursion
