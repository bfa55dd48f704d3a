"""Updating by import: only what the file holds changes, and only as the dry run showed."""

from unittest import mock

import pytest
from django.core.management import call_command

from census import imports
from census.imports import import_spreadsheet
from guji.concurrency import current_version
from guji.models import Holding, RoleAssignment
from guji.services import update_holding
from tests.census.import_files import row, xlsx
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


@pytest.fixture
def institution():
    return make_institution(code="3301")


@pytest.fixture
def cataloguer(institution):
    return make_user(Role.CATALOGUER, institution)


@pytest.fixture
def run(institution, cataloguer):
    def run_import(path, **options):
        options.setdefault("institution", institution)
        options.setdefault("by", cataloguer)
        options.setdefault("update_existing", True)
        return import_spreadsheet(path, **options)

    return run_import


FULL = {"seals": "翰林院印", "notes": "有蟲蛀", "storage_location": "善本书库 B-07"}


@pytest.fixture
def registered(tmp_path, run):
    """善101 with seals, notes and a shelf, imported from a full file."""
    report = run(xlsx(tmp_path / "first.xlsx", [row(**FULL)]))
    assert report.outcome == "imported", report.problems
    return Holding.objects.get(call_number="善101")


def label(name: str) -> str:
    return str(Holding._meta.get_field(name).verbose_name)


# --- only what the file holds ------------------------------------------------------------------


def test_a_column_absent_from_the_file_leaves_its_field_as_it_is(tmp_path, run, registered):
    header = ["索书号", "题名卷数", "册数"]
    path = xlsx(tmp_path / "fix.xlsx", [["善101", "史記一百三十卷", "20"]], header=header)

    report = run(path)

    assert report.outcome == "imported", report.problems
    assert [(r.action, [c[0] for c in r.changes]) for r in report.rows] == [
        ("update", [label("volumes")])
    ]
    holding = Holding.objects.get(pk=registered.pk)
    assert holding.volumes == 20
    assert (holding.seals, holding.notes, holding.storage_location) == tuple(FULL.values())
    assert holding.sibu_class_id == registered.sibu_class_id
    assert holding.binding_id == registered.binding_id
    assert holding.cases == 4
    assert holding.authors_text == registered.authors_text
    assert holding.responsibilities.count() == 2


def test_a_file_with_fewer_columns_and_the_same_values_leaves_the_row_unchanged(
    tmp_path, run, registered
):
    header = ["索书号", "题名卷数", "册数", "钤印"]
    values = ["善101", "史記一百三十卷", "二十四", FULL["seals"]]
    path = xlsx(tmp_path / "same.xlsx", [values], header=header)
    versions = registered.history.count()

    report = run(path)

    assert report.outcome == "unchanged"
    assert [r.action for r in report.rows] == ["unchanged"]
    assert registered.history.count() == versions


def test_an_empty_cell_leaves_its_field_unless_empty_cells_clear_fields(tmp_path, run, registered):
    shelf = FULL["storage_location"]
    path = xlsx(
        tmp_path / "blank.xlsx",
        [row(seals="", notes="", cases="", sibu_class="", storage_location=shelf)],
    )

    kept = run(path)

    assert kept.outcome == "unchanged"
    holding = Holding.objects.get(pk=registered.pk)
    assert (holding.seals, holding.notes, holding.cases) == (FULL["seals"], FULL["notes"], 4)
    assert holding.sibu_class_id is not None

    checked = run(path, clear_empty=True, dry_run=True)

    assert checked.outcome == "would_import"
    (plan,) = checked.rows
    assert plan.action == "update"
    expected = [label(n) for n in ("sibu_class", "seals", "cases", "notes")]
    assert plan.clears == expected  # every field it would clear, in column order
    assert checked.as_dict()["rows"][0]["clears"] == expected
    assert Holding.objects.get(pk=registered.pk).seals == FULL["seals"]  # a dry run

    cleared = run(path, clear_empty=True)

    assert cleared.outcome == "imported", cleared.problems
    holding = Holding.objects.get(pk=registered.pk)
    assert (holding.seals, holding.notes, holding.cases, holding.sibu_class_id) == (
        "",
        "",
        None,
        None,
    )
    assert holding.storage_location == FULL["storage_location"]  # its cell held a value


def test_an_empty_authors_cell_keeps_the_statements_unless_clearing(tmp_path, run, registered):
    path = xlsx(tmp_path / "a.xlsx", [row(authors="", **FULL)])

    assert run(path).outcome == "unchanged"
    assert Holding.objects.get(pk=registered.pk).responsibilities.count() == 2

    report = run(path, clear_empty=True)

    assert report.rows[0].clears == [label("authors_text")]
    holding = Holding.objects.get(pk=registered.pk)
    assert (holding.authors_text, holding.responsibilities.count()) == ("", 0)


def test_new_holdings_are_created_whole_whatever_clear_empty_says(tmp_path, run):
    path = xlsx(tmp_path / "new.xlsx", [row(call_number="善200", seals="", cases="")])

    report = run(path)

    assert (report.outcome, report.counts["create"], report.rows[0].clears) == (
        "imported",
        1,
        [],
    )
    holding = Holding.objects.get(call_number="善200")
    assert (holding.volumes, holding.seals, holding.cases) == (24, "", None)


def test_the_command_clears_empty_cells_only_with_its_flag(tmp_path, registered, cataloguer):
    path = xlsx(tmp_path / "blank.xlsx", [row(notes="", seals=FULL["seals"])])
    options = {"institution": "3301", "user": cataloguer.username, "update": True}

    call_command("import_holdings", str(path), **options)
    assert Holding.objects.get(pk=registered.pk).notes == FULL["notes"]

    call_command("import_holdings", str(path), clear_empty=True, **options)
    assert Holding.objects.get(pk=registered.pk).notes == ""


# --- the run does what the check showed --------------------------------------------------------


def test_the_dry_run_records_the_version_of_each_holding_it_matched(tmp_path, run, registered):
    path = xlsx(tmp_path / "fix.xlsx", [row(volumes="20", **FULL), row(call_number="善300")])

    report = run(path, dry_run=True)

    assert report.versions == {"善101": current_version(registered)}
    assert report.as_dict(limit=0)["versions"] == report.versions  # never capped
    assert [r.version for r in report.rows] == [current_version(registered), None]


def test_a_holding_changed_after_the_dry_run_refuses_the_whole_run(
    tmp_path, run, registered, cataloguer, institution
):
    other = make_holding(institution, by=cataloguer, call_number="善102")
    path = xlsx(
        tmp_path / "fix.xlsx",
        [row(volumes="20", **FULL), row(call_number="善102", volumes="30"), row(call_number="善9")],
    )
    checked = run(path, dry_run=True)
    assert checked.outcome == "would_import"
    update_holding(other, data={"notes": "另人所改"}, by=cataloguer, reason="校对")
    versions = Holding.history.count()

    report = run(path, expected_versions=checked.versions)

    assert report.outcome == "rejected"
    (problem,) = report.problems
    assert "善102" in problem.message and "善101" not in problem.message
    assert Holding.history.count() == versions
    assert Holding.objects.get(pk=registered.pk).volumes == 24
    assert not Holding.objects.filter(call_number="善9").exists()
    assert report.counts["create"] == report.counts["update"] == 0


def test_a_planned_call_number_created_after_the_dry_run_refuses_the_run(
    tmp_path, run, institution, cataloguer
):
    path = xlsx(tmp_path / "new.xlsx", [row(call_number="善400"), row(call_number="善401")])
    checked = run(path, dry_run=True)
    make_holding(institution, by=cataloguer, call_number="善401")

    report = run(path, expected_versions=checked.versions)

    assert report.outcome == "rejected"
    assert "善401" in report.problems[0].message
    assert list(Holding.objects.values_list("call_number", flat=True)) == ["善401"]


def test_a_holding_changed_between_planning_and_writing_stops_the_write(
    tmp_path, run, registered, cataloguer, institution
):
    path = xlsx(tmp_path / "fix.xlsx", [row(volumes="20", **FULL), row(call_number="善500")])
    checked = run(path, dry_run=True)
    real = imports.planning.plan_against_register

    def someone_edits_after_planning(plans, **kwargs):
        real(plans, **kwargs)
        update_holding(registered, data={"notes": "并发"}, by=cataloguer, reason="校对")

    with mock.patch.object(imports.planning, "plan_against_register", someone_edits_after_planning):
        report = run(path, expected_versions=checked.versions)

    assert report.outcome == "rejected"
    assert "善101" in report.problems[0].message
    holding = Holding.objects.get(pk=registered.pk)
    assert (holding.volumes, holding.notes) == (24, "并发")
    assert not Holding.objects.filter(call_number="善500").exists()


# --- history is the user who acted ------------------------------------------------------------


def test_rows_are_written_by_who_runs_the_import_naming_the_uploader(
    tmp_path, run, registered, institution, cataloguer
):
    runner = make_user(Role.MANAGER, institution, display_name="李四")
    uploader = make_user(Role.CATALOGUER, institution, display_name="张三")
    path = xlsx(tmp_path / "x.xlsx", [row(volumes="20", **FULL), row(call_number="善600")])

    report = run(path, by=runner, uploaded_by=uploader)

    assert report.outcome == "imported", report.problems
    reason = "导入 x.xlsx（上传：张三）"
    updated = Holding.objects.get(pk=registered.pk).history.first()
    created = Holding.objects.get(call_number="善600").history.get()
    for version in (updated, created):
        assert (version.history_user, version.history_change_reason) == (runner, reason)
    statements = Holding.objects.get(call_number="善600").responsibilities.first().history.get()
    assert (statements.history_user, statements.history_change_reason) == (runner, reason)
