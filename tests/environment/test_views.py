from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from environment.excursions import acknowledge
from environment.ingest import BatchReading, ingest_file
from environment.models import Excursion, Placement, Reading, RoomThreshold
from environment.placements import PlacementError, assign
from guji.models import RoleAssignment
from tests.environment.factories import batch, make_room, make_sensor
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


def _recent(hours=24, t=19.0, rh=50.0, hot_from=None):
    """Hourly readings ending now; from ``hot_from`` hours on the temperature is 25 °C."""
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(hours=hours)
    return [
        BatchReading(
            start + timedelta(hours=i), 25.0 if hot_from is not None and i >= hot_from else t, rh
        )
        for i in range(hours)
    ]


@pytest.fixture
def room_with_climate():
    institution = make_institution()
    room = make_room(institution, name="善本书库")
    sensor = make_sensor(room)
    ingest_file(sensor, batch(_recent(48, hot_from=40)), user=None, reason="测试")
    return room


def test_the_room_page_shows_the_period_summary_holdings_by_grade_and_excursions(
    client, room_with_climate
):
    room = room_with_climate
    manager = make_user(Role.MANAGER, room.institution)
    rare = make_holding(room.institution, grade="1A", title_juan="宋本周易十卷")
    plain = make_holding(room.institution, grade="4", title_juan="清刻本詩經四卷")
    assign([rare, plain], room, by=manager, reason="入库")
    client.force_login(manager)
    page = client.get(room.get_absolute_url()).content.decode()
    assert "宋本周易十卷" in page and "清刻本詩經四卷" in page
    assert page.index("宋本周易十卷") < page.index("清刻本詩經四卷")  # by grade
    twpi = page.split('class="twpi">')[1].split("</dd>")[0]
    assert "rating-" in twpi and any(c.isdigit() for c in twpi)
    assert reverse("environment:room_data", args=[room.pk]) in page
    assert page.count('class="excursion open"') == 1


def test_the_chart_reads_raw_readings_for_a_short_period_and_rollups_for_a_long_one(
    client, room_with_climate
):
    room = room_with_climate
    client.force_login(make_user(Role.MANAGER, room.institution))
    url = reverse("environment:room_data", args=[room.pk])
    today = timezone.localdate()
    short = client.get(url, {"start": today - timedelta(days=2), "end": today}).json()
    long = client.get(url, {"start": today - timedelta(days=60), "end": today}).json()
    assert short["mode"] == "raw" and len(short["raw"]["time"]) == 48
    first = Reading.objects.filter(sensor__room=room).order_by("time").first()
    assert (short["raw"]["time"][0], short["raw"]["t"][0]) == (
        first.time.timestamp(),
        first.temperature_c,
    )
    assert long["mode"] == "daily" and "raw" not in long
    assert len(long["daily"]["time"]) in (2, 3)
    assert long["limits"]["temperature_c"] == {"min": 16.0, "max": 22.0, "daily": 2.0}
    assert len(long["excursions"]) == 1


def test_a_manager_acknowledges_an_excursion_with_a_comment(client, room_with_climate):
    room = room_with_climate
    manager = make_user(Role.MANAGER, room.institution)
    excursion = Excursion.objects.get(room=room)
    client.force_login(manager)
    url = reverse("environment:excursion_acknowledge", args=[excursion.pk])
    client.post(url, {"comment": ""})
    excursion.refresh_from_db()
    assert excursion.acknowledged_at is None
    response = client.post(url, {"comment": "空调故障，已修复"})
    excursion.refresh_from_db()
    assert response.status_code == 302
    assert (excursion.acknowledged_by, excursion.comment) == (manager, "空调故障，已修复")
    assert excursion.history.first().history_change_reason == "空调故障，已修复"


def test_a_cataloguer_may_not_acknowledge(client, room_with_climate):
    room = room_with_climate
    excursion = Excursion.objects.get(room=room)
    client.force_login(make_user(Role.CATALOGUER, room.institution))
    url = reverse("environment:excursion_acknowledge", args=[excursion.pk])
    assert client.post(url, {"comment": "看过"}).status_code == 403
    excursion.refresh_from_db()
    assert excursion.acknowledged_at is None


def test_citywide_compliance_lists_the_worst_room_first(client):
    good, bad = make_room(name="恒温库"), make_room(name="漏水库")
    ingest_file(make_sensor(good), batch(_recent(24)), user=None, reason="测试")
    ingest_file(make_sensor(bad), batch(_recent(24, hot_from=6)), user=None, reason="测试")
    client.force_login(make_user(Role.REVIEWER))
    page = client.get(reverse("environment:compliance")).content.decode()
    assert page.index("漏水库") < page.index("恒温库")


def test_compliance_shows_an_institution_only_its_own_rooms(client):
    mine, _theirs = make_room(name="本馆书库"), make_room(name="他馆书库")
    client.force_login(make_user(Role.CATALOGUER, mine.institution))
    page = client.get(reverse("environment:compliance")).content.decode()
    assert "本馆书库" in page and "他馆书库" not in page


def test_shanben_in_rooms_out_of_range_this_month(client):
    bad, good = make_room(name="漏水库"), make_room(name="恒温库")
    ingest_file(make_sensor(bad), batch(_recent(6, hot_from=3)), user=None, reason="测试")
    ingest_file(make_sensor(good), batch(_recent(6)), user=None, reason="测试")
    at_risk = make_holding(bad.institution, grade="2B", title_juan="明刻本文選六十卷")
    plain = make_holding(bad.institution, grade="4", title_juan="清刻本唐詩三百首")
    safe = make_holding(good.institution, grade="1A", title_juan="宋刻本史記")
    assign([at_risk, plain], bad, by=None, reason="入库")
    assign([safe], good, by=None, reason="入库")
    client.force_login(make_user(Role.CENTRE_ADMIN))
    page = client.get(reverse("environment:shanben_at_risk")).content.decode()
    assert "明刻本文選六十卷" in page
    assert "清刻本唐詩三百首" not in page and "宋刻本史記" not in page


def test_the_holding_page_shows_its_rooms_climate(client, room_with_climate):
    room = room_with_climate
    holding = make_holding(room.institution, grade="1B")
    assign([holding], room, by=None, reason="入库")
    client.force_login(make_user(Role.CATALOGUER, room.institution))
    page = client.get(holding.get_absolute_url()).content.decode()
    panel = page.split('id="climate-panel"')[1].split("</section>")[0]
    assert "善本书库" in panel and "rating-" in panel.split('class="twpi">')[1]


def test_a_holding_without_a_room_shows_no_climate_panel_to_a_cataloguer(client):
    holding = make_holding()
    client.force_login(make_user(Role.CATALOGUER, holding.institution))
    assert 'id="climate-panel"' not in client.get(holding.get_absolute_url()).content.decode()


def test_placements_are_assigned_in_bulk_by_call_number_with_history(client):
    room = make_room()
    manager = make_user(Role.MANAGER, room.institution)
    h1 = make_holding(room.institution, call_number="善001")
    h2 = make_holding(room.institution, call_number="善002")
    client.force_login(manager)
    url = reverse("environment:room_assign", args=[room.pk])
    response = client.post(url, {"holdings": "善001, 善999", "reason": "入库"})
    assert response.status_code == 400 and "善999" in response.content.decode()
    assert not Placement.objects.exists()
    client.post(url, {"holdings": "善001\n善002", "reason": "移入善本库"})
    assert set(Placement.objects.values_list("holding", flat=True)) == {h1.pk, h2.pk}
    version = Placement.history.filter(holding_id=h1.pk).first()
    assert (version.history_user, version.history_change_reason) == (manager, "移入善本库")


def test_a_holding_cannot_be_placed_in_another_institutions_room():
    with pytest.raises(PlacementError):
        assign([make_holding()], make_room(), by=None, reason="入库")


def test_placement_changes_appear_on_the_holdings_timeline(client):
    room = make_room(name="普本书库")
    holding = make_holding(room.institution)
    assign([holding], room, by=None, reason="移库")
    client.force_login(make_user(Role.CATALOGUER, room.institution))
    page = client.get(reverse("holding_timeline", args=[holding.pk])).content.decode()
    assert "移库" in page


def test_a_room_override_is_saved_with_its_reason(client):
    room = make_room()
    client.force_login(make_user(Role.MANAGER, room.institution))
    url = reverse("environment:room_thresholds", args=[room.pk])
    bad = client.post(url, {"parameter": "rh", "minimum": 70, "maximum": 40, "reason": "x"})
    assert bad.status_code == 400
    client.post(url, {"parameter": "rh", "minimum": 40, "maximum": 65, "reason": "樟木柜"})
    row = RoomThreshold.objects.get(room=room)
    assert (row.minimum, row.maximum, row.reason) == (40, 65, "樟木柜")


def test_notifications_page_lists_and_marks_read(client, django_capture_on_commit_callbacks):
    room = make_room(name="善本书库")
    manager = make_user(Role.MANAGER, room.institution)
    hot = [
        BatchReading(datetime(2025, 3, 1, tzinfo=UTC) + timedelta(hours=i), 25.0, 50.0)
        for i in range(2)
    ]
    ingest_file(make_sensor(room), batch(hot), user=None, reason="测试")
    client.force_login(manager)
    page = client.get(reverse("environment:notification_list")).content.decode()
    assert "善本书库" in page
    assert manager.environment_notifications.get().read_at is not None


def test_acknowledge_needs_a_comment():
    room = make_room()
    sensor = make_sensor(room)
    when = datetime(2025, 3, 1, tzinfo=UTC)
    e = Excursion.objects.create(
        room=room, sensor=sensor, parameter="rh", start=when, end=when, peak=70, limit=60
    )
    with pytest.raises(ValueError):
        acknowledge(e, by=None, comment="  ")


def test_the_menu_offers_notifications_while_some_are_unread(client):
    room = make_room()
    manager = make_user(Role.MANAGER, room.institution)
    client.force_login(manager)
    url = reverse("environment:notification_list")
    assert f'href="{url}"' not in client.get(reverse("home")).content.decode()
    hot = [BatchReading(datetime(2025, 3, 1, tzinfo=UTC), 25.0, 50.0)]
    ingest_file(make_sensor(room), batch(hot), user=None, reason="测试")
    assert f'href="{url}"' in client.get(reverse("home")).content.decode()


def test_a_manager_adds_a_room_to_their_institution_and_a_sensor_to_it(client):
    from environment.models import Room, Sensor

    mine, theirs = make_institution(), make_institution()
    manager = make_user(Role.MANAGER, mine)
    client.force_login(manager)
    url = reverse("environment:room_create")
    data = {"code": "TX-SB9", "name": "新善本库", "type": "shanben"}
    assert client.post(url, {**data, "institution": theirs.pk}).status_code == 400
    response = client.post(url, {**data, "institution": mine.pk})
    room = Room.objects.get(code="TX-SB9")
    assert response["Location"] == room.get_absolute_url() and room.institution == mine
    assert room.history.first().history_user == manager
    client.post(
        reverse("environment:sensor_create", args=[room.pk]),
        {"code": "tx-sb9-t1", "vendor": "Onset", "measures": ["temperature_c", "rh"]},
    )
    assert Sensor.objects.get(code="tx-sb9-t1").room == room


def test_a_second_acknowledgement_does_not_overwrite_the_first(client, room_with_climate):
    room = room_with_climate
    first, second = make_user(Role.MANAGER, room.institution), make_user(Role.CENTRE_ADMIN)
    excursion = Excursion.objects.get(room=room)
    url = reverse("environment:excursion_acknowledge", args=[excursion.pk])
    client.force_login(first)
    client.post(url, {"comment": "空调故障，已修复"})
    client.force_login(second)
    response = client.post(url, {"comment": "已查看"}, follow=True)
    excursion.refresh_from_db()
    assert (excursion.acknowledged_by, excursion.comment) == (first, "空调故障，已修复")
    assert "空调故障，已修复" in response.content.decode()
