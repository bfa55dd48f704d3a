"""The repair archive PDF: each section in the text layer, only embedded CJK fonts."""

import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from conservation.archive import build_archive
from conservation.images import add_images
from conservation.models import ArchiveJob, QualityGrade
from conservation.services import accept_repair, finish_work, update_plan
from tests.conservation.factories import assess, batch, centre_admin, conservator, plan_for
from tests.conservation.images import leaf_photo
from tests.conservation.test_repair import log
from tests.factories import make_holding

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def finished_plan():
    admin, wang, li = centre_admin(), conservator(display_name="王修复"), conservator()
    holding = make_holding(title_juan="重修政和經史證類備用本草三十卷", volumes=6)
    assess(holding, wang, code="chongzhu", area_pct=25)
    plan = plan_for(
        holding, by=wang, conservators=[wang], approve_by=admin, goals="补破虫蛀书叶，溜口"
    )
    plan = update_plan(
        plan, data={"estimated_hours": Decimal(24)}, operations=plan.operations.all(),
        conservators=[wang], by=wang, version=plan.version, reason="拆书后发现粘连",
    )  # fmt: skip
    paper = batch("ZZ-桐溪-07", maker="富阳竹纸作坊")
    log(plan, wang, hours=3, leaves=12, materials=[paper], findings="第二册书脑霉斑")
    log(plan, wang, hours=2.5, leaves=8, materials=[paper], day=3)
    add_images(plan, uploads=[leaf_photo("1-1.jpg"), leaf_photo("1-2.jpg", seed=2)],
               kind="before", by=wang)  # fmt: skip
    add_images(plan, uploads=[leaf_photo("1-1.jpg", damaged=False),
                              leaf_photo("1-2.jpg", damaged=False, size=(801, 600))],
               kind="after", by=wang)  # fmt: skip
    finish_work(plan, by=wang)
    accept_repair(
        plan, result=QualityGrade.objects.get(code="liang"), criteria=["flat"],
        remarks="补纸颜色略深", by=li,
    )  # fmt: skip
    return plan


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout


def pdf_fonts(path: Path) -> list[list[str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def test_the_archive_holds_every_section_in_its_text_layer(finished_plan, tmp_path):
    out = tmp_path / "archive.pdf"

    result = build_archive(finished_plan, out)

    assert result.pairs == 2
    assert result.missing_glyphs == []
    text = pdf_text(out).replace(" ", "")
    for expected in (
        "修复档案",
        "重修政和經史證類備用本草三十卷",
        "修复前",
        "虫蛀",
        "修复方案",
        "拆书后发现粘连",  # the revision's reason
        "ZZ-桐溪-07",
        "富阳竹纸作坊",
        "第二册书脑霉斑",
        "修复后",
        "验收",
        "补纸颜色略深",
        "签字",
    ):
        assert expected in text, expected


def test_the_archive_embeds_only_cjk_fonts(finished_plan, tmp_path):
    out = tmp_path / "archive.pdf"
    build_archive(finished_plan, out)

    fonts = pdf_fonts(out)
    assert fonts
    for row in fonts:
        name = row[0].split("+", 1)[-1].replace("-", "")
        assert name.startswith(("NotoSerifCJK", "NotoSansCJK")), row
        assert "yes" in row[-5], row  # emb column


def test_the_command_writes_the_archive(finished_plan, tmp_path):
    out = tmp_path / "a.pdf"
    call_command("repair_archive", str(finished_plan.pk), "-o", str(out))
    assert out.read_bytes().startswith(b"%PDF")


def test_the_archive_is_made_in_the_background_and_downloaded_by_its_owner(
    client, finished_plan, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    owner = finished_plan.conservators.first()
    client.force_login(owner)
    HUEY.immediate = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            r = client.post(reverse("conservation:archive", args=[finished_plan.pk]))
    finally:
        HUEY.immediate = False
    assert r.status_code == 302
    job = ArchiveJob.objects.get()
    assert job.state == "done", job.message
    status = client.get(reverse("conservation:archive_status", args=[job.pk])).json()
    assert status["percent"] == 100
    r = client.get(reverse("conservation:archive_download", args=[job.pk]))
    assert r.status_code == 200
    assert b"".join(r.streaming_content).startswith(b"%PDF")

    client.force_login(centre_admin())
    assert client.get(reverse("conservation:archive_download", args=[job.pk])).status_code == 404
