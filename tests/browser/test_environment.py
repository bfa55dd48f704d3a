"""Storage supervision in a real browser: a manager uploads a logger file, sees the chart and the
excursion, acknowledges it; a cataloguer opens a holding and sees its room's climate.

Huey runs in immediate mode: the upload's task runs as it is enqueued, so the job page shows
the finished result.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from environment.ingest import BatchReading, ingest_file
from environment.models import Excursion
from environment.placements import assign
from guji.models import RoleAssignment
from tests.browser.conftest import CHROMIUM
from tests.environment.factories import batch, make_room, make_sensor
from tests.factories import make_holding, make_institution, make_user

if not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing: browser tests need it", allow_module_level=True)

Role = RoleAssignment.Role
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = "time,temperature_c,rh\n" + "".join(
    f"2025-03-01T{h:02d}:{m:02d}:00+08:00,{24.5 if 10 <= h < 12 else 19.0},{50 + (m % 3)}\n"
    for h in range(24)
    for m in range(0, 60, 10)
)


@pytest.fixture(autouse=True)
def huey_immediate(settings, tmp_path):
    from huey.contrib.djhuey import HUEY

    settings.MEDIA_ROOT = tmp_path / "media"
    HUEY.immediate = True
    yield HUEY
    HUEY.immediate = False


def test_manager_uploads_a_logger_file_sees_chart_and_excursion_and_acknowledges(
    page_as, t, tmp_path, shots
):
    library = make_institution(name="桐溪市图书馆")
    room = make_room(library, name="善本书库")
    sensor = make_sensor(room, code="txl-sb1-t1")
    page = page_as(make_user(Role.MANAGER, library))
    path = tmp_path / "hobo-export.csv"
    path.write_text(CSV)

    page.goto(reverse("environment:sensor_upload", args=[sensor.pk]))
    page.get_by_label(t("Logger export file")).set_input_files(path)
    page.get_by_role("button", name=t("Upload"), exact=True).click()
    expect(page.locator("#upload-status")).to_have_text(t("Done"))
    expect(page.locator("#upload-excursions")).to_have_text("1")

    page.get_by_role("link", name=t("See the room's chart")).click()
    expect(page.locator("#room-chart canvas")).to_have_count(1)
    expect(page.locator("#room-fluctuation canvas")).to_have_count(1)
    expect(page.locator("tr.excursion.open")).to_have_count(1)
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=shots / f"environment-room-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    page.get_by_role("link", name=t("Excursions"), exact=True).first.click()
    page.get_by_label(t("Comment")).fill("空调停机两小时，已恢复")
    page.get_by_role("button", name=t("Acknowledge")).click()
    expect(page.locator(".comment")).to_have_text("空调停机两小时，已恢复")
    excursion = Excursion.objects.get(room=room)
    assert excursion.acknowledged_at is not None


def test_cataloguer_opens_a_holding_and_sees_its_rooms_climate(page_as, t, shots):
    library = make_institution(name="桐溪市图书馆")
    room = make_room(library, name="善本书库")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    readings = [
        BatchReading(now - timedelta(hours=48 - i), 19.0 + (i % 3) * 0.2, 52.0) for i in range(48)
    ]
    ingest_file(make_sensor(room), batch(readings), user=None, reason="测试")
    holding = make_holding(library, grade="1A", title_juan="宋本周易十卷")
    assign([holding], room, by=None, reason="入库")
    page = page_as(make_user(Role.CATALOGUER, library))

    page.goto(holding.get_absolute_url())
    panel = page.locator("#climate-panel")
    expect(panel).to_contain_text("善本书库")
    expect(panel.locator(".twpi .badge")).to_have_count(1)
    page.set_viewport_size({"width": 768, "height": 900})
    panel.screenshot(path=shots / "environment-holding-panel-768.png")
    panel.get_by_role("link", name="善本书库").click()
    expect(page.locator("#room-holdings")).to_contain_text("宋本周易十卷")
