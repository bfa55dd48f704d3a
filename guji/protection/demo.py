"""The demo city's graded protection: proposals (some confirmed), a municipal list batch and a
key-unit self-assessment — built through the services, so history shows who did what."""

from django.db import transaction
from django.utils import translation

from guji.models import Holding, Institution, User
from guji.protection import services
from guji.protection.checklist import Requirement, Result
from guji.protection.models import Criterion, GradeProposal, KeyUnitAssessment, PreciousList

REASON = "演示数据载入"
LIST_NAME = "桐溪市珍贵古籍名录"


def load_demo_part() -> dict:
    with translation.override("zh-hans"):  # reasons the services word themselves, in Chinese
        return _load()


@transaction.atomic
def _load() -> dict:
    created = {"grade proposals": 0, "confirmed grades": 0, "list entries": 0, "key units": 0}
    try:
        reviewer = User.objects.get(username="reviewer")
        admin = User.objects.get(username="admin")
        cataloguer = User.objects.get(username="cataloguer")
        manager = User.objects.get(username="manager")
        library = Institution.objects.get(code="2301")
    except (User.DoesNotExist, Institution.DoesNotExist):
        return created  # the core demo is not loaded
    if not GradeProposal.objects.filter(holding__institution=library).exists():
        candidates = [
            row
            for row in services.bulk_candidates(library)
            if row.hint.grade and row.holding.status != Holding.Status.SUBMITTED
        ][:8]
        for i, row in enumerate(candidates):
            proposal = services.propose_grade(
                row.holding,
                grade=row.hint.grade,
                criteria=[Criterion.DATE],
                historical_value=row.hint.text,
                by=cataloguer,
                reason="演示数据：按版本时代提出定级建议",
            )
            created["grade proposals"] += 1
            if i % 2 == 0:
                services.decide_grade(proposal, grade=proposal.grade, by=reviewer)
                created["confirmed grades"] += 1
    if not PreciousList.objects.filter(name=LIST_NAME).exists():
        batch = services.create_list(
            level="municipal",
            name=LIST_NAME,
            batch=1,
            year=2025,
            issued_by="桐溪市人民政府",
            by=admin,
            reason=REASON,
        )
        rare = Holding.objects.filter(grade__in=["1A", "1B", "1C", "2A", "2B", "2C"]).order_by(
            "grade", "institution_id", "id"
        )[:6]
        for number, holding in enumerate(rare, start=1):
            services.add_listing(batch, holding=holding, number=number, by=admin, reason=REASON)
            created["list entries"] += 1
    if not KeyUnitAssessment.objects.filter(institution=library).exists():
        answers = {r.value: {"result": Result.MEETS, "note": ""} for r in Requirement}
        answers[Requirement.LIGHT] = {"result": Result.PARTLY, "note": "二号书库窗户尚无防紫外线膜"}
        assessment = services.save_assessment(
            library, level="provincial", answers=answers, staff_count=6, by=manager
        )
        services.submit_assessment(assessment, by=manager)
        created["key units"] += 1
    return created
