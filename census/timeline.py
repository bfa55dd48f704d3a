"""The census's entries in a holding's timeline: review rounds, corrections, leaf photographs."""

from django.utils.translation import gettext as _

from census.models import CorrectionRequest, LeafPhoto, ReviewRound
from census.review import field_label
from guji.history import EVENT, PROPOSAL, Change, FieldChange
from guji.models import Binding, Holding, SibuClass

CHANGED = "~"  # simple-history's history_type for a change

# The holding's fields each step writes: the record version it leaves joins the step's entry.
SUBMIT_WRITES = ("status",)
DECISION_WRITES = ("status", "census_number")
CORRECTION_WRITES = tuple(f.name for f in Holding._meta.fields)


def holding_timeline(holding: Holding) -> list[Change]:
    """Every submission, decision, correction request and photograph, in at most six queries."""
    rounds = (
        ReviewRound.objects.filter(entry__holding=holding)
        .select_related("submitted_by", "decided_by", "entry__holding")
        .prefetch_related("field_comments")
    )
    changes = []
    for r in rounds:
        changes.append(
            Change(
                when=r.submitted_at,
                user=r.submitted_by,
                reason=r.note,
                kind=EVENT,
                subject=_("Census: submitted for review, round %(n)d") % {"n": r.number},
                absorbs=SUBMIT_WRITES,
            )
        )
        if r.decision:
            changes.append(_decision(r))
    corrections = list(
        CorrectionRequest.objects.filter(holding=holding).select_related(
            "requested_by", "decided_by"
        )
    )
    names = vocabulary_names(corrections)
    for c in corrections:
        changes.append(
            Change(
                when=c.requested_at,
                user=c.requested_by,
                reason=c.reason,
                kind=PROPOSAL,
                subject=_("Census: correction requested"),
                fields=correction_fields(c, names),
            )
        )
        if c.decided_at:
            subject = (
                _("Census: correction accepted")
                if c.status == CorrectionRequest.Status.ACCEPTED
                else _("Census: correction refused")
            )
            changes.append(
                Change(
                    when=c.decided_at,
                    user=c.decided_by,
                    reason=c.decision_reason,
                    kind=EVENT,
                    subject=subject,
                    absorbs=CORRECTION_WRITES
                    if c.status == CorrectionRequest.Status.ACCEPTED
                    else (),
                )
            )
    changes += photo_changes(holding)
    return changes


def photo_changes(holding: Holding) -> list[Change]:
    """Leaf photographs added and removed, from their history rows (one query)."""
    versions = LeafPhoto.history.filter(holding_id=holding.pk).select_related("history_user")
    out = []
    for v in versions:
        if v.history_type == CHANGED:
            continue
        kind = dict(LeafPhoto.Kind.choices).get(v.kind, v.kind)
        subject = (
            _("Leaf photograph added: %(kind)s")
            if v.history_type == "+"
            else _("Leaf photograph removed: %(kind)s")
        ) % {"kind": kind}
        out.append(
            Change(
                when=v.history_date,
                user=v.history_user,
                reason=v.history_change_reason or "",
                kind=EVENT,
                subject=subject,
                comment=v.caption,
            )
        )
    return out


def _decision(r: ReviewRound) -> Change:
    if r.decision == ReviewRound.Decision.ACCEPTED:
        subject = _("Census: accepted, round %(n)d") % {"n": r.number}
        if r.entry.holding.census_number:
            subject = _("Census: accepted, round %(n)d, census number %(number)s") % {
                "n": r.number,
                "number": r.entry.holding.census_number,
            }
    else:
        subject = _("Census: returned, round %(n)d") % {"n": r.number}
    notes = "；".join(f"{field_label(fc.field)}：{fc.comment}" for fc in r.field_comments.all())
    return Change(
        when=r.decided_at,
        user=r.decided_by,
        reason=r.comment,
        kind=EVENT,
        subject=subject,
        comment=notes,
        absorbs=DECISION_WRITES,
    )


# --- showing what a correction request proposes -------------------------------------------

_RELATED = {"sibu_class": SibuClass, "binding": Binding}


def vocabulary_names(corrections: list[CorrectionRequest]) -> dict[str, dict[int, str]]:
    """Names of the classes and bindings the requests mention: one query per vocabulary used."""
    wanted: dict[str, set[int]] = {}
    for c in corrections:
        for values in (c.changes, c.previous):
            for name in _RELATED:
                if values.get(name):
                    wanted.setdefault(name, set()).add(values[name])
    return {
        name: {row.pk: str(row) for row in _RELATED[name].objects.filter(pk__in=ids)}
        for name, ids in wanted.items()
    }


def correction_fields(
    c: CorrectionRequest, names: dict[str, dict[int, str]] | None = None
) -> list[FieldChange]:
    """The proposed changes as before/after pairs, with vocabulary rows by name."""
    if names is None:
        names = vocabulary_names([c])
    out = []
    for name, new in c.changes.items():
        if name == "photos_add":  # photographs proposed (census.services.request_photo_correction)
            added = "、".join(f"{e['name']}（{LeafPhoto.Kind(e['kind']).label}）" for e in new)
            out.append(FieldChange(name, str(_("Photographs to add")), "", added))
            continue
        if name == "photos_remove":
            removed = "、".join(e["label"] for e in new)
            out.append(FieldChange(name, str(_("Photographs to remove")), removed, ""))
            continue
        old = c.previous.get(name)
        if name in _RELATED:
            old, new = names.get(name, {}).get(old, old), names.get(name, {}).get(new, new)
        label = field_label("authors_text" if name == "authors" else name)
        out.append(FieldChange(name, label, old, new))
    return out
