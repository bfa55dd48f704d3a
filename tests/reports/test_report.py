"""The demo city's period report: every table's totals against direct queries of the register,
the workbook's totals against the same, and the frozen report's rules."""

from decimal import Decimal
from io import BytesIO, StringIO

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum

from census.models import Campaign, Participation
from conservation.models import HoldingDamage, RepairLog
from conservation.queue import queue
from environment.models import DailyRollup, Excursion, Room
from environment.supervision.models import CorrectiveAction, Finding, Inspection
from guji.models import Holding, Institution, RoleAssignment
from guji.protection.models import Listing
from guji.reports import services
from guji.reports.models import FrozenReport, Report
from guji.reports.periods import Period
from guji.reports.tables import Table
from tests.factories import make_user

Role = RoleAssignment.Role
PERIOD = Period(2026)
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo city and its 2026 report, compiled once for the module (rolled back after)."""
    from django.conf import settings

    media = tmp_path_factory.mktemp("media")
    old_media = settings.MEDIA_ROOT
    settings.MEDIA_ROOT = media
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=StringIO())
        admin = make_user(Role.CENTRE_ADMIN)
        report = Report(year=PERIOD.year)
        report.save()
        report = services.compile_report(report, by=admin)
        tables = {t["key"]: Table.from_dict(t) for s in report.tables for t in s["tables"]}
        yield {"report": report, "tables": tables, "admin": admin}
        transaction.set_rollback(True)
    settings.MEDIA_ROOT = old_media


def col(table: Table, label_part: str) -> int:
    return next(i for i, c in enumerate(table.columns) if label_part in c.label)


def test_every_module_contributes_a_filled_section(city):
    sections = [s["section"] for s in city["report"].tables]
    assert len(sections) == 6
    for key in (
        "holdings_by_institution",
        "holdings_by_dynasty",
        "holdings_by_grade",
        "holdings_by_sibu",
        "holdings_by_edition_type",
        "precious_list_entries",
        "key_protection_units",
        "damage_levels",
        "repair_queue",
        "repair_output",
        "repair_materials",
        "storage_by_institution",
        "storage_by_room",
        "supervision",
    ):
        assert city["tables"][key].rows, key
    assert any(k.startswith("census_campaign_") for k in city["tables"])


def test_holdings_tables_total_the_registered_holdings(city):
    registered = Holding.objects.filter(status=Holding.Status.REGISTERED)
    n, ce = registered.count(), registered.aggregate(s=Sum("volumes"))["s"]
    assert n > 0
    for key in ("institution", "dynasty", "edition_type", "sibu", "grade"):
        table = city["tables"][f"holdings_by_{key}"]
        assert table.totals[1:] == [n, ce], key
        assert sum(r[1] for r in table.rows) == n
    grade = city["tables"]["holdings_by_grade"]
    for row, filters in zip(grade.rows, grade.row_filters, strict=True):
        if filters:
            assert row[1] == registered.filter(grade=filters["grade"]).count()


def test_census_progress_against_estimates(city):
    for campaign in Campaign.objects.all():
        table = city["tables"][f"census_campaign_{campaign.pk}"]
        estimate = Participation.objects.filter(campaign=campaign).aggregate(
            s=Sum("estimated_holdings")
        )["s"]
        assert table.totals[1] == estimate
        registered = Holding.objects.filter(
            census_entry__campaign=campaign, status=Holding.Status.REGISTERED
        ).count()
        assert table.totals[2] == registered
        assert len(table.rows) == Participation.objects.filter(campaign=campaign).count()


def test_protection_tables(city):
    assert city["tables"]["precious_list_entries"].totals[4] == Listing.objects.count()
    key_units = Institution.objects.exclude(key_protection="").count()
    assert city["tables"]["key_protection_units"].totals[1] == key_units


def test_damage_and_queue(city):
    assert city["tables"]["damage_levels"].totals[1] == HoldingDamage.objects.count()
    assert city["tables"]["repair_queue"].totals[1] == queue().count()


def test_repair_output_and_materials(city):
    logs = RepairLog.objects.filter(worked_on__year=2026)
    sums = logs.aggregate(ce=Sum("volume_count"), ye=Sum("leaf_count"), h=Sum("hours"))
    table = city["tables"]["repair_output"]
    assert table.totals[1] == logs.values("plan__holding").distinct().count()
    assert table.totals[2:5] == [sums["ce"], sums["ye"], float(sums["h"] or Decimal(0))]
    uses = RepairLog.materials.through.objects.filter(repairlog__in=logs).count()
    assert city["tables"]["repair_materials"].totals[4] == uses


def test_storage_compliance_and_twpi(city):
    rollups = DailyRollup.objects.filter(day__year=2026)
    a = rollups.aggregate(
        s=Sum("seconds"), m=Sum("seconds_measured"), r=Sum("seconds_in_range"), p=Sum("pi_rate")
    )
    by_inst = city["tables"]["storage_by_institution"]
    by_room = city["tables"]["storage_by_room"]
    assert by_inst.totals[1] == Room.objects.count() == len(by_room.rows)
    assert by_inst.totals[3] == round(100 * a["r"] / a["m"], 1)
    assert by_inst.totals[4] == round(a["s"] / a["p"], 1) == by_room.totals[4]
    assert by_room.totals[2] == rollups.values("sensor__room", "day").distinct().count()
    excursions = Excursion.objects.filter(start__year__lte=2026, end__year__gte=2026).count()
    assert by_inst.totals[5] == excursions == by_room.totals[6]


def test_supervision_findings_and_actions(city):
    inspections = Inspection.objects.filter(date__year=2026)
    table = city["tables"]["supervision"]
    assert table.totals[1] == inspections.count()
    findings = Finding.objects.filter(inspection__in=inspections)
    assert sum(table.totals[2:5]) == findings.count()
    actions = CorrectiveAction.objects.filter(inspection__in=inspections)
    assert table.totals[5] == actions.count()
    assert table.totals[6] == actions.filter(closed_at__isnull=False).count()


def test_the_workbook_has_a_sheet_per_table_with_the_databases_totals(city):
    report = city["report"]
    with report.xlsx.open("rb") as f:
        book = openpyxl.load_workbook(BytesIO(f.read()), read_only=True)
    tables = list(city["tables"].values())
    assert len(book.worksheets) == len(tables)
    for sheet, table in zip(book.worksheets, tables, strict=True):
        rows = [list(r) for r in sheet.iter_rows(values_only=True)]
        assert rows[0][0] == table.title
        totals = next(r for r in rows[2:] if r[0] == table.totals[0])
        assert [v if v is not None else "" for v in totals] == [
            v if v is not None else "" for v in table.totals
        ], table.key
    sheet = book.worksheets[list(city["tables"]).index("holdings_by_institution")]
    totals = [r for r in sheet.iter_rows(values_only=True)][-3]
    assert totals[1] == Holding.objects.filter(status=Holding.Status.REGISTERED).count()


def test_the_pdf_is_a_pdf_with_every_glyph(city):
    report = city["report"]
    with report.pdf.open("rb") as f:
        data = f.read()
    assert data.startswith(b"%PDF-")
    assert report.missing_glyphs == []
    import hashlib

    assert hashlib.sha256(data).hexdigest() == report.pdf_sha256


def test_a_submitted_report_is_frozen(city):
    report = Report.objects.get(pk=city["report"].pk)
    admin = city["admin"]
    with pytest.raises(ValidationError):
        services.submit(report, by=admin, reason="  ")
    submitted = services.submit(report, by=admin, reason="2026 年度报告")
    assert submitted.submitted_by == admin and submitted.submitted_at
    assert submitted.history.first().history_change_reason == "2026 年度报告"
    submitted.xlsx_sha256 = "0" * 64
    with pytest.raises(FrozenReport):
        submitted.save()
    with pytest.raises(FrozenReport):
        submitted.delete()
    with pytest.raises(FrozenReport):
        services.compile_report(submitted, by=admin)
    with pytest.raises(ValidationError):
        services.submit(submitted, by=admin, reason="again")
    with pytest.raises(ValidationError):
        services.start_draft(PERIOD, by=admin)
    fresh = Report.objects.get(pk=report.pk)
    assert fresh.pdf_sha256 == report.pdf_sha256 and fresh.status == "submitted"


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.CONSERVATOR, Role.PROVINCIAL])
def test_only_the_centre_administrator_compiles_and_submits(city, role):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        services.start_draft(Period(2025), by=user)
    with pytest.raises(PermissionDenied):
        services.submit(city["report"], by=user, reason="x")


def test_periods():
    assert (Period(2026, 2).start.isoformat(), Period(2026, 2).end.isoformat()) == (
        "2026-04-01",
        "2026-07-01",
    )
    assert Period(2026, 4).end.isoformat() == "2027-01-01"
    with pytest.raises(ValueError):
        Period(2026, 5)
