import pytest

from environment import demo
from environment.models import DailyRollup, Excursion, Placement, Reading, Room, Sensor
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db


def test_the_demo_rooms_have_a_period_of_readings_excursions_and_books(monkeypatch):
    monkeypatch.setattr(demo, "DAYS", 20)
    admin = make_user(is_superuser=True)
    city = make_institution(code="2301", name="桐溪市图书馆")
    county = make_institution(code="2306", name="嘉源县图书馆")
    rare = make_holding(city, grade="1A")
    plain = make_holding(city, grade="4")
    county_book = make_holding(county)

    created = demo.load_demo_part()

    assert created["rooms"] == Room.objects.count() == 5
    assert Sensor.objects.count() == 5
    assert Reading.objects.count() == created["readings"] == 5 * 20 * demo.PER_DAY
    assert DailyRollup.objects.count() in (5 * 20, 5 * 21)
    assert Room.objects.get(code="TXL-SB1").history.first().history_user == admin
    placements = dict(Placement.objects.values_list("holding", "room__code"))
    assert placements == {
        rare.pk: "TXL-SB1",
        plain.pk: "TXL-PB1",
        county_book.pk: "JYL-GJ1",
    }
    assert created["excursions"] == Excursion.objects.count()
    again = demo.load_demo_part()
    assert not any(again.values())


def test_the_damp_profile_leaves_the_band_in_the_plum_rain_season():
    from datetime import UTC, datetime

    readings = demo.generate("damp", datetime(2025, 6, 20, tzinfo=UTC), demo.PER_DAY, seed=1)
    assert max(r.rh for r in readings) > 60
    for month in range(1, 13):
        start = datetime(2025, month, 1, tzinfo=UTC)
        steady = demo.generate("steady", start, demo.PER_DAY, seed=1)
        assert all(45 <= r.rh <= 60 and 16 <= r.temperature_c <= 22 for r in steady)
        reading_room = demo.generate("seasonal", start, demo.PER_DAY, seed=1)
        assert all(45 <= r.rh <= 65 and 18 <= r.temperature_c <= 28 for r in reading_room)
