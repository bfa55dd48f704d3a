"""Which room each holding is kept in: assignment one by one or in bulk, with history."""

from django.db import transaction

from environment.models import Placement, Room
from guji.history import delete_audited, save_audited
from guji.models import Holding


class PlacementError(ValueError):
    pass


@transaction.atomic
def assign(holdings, room: Room, *, by, reason: str, shelf: str = "") -> int:
    """Place every holding in ``room``; returns how many changed. All or nothing: a holding of
    another institution refuses the whole batch."""
    holdings = list(holdings)
    foreign = [h for h in holdings if h.institution_id != room.institution_id]
    if foreign:
        raise PlacementError(
            f"{', '.join(h.call_number for h in foreign[:5])}: "
            f"not held by {room.institution}, so not in its room {room}."
        )
    current = {p.holding_id: p for p in Placement.objects.filter(holding__in=holdings)}
    changed = 0
    for holding in holdings:
        placement = current.get(holding.pk) or Placement(holding=holding)
        if placement.pk and placement.room_id == room.pk and placement.shelf == shelf:
            continue
        placement.room, placement.shelf = room, shelf
        save_audited(placement, by=by, reason=reason)
        changed += 1
    return changed


def unassign(holding: Holding, *, by, reason: str) -> None:
    placement = Placement.objects.filter(holding=holding).first()
    if placement is not None:
        delete_audited(placement, by=by, reason=reason)


def room_of(holding: Holding) -> Room | None:
    placement = Placement.objects.select_related("room").filter(holding=holding).first()
    return placement.room if placement else None
