"""The one place that knows who may do what.

Institution staff (cataloguer, manager) hold guardian object permissions on their Institution;
centre roles hold the same codenames globally through their group; a user may also hold one
action on one object (``grant``: a conservator assigned to one repair plan). Lists ask
``scope_filter`` and single objects ask ``can``: both read the same grants, so a list never shows
what a detail page would refuse. Nothing outside this module tests a role, a group or
``has_perm``: it asks for an action.

Actions (``ACTIONS``): ``view``, ``catalogue``, ``review``, ``manage`` (an institution's record and
staff), ``export`` (the registration catalogue: an institution's staff their own, centre roles
any), and the centre's ``grade`` and ``manage_campaign``, held only globally. ``can(user, action)``
without an object asks whether the user holds the action everywhere.
"""

import contextlib
from pathlib import Path
from typing import Literal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from guardian.shortcuts import assign_perm, remove_perm

from guji.history import delete_audited, required_reason, save_audited
from guji.models import (
    Institution,
    InstitutionGroupObjectPermission,
    InstitutionUserObjectPermission,
    ObjectGrant,
    RoleAssignment,
    User,
)

# The core's actions; apps add their own with register_actions (e.g. the repair base's "assess").
Action = (
    Literal["view", "catalogue", "review", "manage", "export", "grade", "manage_campaign"] | str
)
Role = RoleAssignment.Role

CODENAMES: dict[str, str] = {  # declared in Institution.Meta.permissions
    "view": "view_holdings",
    "catalogue": "catalogue_holdings",
    "review": "review_census",
    "manage": "manage_institution",
}
# Actions that are answered by another action's grants: ``(base action, held only globally)``.
DERIVED: dict[str, tuple[str, bool]] = {
    "export": ("view", False),  # whoever may see an institution's holdings may export them
    "grade": ("review", True),  # the centre's reviewers and administrators grade
    "manage_campaign": ("manage", True),  # census campaigns are the centre's to open and close
    # Graded protection and storage supervision: institutions propose grades, apply for listings
    # and assess themselves as key units; the centre's reviewers decide, forward and inspect.
    "propose_grade": ("catalogue", False),
    "confirm_grade": ("review", True),
    "apply_listing": ("catalogue", False),
    "review_listing": ("review", True),
    "assess_key_unit": ("manage", False),
    "review_key_unit": ("review", True),
    "inspect": ("review", True),
}
ACTIONS = (*CODENAMES, *DERIVED)

# Actions an app declares (action → "app_label.codename" of a permission on one of its models),
# the centre roles that hold them everywhere, and, for actions also granted on one object
# (``grant``), the action that lets a user grant it (a planner assigns conservators to a plan).
APP_ACTIONS: dict[str, str] = {}
APP_ROLES: dict[str, set[str]] = {}
APP_GRANTED_BY: dict[str, str] = {}


def register_actions(
    actions: dict[str, str],
    roles: dict[str, tuple[str, ...]],
    granted_by: dict[str, str] | None = None,
) -> None:
    """Called from an app's ``AppConfig.ready()``: its actions and the roles holding them."""
    APP_ACTIONS.update(actions)
    for role, held in roles.items():
        APP_ROLES.setdefault(Role(role), set()).update(held)
    APP_GRANTED_BY.update(granted_by or {})


# Roles held on one institution: granted as object permissions on that Institution.
INSTITUTION_ROLES: dict[str, tuple[Action, ...]] = {
    Role.CATALOGUER: ("view", "catalogue"),
    Role.MANAGER: ("view", "catalogue", "manage"),
}
# Centre roles: granted globally through the role's group.
CENTRE_ROLES: dict[str, tuple[Action, ...]] = {
    Role.REVIEWER: ("view", "review"),
    Role.CONSERVATOR: ("view",),
    Role.CENTRE_ADMIN: ("view", "catalogue", "review", "manage"),
    Role.PROVINCIAL: ("view",),
}
# Roles that may open the Django admin (model permissions come from the group, see apps.py).
STAFF_ROLES = {Role.CENTRE_ADMIN}

AnyUser = User | AnonymousUser


def _active(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _base(action: str) -> tuple[str, bool]:
    if action in APP_ACTIONS:
        return action, False
    if action in DERIVED:
        return DERIVED[action]
    if action not in CODENAMES:
        raise ValueError(f"Unknown action: {action}")
    return action, False


def holds_globally(user: AnyUser, action: Action) -> bool:
    """True when the user may do ``action`` at every institution (a centre role or superuser)."""
    if action in APP_ACTIONS:
        return _active(user) and user.has_perm(APP_ACTIONS[action])
    base, _only_globally = _base(action)
    return _active(user) and user.has_perm(f"guji.{CODENAMES[base]}")


def may_open_admin(user: AnyUser) -> bool:
    """The Django admin opens for staff accounts (given with the centre administrator's role)."""
    return _active(user) and user.is_staff


def _institution_ids(user: User, action: Action) -> list[int]:
    """The institutions where the user holds ``action`` through guardian rows (their own or a
    group's), sorted.

    All of the user's institution permissions are read once (one small query) and remembered
    on the user object, which lives for one request (role changes forget them, see
    _forget_cached_perms): lists then filter by a short list of ids instead of compiling the
    permission subqueries (two joins each) several times a request.
    """
    cache = getattr(user, "_guji_institutions", None)
    if cache is None:
        cache = {}
        fields = ("permission__codename", "content_object_id")
        guji = Q(permission__content_type__app_label="guji")
        own = InstitutionUserObjectPermission.objects.filter(guji, user=user)
        via_groups = InstitutionGroupObjectPermission.objects.filter(guji, group__user=user)
        for codename, pk in own.values_list(*fields).union(via_groups.values_list(*fields)):
            cache.setdefault(codename, set()).add(pk)
        cache = user._guji_institutions = {c: sorted(ids) for c, ids in cache.items()}
    return cache.get(CODENAMES[_base(action)[0]], [])


def scope_filter(
    user: AnyUser, action: Action, path: str, *, model: type[models.Model] | None = None
) -> Q:
    """A Q that keeps rows whose institution (reached through ``path``) the user may act on,
    and, when ``model`` is given, the rows of it granted to the user one by one."""
    if not _active(user):
        return Q(pk__in=[])
    if holds_globally(user, action):
        return Q()
    if _base(action)[1] or action in APP_ACTIONS:
        q = Q(pk__in=[])
    else:
        q = Q(**{f"{path}__in": _institution_ids(user, action)})
    if model is not None:
        q |= Q(pk__in=_granted_object_ids(user, action, model))
    return q


def scope_any(user: AnyUser, actions: tuple[Action, ...], path: str) -> Q:
    """Rows the user may do any of ``actions`` on (a reviewer's everything or a cataloguer's own).

    Never ``scope_filter(a) | scope_filter(b)``: the "everything" of a global role is an empty
    Q, and Django drops an empty Q from an OR, so the union would shrink to the other scope.
    """
    if not _active(user):
        return Q(pk__in=[])
    if any(holds_globally(user, action) for action in actions):
        return Q()
    ids = {pk for action in actions for pk in _institution_ids(user, action)}
    return Q(**{f"{path}__in": sorted(ids)})


def institutions_where(user: AnyUser, action: Action) -> models.QuerySet[Institution]:
    return Institution.objects.filter(scope_filter(user, action, "pk"))


def institution_of(obj: models.Model) -> int | None:
    if isinstance(obj, Institution):
        return obj.pk
    return obj.institution_id


def can(user: AnyUser, action: Action, obj: models.Model | None = None) -> bool:
    """May ``user`` do ``action`` on ``obj`` (or, without an object, everywhere)?"""
    if not _active(user):
        return False
    if holds_globally(user, action):
        return True
    if obj is None:
        return False
    if obj.pk in _granted_object_ids(user, action, type(obj)):
        return True
    if action in APP_ACTIONS:  # centre-wide (above) or granted on this object: nothing else
        return False
    institution_id = institution_of(obj)
    if institution_id is None or _base(action)[1]:
        return False
    return institution_id in _institution_ids(user, action)


def can_anywhere(user: AnyUser, action: Action) -> bool:
    """May the user do ``action`` at some institution (to show a menu entry or a button).

    Asked by several menus on every page: remembered on the user object, which lives for one
    request (role changes forget it, see _forget_cached_perms).
    """
    if not _active(user):
        return False
    cache = getattr(user, "_guji_anywhere", None)
    if cache is None:
        cache = user._guji_anywhere = {}
    if action not in cache:
        cache[action] = _can_anywhere(user, action)
    return cache[action]


def _can_anywhere(user: AnyUser, action: Action) -> bool:
    if holds_globally(user, action):
        return True
    if action not in APP_ACTIONS and not _base(action)[1] and _institution_ids(user, action):
        return True
    return any(key[0] == action for key in _object_grants(user))


def require(user: AnyUser, action: Action, obj: models.Model | None = None) -> None:
    if not can(user, action, obj):
        raise PermissionDenied


# --- grants on a single object ----------------------------------------------------------------


def _object_grants(user: User) -> dict[tuple[str, int], list[int]]:
    """The user's grants on single objects, ``(action, content type id) → object ids``: read in
    one query and remembered on the user object for the request, like _institution_ids."""
    cache = getattr(user, "_guji_grants", None)
    if cache is None:
        cache = {}
        for action, ct, pk in ObjectGrant.objects.filter(user=user).values_list(
            "action", "content_type_id", "object_id"
        ):
            cache.setdefault((action, ct), set()).add(pk)
        cache = user._guji_grants = {k: sorted(ids) for k, ids in cache.items()}
    return cache


def _granted_object_ids(user: User, action: str, model: type[models.Model]) -> list[int]:
    grants = _object_grants(user)
    if not grants:  # most users: no content type to look up
        return []
    return grants.get((action, ContentType.objects.get_for_model(model).pk), [])


@transaction.atomic
def grant(user: User, action: Action, obj: models.Model, *, by: User | None, reason: str) -> None:
    """Let ``user`` do ``action`` on ``obj`` alone; recorded with who and why.

    Whoever may manage ``obj``'s institution (or the centre, for objects of none) grants.
    """
    _base(action)
    _require_grant_manager(by, obj, action)
    reason = required_reason(reason)
    ct = ContentType.objects.get_for_model(type(obj))
    if not ObjectGrant.objects.filter(
        user=user, action=action, content_type=ct, object_id=obj.pk
    ).exists():
        save_audited(
            ObjectGrant(user=user, action=action, content_type=ct, object_id=obj.pk),
            by=by,
            reason=reason,
        )
    _forget_cached_perms(user)


@transaction.atomic
def revoke(user: User, action: Action, obj: models.Model, *, by: User | None, reason: str) -> None:
    _require_grant_manager(by, obj, action)
    reason = required_reason(reason)
    ct = ContentType.objects.get_for_model(type(obj))
    for row in ObjectGrant.objects.filter(
        user=user, action=action, content_type=ct, object_id=obj.pk
    ):
        delete_audited(row, by=by, reason=reason)
    _forget_cached_perms(user)


def _require_grant_manager(by: User | None, obj: models.Model, action: str) -> None:
    if by is None or holds_globally(by, "manage"):
        return
    if action in APP_GRANTED_BY and can(by, APP_GRANTED_BY[action], obj):
        return
    if getattr(obj, "institution_id", None) is not None and can(by, "manage", obj):
        return
    raise PermissionDenied


def roles_of(user: AnyUser) -> set[str]:
    if not _active(user):
        return set()
    if getattr(user, "_guji_roles", None) is None:  # asked by several menus of one page
        user._guji_roles = set(user.role_assignments.values_list("role", flat=True))
    return set(user._guji_roles)


def project_app_labels() -> list[str]:
    """The project's own apps (those in the source tree), whose models the admin manages."""
    root = Path(settings.BASE_DIR).resolve()
    return [a.label for a in apps.get_app_configs() if Path(a.path).resolve().is_relative_to(root)]


def sync_role_groups() -> None:
    """Give each role's group exactly the global permissions its role carries.

    Run after every migrate (see apps.py), so a new model's admin permissions reach the centre
    administrator without a data migration per app.
    """
    perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="guji")}
    if not set(CODENAMES.values()) <= set(perms):
        return  # guji's permissions are created by its own post_migrate; wait for it
    admin_perms = Permission.objects.filter(content_type__app_label__in=project_app_labels())
    app_perms = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.filter(
            content_type__app_label__in={a.split(".")[0] for a in APP_ACTIONS.values()}
        ).select_related("content_type")
    }
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = [perms[CODENAMES[a]] for a in CENTRE_ROLES.get(role, ())]
        wanted += [
            app_perms[APP_ACTIONS[a]]
            for a in sorted(APP_ROLES.get(role, ()))
            if APP_ACTIONS[a] in app_perms  # created by the app's own post_migrate
        ]
        if role in STAFF_ROLES:
            wanted = list({*wanted, *admin_perms})
        group.permissions.set(wanted)


@transaction.atomic
def grant_role(
    user: User,
    role: str,
    *,
    institution: Institution | None = None,
    by: User | None,
    reason: str,
) -> RoleAssignment:
    """Give ``user`` a role (at ``institution`` for institution roles) and record who and why."""
    role = Role(role)
    if role in INSTITUTION_ROLES and institution is None:
        raise ValueError(f"The role {role.label} needs an institution.")
    if role in CENTRE_ROLES and institution is not None:
        raise ValueError(f"The role {role.label} is a centre role and takes no institution.")
    _require_role_manager(by, institution)
    reason = required_reason(reason)
    assignment = RoleAssignment.objects.filter(
        user=user, role=role, institution=institution
    ).first()
    if assignment is None:
        assignment = RoleAssignment(user=user, role=role, institution=institution)
        save_audited(assignment, by=by, reason=reason)
    user.groups.add(Group.objects.get_or_create(name=role.value)[0])
    for action in INSTITUTION_ROLES.get(role, ()):
        assign_perm(f"guji.{CODENAMES[action]}", user, institution)
    if role in STAFF_ROLES and not user.is_staff:
        user.is_staff = True
        save_audited(user, by=by, reason=reason, fields=["is_staff"])
    _forget_cached_perms(user)
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment, *, by: User | None, reason: str) -> None:
    user, role, institution = assignment.user, Role(assignment.role), assignment.institution
    _require_role_manager(by, institution)
    reason = required_reason(reason)
    assignment._history_user = by
    assignment._change_reason = reason
    assignment.delete()
    still = set(
        RoleAssignment.objects.filter(user=user, institution=institution).values_list(
            "role", flat=True
        )
    )
    kept_actions = {a for r in still for a in INSTITUTION_ROLES.get(r, ())}
    for action in INSTITUTION_ROLES.get(role, ()):
        if action not in kept_actions:
            remove_perm(f"guji.{CODENAMES[action]}", user, institution)
    if not RoleAssignment.objects.filter(user=user, role=role).exists():
        user.groups.remove(*Group.objects.filter(name=role.value))
    staff_left = RoleAssignment.objects.filter(user=user, role__in=STAFF_ROLES).exists()
    if role in STAFF_ROLES and user.is_staff and not staff_left and not user.is_superuser:
        user.is_staff = False  # else a former administrator still opens the admin
        save_audited(user, by=by, reason=reason, fields=["is_staff"])
    _forget_cached_perms(user)


def _require_role_manager(by: User | None, institution: Institution | None) -> None:
    """Centre administrators grant any role; an institution's manager, roles at it.

    ``by=None`` is the bootstrap path (first administrator, demo data), open only to code.
    """
    if by is None:
        return
    if holds_globally(by, "manage"):
        return
    if institution is not None and can(by, "manage", institution):
        return
    raise PermissionDenied


def _forget_cached_perms(user: User) -> None:
    for attr in (
        "_perm_cache",
        "_user_perm_cache",
        "_group_perm_cache",
        "_guji_anywhere",
        "_guji_roles",
        "_guji_institutions",
        "_guji_grants",
    ):
        with contextlib.suppress(AttributeError):
            delattr(user, attr)  # through request.user's lazy wrapper too
