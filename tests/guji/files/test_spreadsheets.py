"""guji.files.spreadsheets: safe reading of xlsx/xls/csv, and the one xlsx writer."""

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage

from guji.files.spreadsheets import (
    FileRejected,
    XlsxWriter,
    column_index,
    read_stored_table,
    read_table,
)

SAMPLES = Path(settings.BASE_DIR) / "fixtures" / "samples"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rejection(path: Path, name: str | None = None) -> str:
    with pytest.raises(FileRejected) as caught:
        read_table(path, name or path.name)
    return " ".join(p.message for p in caught.value.problems)


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("索书号,题名\n善001,史記\n".encode(), "utf-8"),
        ("\ufeff索书号,题名\n善001,史記\n".encode(), "utf-8-sig"),
        ("索书号,题名\n善001,史記\n".encode("gb18030"), "gb18030"),
    ],
    ids=["utf-8", "bom", "gbk"],
)
def test_csv_is_read_in_utf8_or_gb18030(tmp_path, data, encoding):
    table = read_table(write(tmp_path, "h.csv", data), "h.csv")

    assert (table.cells, table.encoding) == ([["索书号", "题名"], ["善001", "史記"]], encoding)


def test_an_xlsx_is_read_as_strings_and_its_formulas_are_reported(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["索书号", "册数"])
    wb.active.append(["善001", 18])
    wb.active.append(["善002", "=1+1"])
    wb.save(tmp_path / "h.xlsx")

    table = read_table(tmp_path / "h.xlsx", "h.xlsx")

    assert table.cells[:2] == [["索书号", "册数"], ["善001", "18"]]
    assert [(p.row, p.column, p.value) for p in table.formulas] == [(3, "B3", "=1+1")]


def test_an_xls_formula_is_found_in_the_binary_stream():
    table = read_table(SAMPLES / "census_formula.xls", "census_formula.xls")

    assert table.formulas
    assert all(re.fullmatch(r"[A-Z]+\d+", p.column) for p in table.formulas)


def test_a_zip_bomb_is_refused_before_any_parser_sees_it(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            block = b"\0" * (1 << 20)
            for _ in range(600):
                member.write(block)

    assert "zip bomb" in rejection(path)


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("h.xlsx", b"%PDF-1.7 ...", "is a PDF document"),
        ("h.csv", "索书号".encode("utf-16"), "UTF-16"),
        ("h.xlsx", "索书号,题名\n".encode(), "contains plain text"),
        ("h.doc", "索书号,题名\n".encode(), "not a file type the import reads"),
        ("h.csv", b"", "is empty"),
        ("h.csv", b"\x81\x30abc\xff\xfe\xfd\n", "cannot be read as UTF-8 or GB18030"),
    ],
    ids=["pdf", "utf16", "text-named-xlsx", "unknown-type", "empty", "bad-bytes"],
)
def test_what_is_not_a_spreadsheet_is_refused_with_the_reason(tmp_path, name, data, says):
    assert says in rejection(write(tmp_path, name, data))


def test_a_word_document_renamed_xlsx_is_named_as_such(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")

    assert "is a Word document" in rejection(write(tmp_path, "h.xlsx", buffer.getvalue()))


def test_a_file_over_the_limit_is_refused_unread(tmp_path, settings):
    settings.GUJI_MAX_UPLOAD_BYTES = 10

    assert "larger than" in rejection(write(tmp_path, "h.csv", b"a,b\n" * 10))


def test_a_stored_file_is_read_through_the_storage_api():
    storage = InMemoryStorage()  # no path on disk, like object storage
    name = storage.save("imports/abc", ContentFile("索书号\n善001\n".encode()))

    table = read_stored_table(name, "h.csv", storage=storage)

    assert table.cells == [["索书号"], ["善001"]]


def test_column_index_reads_cell_references():
    assert [column_index(c) for c in ("A1", "C7", "AA10", "x")] == [0, 2, 26, None]


# --- writing ----------------------------------------------------------------------------------


def test_every_text_cell_is_written_as_text_never_as_a_formula(tmp_path):
    writer = XlsxWriter()
    sheet = writer.sheet("目录")
    writer.append(sheet, ["=HYPERLINK(1)", "善\x071", 18, None, "+1", "@SUM(A1)"])
    writer.set(sheet, 2, 1, "=1+1")
    writer.save(tmp_path / "out.xlsx")

    ws = openpyxl.load_workbook(tmp_path / "out.xlsx").active
    assert ws.title == "目录"
    assert [(c.value, c.data_type) for c in ws[1]] == [
        ("=HYPERLINK(1)", "s"),
        ("善1", "s"),
        (18, "n"),
        (None, "n"),
        ("+1", "s"),
        ("@SUM(A1)", "s"),
    ]
    assert (ws["A2"].value, ws["A2"].data_type) == ("=1+1", "s")


def test_a_hidden_sheet_and_bytes(tmp_path):
    writer = XlsxWriter()
    writer.sheet("a")
    writer.sheet("lists", hidden=True)

    wb = openpyxl.load_workbook(io.BytesIO(writer.to_bytes()))
    assert [(ws.title, ws.sheet_state) for ws in wb.worksheets] == [
        ("a", "visible"),
        ("lists", "hidden"),
    ]


def test_no_product_module_builds_a_workbook_but_the_writer():
    """One writer: a second way to make .xlsx would be a second place to forget the text rule."""
    root = Path(settings.BASE_DIR)
    allowed = {root / "guji" / "files" / "spreadsheets.py"}
    pattern = re.compile(r"\bWorkbook\(|\.to_excel\(|ExcelWriter\(|xlsxwriter|xlwt")
    offenders = [
        str(path.relative_to(root))
        for folder in ("guji", "census", "conservation", "environment")
        for path in (root / folder).rglob("*.py")
        if path not in allowed and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _workbook_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>" * 50)
        z.writestr("xl/worksheets/sheet1.xml", "<worksheet/>" * 50)
    return buffer.getvalue()


def _corrupt_deflate(data: bytes) -> bytes:
    """The first member's compressed bytes replaced by a reserved deflate block type."""
    name_len, extra_len = (
        int.from_bytes(data[26:28], "little"),
        int.from_bytes(data[28:30], "little"),
    )
    start = 30 + name_len + extra_len
    return data[:start] + b"\xff" * 8 + data[start + 8 :]


def _unknown_method(data: bytes) -> bytes:
    """Every member marked with compression method 99, which zipfile cannot read."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = out.find(signature)
        while at != -1:
            out[at + offset : at + offset + 2] = (99).to_bytes(2, "little")
            at = out.find(signature, at + 4)
    return bytes(out)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        _corrupt_deflate,
        _unknown_method,
    ],
    ids=["truncated", "corrupt-deflate", "unknown-compression"],
)
def test_a_damaged_xlsx_is_refused_naming_the_file(tmp_path, damage):
    message = rejection(write(tmp_path, "登记表.xlsx", damage(_workbook_zip())))

    assert message.startswith("登记表.xlsx is a damaged zip archive")
