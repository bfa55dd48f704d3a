"""Rows of graded protection and supervision for tests, built through the services."""

import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from environment.supervision import services as supervision
from guji.protection import services
from guji.protection.checklist import Requirement, Result


def image_upload(name: str = "leaf.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (180, 150, 100)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def make_proposal(holding, grade="2C"):
    return services.propose_grade(
        holding,
        grade=grade,
        criteria=["date"],
        historical_value="明代刻本",
        by=None,
        reason="测试",
    )


def make_list(_target=None, name="桐溪市珍贵古籍名录", batch=1):
    return services.create_list(
        level="municipal",
        name=name,
        batch=batch,
        year=2025,
        issued_by="桐溪市人民政府",
        by=None,
        reason="测试",
    )


def make_application(holding):
    return services.create_application(
        holding, level="municipal", description="刻印精良", justification="明前期刻本", by=None
    )


def make_application_photo(holding):
    app = make_application(holding)
    return services.add_application_photo(app, image=image_upload(), caption="卷端", by=None)


def all_answers(result=Result.MEETS):
    return {r.value: {"result": result, "note": ""} for r in Requirement}


def make_assessment(institution):
    return services.save_assessment(
        institution, level="municipal", answers=all_answers(), staff_count=3, by=None
    )


def make_evidence(institution):
    from django.core.files.base import ContentFile

    return services.add_evidence(
        make_assessment(institution),
        requirement="fire",
        file=ContentFile(b"%PDF-1.4 test", name="fire.pdf"),
        description="消防验收",
        by=None,
    )


def make_inspection(institution, *, days_ago=30):
    return supervision.record_inspection(
        institution,
        date=date.today() - timedelta(days=days_ago),
        inspectors="周文瀚",
        findings={"climate": ("partly", "湿度偏高")},
        by=None,
    )


def make_action(institution, *, due_in=-5):
    return supervision.add_action(
        make_inspection(institution),
        requirement="climate",
        description="加装除湿机",
        owner="王岚",
        due_date=date.today() + timedelta(days=due_in),
        by=None,
    )


def make_inspection_photo(institution):
    return supervision.add_photo(
        make_inspection(institution), image=image_upload(), caption="书库", by=None
    )
