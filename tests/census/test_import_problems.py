"""Bad input: each problem is named with its file, row, column, value and a message; nothing
is written while any row is bad, and nothing crashes."""

import io
import struct
import zipfile

import pytest

from census.imports import import_spreadsheet
from guji.models import Holding, RoleAssignment
from tests.census.import_files import HEADER, csv_file, row, xlsx, zip_bomb
from tests.factories import make_institution, make_user

pytestmark = pytest.mark.django_db
Role = RoleAssignment.Role


@pytest.fixture
def run():
    institution = make_institution()
    user = make_user(Role.CATALOGUER, institution)

    def run_import(path, **options):
        return import_spreadsheet(path, institution=institution, by=user, **options)

    return run_import


def problems(report):
    assert report.outcome == "rejected"
    assert not Holding.objects.exists()
    return [(p.row, p.column, p.value, p.message) for p in report.problems]


def only_problem(report):
    (found,) = problems(report)
    return found


@pytest.mark.parametrize(
    ("cells", "column", "value", "words"),
    [
        ({"sibu_class": "史部·小说类"}, "分类", "史部·小说类", "未知的分类"),
        ({"sibu_class": "丛编"}, "分类", "丛编", "史部·丛编"),
        ({"binding": "胶装"}, "装帧", "胶装", "未知的装帧"),
        ({"volumes": "abc"}, "册数", "abc", "册数"),
        ({"volumes": "0"}, "册数", "0", "册数"),
        ({"volumes": "1.5"}, "册数", "1.5", "册数"),
        ({"volumes": "-2"}, "册数", "-2", "册数"),
        ({"cases": "两函半"}, "函数", "两函半", "函数"),
        ({"call_number": ""}, "索书号", "", "不能为空"),
        ({"title_juan": ""}, "题名卷数", "", "不能为空"),
        ({"volumes": ""}, "册数", "", "不能为空"),
        ({"title_juan": "史記〇卷"}, "题名卷数", "史記〇卷", "卷数"),
        ({"notes": '=HYPERLINK("http://x")'}, "附注", '=HYPERLINK("http://x")', "公式"),
        ({"layout": "版" * 401}, "版式", "版" * 50, "400"),
    ],
)
def test_a_bad_cell_is_named_by_row_column_value_and_message(
    tmp_path, run, cells, column, value, words
):
    path = xlsx(tmp_path / "h.xlsx", [row(call_number="善000"), row(**cells)])

    found_row, found_column, found_value, message = only_problem(run(path))

    assert (found_row, found_column, found_value) == (3, column, value)
    assert words in message


def test_chinese_numerals_and_units_are_read_as_numbers_of_ce(tmp_path, run):
    rows = [
        row(call_number=f"善{n}", volumes=v) for n, v in enumerate(["十八", "18册", "二十四冊"])
    ]
    report = run(xlsx(tmp_path / "h.xlsx", rows))

    assert report.outcome == "imported", report.problems
    assert sorted(Holding.objects.values_list("volumes", flat=True)) == [18, 18, 24]


def test_every_bad_row_is_reported_not_only_the_first(tmp_path, run):
    path = xlsx(
        tmp_path / "h.xlsx",
        [row(), row(call_number="善002", binding="胶装"), row(call_number="善003", volumes="x")],
    )

    assert [(r, c) for r, c, _v, _m in problems(run(path))] == [(3, "装帧"), (4, "册数")]


def test_duplicate_call_number_in_the_file_names_both_rows(tmp_path, run):
    path = xlsx(tmp_path / "h.xlsx", [row(), row(call_number="善002"), row()])

    found_row, column, value, message = only_problem(run(path))

    assert (found_row, column, value) == (4, "索书号", "善101")
    assert "第2行" in message


def test_missing_required_column_is_a_file_problem_naming_it(tmp_path, run):
    header = [h for h in HEADER if h != "册数"]
    rows = [[c for h, c in zip(HEADER, row(), strict=True) if h != "册数"]]

    found_row, column, _value, message = only_problem(run(xlsx(tmp_path / "h.xlsx", rows, header)))

    assert (found_row, column) == (1, "册数")
    assert "册数" in message


def test_unknown_columns_and_unreadable_edition_or_juan_are_warnings_not_rejections(tmp_path, run):
    header = [*HEADER, "备注二"]
    rows = [[*row(edition_statement="某某本", title_juan="雜抄"), "随便"]]

    report = run(xlsx(tmp_path / "h.xlsx", rows, header))

    assert report.outcome == "imported", report.problems
    warnings = {(w.row, w.column) for w in report.warnings}
    assert warnings == {(1, "备注二"), (2, "版本"), (2, "题名卷数")}
    holding = Holding.objects.get()
    assert holding.edition_warnings  # kept on the record as services.derive keeps it
    assert holding.juan_count is None


def test_formula_cells_in_xlsx_are_named_by_cell_and_header(tmp_path, run):
    path = xlsx(tmp_path / "h.xlsx", [row(), row(call_number="善002")])
    import openpyxl

    wb = openpyxl.load_workbook(path)
    wb.active["L3"] = "=SUM(L2:L2)"  # 册数 of row 3
    wb.save(path)

    found_row, column, value, message = only_problem(run(path))

    assert (found_row, column, value) == (3, "册数", "=SUM(L2:L2)")
    assert "L3" in message


def test_undecodable_csv_names_the_line(tmp_path, run):
    good = "\n".join(",".join(r) for r in [HEADER, row()]).encode("utf-8")
    path = tmp_path / "h.csv"
    path.write_bytes(good + b"\n\xff\xff\xff,bad\n")

    found_row, _column, value, message = only_problem(run(path))

    assert found_row == 3
    assert value.startswith("ff ff")
    assert "h.csv" in message and "UTF-8" in message


def test_file_over_the_size_limit_is_refused_before_parsing(tmp_path, run, settings):
    path = tmp_path / "big.xlsx"
    with open(path, "wb") as f:
        f.truncate(50 * 1024 * 1024)

    (_r, _c, _v, message) = only_problem(run(path))

    assert "big.xlsx" in message and "50" in message and "20" in message


@pytest.mark.parametrize(("content", "name"), [(b"", "empty.xlsx"), (b"", "empty.csv")])
def test_empty_file_is_refused(tmp_path, run, content, name):
    path = tmp_path / name
    path.write_bytes(content)

    (_r, _c, _v, message) = only_problem(run(path))

    assert name in message and "空" in message


def test_header_without_rows_is_refused(tmp_path, run):
    (found_row, _c, _v, message) = only_problem(run(xlsx(tmp_path / "h.xlsx", [])))

    assert found_row == 1
    assert "h.xlsx" in message


def test_zip_bomb_is_refused_before_calamine_sees_it(tmp_path, run):
    (_r, _c, _v, message) = only_problem(run(zip_bomb(tmp_path / "bomb.xlsx", megabytes=200)))

    assert "bomb.xlsx" in message and "zip" in message.lower()


def test_zip_whose_header_understates_its_size_is_caught_while_inflating(tmp_path, run):
    path = tmp_path / "liar.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (100 << 20))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as z:
        sheet = z.getinfo("xl/worksheets/sheet1.xml")
    # Claim the sheet inflates to no more than it takes packed: the ratio check cannot see it.
    struct.pack_into("<I", data, sheet.header_offset + 22, sheet.compress_size)
    central = data.rindex(b"PK\x01\x02")  # the sheet's entry is the last in the directory
    struct.pack_into("<I", data, central + 24, sheet.compress_size)
    path.write_bytes(bytes(data))
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size == sheet.compress_size

    (_r, _c, _v, message) = only_problem(run(path))

    assert "liar.xlsx" in message


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("random.xlsx", bytes(range(256)) * 40, "二进制"),
        ("report.pdf.xlsx", b"%PDF-1.7\n" + b"x" * 100, "PDF"),
        ("notes.xlsx", b"just some text, not a workbook\n", "纯文本"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 100, "二进制"),
        ("holdings.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "无法作为表格读取"),
    ],
)
def test_files_that_are_not_spreadsheets_get_a_message_naming_the_file(
    tmp_path, run, name, content, words
):
    path = tmp_path / name
    path.write_bytes(content)

    (_r, _c, _v, message) = only_problem(run(path))

    assert name in message
    assert words in message


def test_word_document_renamed_xlsx_is_named_as_such(tmp_path, run):
    path = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<document/>")

    (_r, _c, _v, message) = only_problem(run(path))

    assert "letter.xlsx" in message and "Word" in message


def test_csv_with_a_shifted_row_reports_the_cells_that_do_not_fit(tmp_path, run):
    path = csv_file(tmp_path / "h.csv", [row(), [*row(call_number="善002"), "多余"]])

    report = run(path)

    assert report.outcome == "imported"
    assert [(w.row, w.value) for w in report.warnings] == [(3, "多余")]
