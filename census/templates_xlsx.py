"""The import template: the census columns in order, drop-down lists, an example row."""

from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from census.imports import COLUMNS, EXAMPLE_ROW
from guji.files.spreadsheets import XlsxWriter
from guji.models import Binding, SibuClass

SHEET = "普查登记"
LISTS = "词表"
ROWS_WITH_LISTS = 5000
# What each column expects, shown as a note on its header (census.md §2 and §4).
NOTES = {
    "call_number": "必填。本单位索书号，如 善001。",
    "sibu_class": "从下拉列表选择四部分类，如 史部·纪传类；也可填代码，如 S02。",
    "title_juan": "必填。卷端题名加卷数，如 史記一百三十卷；不分卷、□□卷。",
    "authors": "（朝代）姓名著作方式，多条以空格分隔，如 （漢）司馬遷撰 （南朝宋）裴駰集解。",
    "edition_statement": "如 清乾隆四年（1739）武英殿刻本。",
    "layout": "行款、边栏、版心、版框尺寸。",
    "binding": "从下拉列表选择装帧形式。",
    "extant": "残本填存卷，如 存四卷（十六至十九）；完整的留空。",
    "volumes": "必填。整数，可写 18 或 十八。",
    "cases": "整数，可留空。",
    "seals": "每方印一行，按出现顺序。",
}
EXAMPLE_NOTE = "示例行：导入时若未改动会被跳过，可删除或覆盖。"


def build_template() -> bytes:
    writer = XlsxWriter()
    sheet = writer.sheet(SHEET)
    lists = writer.sheet(LISTS, hidden=True)
    classes = [str(c) for c in SibuClass.objects.filter(active=True)]
    bindings = list(Binding.objects.filter(active=True).values_list("name", flat=True))
    writer.append(lists, ["分类", "装帧"])
    for n in range(max(len(classes), len(bindings))):
        writer.append(
            lists,
            [classes[n] if n < len(classes) else None, bindings[n] if n < len(bindings) else None],
        )

    writer.append(sheet, [c.header for c in COLUMNS])
    writer.append(sheet, [EXAMPLE_ROW[c.key] for c in COLUMNS])
    grey = Font(italic=True, color="808080")
    for j, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(j)
        header = sheet.cell(row=1, column=j)
        header.font = Font(bold=True, color="9C0006" if column.required else "000000")
        header.fill = PatternFill("solid", fgColor="F2E6D9")
        if column.key in NOTES:
            header.comment = Comment(NOTES[column.key], "Guji")
        sheet.cell(row=2, column=j).font = grey
        sheet.column_dimensions[letter].width = (
            30 if column.key in ("title_juan", "authors") else 16
        )
    sheet.cell(row=2, column=1).comment = Comment(EXAMPLE_NOTE, "Guji")
    sheet.freeze_panes = "A2"

    for key, values, list_column in (
        ("sibu_class", classes, "A"),
        ("binding", bindings, "B"),
    ):
        j = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key)
        letter = get_column_letter(j)
        validation = DataValidation(
            type="list",
            formula1=f"'{LISTS}'!${list_column}$2:${list_column}${len(values) + 1}",
            allow_blank=True,
            errorStyle="warning",  # codes such as S02 are accepted too: warn, do not forbid
            error="请从列表中选择。",
            errorTitle=COLUMNS[j - 1].header,
        )
        validation.add(f"{letter}2:{letter}{ROWS_WITH_LISTS}")
        sheet.add_data_validation(validation)

    return writer.to_bytes()
