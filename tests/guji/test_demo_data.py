import re
from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from census.models import Campaign, CensusCounter, CensusEntry, ReviewRound
from census.review import queue_entries
from guji import demo, editions
from guji.cataloguing import parse_statements
from guji.models import Holding, Institution, Responsibility, RoleAssignment, User
from guji.permissions import can

pytestmark = pytest.mark.django_db

CENSUS_NUMBER = re.compile(r"^(\d{6})-(\d{4})-(\d{7})$")


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Load once for the module (about 7 s), rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_loading_creates_six_institutions_400_holdings_and_a_user_per_role(loaded):
    assert Institution.objects.count() == 6
    assert set(Institution.objects.values_list("type", flat=True)) == set(Institution.Type) - {
        Institution.Type.OTHER
    }
    assert Holding.objects.count() == 400
    assert set(RoleAssignment.objects.values_list("role", flat=True)) == set(RoleAssignment.Role)
    assert User.objects.get(username="admin").is_superuser
    assert all(u.display_name for u in User.objects.all())
    assert "Loaded demo data: 6 institutions, 11 users, 400 holdings." in loaded
    assert "census: 1 census campaign, " in loaded


def test_every_write_has_history_with_a_user_and_a_reason(loaded):
    models = (Institution, User, RoleAssignment, Holding, Responsibility, Campaign, CensusEntry)
    for model in (*models, ReviewRound):
        versions = model.history.all()
        assert versions.exists()
        assert not versions.filter(history_user__isnull=True).exists(), model
        assert not versions.filter(history_change_reason="").exists(), model
    assert Holding.history.filter(history_type="+").count() == 400


def test_a_holding_is_catalogued_submitted_accepted_and_graded_by_the_people_who_would(loaded):
    holding = Holding.objects.get(institution__code="2301", extant__startswith="存六十六卷")

    steps = [
        (v.history_user.username, v.status, v.grade, v.history_change_reason)
        for v in reversed(holding.history.all())
    ]

    assert steps == [
        ("cataloguer", "draft", "", "演示数据载入"),
        ("cataloguer", "submitted", "", "演示数据载入：提交普查审核"),
        ("reviewer", "registered", "", "演示数据载入：与原书核对无误"),
        ("admin", "registered", "1B", "演示数据载入：定级"),
    ]


def test_the_census_holds_every_entry_that_left_draft_in_the_demo_campaign(loaded):
    campaign = Campaign.objects.get()
    assert campaign.participations.count() == 6
    statuses = Holding.Status
    left_draft = Holding.objects.exclude(status=statuses.DRAFT)
    assert CensusEntry.objects.filter(campaign=campaign).count() == left_draft.count()
    decisions = {
        statuses.REGISTERED: ReviewRound.Decision.ACCEPTED,
        statuses.RETURNED: ReviewRound.Decision.RETURNED,
        statuses.SUBMITTED: ReviewRound.Decision.PENDING,
    }
    for holding in left_draft.select_related("census_entry"):
        round_ = holding.census_entry.rounds.get()
        assert round_.decision == decisions[holding.status]
        if holding.status == statuses.RETURNED:
            assert round_.comment and round_.field_comments.exists()
    waiting = Holding.objects.filter(status=statuses.SUBMITTED).count()
    assert 0 < waiting == queue_entries(User.objects.get(username="reviewer")).count()


def test_loading_twice_adds_nothing_and_says_so(loaded):
    models = (Institution, User, Campaign, Holding, Responsibility, CensusEntry, ReviewRound)
    counts = [m.objects.count() for m in models]
    history = Holding.history.count()

    out = StringIO()
    call_command("load_demo", stdout=out)

    assert [m.objects.count() for m in models] == counts
    assert Holding.history.count() == history
    assert "already loaded: 6 institutions, 11 users, 400 holdings" in out.getvalue()
    assert "cataloguer2" in out.getvalue() and "guji-demo" in out.getvalue()


def test_census_numbers_are_valid_unique_and_gapless_per_institution(loaded):
    serials = defaultdict(list)
    for holding in Holding.objects.select_related("institution"):
        if holding.status != Holding.Status.REGISTERED:
            assert holding.census_number == ""
            continue
        region, code, serial = CENSUS_NUMBER.match(holding.census_number).groups()
        assert (region, code) == (holding.institution.region_code, holding.institution.code)
        assert holding.census_number in holding.search_key
        serials[code].append(int(serial))
    for code, numbers in serials.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), code
        assert CensusCounter.objects.get(institution__code=code).last_serial == len(numbers)


def test_derived_fields_are_filled_as_create_holding_fills_them(loaded):
    for holding in Holding.objects.all():
        assert holding.edition_dynasty or holding.edition_year, holding.edition_statement
        assert holding.edition_type, holding.edition_statement
        assert not holding.edition_warnings, holding.edition_statement
        assert holding.title and holding.search_key


def test_a_cataloguer_cannot_open_another_institutions_holding(loaded):
    municipal = Holding.objects.filter(institution__code="2301").first()
    assert can(User.objects.get(username="cataloguer"), "catalogue", municipal)
    assert not can(User.objects.get(username="cataloguer2"), "view", municipal)
    assert can(User.objects.get(username="provincial"), "view", municipal)


def test_generation_is_the_same_on_every_run():
    assert demo.holding_specs() == demo.holding_specs()


def test_every_edition_statement_has_a_dynasty_and_no_publisher_before_its_work():
    for spec in demo.holding_specs():
        statement = spec.data["edition_statement"]
        edition = editions.parse(statement)
        assert edition.dynasty and edition.edition_type, statement
        assert not edition.warnings, statement
        work = next(w for w in demo.works() if w.title_juan == spec.data["title_juan"])
        assert demo.edition_span(statement)[1] >= work.since, statement


def test_grades_follow_the_edition_period():
    graded = [s for s in demo.holding_specs() if s.grade]
    assert graded
    for spec in graded:
        assert spec.status == Holding.Status.REGISTERED
        latest = demo.edition_span(spec.data["edition_statement"])[1]
        level = spec.grade[0]
        if latest <= 1368:
            assert level == "1", spec.data
        elif latest <= 1644:
            assert level in "123", spec.data
        else:
            assert level in "234", spec.data


def test_every_work_reads_back_into_statements_that_end_with_a_role():
    for work in demo.works():
        statements = parse_statements(work.authors)
        assert bool(statements) == bool(work.authors), work.title_juan
        assert not statements or statements[-1].role, work.title_juan
        assert all(s.dynasty and len(s.name) <= 5 for s in statements), work.title_juan


def test_catalogue_numerals_are_written_as_catalogues_write_them():
    cases = {1: "一", 16: "十六", 30: "三十", 106: "一百六", 210: "二百十", 416: "四百十六"}
    for n, text in cases.items():
        assert demo.cn_number(n) == text
    assert demo.cn_number(1000) == "一千"


def test_registered_parts_add_grades_a_list_a_key_unit_and_inspections(loaded):
    from environment.supervision.models import CorrectiveAction, Inspection
    from guji.protection.models import GradeProposal, KeyUnitAssessment, PreciousList

    statuses = set(GradeProposal.objects.values_list("status", flat=True))
    assert {"proposed", "confirmed"} <= statuses
    batch = PreciousList.objects.get(level="municipal")
    assert batch.listings.count() > 0
    assert KeyUnitAssessment.objects.get().status == "submitted"
    assert Inspection.objects.count() == 2
    actions = CorrectiveAction.objects.all()
    assert actions.open().exists() and actions.filter(closed_at__isnull=False).exists()
    assert actions.overdue().exists()
    for model in (GradeProposal, PreciousList, KeyUnitAssessment, Inspection, CorrectiveAction):
        versions = model.history.all()
        assert not versions.filter(history_user__isnull=True).exists(), model
        assert not versions.filter(history_change_reason="").exists(), model
    assert "grade proposals" in loaded
