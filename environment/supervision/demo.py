"""Two demo inspections: an older one with a closed and an overdue action, a recent one with an
action still within its time."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone, translation

from environment.supervision import services
from environment.supervision.models import Inspection
from guji.models import Institution, User
from guji.protection.checklist import Requirement, Result


def load_demo_part() -> dict:
    with translation.override("zh-hans"):  # reasons the services word themselves, in Chinese
        return _load()


@transaction.atomic
def _load() -> dict:
    created = {"inspections": 0, "corrective actions": 0}
    try:
        reviewer = User.objects.get(username="reviewer")
        museum = Institution.objects.get(code="2303")
        university = Institution.objects.get(code="2302")
    except (User.DoesNotExist, Institution.DoesNotExist):
        return created
    if Inspection.objects.exists():
        return created
    today = timezone.localdate()
    first = services.record_inspection(
        museum,
        date=today - timedelta(days=120),
        inspectors="周文瀚、陈立平",
        summary="书库温湿度记录不全，消防设施完好。",
        findings={
            Requirement.CLIMATE: (Result.PARTLY, "夏季相对湿度多日高于60%"),
            Requirement.FIRE: (Result.MEETS, ""),
            Requirement.SHELVING: (Result.FAILS, "部分善本未装函套，直接平放于木架"),
        },
        by=reviewer,
    )
    done = services.add_action(
        first,
        requirement=Requirement.SHELVING,
        description="为善本配置无酸函套",
        owner="王岚",
        due_date=today - timedelta(days=60),
        by=reviewer,
    )
    services.close_action(done, note="已为42部善本配置无酸函套，现场复查合格", by=reviewer)
    services.add_action(
        first,
        requirement=Requirement.CLIMATE,
        description="在一号书库加装除湿机并每日记录温湿度",
        owner="王岚",
        due_date=today - timedelta(days=14),
        by=reviewer,
    )
    second = services.record_inspection(
        university,
        date=today - timedelta(days=10),
        inspectors="周文瀚",
        summary="门禁与监控运行正常；书库照明偏强。",
        findings={
            Requirement.SECURITY: (Result.MEETS, ""),
            Requirement.LIGHT: (Result.PARTLY, "实测照度约120 lx"),
        },
        by=reviewer,
    )
    services.add_action(
        second,
        requirement=Requirement.LIGHT,
        description="更换书库灯具，照度降至50 lx以下",
        owner="郑晓雯",
        due_date=today + timedelta(days=30),
        by=reviewer,
    )
    created["inspections"] = 2
    created["corrective actions"] = 3
    return created
