"""The import reads catalogue forms (issue 8): what it split and was unsure of shows in the dry
run, nothing wrong is stored, and a row still holding the template's example is refused."""

import pytest

from census.imports import EXAMPLE_ROW, import_spreadsheet
from guji.models import Holding, RoleAssignment
from tests.census.import_files import row, xlsx
from tests.factories import make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


@pytest.fixture
def run(tmp_path):
    institution = make_institution()
    cataloguer = make_user(Role.CATALOGUER, institution)

    def run_import(*rows, **options):
        path = xlsx(tmp_path / "h.xlsx", list(rows))
        return import_spreadsheet(path, institution=institution, by=cataloguer, **options)

    return run_import


def messages(report, column=None):
    return [p.message for p in report.warnings if column is None or p.column == column]


@pytest.mark.parametrize(
    ("typed", "volumes", "unit", "cases", "note"),
    [
        ("10冊；2函", 10, "册", 2, ""),
        ("4冊；1夾", 4, "册", None, "1夾"),
        ("1冊；無函套", 1, "册", None, "無函套"),
        ("4冊；", 4, "册", None, ""),
        ("三摺", 3, "折", None, ""),
        ("2軸", 2, "轴", None, ""),
    ],
)
def test_extents_as_catalogues_write_them_are_split_and_said(
    run, typed, volumes, unit, cases, note
):
    dry = run(row(volumes=typed, cases=""), dry_run=True)
    assert dry.outcome == "would_import", [p.message for p in dry.problems]
    said = [m for m in messages(dry, "册数") if "已拆分" in m]
    if (cases, note, unit) != (None, "", "册"):
        assert said, messages(dry)

    report = run(row(volumes=typed, cases=""))
    assert report.outcome == "imported"
    holding = Holding.objects.get()
    assert (holding.volumes, holding.volume_unit, holding.cases, holding.extent_note) == (
        volumes,
        unit,
        cases,
        note,
    )


def test_cases_in_the_extent_and_the_cases_column_must_agree(run):
    report = run(row(volumes="10冊；2函", cases="3"))
    assert report.outcome == "rejected"
    assert [p.column for p in report.problems] == ["函数"]


def test_an_extent_without_a_number_is_an_error(run):
    report = run(row(volumes="若干"))
    assert report.outcome == "rejected"
    assert [(p.column, p.value) for p in report.problems] == [("册数", "若干")]


def test_responsibility_read_differently_from_how_it_is_written_is_said(run):
    dry = run(row(authors="(清)王鳴盛、錢大昕同撰"), dry_run=True)
    said = messages(dry, "著者")
    assert any("（清）王鳴盛撰 （清）錢大昕撰" in m for m in said), said


def test_an_unreadable_statement_is_warned_and_kept_as_written(run):
    dry = run(row(authors="(清) 王念孫撰 (清)"), dry_run=True)
    assert any("未能可靠解析" in m for m in messages(dry, "著者"))

    run(row(authors="(清) 王念孫撰 (清)"))
    holding = Holding.objects.get()
    assert [(r.name, r.written) for r in holding.responsibilities.order_by("seq")] == [
        ("王念孫", ""),
        ("", "(清)"),
    ]
    assert "(清)" in holding.cataloguing_warnings
    assert holding.authors_text == "（清）王念孫撰 (清)"


def test_a_spaced_statement_is_read_without_a_message(run):
    dry = run(row(authors="(清) 王念孫 撰"), dry_run=True)
    assert messages(dry, "著者") == []


@pytest.mark.parametrize(
    ("written", "code", "subdivision"),
    [
        ("集部/別集類", "JI02", ""),
        ("集部 別集", "JI02", ""),
        ("集 别集 宋", "JI02", "宋"),
        ("史部·地理類·方志", "S11", "方志"),
    ],
)
def test_classes_in_the_forms_catalogues_use(run, written, code, subdivision):
    report = run(row(sibu_class=written))
    assert report.outcome == "imported", [p.message for p in report.problems]
    holding = Holding.objects.get()
    assert (holding.sibu_class.code, holding.sibu_subdivision) == (code, subdivision)


def test_an_unknown_class_names_the_nearest(run):
    report = run(row(sibu_class="史部·地里類"))
    assert report.outcome == "rejected"
    assert "史部·地理类" in report.problems[0].message


def test_other_title_units_give_no_juan_warning(run):
    dry = run(row(title_juan="紅樓夢一百二十回"), dry_run=True)
    assert messages(dry, "题名卷数") == []
    run(row(title_juan="紅樓夢一百二十回"))
    assert Holding.objects.values_list("juan_count", "juan_unit").get() == (120, "回")


def test_an_edition_placeholder_is_warned_in_the_dry_run(run):
    dry = run(row(edition_statement="null"), dry_run=True)
    assert any("null" in m for m in messages(dry, "版本"))


def test_a_row_still_holding_the_examples_values_is_refused(run):
    example = dict(EXAMPLE_ROW, title_juan="周易本義四卷", authors="（宋）朱熹撰")
    report = run(row(**example), row(call_number="善102"))
    assert report.outcome == "rejected"
    (problem,) = report.problems
    assert (problem.row, problem.column, problem.value) == (2, "索书号", "善001")
    assert not Holding.objects.exists()


def test_the_unchanged_example_row_is_skipped_with_a_warning(run):
    report = run(row(**EXAMPLE_ROW), row(call_number="善102"))
    assert report.outcome == "imported"
    assert list(Holding.objects.values_list("call_number", flat=True)) == ["善102"]
