"""The admin writes through the domain: every path that could bypass it is refused."""

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.urls import NoReverseMatch, reverse

from census.models import Campaign
from guji.models import EditionType, Holding, ObjectGrant, RoleAssignment, SibuClass, User
from guji.permissions import can
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


@pytest.fixture
def centre_admin():
    return make_user(Role.CENTRE_ADMIN)


@pytest.fixture
def admin_client(client, centre_admin):
    client.force_login(centre_admin)
    return client


def _form_data(response) -> dict:
    """What the browser would post back: the admin form's and its inlines' current values."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if value is None or getattr(field, "disabled", False):
                continue
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(v) for v in value]
            else:
                data[form.add_prefix(name)] = str(value)
    return data


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- users and roles --------------------------------------------------------------------------


def test_the_user_admin_edits_no_groups_permissions_staff_or_superuser_flag(admin_client):
    user = make_user()
    url = reverse("admin:guji_user_change", args=[user.pk])
    page = admin_client.get(url)
    form = page.context["adminform"].form
    assert not {"groups", "user_permissions", "is_staff", "is_superuser"} & set(form.fields)

    data = _form_data(page)
    data.update(
        is_staff="on",
        is_superuser="on",
        groups=[str(Group.objects.get(name=Role.CENTRE_ADMIN).pk)],
        user_permissions=[str(Permission.objects.get(codename="manage_institution").pk)],
        display_name="改名",
    )
    response = admin_client.post(url, data)

    assert response.status_code == 302
    user = User.objects.get(pk=user.pk)
    assert user.display_name == "改名"  # the account's own fields still save
    assert not user.is_staff and not user.is_superuser
    assert not user.groups.exists() and not user.user_permissions.exists()
    assert not can(user, "manage", make_institution())


def test_groups_are_not_in_the_admin():
    assert Group not in admin.site._registry


def test_guardians_object_permission_pages_are_gone(admin_client):
    institution = make_institution()
    with pytest.raises(NoReverseMatch):
        reverse("admin:guji_institution_permissions", args=[institution.pk])
    response = admin_client.get(
        f"/admin/guji/institution/{institution.pk}/permissions/", follow=True
    )
    assert response.status_code == 200
    assert response.templates
    assert not [t.name for t in response.templates if "guardian" in t.name]


def test_a_role_granted_in_the_admin_needs_a_reason_and_records_who_and_why(
    admin_client, centre_admin
):
    institution, user = make_institution(), make_user()
    url = reverse("admin:guji_roleassignment_add")
    data = {"user": user.pk, "role": Role.CATALOGUER, "institution": institution.pk}

    refused = admin_client.post(url, {**data, "reason": ""})
    assert refused.status_code == 200
    assert not RoleAssignment.objects.filter(user=user).exists()

    admin_client.post(url, {**data, "reason": "新入职"})

    assignment = RoleAssignment.objects.get(user=user)
    version = assignment.history.get()
    assert (version.history_user, version.history_change_reason) == (centre_admin, "新入职")
    assert can(User.objects.get(pk=user.pk), "catalogue", make_holding(institution))


def test_a_role_the_domain_refuses_shows_only_the_error(admin_client):
    user = make_user()
    response = admin_client.post(
        reverse("admin:guji_roleassignment_add"),
        {
            "user": user.pk,
            "role": Role.REVIEWER,
            "institution": make_institution().pk,
            "reason": "x",
        },
    )
    assert response.status_code == 200
    assert "centre role" in " ".join(response.context["adminform"].form.non_field_errors())
    assert not RoleAssignment.objects.filter(user=user).exists()
    assert not [m for m in _messages(response) if "成功" in m or "success" in m]


def test_a_role_is_revoked_only_with_a_reason(admin_client, centre_admin):
    institution = make_institution()
    user = make_user(Role.CATALOGUER, institution)
    assignment = RoleAssignment.objects.get(user=user)
    assert (
        admin_client.get(
            reverse("admin:guji_roleassignment_delete", args=[assignment.pk])
        ).status_code
        == 403
    )
    url = reverse("admin:guji_roleassignment_changelist")
    choices = admin_client.get(url).context["action_form"].fields["action"].choices
    assert [value for value, _label in choices if value] == ["revoke_selected"]
    chosen = {"action": "revoke_selected", helpers.ACTION_CHECKBOX_NAME: [assignment.pk]}

    admin_client.post(url, {**chosen, "apply": "1", "text": " "})
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()

    admin_client.post(url, {**chosen, "apply": "1", "text": "调离"})

    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    deleted = RoleAssignment.history.filter(history_type="-").get()
    assert (deleted.history_user, deleted.history_change_reason) == (centre_admin, "调离")
    assert not can(User.objects.get(pk=user.pk), "view", make_holding(institution))


def test_the_admin_shows_role_names_in_chinese(admin_client):
    make_user(Role.REVIEWER)
    response = admin_client.get(reverse("admin:guji_roleassignment_changelist"))
    text = response.content.decode()
    assert '<td class="field-role">审核员</td>' in text
    assert ">reviewer<" not in text


# --- campaigns, vocabularies, grants ----------------------------------------------------------


def test_campaigns_are_not_changed_in_the_admin(admin_client):
    campaign = Campaign.objects.create(name="普查", starts_on="2026-01-01", ends_on="2026-12-31")
    assert admin_client.get(reverse("admin:census_campaign_add")).status_code == 403
    change = reverse("admin:census_campaign_change", args=[campaign.pk])
    response = admin_client.post(
        change, {"name": "改", "starts_on": "2026-01-01", "ends_on": "2026-12-31"}
    )
    assert response.status_code == 403
    delete = reverse("admin:census_campaign_delete", args=[campaign.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    campaign.refresh_from_db()
    assert campaign.name == "普查"


@pytest.mark.parametrize("model", [EditionType, ObjectGrant])
def test_vocabularies_the_parser_reads_and_grants_are_read_only_in_the_admin(admin_client, model):
    label = f"{model._meta.app_label}_{model._meta.model_name}"
    assert admin_client.get(reverse(f"admin:{label}_changelist")).status_code == 200
    assert admin_client.get(reverse(f"admin:{label}_add")).status_code == 403
    if model is EditionType:
        kind = EditionType.objects.get(name="刻本")
        admin_client.post(reverse(f"admin:{label}_change", args=[kind.pk]), {"name": "改"})
        kind.refresh_from_db()
        assert kind.name == "刻本"


# --- holdings ---------------------------------------------------------------------------------


def test_a_holding_saved_in_the_admin_goes_through_the_domain(admin_client, centre_admin):
    holding = make_holding()
    url = reverse("admin:guji_holding_change", args=[holding.pk])
    data = _form_data(admin_client.get(url))
    data["edition_statement"] = "明萬曆刻本"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    holding.refresh_from_db()
    assert (holding.edition_dynasty, holding.edition_era) == ("明", "万历")  # derived, as ever
    version = holding.history.first()
    assert version.history_user == centre_admin
    assert version.history_change_reason == "在管理后台修改"


def test_a_locked_holding_the_domain_refuses_shows_only_the_error(admin_client):
    holding = make_holding()
    url = reverse("admin:guji_holding_change", args=[holding.pk])
    data = _form_data(admin_client.get(url))
    Holding.objects.filter(pk=holding.pk).update(status=Holding.Status.REGISTERED)
    data["volumes"] = "99"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.non_field_errors())
    assert "锁定" in errors
    assert not _messages(response)  # no "changed successfully" beside the error
    holding.refresh_from_db()
    assert holding.volumes == 24
    assert holding.history.count() == 1


def test_a_locked_holding_offers_no_delete_and_bulk_delete_is_not_offered(admin_client):
    holding = make_holding()
    draft_delete = reverse("admin:guji_holding_delete", args=[holding.pk])
    assert admin_client.get(draft_delete).status_code == 200
    Holding.objects.filter(pk=holding.pk).update(status=Holding.Status.REGISTERED)

    assert admin_client.get(draft_delete).status_code == 403
    assert admin_client.post(draft_delete, {"post": "yes"}).status_code == 403
    change = admin_client.get(reverse("admin:guji_holding_change", args=[holding.pk]))
    assert draft_delete not in change.content.decode()
    assert Holding.objects.filter(pk=holding.pk).exists()

    listing = admin_client.get(reverse("admin:guji_holding_changelist"))
    assert listing.context["action_form"] is None  # no bulk action at all
    admin_client.post(
        reverse("admin:guji_holding_changelist"),
        {"action": "delete_selected", helpers.ACTION_CHECKBOX_NAME: [holding.pk], "post": "yes"},
    )
    assert Holding.objects.filter(pk=holding.pk).exists()


def test_the_holding_admin_shows_vocabulary_names_not_ids(admin_client):
    holding = make_holding()
    sibu = SibuClass.objects.get(code="J02")
    Holding.objects.filter(pk=holding.pk).update(sibu_class=sibu)
    page = admin_client.get(reverse("admin:guji_holding_change", args=[holding.pk]))
    widget = str(page.context["adminform"].form["sibu_class"])
    assert f"selected>{sibu}</option>" in widget and sibu.name in str(sibu)
    assert 'class="vForeignKeyRawIdAdminField' not in widget
