"""Spreadsheet import: reading, checking every row, writing all or nothing with history."""

from unittest import mock

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from census import imports
from census.imports import import_spreadsheet
from guji.files import bulk
from guji.models import Holding, Responsibility, RoleAssignment
from tests.census.import_files import HEADER, SAMPLES, csv_file, row, xlsx
from tests.census.workflow_factories import make_entry
from tests.factories import make_holding, make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


@pytest.fixture
def institution():
    return make_institution()


@pytest.fixture
def cataloguer(institution):
    return make_user(Role.CATALOGUER, institution)


@pytest.fixture
def run(institution, cataloguer):
    def run_import(path, **options):
        options.setdefault("institution", institution)
        options.setdefault("by", cataloguer)
        return import_spreadsheet(path, **options)

    return run_import


def only_problem(report):
    assert report.outcome == "rejected"
    assert len(report.problems) == 1, [p.message for p in report.problems]
    return report.problems[0]


# --- a clean file -----------------------------------------------------------------------------


def test_clean_file_creates_holdings_with_derived_fields_statements_and_history(
    tmp_path, run, institution, cataloguer
):
    path = xlsx(tmp_path / "holdings.xlsx", [row(), row(call_number="善002", volumes="18册")])

    report = run(path)

    assert report.outcome == "imported", report.problems
    assert report.counts["create"] == 2
    holding = Holding.objects.get(institution=institution, call_number="善101")
    assert (holding.title, holding.juan_count, holding.volumes, holding.cases) == (
        "史記",
        130,
        24,
        4,
    )
    assert (holding.edition_era, holding.edition_year, holding.edition_type) == (
        "乾隆",
        1739,
        "刻本",
    )
    assert str(holding.sibu_class) == "史部·纪传类"
    assert holding.binding.name == "线装"
    assert holding.authors_text == "（漢）司馬遷撰 （南朝宋）裴駰集解"
    assert "史记" in holding.search_key
    assert Holding.objects.get(call_number="善002").volumes == 18
    version = holding.history.get()
    assert (version.history_user, version.history_change_reason) == (
        cataloguer,
        "导入 holdings.xlsx",
    )
    names = list(holding.responsibilities.values_list("seq", "dynasty", "name", "role"))
    assert names == [(1, "漢", "司馬遷", "撰"), (2, "南朝宋", "裴駰", "集解")]
    statement_versions = Responsibility.history.filter(holding_id=holding.pk)
    assert {(v.history_user, v.history_change_reason) for v in statement_versions} == {
        (cataloguer, "导入 holdings.xlsx")
    }


def test_imported_holding_matches_one_entered_by_hand(tmp_path, run, institution, cataloguer):
    """The bulk path derives exactly what guji.services does for a single record."""
    by_hand = make_holding(
        institution,
        by=cataloguer,
        call_number="手001",
        title_juan="［萬曆］金華府志三十卷",
        authors="（明）王懋德 （明）陸鳳儀纂修",
        edition_statement="明萬曆刻本",
        volumes=18,
    )
    values = row(
        call_number="导001",
        title_juan="［萬曆］金華府志三十卷",
        authors="（明）王懋德 （明）陸鳳儀纂修",
        edition_statement="明萬曆刻本",
        sibu_class="",
        binding="",
        volumes="18",
        cases="",
    )
    run(xlsx(tmp_path / "h.xlsx", [values]))

    imported = Holding.objects.get(call_number="导001")
    derived = [
        "title",
        "juan_count",
        "authors_text",
        "edition_dynasty",
        "edition_era",
        "edition_era_year",
        "edition_year",
        "edition_type",
        "edition_warnings",
    ]
    assert [getattr(imported, f) for f in derived] == [getattr(by_hand, f) for f in derived]
    assert imported.search_key == by_hand.search_key.replace("手001", "导001")


def test_headers_match_by_name_in_any_order_with_english_and_traditional_names(tmp_path, run):
    header = ["Volumes", "題名卷數", "call number", "Binding"]
    path = xlsx(tmp_path / "h.xlsx", [["3", "周易本義四卷", "普0457", "線裝"]], header=header)

    report = run(path)

    assert report.outcome == "imported", report.problems
    holding = Holding.objects.get(call_number="普0457")
    assert (holding.volumes, holding.juan_count, holding.binding.code) == (3, 4, "xianzhuang")


def test_a_title_row_above_the_header_is_skipped_and_rows_keep_their_numbers(tmp_path, run):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["某某图书馆古籍普查登记表"])
    ws.append(HEADER)
    ws.append(row())
    ws.append(row(call_number="善002", volumes="零"))
    wb.save(tmp_path / "h.xlsx")

    problem = only_problem(run(tmp_path / "h.xlsx"))

    assert (problem.row, problem.column) == (4, "册数")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gb18030(tmp_path, run, encoding):
    path = csv_file(tmp_path / "h.csv", [row(title_juan="周易兼義九卷")], encoding=encoding)

    report = run(path)

    assert report.outcome == "imported", report.problems
    assert Holding.objects.get(call_number="善101").title == "周易兼義"


def test_xls_is_read_through_calamine():
    """fixtures/samples/census_sample.xls: two rows written by xlwt (see its README)."""
    table = imports.read_table(SAMPLES / "census_sample.xls", "census_sample.xls")

    assert table.cells[0][:3] == HEADER[:3]
    assert table.cells[1][0] == "善001"
    assert table.cells[1][11] == "24"  # a number cell comes back as a whole number
    assert table.formulas == []


def test_xls_formula_cells_are_found_in_the_biff_stream(run):
    report = run(SAMPLES / "census_formula.xls")

    problem = only_problem(report)
    assert (problem.row, problem.column) == (2, "册数")
    assert "公式" in problem.message


# --- dry run, re-import, conflicts and updates ------------------------------------------------


def test_dry_run_reports_what_it_would_create_and_writes_nothing(tmp_path, run):
    path = xlsx(tmp_path / "h.xlsx", [row(), row(call_number="善002")])

    report = run(path, dry_run=True)

    assert report.outcome == "would_import"
    assert [(r.row, r.action) for r in report.rows] == [(2, "create"), (3, "create")]
    assert not Holding.objects.exists()
    assert not Holding.history.exists()


def test_reimporting_the_same_file_changes_nothing_and_says_so(tmp_path, run):
    path = xlsx(tmp_path / "h.xlsx", [row(), row(call_number="善002")])
    run(path)
    versions = Holding.history.count()

    report = run(path)

    assert report.outcome == "unchanged"
    assert report.counts["unchanged"] == 2
    assert "nothing to change" in report.summary() or "无需更改" in report.summary()
    assert Holding.history.count() == versions


def test_changed_rows_for_existing_call_numbers_are_conflicts_unless_updating(tmp_path, run):
    run(xlsx(tmp_path / "first.xlsx", [row(), row(call_number="善002")]))
    path = xlsx(
        tmp_path / "second.xlsx",
        [row(volumes="20"), row(call_number="善002"), row(call_number="善003")],
    )

    report = run(path)

    problem = only_problem(report)
    assert (problem.kind, problem.row, problem.column, problem.value) == (
        "conflict",
        2,
        "索书号",
        "善101",
    )
    assert [r.action for r in report.rows] == ["conflict", "unchanged", "refused"]
    assert (report.counts["create"], report.counts["refused"]) == (0, 1)  # nothing is added
    assert Holding.objects.get(call_number="善101").volumes == 24
    assert not Holding.objects.filter(call_number="善003").exists()


def test_update_existing_changes_each_record_with_history(tmp_path, run, cataloguer):
    run(xlsx(tmp_path / "first.xlsx", [row()]))
    path = xlsx(tmp_path / "fix.xlsx", [row(volumes="20", authors="（漢）司馬遷撰")])

    report = run(path, update_existing=True)

    assert report.outcome == "imported", report.problems
    assert report.counts["update"] == 1
    assert report.rows[0].changes[0][1:] == ("24", "20")
    holding = Holding.objects.get(call_number="善101")
    assert holding.volumes == 20
    assert holding.authors_text == "（漢）司馬遷撰"
    latest = holding.history.first()
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~",
        cataloguer,
        "导入 fix.xlsx",
    )
    assert holding.responsibilities.count() == 1


@pytest.mark.parametrize("status", [Holding.Status.REGISTERED, Holding.Status.SUBMITTED])
def test_registered_or_submitted_records_are_conflicts_even_when_updating(
    tmp_path, run, institution, cataloguer, status
):
    entry = make_entry(status, institution=institution, cataloguer=cataloguer, call_number="善101")
    path = xlsx(tmp_path / "h.xlsx", [row(volumes="99")])

    problem = only_problem(run(path, update_existing=True))

    assert problem.kind == "conflict"
    expected = "更正申请" if status == Holding.Status.REGISTERED else "审核"
    assert expected in problem.message
    entry.holding.refresh_from_db()
    assert entry.holding.volumes != 99


def test_import_is_all_or_nothing_when_writing_fails_midway(tmp_path, run):
    path = xlsx(tmp_path / "h.xlsx", [row(call_number=f"善{n:03d}") for n in range(100, 110)])
    real = bulk.insert_raw
    calls = []

    def fail_in_the_second_batch(table, columns, rows):
        calls.append(table)
        if len(calls) == 6:  # holdings, their history, statements, theirs; then holdings again
            raise RuntimeError("disk full")
        return real(table, columns, rows)

    with (
        mock.patch.object(bulk, "insert_raw", fail_in_the_second_batch),
        pytest.raises(RuntimeError),
    ):
        run(path, batch_size=4)

    assert len(calls) == 6  # a whole batch was written, then undone with the rest
    assert not Holding.objects.exists()
    assert not Holding.history.exists()
    assert not Responsibility.objects.exists()
    assert not Responsibility.history.exists()


def test_driver_level_rows_equal_what_bulk_create_with_history_writes(
    tmp_path, run, institution, cataloguer
):
    from simple_history.utils import bulk_create_with_history

    from guji.services import derive

    run(xlsx(tmp_path / "h.xlsx", [row()]))
    imported = Holding.objects.get()
    twin = Holding(
        institution=make_institution(),
        **{f: getattr(imported, f) for f in imports.FIELDS},
    )
    derive(twin, imports.rows.statements_of(row()[3]))
    (twin,) = bulk_create_with_history(
        [twin], Holding, default_user=cataloguer, default_change_reason="导入 h.xlsx"
    )
    skip = {"id", "institution_id", "created_at", "updated_at", "history_id", "history_date"}

    def values(obj):
        return {
            f.attname: getattr(obj, f.attname)
            for f in obj._meta.concrete_fields
            if f.attname not in skip
        }

    assert values(Holding.objects.get(pk=twin.pk)) == values(imported)
    assert values(twin.history.get()) == values(imported.history.get())
    version = imported.history.get()
    assert version.created_at == imported.created_at
    assert imported.updated_at == imported.created_at


def test_call_number_created_meanwhile_stops_the_write_with_nothing_written(
    tmp_path, run, institution
):
    path = xlsx(tmp_path / "h.xlsx", [row(call_number=f"善{n:03d}") for n in range(100, 105)])
    real = imports.planning.plan_against_register

    def someone_else_creates_one(plans, **kwargs):
        real(plans, **kwargs)
        make_holding(institution, call_number="善104")

    with mock.patch.object(imports.planning, "plan_against_register", someone_else_creates_one):
        report = run(path, batch_size=2)

    problem = only_problem(report)
    assert "善104" in problem.message
    assert list(Holding.objects.values_list("call_number", flat=True)) == ["善104"]


def test_only_staff_who_catalogue_at_the_institution_may_import(tmp_path, institution):
    path = xlsx(tmp_path / "h.xlsx", [row()])
    for user in (
        make_user(Role.CATALOGUER, make_institution()),
        make_user(Role.REVIEWER),
        make_user(Role.PROVINCIAL),
    ):
        with pytest.raises(PermissionDenied):
            import_spreadsheet(path, institution=institution, by=user)
    assert not Holding.objects.exists()


def test_manager_and_centre_administrator_may_import(tmp_path, institution):
    for n, user in enumerate((make_user(Role.MANAGER, institution), make_user(Role.CENTRE_ADMIN))):
        report = import_spreadsheet(
            xlsx(tmp_path / "h.xlsx", [row(call_number=f"善{n}")]), institution=institution, by=user
        )
        assert report.outcome == "imported"
