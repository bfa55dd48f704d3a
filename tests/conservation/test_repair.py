"""Plans, approval, revisions, grants, logs with roll-ups, materials recall and acceptance."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conservation.models import QualityGrade, RepairPlan, RepairRequest
from conservation.queue import queue, workload
from conservation.services import (
    accept_repair,
    add_log,
    approve_plan,
    finish_work,
    plan_totals,
    recall,
    request_repair,
    update_plan,
)
from guji.permissions import can
from tests.conservation.factories import (
    assess,
    batch,
    centre_admin,
    conservator,
    plan_for,
)
from tests.factories import make_holding, make_institution, make_user
from tests.guji.conftest import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {"admin": centre_admin(), "wang": conservator(), "li": conservator()}


def log(plan, by, *, hours=3, leaves=10, materials=(), day=1, **extra):
    data = {
        "worked_on": datetime.date(2026, 3, day),
        "hours": Decimal(str(hours)),
        "leaf_count": leaves,
        "volume_count": 1,
        "volumes": "1",
    }
    data.update(extra)
    return add_log(plan, data=data, operations=[], materials=materials, by=by)


def test_assigned_conservators_get_rights_over_that_plan_alone(people):
    h1, h2 = make_holding(), make_holding()
    mine = plan_for(h1, by=people["admin"], conservators=[people["wang"]])
    other = plan_for(h2, by=people["admin"], conservators=[people["li"]])

    assert can(people["wang"], "repair", mine)
    assert not can(people["wang"], "repair", other)
    assert can(people["admin"], "repair", other)


def test_reassigning_a_plan_moves_the_grant(people):
    plan = plan_for(make_holding(), by=people["admin"], conservators=[people["wang"]])

    update_plan(
        plan,
        data={},
        operations=[],
        conservators=[people["li"]],
        by=people["admin"],
        version=plan.version,
    )

    assert not can(people["wang"], "repair", plan)
    assert can(people["li"], "repair", plan)


def test_only_the_centre_approves_a_plan(people):
    plan = plan_for(make_holding(), by=people["wang"], conservators=[people["wang"]])

    with pytest.raises(PermissionDenied):
        approve_plan(plan, by=people["wang"])
    approve_plan(plan, by=people["admin"], comment="同意")

    plan.refresh_from_db()
    assert plan.status == RepairPlan.Status.APPROVED
    assert plan.approved_by == people["admin"]
    assert plan.history.first().history_change_reason == "同意"


def test_no_work_is_logged_before_approval(people):
    plan = plan_for(make_holding(), by=people["admin"], conservators=[people["wang"]])

    with pytest.raises(ValidationError):
        log(plan, people["wang"])


def test_a_change_after_approval_needs_a_reason_and_is_a_revision(people):
    plan = plan_for(
        make_holding(),
        by=people["admin"],
        conservators=[people["wang"]],
        approve_by=people["admin"],
    )

    with pytest.raises(ValidationError):
        update_plan(
            plan,
            data={"estimated_hours": Decimal(30)},
            operations=[],
            conservators=[people["wang"]],
            by=people["wang"],
            version=plan.version,
        )
    update_plan(
        plan,
        data={"estimated_hours": Decimal(30)},
        operations=[],
        conservators=[people["wang"]],
        by=people["wang"],
        version=plan.version,
        reason="拆书后发现第三册粘连，需揭",
    )

    plan.refresh_from_db()
    assert plan.revision == 1
    assert plan.estimated_hours == 30
    latest = plan.history.first()
    assert (latest.history_user, latest.history_change_reason) == (
        people["wang"],
        "拆书后发现第三册粘连，需揭",
    )
    assert plan.history.filter(revision=0).first().estimated_hours == 20


def test_a_stale_edit_is_refused(people):
    plan = plan_for(make_holding(), by=people["admin"], conservators=[people["wang"]])
    seen = plan.version
    update_plan(
        plan, data={"goals": "甲"}, operations=[], conservators=[people["wang"]],
        by=people["admin"], version=seen,
    )  # fmt: skip

    with pytest.raises(ValidationError) as exc:
        update_plan(
            plan, data={"goals": "乙"}, operations=[], conservators=[people["wang"]],
            by=people["wang"], version=seen,
        )  # fmt: skip
    assert exc.value.code == "stale"
    plan.refresh_from_db()
    assert plan.goals == "甲"


def test_only_conservators_are_assigned(people):
    cataloguer = make_user(Role.CATALOGUER, make_institution())
    with pytest.raises(ValidationError):
        plan_for(make_holding(), by=people["admin"], conservators=[cataloguer])


def test_logs_roll_up_to_the_plan_and_to_the_workload(people):
    plan = plan_for(
        make_holding(),
        by=people["admin"],
        conservators=[people["wang"], people["li"]],
        approve_by=people["admin"],
    )
    log(plan, people["wang"], hours=3.5, leaves=12, day=2)
    log(plan, people["li"], hours=2, leaves=8, day=3)
    log(plan, people["wang"], hours=1, leaves=0, day=4, interruptions="停电")

    totals = plan_totals(plan)
    assert (totals.sessions, totals.hours, totals.leaves, totals.volumes) == (
        3,
        Decimal("6.5"),
        20,
        3,
    )
    rows = {r["conservator"]: r for r in workload(2026)}
    assert rows[str(people["wang"])]["hours"] == Decimal("4.5")
    assert rows[str(people["wang"])]["leaves"] == 12
    assert rows[str(people["li"])]["month"] == "2026-03"


def test_an_unassigned_conservator_cannot_log(people):
    plan = plan_for(
        make_holding(), by=people["admin"], conservators=[people["wang"]],
        approve_by=people["admin"],
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        log(plan, people["li"])


def test_a_recall_finds_every_holding_mended_with_a_batch(people):
    x, y = batch("ZZ-1"), batch("ZZ-2")
    h1, h2, h3 = make_holding(), make_holding(), make_holding()
    for holding, used in ((h1, [x]), (h2, [x, y]), (h3, [y])):
        plan = plan_for(
            holding, by=people["admin"], conservators=[people["wang"]],
            approve_by=people["admin"],
        )  # fmt: skip
        log(plan, people["wang"], materials=used)
        log(plan, people["wang"], materials=used)

    assert list(recall(x)) == sorted([h1, h2], key=lambda h: (h.institution.code, h.call_number))
    assert set(recall(y)) == {h2, h3}


def _finished(people):
    plan = plan_for(
        make_holding(), by=people["admin"], conservators=[people["wang"]],
        approve_by=people["admin"],
    )  # fmt: skip
    log(plan, people["wang"])
    return finish_work(plan, by=people["wang"])


def test_the_conservator_who_did_the_work_cannot_accept_it(people):
    plan = _finished(people)
    good = QualityGrade.objects.get(code="you")

    with pytest.raises(ValidationError) as exc:
        accept_repair(plan, result=good, by=people["wang"])
    assert exc.value.code == "own_work"


def test_someone_who_logged_a_session_cannot_accept_it_either(people):
    plan = plan_for(
        make_holding(), by=people["admin"], conservators=[people["wang"]],
        approve_by=people["admin"],
    )  # fmt: skip
    log(plan, people["admin"])  # the administrator helped
    finish_work(plan, by=people["wang"])

    with pytest.raises(ValidationError):
        accept_repair(plan, result=QualityGrade.objects.get(code="you"), by=people["admin"])


def test_another_conservator_accepts_and_the_plan_closes(people):
    plan = _finished(people)

    acceptance = accept_repair(
        plan,
        result=QualityGrade.objects.get(code="liang"),
        criteria=["paper_match", "flat"],
        remarks="补纸略深",
        by=people["li"],
    )

    plan.refresh_from_db()
    assert plan.status == RepairPlan.Status.ACCEPTED
    assert acceptance.history.first().history_user == people["li"]


def test_a_failed_acceptance_sends_the_work_back(people):
    plan = _finished(people)
    failed = QualityGrade.objects.get(code="buhege")

    with pytest.raises(ValidationError):
        accept_repair(plan, result=failed, by=people["li"])  # no remarks
    accept_repair(plan, result=failed, remarks="书口未齐", by=people["li"])

    plan.refresh_from_db()
    assert plan.status == RepairPlan.Status.APPROVED
    log(plan, people["wang"], day=9)


def test_the_queue_orders_by_damage_then_grade_and_takes_requests(people):
    inst = make_institution()
    light_shanben = make_holding(inst, grade="1A")
    severe_putong = make_holding(inst, grade="4")
    severe_shanben = make_holding(inst, grade="2B")
    asked = make_holding(inst)
    assess(light_shanben, people["wang"], area_pct=10)  # 3
    assess(severe_putong, people["wang"], area_pct=45)  # 1
    assess(severe_shanben, people["wang"], area_pct=50)  # 1
    cataloguer = make_user(Role.CATALOGUER, inst)
    req = request_repair(asked, description="书皮脱落", by=cataloguer)

    assert list(queue()) == [severe_shanben, severe_putong, light_shanben, asked]
    assert list(queue({"level": 1})) == [severe_shanben, severe_putong]
    assert list(queue({"grade": "shanben"})) == [severe_shanben, light_shanben]

    plan_for(asked, by=people["admin"], conservators=[people["wang"]])
    req.refresh_from_db()
    assert req.status == RepairRequest.Status.PLANNED
    assert asked not in list(queue())


def test_an_institution_asks_only_for_its_own_holdings(people):
    holding = make_holding()
    stranger = make_user(Role.CATALOGUER, make_institution())

    with pytest.raises(PermissionDenied):
        request_repair(holding, description="x", by=stranger)
