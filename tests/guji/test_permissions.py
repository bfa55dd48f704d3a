import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from guardian.shortcuts import assign_perm

from guji.models import (
    Holding,
    Institution,
    InstitutionUserObjectPermission,
    ObjectGrant,
    RoleAssignment,
)
from guji.permissions import (
    ACTIONS,
    DERIVED,
    can,
    grant,
    grant_role,
    institutions_where,
    revoke,
    revoke_role,
    scope_filter,
)
from tests.factories import make_holding, make_institution, make_user
from tests.guji.conftest import ROLE_USERS

Role = RoleAssignment.Role
pytestmark = pytest.mark.django_db

# Which of institutions A and B each role may act on, per action.
EXPECTED_SCOPE = {
    "cataloguer_a": {"view": "a", "catalogue": "a", "review": "", "manage": ""},
    "manager_a": {"view": "a", "catalogue": "a", "review": "", "manage": "a"},
    "cataloguer_b": {"view": "b", "catalogue": "b", "review": "", "manage": ""},
    "reviewer": {"view": "ab", "catalogue": "", "review": "ab", "manage": "", "grade": "ab"},
    "conservator": {"view": "ab", "catalogue": "", "review": "", "manage": ""},
    "centre_admin": {
        "view": "ab",
        "catalogue": "ab",
        "review": "ab",
        "manage": "ab",
        "grade": "ab",
        "manage_campaign": "ab",
    },
    "provincial": {"view": "ab", "catalogue": "", "review": "", "manage": ""},
}
for _scope in EXPECTED_SCOPE.values():
    _scope["export"] = _scope["view"]  # whoever sees an institution's holdings exports them
    _scope.setdefault("grade", "")  # the centre's actions: held everywhere or nowhere
    _scope.setdefault("manage_campaign", "")
    # Every other derived action follows its base action: where the base is held, or, for the
    # centre's own actions, only where it is held everywhere.
    for _action, (_base, _global_only) in DERIVED.items():
        if _global_only:
            _scope.setdefault(_action, "ab" if _scope[_base] == "ab" else "")
        else:
            _scope.setdefault(_action, _scope[_base])


def _refetch(user):
    """The user as the next request sees them: no permission caches from before."""
    return type(user).objects.get(pk=user.pk)


@pytest.mark.parametrize("role", ROLE_USERS)
def test_the_holding_list_shows_exactly_what_the_detail_page_allows(world, role):
    user = world.users[role]
    for institution in (world.institution_a, world.institution_b):
        make_holding(institution)
    holdings = list(Holding.objects.all())

    listed = set(Holding.objects.visible_to(user).values_list("pk", flat=True))
    allowed = {h.pk for h in holdings if can(user, "view", h)}

    assert listed == allowed
    by_key = {"a": world.institution_a.pk, "b": world.institution_b.pk}
    scope = {by_key[k] for k in EXPECTED_SCOPE[role]["view"]}
    assert listed == {h.pk for h in holdings if h.institution_id in scope}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLE_USERS)
def test_institutions_where_and_can_agree_for_every_action(world, role, action):
    user = world.users[role]
    by_key = {"a": world.institution_a, "b": world.institution_b}

    where = set(institutions_where(user, action))
    allowed = {i for i in Institution.objects.all() if can(user, action, i)}

    assert where == allowed
    assert where == {by_key[k] for k in EXPECTED_SCOPE[role][action]}


def test_a_group_holding_an_institution_permission_gives_its_members_that_scope(world):
    archive = make_institution(name="丙档案馆")
    holding = make_holding(archive)
    group = Group.objects.create(name="丙馆志愿者")
    assign_perm("guji.view_holdings", group, archive)
    volunteer = make_user()
    volunteer.groups.add(group)

    assert list(Holding.objects.visible_to(volunteer)) == [holding]
    assert can(volunteer, "view", holding)
    assert not can(volunteer, "catalogue", holding)


@pytest.mark.parametrize("role", ROLE_USERS)
def test_an_inactive_user_sees_and_may_do_nothing(world, role):
    user = _refetch(world.users[role])
    user.is_active = False
    user.save()

    assert not Holding.objects.visible_to(user).exists()
    for action in ("view", "catalogue", "review", "manage"):
        assert not institutions_where(user, action).exists()
        assert not can(user, action, world.holding_a)
        assert not can(user, action, world.institution_a)


def test_an_anonymous_visitor_sees_nothing(world):
    assert not Holding.objects.visible_to(AnonymousUser()).exists()
    assert not can(AnonymousUser(), "view", world.holding_a)


def test_granting_a_cataloguer_role_gives_rights_at_that_institution_only(world):
    user = make_user()
    admin = world.users["centre_admin"]

    assignment = grant_role(
        user, Role.CATALOGUER, institution=world.institution_a, by=admin, reason="新入职编目员"
    )

    user = _refetch(user)
    assert can(user, "catalogue", world.holding_a)
    assert not can(user, "view", world.holding_b)
    created = assignment.history.get()
    assert created.history_type == "+"
    assert (created.history_user, created.history_change_reason) == (admin, "新入职编目员")


def test_granting_the_same_role_twice_keeps_one_assignment(world):
    user = make_user(Role.CATALOGUER, world.institution_a)

    grant_role(user, Role.CATALOGUER, institution=world.institution_a, by=None, reason="重复")

    assert RoleAssignment.objects.filter(user=user).count() == 1


def test_revoking_a_role_takes_its_rights_away_and_records_who_and_why(world):
    user = make_user(Role.CATALOGUER, world.institution_a)
    assignment = RoleAssignment.objects.get(user=user)
    assignment_id = assignment.pk
    manager = world.users["manager_a"]

    revoke_role(assignment, by=manager, reason="调离本馆")

    user = _refetch(user)
    assert not can(user, "view", world.holding_a)
    assert not Holding.objects.visible_to(user).exists()
    assert not InstitutionUserObjectPermission.objects.filter(user=user).exists()
    deleted = RoleAssignment.history.filter(id=assignment_id).latest()
    assert deleted.history_type == "-"
    assert (deleted.history_user, deleted.history_change_reason) == (manager, "调离本馆")


def test_revoking_one_of_two_roles_at_an_institution_keeps_the_other_roles_rights(world):
    user = make_user(Role.CATALOGUER, world.institution_a)
    grant_role(user, Role.MANAGER, institution=world.institution_a, by=None, reason="兼任负责人")

    revoke_role(
        RoleAssignment.objects.get(user=user, role=Role.MANAGER), by=None, reason="卸任负责人"
    )

    user = _refetch(user)
    assert can(user, "catalogue", world.holding_a)
    assert not can(user, "manage", world.institution_a)


def test_revoking_a_role_at_one_institution_keeps_the_same_role_elsewhere(world):
    user = make_user(Role.CATALOGUER, world.institution_a)
    grant_role(user, Role.CATALOGUER, institution=world.institution_b, by=None, reason="兼任")

    revoke_role(
        RoleAssignment.objects.get(user=user, institution=world.institution_a),
        by=None,
        reason="调离甲馆",
    )

    user = _refetch(user)
    assert not can(user, "view", world.holding_a)
    assert can(user, "catalogue", world.holding_b)


def test_revoking_a_centre_role_takes_the_global_rights_away(world):
    user = make_user(Role.REVIEWER)

    revoke_role(RoleAssignment.objects.get(user=user), by=None, reason="退休")

    user = _refetch(user)
    assert not Holding.objects.visible_to(user).exists()
    assert not can(user, "review", world.institution_a)


def test_a_former_centre_administrator_can_no_longer_open_the_admin(world, client):
    user = make_user(Role.CENTRE_ADMIN)
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 200

    revoke_role(RoleAssignment.objects.get(user=user), by=None, reason="离任")

    assert client.get(reverse("admin:index")).status_code == 302
    assert not _refetch(user).is_staff


@pytest.mark.parametrize("role", ["cataloguer_a", "reviewer", "conservator", "provincial"])
def test_only_managers_and_the_centre_grant_roles(world, role):
    granter = world.users[role]
    user = make_user()

    with pytest.raises(PermissionDenied):
        grant_role(
            user, Role.CATALOGUER, institution=world.institution_a, by=granter, reason="自行授权"
        )

    assert not RoleAssignment.objects.filter(user=user).exists()
    assert not can(_refetch(user), "view", world.holding_a)


def test_a_cataloguer_cannot_revoke_a_colleagues_role(world):
    colleague = make_user(Role.CATALOGUER, world.institution_a)
    assignment = RoleAssignment.objects.get(user=colleague)

    with pytest.raises(PermissionDenied):
        revoke_role(assignment, by=world.users["cataloguer_a"], reason="越权")

    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert can(_refetch(colleague), "catalogue", world.holding_a)


def test_a_manager_grants_roles_at_their_institution_only(world):
    manager = world.users["manager_a"]
    user = make_user()

    grant_role(user, Role.CATALOGUER, institution=world.institution_a, by=manager, reason="新人")
    with pytest.raises(PermissionDenied):
        grant_role(user, Role.CATALOGUER, institution=world.institution_b, by=manager, reason="")
    with pytest.raises(PermissionDenied):
        grant_role(user, Role.REVIEWER, by=manager, reason="越级")
    with pytest.raises(PermissionDenied):
        grant_role(manager, Role.CENTRE_ADMIN, by=manager, reason="自我提权")

    user = _refetch(user)
    assert can(user, "catalogue", world.holding_a)
    assert not can(user, "view", world.holding_b)
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == {
        Role.CATALOGUER
    }
    assert not RoleAssignment.objects.filter(user=manager, role=Role.CENTRE_ADMIN).exists()


@pytest.mark.parametrize(
    ("role", "sees"),
    [
        ("reviewer", {"a", "b"}),  # everything by review, nothing by catalogue
        ("centre_admin", {"a", "b"}),
        ("cataloguer_a", {"a"}),  # own institution by catalogue, nothing by review
        ("manager_a", {"a"}),
        ("cataloguer_b", {"b"}),
        ("conservator", set()),
        ("provincial", set()),
    ],
)
def test_scope_any_keeps_a_global_role_s_everything(world, role, sees):
    from guji.permissions import scope_any

    holdings = Holding.objects.filter(pk__in=[world.holding_a.pk, world.holding_b.pk])
    user = world.users[role]

    found = set(holdings.filter(scope_any(user, ("review", "catalogue"), "institution")))

    expected = {"a": world.holding_a, "b": world.holding_b}
    assert found == {expected[k] for k in sees}


@pytest.mark.parametrize("role", ROLE_USERS)
def test_the_centres_actions_are_held_everywhere_or_nowhere(world, role):
    user = world.users[role]
    for action in ("grade", "manage_campaign"):
        everywhere = EXPECTED_SCOPE[role][action] == "ab"
        assert can(user, action) is everywhere
        assert can(user, action, world.holding_a) is everywhere


def test_an_unknown_action_is_a_bug_not_a_refusal(world):
    with pytest.raises(ValueError, match="Unknown action"):
        can(world.users["centre_admin"], "delete_everything", world.holding_a)


def test_a_grant_on_one_object_is_answered_by_can_and_scope_filter_alike(world):
    conservator, admin = world.users["conservator"], world.users["centre_admin"]
    other = make_holding(world.institution_b)
    assert not can(conservator, "catalogue", world.holding_b)

    grant(conservator, "catalogue", world.holding_b, by=admin, reason="修复前核对著录")

    conservator = _refetch(conservator)
    assert can(conservator, "catalogue", world.holding_b)
    assert not can(conservator, "catalogue", other)
    assert not can(conservator, "catalogue", world.holding_a)
    listed = Holding.objects.filter(
        scope_filter(conservator, "catalogue", "institution", model=Holding)
    )
    assert set(listed) == {world.holding_b}
    version = ObjectGrant.history.get()
    assert (version.history_user, version.history_change_reason) == (admin, "修复前核对著录")

    revoke(conservator, "catalogue", world.holding_b, by=admin, reason="修复完成")

    conservator = _refetch(conservator)
    assert not can(conservator, "catalogue", world.holding_b)
    assert not ObjectGrant.objects.exists()
    deleted = ObjectGrant.history.filter(history_type="-").get()
    assert (deleted.history_user, deleted.history_change_reason) == (admin, "修复完成")


def test_only_who_manages_the_objects_institution_grants_on_it_and_says_why(world):
    conservator = world.users["conservator"]
    with pytest.raises(PermissionDenied):
        grant(conservator, "catalogue", world.holding_b, by=world.users["manager_a"], reason="x")
    with pytest.raises(ValidationError):
        grant(conservator, "catalogue", world.holding_a, by=world.users["manager_a"], reason=" ")
    grant(conservator, "catalogue", world.holding_a, by=world.users["manager_a"], reason="协助")
    assert can(_refetch(conservator), "catalogue", world.holding_a)
    assert not ObjectGrant.objects.filter(object_id=world.holding_b.pk).exists()
