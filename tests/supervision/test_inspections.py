"""Inspections, corrective actions followed to closure, overdue actions on home pages."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from environment.supervision import services
from environment.supervision.models import CorrectiveAction
from tests.factories import make_institution, make_user
from tests.guji.conftest import Role
from tests.protection.factories import make_action, make_inspection

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    inst = make_institution()
    return {
        "inst": inst,
        "manager": make_user(Role.MANAGER, inst),
        "reviewer": make_user(Role.REVIEWER, display_name="周文瀚"),
        "elsewhere": make_user(Role.MANAGER, make_institution()),
    }


def test_an_inspection_keeps_its_findings(people):
    inspection = services.record_inspection(
        people["inst"],
        date=date.today(),
        inspectors="周文瀚",
        findings={"fire": ("meets", ""), "light": ("fails", "120 lx"), "air": ("", "")},
        by=people["reviewer"],
    )
    assert {(f.requirement, f.result) for f in inspection.findings.all()} == {
        ("fire", "meets"),
        ("light", "fails"),
    }
    assert inspection.history.first().history_user == people["reviewer"]


def test_only_the_centre_inspects(people):
    with pytest.raises(PermissionDenied):
        services.record_inspection(
            people["inst"], date=date.today(), inspectors="x", findings={}, by=people["manager"]
        )


def test_an_inspection_is_not_dated_in_the_future(people):
    with pytest.raises(ValidationError):
        services.record_inspection(
            people["inst"],
            date=date.today() + timedelta(days=1),
            inspectors="x",
            findings={},
            by=people["reviewer"],
        )


def test_an_action_closes_once_with_a_note(people):
    action = make_action(people["inst"])
    with pytest.raises(ValidationError):
        services.close_action(action, note="", by=people["reviewer"])
    action = services.close_action(action, note="已加装除湿机", by=people["reviewer"])
    assert not action.is_open and action.closed_by == people["reviewer"]
    with pytest.raises(ValidationError):
        services.close_action(action, note="again", by=people["reviewer"])
    reasons = [v.history_change_reason for v in action.history.order_by("history_date")]
    assert reasons[-1] == "已加装除湿机"


def test_overdue_actions_stand_out_on_both_home_pages(client, people):
    overdue = make_action(people["inst"], due_in=-3)
    make_action(people["inst"], due_in=10)
    closed = make_action(people["inst"], due_in=-20)
    services.close_action(closed, note="done", by=None)
    assert list(CorrectiveAction.objects.overdue()) == [overdue]
    for user in (people["reviewer"], people["manager"]):
        client.force_login(user)
        home = client.get(reverse("home")).content.decode()
        assert "1项整改措施已逾期" in home
        assert reverse("supervision:inspection_detail", args=[overdue.inspection_id]) in home
    client.force_login(people["elsewhere"])
    assert "整改措施已逾期" not in client.get(reverse("home")).content.decode()


def test_the_close_view_records_who_closed_it(client, people):
    action = make_action(people["inst"])
    client.force_login(people["manager"])
    url = reverse("supervision:action_close", args=[action.pk])
    assert client.post(url, {"note": "done"}).status_code == 403
    client.force_login(people["reviewer"])
    response = client.post(url, {"note": "现场复查合格"})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.closing_note, action.closed_by) == ("现场复查合格", people["reviewer"])


def test_the_inspection_page_shows_the_history(client, people):
    inspection = make_inspection(people["inst"])
    services.add_action(
        inspection,
        requirement="fire",
        description="更换灭火器",
        owner="王岚",
        due_date=date.today(),
        by=people["reviewer"],
    )
    client.force_login(people["manager"])
    page = client.get(inspection.get_absolute_url()).content.decode()
    assert "更换灭火器" in page and "周文瀚" in page
