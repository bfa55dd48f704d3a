"""Writing holdings: the one path that forms, admin, imports, commands and the API call."""

from collections.abc import Mapping, Sequence
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from guji import editions
from guji.cataloguing import (
    Statement,
    catalogue_form,
    holding_search_key,
    parse_extent,
    parse_statements,
    read_title_juan,
)
from guji.concurrency import check_version
from guji.history import delete_audited, required_reason, save_audited
from guji.models import Holding, Institution, Responsibility, User
from guji.permissions import can, require

# What a cataloguer may set directly; everything else on Holding is derived or a transition.
EDITABLE_FIELDS = (
    "call_number",
    "sibu_class",
    "sibu_subdivision",
    "title_juan",
    "title",
    "juan_count",
    "edition_statement",
    "layout",
    "binding",
    "series",
    "volumes",
    "volume_unit",
    "cases",
    "extent_note",
    "extant",
    "annotations",
    "seals",
    "notes",
    "storage_location",
)
CENTRE_FIELDS = ("grade",)  # set by the centre (grading), not by the institution's cataloguer
# Where a book is kept is not part of its census record: it may change while the record is
# under review or registered (moves are not corrections).
UNLOCKED_FIELDS = ("storage_location",)


def derive(holding: Holding, statements: Sequence[Statement] | None = None) -> None:
    """Fill the fields that follow from others: title split, edition dating, the readers'
    warnings, search key. ``statements`` replace the catalogue form of the responsibility."""
    t = read_title_juan(holding.title_juan or "")
    if holding.title_juan and (not holding.title or holding.juan_count is None):
        holding.title = holding.title or t.title
        if holding.juan_count is None:
            holding.juan_count = t.count
    counted = holding.juan_count is not None and holding.juan_count == t.count
    holding.juan_unit = t.unit if counted else "卷"
    edition = editions.parse(holding.edition_statement or "")
    holding.edition_dynasty = edition.dynasty or ""
    holding.edition_era = edition.era or ""
    holding.edition_era_year = edition.era_year
    holding.edition_year = edition.year
    holding.edition_type = edition.edition_type or ""
    holding.edition_warnings = "\n".join(edition.warnings)
    if statements is not None:
        holding.authors_text = catalogue_form(list(statements))
    holding.cataloguing_warnings = "\n".join(cataloguing_warnings(holding))
    holding.search_key = holding_search_key(holding)


def cataloguing_warnings(holding: Holding) -> list[str]:
    """What the readers of 题名卷数, 著者 and the extent were unsure of, for the record.

    The catalogue form of the statements reads back to the same statements (what could not be
    read is kept as written), so its warnings are those of the text the cataloguer typed.
    """
    out = list(read_title_juan(holding.title_juan or "").warnings)
    if holding.authors_text:
        out += parse_statements(holding.authors_text).warnings
    if holding.extent_note:
        out += parse_extent(holding.extent_note).warnings
    return out


def check_call_number(holding: Holding) -> None:
    clash = Holding.objects.filter(
        institution_id=holding.institution_id, call_number=holding.call_number
    ).exclude(pk=holding.pk)
    if clash.exists():
        raise ValidationError(
            {
                "call_number": _("Call number %(number)s is already used at this institution.")
                % {"number": holding.call_number}
            },
            code="duplicate_call_number",
        )


def _sync_statements(
    holding: Holding, statements: Sequence[Statement], *, by: User | None, reason: str
) -> None:
    existing = list(holding.responsibilities.order_by("seq", "id"))
    for seq, statement in enumerate(statements, start=1):
        values = {
            "seq": seq,
            "dynasty": statement.dynasty,
            "name": statement.name,
            "role": statement.role,
            "attributed": statement.attributed,
            "supplied": statement.supplied,
            "written": statement.written,
        }
        row = existing[seq - 1] if seq <= len(existing) else Responsibility(holding=holding)
        if row.pk and all(getattr(row, k) == v for k, v in values.items()):
            continue
        for k, v in values.items():
            setattr(row, k, v)
        save_audited(row, by=by, reason=reason)
    for row in existing[len(statements) :]:
        delete_audited(row, by=by, reason=reason)


@transaction.atomic
def create_holding(
    *,
    institution: Institution,
    data: Mapping[str, object],
    statements: Sequence[Statement] = (),
    by: User | None,
    reason: str,
) -> Holding:
    """Register a new holding (a draft until the census accepts it)."""
    if by is not None:
        require(by, "catalogue", institution)
    reason = required_reason(reason)
    holding = Holding(institution=institution)
    _assign(holding, data, by=by)
    derive(holding, statements)
    check_call_number(holding)
    holding.full_clean(exclude=["search_key", "authors_text"], validate_unique=False)
    save_audited(holding, by=by, reason=reason)
    _sync_statements(holding, statements, by=by, reason=reason)
    return holding


@transaction.atomic
def update_holding(
    holding: Holding,
    *,
    data: Mapping[str, object],
    statements: Sequence[Statement] | None = None,
    by: User | None,
    reason: str,
    correction: bool = False,
    expected_version: int | None = None,
) -> Holding:
    """Change a holding's catalogue fields; ``reason`` is required and kept in its history.

    ``expected_version`` is the version the editor read (``guji.concurrency``): when the record
    changed since, nothing is written and ``StaleEdit`` says what the other person changed.

    A submitted record waits for its review and a registered one is locked: their catalogue
    fields change only through an accepted correction request (``correction=True``, called by
    ``census.services.accept_correction`` on behalf of the reviewer who accepted it).
    """
    if by is not None:
        require(by, "review" if correction else "catalogue", holding)
    reason = required_reason(reason)
    holding = Holding.objects.select_for_update().get(pk=holding.pk)
    check_version(holding, expected_version)
    if statements is not None or set(data) - set(CENTRE_FIELDS) - set(UNLOCKED_FIELDS):
        check_writable(holding, correction=correction)
    _assign(holding, data, by=by)
    derive(holding, statements)
    check_call_number(holding)
    holding.full_clean(exclude=["search_key", "authors_text"], validate_unique=False)
    save_audited(holding, by=by, reason=reason)
    if statements is not None:
        _sync_statements(holding, statements, by=by, reason=reason)
    return holding


def is_writable(holding: Holding, *, correction: bool = False) -> bool:
    try:
        check_writable(holding, correction=correction)
    except ValidationError:
        return False
    return True


def check_writable(holding: Holding, *, correction: bool = False) -> None:
    """The one lock: may this record be changed (or deleted) now? Raises why it may not.

    A registered record changes only through an accepted correction (``correction=True``); a
    record waiting for review does not change at all. The edit page, the admin, the import and
    the correction path all ask here.
    """
    if holding.status == Holding.Status.REGISTERED and not correction:
        raise ValidationError(
            _(
                "This record is registered in the census and locked: request a correction, "
                "which a reviewer accepts or refuses."
            ),
            code="locked",
        )
    if holding.status == Holding.Status.SUBMITTED:
        raise ValidationError(
            _("This record is waiting for census review: it can be edited once it is returned."),
            code="under_review",
        )


def _assign(holding: Holding, data: Mapping[str, object], *, by: User | None) -> None:
    allowed = set(EDITABLE_FIELDS)
    if by is None or can(by, "grade"):
        allowed |= set(CENTRE_FIELDS)
    unknown = set(data) - allowed
    if unknown:
        if unknown & set(CENTRE_FIELDS):
            raise PermissionDenied
        raise ValueError(f"Not editable here: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        setattr(holding, name, value if value is not None or name not in _TEXT else "")
    if "title_juan" in data and "title" not in data:
        holding.title = ""  # re-derive from the new 题名卷数
    if "title_juan" in data and "juan_count" not in data:
        holding.juan_count = None


_TEXT = {
    f.name for f in Holding._meta.fields if f.get_internal_type() in ("CharField", "TextField")
}


@transaction.atomic
def delete_draft(holding: Holding, *, by: User | None, reason: str) -> None:
    """Delete a draft record; its history keeps every version and the deletion, with why.

    Only drafts: a record that went to the census has a review history that must stay with it.
    """
    if by is not None:
        require(by, "catalogue", holding)
    reason = required_reason(reason)
    holding = Holding.objects.select_for_update().get(pk=holding.pk)
    if holding.status != Holding.Status.DRAFT:
        raise ValidationError(
            _("Only a draft can be deleted; this record is %(status)s.")
            % {"status": holding.get_status_display()},
            code="not_draft",
        )
    for statement in holding.responsibilities.all():
        delete_audited(statement, by=by, reason=reason)
    delete_audited(holding, by=by, reason=reason)


def deleted_holdings(user: User):
    """The last version of each deleted holding at institutions the user manages, newest first."""
    from guji.permissions import scope_filter

    return (
        Holding.history.filter(history_type="-")
        .filter(scope_filter(user, "manage", "institution"))
        .exclude(id__in=Holding.objects.values("pk"))
        .select_related("history_user", "institution")
        .order_by("-history_date")
    )


@transaction.atomic
def restore_holding(version, *, by: User | None, reason: str) -> Holding:
    """Bring back a deleted holding as it was when deleted, with its responsibility statements."""
    if by is not None:
        require(by, "manage", version.institution)
    reason = required_reason(reason)
    if Holding.objects.filter(pk=version.id).exists():
        raise ValidationError(_("This record has already been restored."), code="restored")
    holding = version.instance
    check_call_number(holding)
    save_audited(holding, by=by, reason=reason)
    deleted_at = version.history_date
    statements = Responsibility.history.filter(
        holding_id=version.id,
        history_type="-",
        history_date__gte=deleted_at - _SAME_DELETION,
        history_date__lte=deleted_at,
    )
    for statement in statements:
        save_audited(statement.instance, by=by, reason=reason)
    return holding


_SAME_DELETION = timedelta(minutes=1)  # the statements go a moment before their holding
