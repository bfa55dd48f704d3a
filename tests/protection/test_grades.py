"""Grades: an institution proposes with criteria and values, the centre confirms or changes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from guji.models import Holding
from guji.protection import services
from guji.protection.models import GradeProposal
from guji.views import holding_changes
from tests.factories import make_holding, make_institution, make_user
from tests.guji.conftest import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    inst = make_institution()
    return {
        "inst": inst,
        "cataloguer": make_user(Role.CATALOGUER, inst, display_name="林静"),
        "reviewer": make_user(Role.REVIEWER, display_name="周文瀚"),
        "other": make_user(Role.CATALOGUER, make_institution()),
    }


def propose(holding, by, grade="2C", **kw):
    values = {"criteria": ["date"], "historical_value": "明前期刻本", "reason": "按版本时代"}
    values.update(kw)
    return services.propose_grade(holding, grade=grade, by=by, **values)


def test_a_proposal_keeps_the_clause_of_the_minimum_grade(people):
    holding = make_holding(people["inst"], edition_statement="明洪武元年刻本")
    proposal = propose(holding, people["cataloguer"], grade="2A")
    assert (proposal.suggested_grade, proposal.clause) == ("2C", "3.2")
    assert proposal.status == GradeProposal.Status.PROPOSED
    holding.refresh_from_db()
    assert holding.grade == ""  # nothing changes before the centre decides


def test_a_proposal_needs_a_criterion_and_a_value(people):
    holding = make_holding(people["inst"])
    with pytest.raises(ValidationError):
        propose(holding, people["cataloguer"], criteria=[])
    with pytest.raises(ValidationError):
        propose(holding, people["cataloguer"], historical_value="")


def test_only_the_institution_proposes_and_only_the_centre_decides(people):
    holding = make_holding(people["inst"])
    with pytest.raises(PermissionDenied):
        propose(holding, people["other"])
    with pytest.raises(PermissionDenied):
        propose(holding, people["reviewer"])
    proposal = propose(holding, people["cataloguer"])
    with pytest.raises(PermissionDenied):
        services.decide_grade(proposal, grade="2C", by=people["cataloguer"])


def test_confirming_sets_the_grade_with_history(people):
    holding = make_holding(people["inst"])
    proposal = propose(holding, people["cataloguer"])
    services.decide_grade(proposal, grade="2C", by=people["reviewer"])
    holding.refresh_from_db()
    assert holding.grade == "2C" and holding.is_shanben
    last = holding.history.first()
    assert (last.grade, last.history_user, last.history_change_reason) == (
        "2C",
        people["reviewer"],
        "确认建议定级",  # default language zh-hans
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decided_by) == ("confirmed", people["reviewer"])


def test_changing_the_grade_needs_a_reason(people):
    holding = make_holding(people["inst"])
    proposal = propose(holding, people["cataloguer"])
    with pytest.raises(ValidationError):
        services.decide_grade(proposal, grade="1C", by=people["reviewer"], reason="")
    services.decide_grade(proposal, grade="1C", by=people["reviewer"], reason="铜活字印本")
    holding.refresh_from_db()
    proposal.refresh_from_db()
    assert (holding.grade, proposal.status, proposal.decision_reason) == (
        "1C",
        "changed",
        "铜活字印本",
    )


def test_a_decided_proposal_cannot_be_decided_again(people):
    proposal = propose(make_holding(people["inst"]), people["cataloguer"])
    services.decide_grade(proposal, grade="2C", by=people["reviewer"])
    with pytest.raises(ValidationError):
        services.decide_grade(proposal, grade="3C", by=people["reviewer"], reason="再议")


def test_a_registered_holding_is_graded_without_a_correction(people):
    holding = make_holding(people["inst"])
    Holding.objects.filter(pk=holding.pk).update(status=Holding.Status.REGISTERED)
    proposal = propose(holding, people["cataloguer"])
    services.decide_grade(proposal, grade="2C", by=people["reviewer"])
    holding.refresh_from_db()
    assert holding.grade == "2C"


def test_a_new_proposal_withdraws_the_open_one(people):
    holding = make_holding(people["inst"])
    first = propose(holding, people["cataloguer"])
    propose(holding, people["cataloguer"], grade="2B")
    first.refresh_from_db()
    assert first.status == GradeProposal.Status.WITHDRAWN
    assert holding.grade_proposals.filter(status="proposed").count() == 1


def test_the_timeline_shows_the_proposal_and_the_decision(people):
    holding = make_holding(people["inst"])
    proposal = propose(holding, people["cataloguer"], reason="按版本时代")
    services.decide_grade(proposal, grade="2B", by=people["reviewer"], reason="嘉靖本")
    changes = holding_changes(holding)
    reasons = {(str(c.user), c.reason) for c in changes}
    assert ("林静", "按版本时代") in reasons
    assert ("周文瀚", "嘉靖本") in reasons
    grade_change = next(c for c in changes if any(f.field == "grade" for f in c.fields))
    assert grade_change.user == people["reviewer"]


def test_bulk_proposes_only_what_was_ticked(people):
    inst = people["inst"]
    ming = make_holding(inst, edition_statement="明万历元年刻本")
    qing = make_holding(inst, edition_statement="清抄本")
    unknown = make_holding(inst, edition_statement="稿本")
    rows = {r.holding.pk: r.hint.grade for r in services.bulk_candidates(inst)}
    assert rows == {ming.pk: "3C", qing.pk: "4", unknown.pk: None}
    made = services.propose_many(
        inst, [ming.pk, unknown.pk], by=people["cataloguer"], reason="批量"
    )
    assert [(p.holding_id, p.grade, p.clause) for p in made] == [(ming.pk, "3C", "3.3")]
    assert {r.holding.pk for r in services.bulk_candidates(inst)} == {qing.pk, unknown.pk}


def test_bulk_page_lists_before_saving(client, people):
    inst = people["inst"]
    holding = make_holding(inst, edition_statement="元至正二十八年刻本")
    client.force_login(people["cataloguer"])
    url = reverse("protection:bulk_grades", args=[inst.pk])
    page = client.get(url).content.decode()
    assert "3.1.2" in page
    assert not GradeProposal.objects.exists()
    response = client.post(url, {"holdings": [holding.pk], "reason": "批量建议"})
    assert response.status_code == 302
    assert GradeProposal.objects.get().grade == "1B"


def test_the_grade_form_shows_the_clause_and_the_holding_page_the_mapping(client, people):
    holding = make_holding(people["inst"], edition_statement="西夏刻本")
    client.force_login(people["cataloguer"])
    form = client.get(reverse("protection:holding_grade", args=[holding.pk])).content.decode()
    assert "3.1.1" in form and "西夏" in form
    proposal = propose(holding, people["cataloguer"], grade="1A")
    client.force_login(people["reviewer"])
    response = client.post(
        reverse("protection:proposal_detail", args=[proposal.pk]), {"grade": "1A", "reason": ""}
    )
    assert response.status_code == 302
    page = client.get(holding.get_absolute_url()).content.decode()
    assert "一级珍贵文物" in page
    assert "善本" in page
