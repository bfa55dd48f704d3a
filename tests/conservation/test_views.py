"""The repair base's pages, posted to as users do."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from conservation import views
from conservation.models import (
    Assessment,
    DamageScheme,
    DamageType,
    MaterialBatch,
    QualityGrade,
    RepairOperation,
    RepairPlan,
)
from tests.conservation.factories import assess, batch, centre_admin, conservator, plan_for
from tests.factories import make_holding

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {"admin": centre_admin(), "wang": conservator(), "li": conservator()}


def _finding_forms(*rows):
    data = {"f-TOTAL_FORMS": "4", "f-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"f-{i}-{k}"] = v
    return data


def test_an_assessment_posted_shows_its_level_and_rule(client, people):
    holding = make_holding()
    client.force_login(people["wang"])
    data = {
        "scheme": DamageScheme.objects.get(code="WH/T 22-2006").pk,
        "assessed_on": "2026-03-01",
        "notes": "书根虫蛀严重",
        "action": "save",
        **_finding_forms(
            {
                "damage_type": DamageType.objects.get(code="chongzhu").pk,
                "leaf_area_pct": "60",
                "leaves_affected": "85",
                "leaves_total": "100",
            }
        ),
    }

    response = client.post(reverse("conservation:assess", args=[holding.pk]), data, follow=True)

    assessment = Assessment.objects.get(holding=holding)
    assert assessment.computed_level == 1
    page = response.content.decode()
    assert "一级破损" in page and "虫蛀" in page
    detail = client.get(holding.get_absolute_url()).content.decode()
    assert "一级破损" in detail  # the holding's panel: current level and history


def test_the_preview_computes_without_saving(client, people):
    holding = make_holding()
    client.force_login(people["wang"])
    data = {
        "scheme": DamageScheme.objects.get(code="DA/T 64.1-2017").pk,
        "assessed_on": "2026-03-01",
        "action": "preview",
        **_finding_forms(
            {
                "damage_type": DamageType.objects.get(code="suanhua").pk,
                "ph": "5.2",
                "ph_method": "cold",
            }
        ),
    }

    response = client.post(reverse("conservation:assess", args=[holding.pk]), data)

    assert response.status_code == 200
    assert "严重破损" in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_ph_without_its_method_and_half_counts_are_refused(client, people):
    holding = make_holding()
    client.force_login(people["wang"])
    data = {
        "scheme": DamageScheme.objects.get(code="DA/T 64.1-2017").pk,
        "assessed_on": "2026-03-01",
        "action": "save",
        **_finding_forms(
            {"damage_type": DamageType.objects.get(code="suanhua").pk, "ph": "5.2"},
            {"damage_type": DamageType.objects.get(code="zhanlian").pk, "leaves_affected": "3"},
        ),
    }

    response = client.post(reverse("conservation:assess", args=[holding.pk]), data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "测量方法" in page or "how the pH was measured" in page
    assert not Assessment.objects.exists()


def test_an_override_without_reason_is_refused_on_the_page(client, people):
    holding = make_holding()
    client.force_login(people["wang"])
    data = {
        "scheme": DamageScheme.objects.get(code="DA/T 64.1-2017").pk,
        "assessed_on": "2026-03-01",
        "override_level": "1",
        "action": "save",
        **_finding_forms({"damage_type": DamageType.objects.get(code="queshun").pk,
                          "area_pct": "10"}),
    }  # fmt: skip

    response = client.post(reverse("conservation:assess", args=[holding.pk]), data)

    assert response.status_code == 200
    assert not Assessment.objects.exists()


def test_plan_approve_log_finish_accept_through_the_pages(client, people):
    holding = make_holding()
    assess(holding, people["wang"], area_pct=25)
    paper = batch()
    client.force_login(people["wang"])
    response = client.post(
        reverse("conservation:plan_create", args=[holding.pk]),
        {
            "condition_summary": "缺损二成",
            "goals": "补全",
            "estimated_hours": "12",
            "operations": [RepairOperation.objects.get(code="bu").pk],
            "conservators": [people["wang"].pk],
        },
    )
    plan = RepairPlan.objects.get(holding=holding)
    assert response.status_code == 302

    client.force_login(people["admin"])
    client.post(reverse("conservation:plan_approve", args=[plan.pk]), {"comment": "可"})
    plan.refresh_from_db()
    assert plan.status == RepairPlan.Status.APPROVED

    client.force_login(people["wang"])
    for day in ("2026-03-02", "2026-03-03"):
        r = client.post(
            reverse("conservation:log_add", args=[plan.pk]),
            {
                "worked_on": day,
                "volume_count": "1",
                "leaf_count": "6",
                "hours": "2.5",
                "materials": [paper.pk],
            },
        )
        assert r.status_code == 302
    client.post(reverse("conservation:plan_finish", args=[plan.pk]))
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "5.0" in page and paper.batch_code in page

    history = [v.history_change_reason for v in views.plan_history(plan)]
    assert len(history) == 3  # drawn up, approved, finished: the m2m versions shown once
    assert client.get(reverse("conservation:accept", args=[plan.pk])).status_code == 403
    client.force_login(people["li"])
    r = client.post(
        reverse("conservation:accept", args=[plan.pk]),
        {
            "result": QualityGrade.objects.get(code="you").pk,
            "criteria": ["flat", "order"],
            "accepted_on": "2026-03-05",
            "remarks": "合格",
        },
    )
    assert r.status_code == 302
    plan.refresh_from_db()
    assert plan.status == RepairPlan.Status.ACCEPTED

    recall_page = client.get(reverse("conservation:batch_detail", args=[paper.pk]))
    assert holding.title_juan in recall_page.content.decode()

    timeline = client.get(reverse("holding_timeline", args=[holding.pk])).content.decode()
    for subject in ("approved", "批准", "accepted", "验收"):
        if subject in timeline:
            break
    else:
        pytest.fail("the timeline shows the plan's approval and acceptance")
    assert "2.5" in timeline


def test_a_revision_on_the_page_needs_a_reason(client, people):
    plan = plan_for(
        make_holding(), by=people["admin"], conservators=[people["wang"]],
        approve_by=people["admin"],
    )  # fmt: skip
    client.force_login(people["wang"])
    data = {
        "condition_summary": plan.condition_summary,
        "goals": plan.goals,
        "estimated_hours": "40",
        "conservators": [people["wang"].pk],
        "version": plan.version,
    }

    r = client.post(reverse("conservation:plan_edit", args=[plan.pk]), data)
    assert r.status_code == 200
    r = client.post(
        reverse("conservation:plan_edit", args=[plan.pk]), {**data, "reason": "加揭粘连"}
    )
    assert r.status_code == 302
    plan.refresh_from_db()
    assert (plan.revision, plan.estimated_hours) == (1, 40)


def test_a_batch_is_recorded_with_history(client, people):
    client.force_login(people["wang"])
    r = client.post(
        reverse("conservation:batch_create"),
        {
            "kind": "paper",
            "name": "皮纸",
            "batch_code": "PZ-9",
            "received_on": "2026-02-01",
            "quantity": "50",
            "unit": "张",
            "ph": "7.2",
        },
    )
    assert r.status_code == 302
    b = MaterialBatch.objects.get(batch_code="PZ-9")
    assert b.remaining == 50
    assert b.history.first().history_user == people["wang"]


def test_workload_downloads_as_xlsx(client, people):
    plan = plan_for(
        make_holding(), by=people["admin"], conservators=[people["wang"]],
        approve_by=people["admin"],
    )  # fmt: skip
    from tests.conservation.test_repair import log

    log(plan, people["wang"], hours=4, leaves=30)
    client.force_login(people["admin"])

    r = client.get(reverse("conservation:workload_xlsx") + "?year=2026")

    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1] == ("2026-03", str(people["wang"]), 4.0, 1, 30)


def test_the_conservator_home_shows_my_plans_and_hours(client, people):
    plan = plan_for(
        make_holding(), by=people["admin"], conservators=[people["wang"]],
        approve_by=people["admin"],
    )  # fmt: skip
    client.force_login(people["wang"])

    page = client.get(reverse("home")).content.decode()

    assert f"#{plan.pk}" in page
    assert reverse("conservation:queue") in page
