"""Precious-books lists and applications, key-unit self-assessments, statistics."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from guji import registry
from guji.models import Institution
from guji.protection import services
from guji.protection.checklist import Result
from guji.protection.models import ListingApplication
from tests.factories import make_holding, make_institution, make_user
from tests.guji.conftest import Role
from tests.protection.factories import all_answers, image_upload, make_list

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    inst = make_institution()
    return {
        "inst": inst,
        "cataloguer": make_user(Role.CATALOGUER, inst),
        "manager": make_user(Role.MANAGER, inst),
        "reviewer": make_user(Role.REVIEWER),
    }


def graded(inst, grade="2C"):
    holding = make_holding(inst)
    holding.grade = grade
    holding.save()
    return holding


def test_an_application_goes_through_the_centre_to_a_list_entry(people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    holding = graded(people["inst"])
    app = services.create_application(
        holding,
        level="municipal",
        description="白口，四周双边",
        justification="明前期刻本",
        by=people["cataloguer"],
    )
    services.add_application_photo(
        app, image=image_upload(), caption="卷端", by=people["cataloguer"]
    )
    with pytest.raises(PermissionDenied):
        services.move_application(app, "forward", by=people["cataloguer"])
    services.move_application(app, "submit", by=people["cataloguer"])
    with pytest.raises(ValidationError):
        services.move_application(app, "return", by=people["reviewer"], comment="")
    services.move_application(app, "forward", by=people["reviewer"], comment="推荐")
    batch = make_list()
    app = services.record_outcome(
        app, listed=True, precious_list=batch, number=12, by=people["reviewer"], reason="公布"
    )
    assert app.status == ListingApplication.Status.LISTED
    assert (app.listing.formatted_number, app.listing.holding) == ("00012", holding)
    statuses = [v.status for v in app.history.order_by("history_date")]
    assert statuses == ["draft", "submitted", "forwarded", "listed"]


def test_an_ungraded_holding_cannot_be_submitted(people):
    app = services.create_application(
        make_holding(people["inst"]),
        level="municipal",
        description="d",
        justification="j",
        by=people["cataloguer"],
    )
    with pytest.raises(ValidationError):
        services.move_application(app, "submit", by=people["cataloguer"])


def test_a_list_warns_on_a_level_3_holding_but_keeps_it(people):
    _listing, warnings = services.add_listing(
        make_list(), holding=graded(people["inst"], "3A"), number=1, by=None, reason="公布"
    )
    assert len(warnings) == 1


def test_the_dossier_is_a_pdf_with_the_holding(client, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    holding = graded(people["inst"], "1C")
    app = services.create_application(
        holding, level="provincial", description="d", justification="j", by=None
    )
    services.add_application_photo(app, image=image_upload(), caption="卷端", by=None)
    client.force_login(people["reviewer"])
    response = client.get(reverse("protection:application_pdf", args=[app.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_self_assessment_is_complete_before_it_is_submitted(people):
    inst = people["inst"]
    graded(inst, "1A")
    partial = all_answers()
    partial["fire"] = {"result": "", "note": ""}
    assessment = services.save_assessment(
        inst, level="municipal", answers=partial, staff_count=2, by=people["manager"]
    )
    with pytest.raises(ValidationError):
        services.submit_assessment(assessment, by=people["manager"])
    assessment = services.save_assessment(
        inst,
        level="municipal",
        answers=all_answers(Result.PARTLY),
        staff_count=2,
        assessment=assessment,
        by=people["manager"],
    )
    with pytest.raises(PermissionDenied):
        services.submit_assessment(assessment, by=people["cataloguer"])
    assessment = services.submit_assessment(assessment, by=people["manager"])
    assert assessment.collection_summary["by_grade"] == {"1A": 1}
    assert assessment.compliance_summary == {"rooms": None}  # no environment app yet
    inst.refresh_from_db()
    assert inst.key_protection == Institution.KeyProtection.APPLYING
    with pytest.raises(ValidationError):
        services.review_assessment(assessment, accept=False, comment="", by=people["reviewer"])
    assessment = services.review_assessment(
        assessment, accept=True, comment="材料齐全", by=people["reviewer"]
    )
    assert [v.status for v in assessment.history.order_by("history_date")] == [
        "draft",
        "draft",
        "submitted",
        "accepted",
    ]


def test_measured_compliance_appears_when_the_environment_offers_it(people, monkeypatch):
    rows = [{"room": "一号书库", "compliance": 93.5, "twpi": 48.0}]
    monkeypatch.setitem(registry._providers, "room_compliance", lambda inst: rows)
    assert services.measured_compliance(people["inst"]) == rows
    monkeypatch.delitem(registry._providers, "room_compliance")
    assert services.measured_compliance(people["inst"]) is None


def test_statistics_count_by_grade_and_export_xlsx(client, people):
    inst = people["inst"]
    graded(inst, "2C")
    graded(inst, "2C")
    make_holding(inst)
    other = make_institution()
    graded(other, "1A")
    client.force_login(people["cataloguer"])
    page = client.get(reverse("protection:statistics"))
    rows = page.context["table"].rows
    assert [(i, g) for i, g, _t in rows] == [(inst, {"2C": 2, "": 1})]
    response = client.get(reverse("protection:statistics_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    values = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert values["二级丙等"] == 2 and values["合计"] == 3
    assert sheet.max_row == 2  # the other institution is not the cataloguer's to see
    client.force_login(people["reviewer"])
    response = client.get(reverse("protection:statistics"))
    assert {i for i, _g, _t in response.context["table"].rows} >= {inst, other}


def test_statistics_show_damage_levels_from_conservation_when_offered(client, people, monkeypatch):
    monkeypatch.setitem(
        registry._providers, "damage_levels", lambda holdings: [("一级破损", holdings.count())]
    )
    make_holding(people["inst"])
    client.force_login(people["cataloguer"])
    response = client.get(reverse("protection:statistics"))
    assert response.context["damage"] == [("一级破损", 1)]
