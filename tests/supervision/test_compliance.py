"""Measured compliance reaches key-unit assessments and inspections through the registry."""

from datetime import timedelta

import pytest
from django.utils import timezone

from environment.models import DailyRollup
from guji import registry
from guji.protection import services
from tests.environment.factories import make_room, make_sensor
from tests.factories import make_institution, make_user
from tests.guji.conftest import Role
from tests.protection.factories import make_assessment, make_inspection

pytestmark = pytest.mark.django_db


def test_the_environment_offers_room_compliance_of_the_last_year():
    inst = make_institution()
    assert registry.provider("room_compliance") is not None
    assert services.measured_compliance(inst) == []  # no rooms
    room = make_room(inst, name="善本书库")
    sensor = make_sensor(room)
    today = timezone.localdate()
    for days_ago, in_range in ((3, 86400), (400, 0)):  # the second is more than a year ago
        DailyRollup.objects.create(
            sensor=sensor,
            day=today - timedelta(days=days_ago),
            count=144,
            seconds=86400,
            seconds_measured=86400,
            seconds_in_range=in_range,
            pi_rate=86400 / 50,
        )
    (row,) = services.measured_compliance(inst)
    assert row["room"] == "善本书库"
    assert row["compliance"] == pytest.approx(100.0)
    assert row["twpi"] == pytest.approx(50.0)


def test_a_submitted_assessment_keeps_the_figures_and_an_inspection_shows_them(client):
    inst = make_institution()
    sensor = make_sensor(make_room(inst, name="一号书库"))
    DailyRollup.objects.create(
        sensor=sensor,
        day=timezone.localdate() - timedelta(days=1),
        seconds=86400,
        seconds_measured=86400,
        seconds_in_range=43200,
        pi_rate=86400 / 40,
    )
    assessment = services.submit_assessment(make_assessment(inst), by=None)
    assert assessment.compliance_summary["rooms"][0]["compliance"] == pytest.approx(50.0)
    client.force_login(make_user(Role.REVIEWER))
    page = client.get(make_inspection(inst).get_absolute_url()).content.decode()
    assert "一号书库" in page and "50.0 %" in page
