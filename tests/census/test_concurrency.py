"""Two people read one census form; the first saves, then the second: the second is refused (409)
with what the first changed shown beside their own input, kept as typed. Every edit form of the
census carries the version it read: correction requests, campaigns, review decisions, decisions
on correction requests, and the admin's review actions."""

from datetime import date

import pytest
from django.contrib.admin import helpers
from django.urls import reverse

from census.models import Campaign, CorrectionRequest
from census.services import accept_correction, request_correction, return_entry, submit_entries
from guji.models import Holding
from guji.services import update_holding
from tests.census.workflow_factories import Role, make_campaign, make_entry
from tests.factories import make_institution, make_user

pytestmark = pytest.mark.django_db
S = Holding.Status


def form_data(form) -> dict:
    """What the browser posts back for an unchanged form."""
    data = {}
    for field in form:
        value = field.value()
        if isinstance(value, bool):
            if value:
                data[field.html_name] = "on"
            continue
        if isinstance(value, date):
            value = value.isoformat()
        data[field.html_name] = "" if value is None else getattr(value, "pk", value)
    return data


def page(response) -> str:
    return response.content.decode()


# --- correction requests --------------------------------------------------------------------


def test_a_correction_request_over_a_changed_record_is_refused_and_keeps_the_input(client):
    entry = make_entry(S.REGISTERED, notes="")
    holding, first = entry.holding, entry.rounds.get().submitted_by
    second = make_user(Role.CATALOGUER, entry.institution)
    url = reverse("census:holding_correction", args=[holding.pk])
    client.force_login(second)
    stale = form_data(client.get(url).context["request_form"])

    request = request_correction(holding, data={"notes": "卷三補配"}, by=first, reason="核对原书")
    accept_correction(request, by=make_user(Role.REVIEWER), reason="核对无误")
    stale.update(action="request", volumes="20", reason="重新点数")
    response = client.post(url, stale)

    assert response.status_code == 409
    assert "卷三補配" in page(response)  # what the other person changed
    assert 'value="重新点数"' in page(response)  # this user's input, kept
    assert CorrectionRequest.objects.filter(status=CorrectionRequest.Status.PENDING).count() == 0
    again = {**stale, "version": response.context["request_form"].data["version"]}
    assert client.post(url, again).status_code == 302
    assert CorrectionRequest.objects.get(status="pending").changes["volumes"] == 20


def test_a_correction_request_after_anothers_pending_one_keeps_the_input(client):
    entry = make_entry(S.REGISTERED)
    holding, first = entry.holding, entry.rounds.get().submitted_by
    url = reverse("census:holding_correction", args=[holding.pk])
    client.force_login(make_user(Role.CATALOGUER, entry.institution))
    stale = form_data(client.get(url).context["request_form"])

    request_correction(holding, data={"volumes": 3}, by=first, reason="点数")
    response = client.post(url, {**stale, "action": "request", "volumes": "20", "reason": "再点"})

    assert response.status_code == 400
    assert 'value="再点"' in page(response)
    assert CorrectionRequest.objects.count() == 1


# --- campaigns --------------------------------------------------------------------------------


def test_the_second_save_of_a_campaign_is_refused_and_shows_the_first(client):
    campaign = make_campaign(make_institution(), description="")
    url = reverse("census:campaign_edit", args=[campaign.pk])
    first_admin, second_admin = make_user(Role.CENTRE_ADMIN), make_user(Role.CENTRE_ADMIN)
    client.force_login(first_admin)
    read = client.get(url).context
    first = {**form_data(read["form"]), **_formset_data(read["formset"])}
    second = dict(first)

    first.update(description="第二批古籍普查", reason="补说明")
    assert client.post(url, first).status_code == 302
    client.force_login(second_admin)
    second.update(ends_on="2028-06-30", reason="延期")
    response = client.post(url, second)

    assert response.status_code == 409
    assert "第二批古籍普查" in page(response)
    assert 'value="2028-06-30"' in page(response)
    campaign.refresh_from_db()
    assert (campaign.description, campaign.ends_on) == ("第二批古籍普查", date(2027, 12, 31))
    again = {**second, "version": response.context["form"].data["version"]}
    assert client.post(url, again).status_code == 302
    campaign.refresh_from_db()
    assert campaign.ends_on == date(2028, 6, 30)


def _formset_data(formset) -> dict:
    data = {
        f"{formset.prefix}-TOTAL_FORMS": str(formset.total_form_count()),
        f"{formset.prefix}-INITIAL_FORMS": str(formset.initial_form_count()),
    }
    for form in formset:
        data.update({k: v for k, v in form_data(form).items() if not k.endswith("DELETE")})
    return data


def test_a_new_campaign_carries_no_version():
    from census.forms import CampaignForm

    assert "version" not in CampaignForm().fields
    assert "version" in CampaignForm(instance=Campaign(pk=1, name="x")).fields


# --- review decisions -------------------------------------------------------------------------


def test_a_decision_on_an_entry_resubmitted_since_the_page_was_read_is_refused(client):
    entry = make_entry(notes="")
    holding = entry.holding
    cataloguer = entry.rounds.get().submitted_by
    url = reverse("census:holding_review", args=[holding.pk])
    client.force_login(make_user(Role.REVIEWER))
    stale = form_data(client.get(url).context["form"])

    return_entry(entry, by=make_user(Role.REVIEWER), comment="请补附注")
    update_holding(holding, data={"notes": "有朱筆圈點"}, by=cataloguer, reason="补附注")
    submit_entries([holding], by=cataloguer)
    response = client.post(url, {**stale, "decision": "accept", "comment": "著录完整"})

    assert response.status_code == 409
    assert "有朱筆圈點" in page(response)  # the change the reviewer had not seen
    assert "著录完整" in page(response)  # their comment, kept
    holding.refresh_from_db()
    assert holding.status == S.SUBMITTED and not holding.census_number


def test_a_second_reviewers_decision_is_refused_with_the_first_decision_shown(client):
    entry = make_entry()
    url = reverse("census:holding_review", args=[entry.holding_id])
    client.force_login(make_user(Role.REVIEWER))
    stale = form_data(client.get(url).context["form"])

    client.post(url, {**stale, "decision": "accept", "comment": "无误"})
    client.force_login(make_user(Role.REVIEWER))
    response = client.post(url, {**stale, "decision": "return", "comment": "卷数不符"})

    assert response.status_code == 409
    assert "卷数不符" in page(response)
    entry.holding.refresh_from_db()
    assert entry.holding.status == S.REGISTERED


def test_a_decision_on_a_correction_of_a_changed_record_is_refused(client):
    entry = make_entry(S.REGISTERED)
    cataloguer = entry.rounds.get().submitted_by
    request = request_correction(entry.holding, data={"volumes": 3}, by=cataloguer, reason="点数")
    url = reverse("census:holding_correction", args=[entry.holding_id])
    client.force_login(make_user(Role.REVIEWER))
    stale = form_data(client.get(url).context["decision_form"])

    update_holding(
        entry.holding, data={"grade": "2A"}, by=make_user(Role.CENTRE_ADMIN), reason="定级"
    )
    response = client.post(url, {**stale, "action": "accept", "reason": "核对无误"})

    assert response.status_code == 409
    assert "2A" in page(response) or "二级甲等" in page(response)
    assert "核对无误" in page(response)
    request.refresh_from_db()
    assert request.status == CorrectionRequest.Status.PENDING


# --- the admin --------------------------------------------------------------------------------


def test_the_admins_accept_action_refuses_an_entry_changed_since_it_was_confirmed(client):
    entry = make_entry(notes="")
    holding, cataloguer = entry.holding, entry.rounds.get().submitted_by
    client.force_login(make_user(Role.CENTRE_ADMIN))
    url = reverse("admin:census_censusentry_changelist")
    chosen = {"action": "accept_selected", helpers.ACTION_CHECKBOX_NAME: [entry.pk]}
    asked = client.post(url, chosen)
    version = f'name="version-{entry.pk}" value="'
    read = page(asked).split(version)[1].split('"')[0]

    return_entry(entry, by=make_user(Role.REVIEWER), comment="请补附注")
    update_holding(holding, data={"notes": "有朱筆圈點"}, by=cataloguer, reason="补附注")
    submit_entries([holding], by=cataloguer)
    done = client.post(
        url, {**chosen, "apply": "1", "text": "后台通过", f"version-{entry.pk}": read}, follow=True
    )

    holding.refresh_from_db()
    assert holding.status == S.SUBMITTED and not holding.census_number
    [refused, _summary] = [str(m) for m in done.context["messages"]]
    assert refused.startswith(str(holding)) and cataloguer.username in refused
