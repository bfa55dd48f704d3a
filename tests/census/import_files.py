"""Writing small spreadsheets for the import tests: .xlsx by openpyxl, CSV in any encoding."""

import csv
import io
import zipfile
from collections.abc import Sequence
from pathlib import Path

import openpyxl

from census.imports import COLUMNS

HEADER = [c.header for c in COLUMNS]
SAMPLES = Path(__file__).resolve().parents[2] / "fixtures" / "samples"


def row(**values: str) -> list[str]:
    """A census row with sensible defaults; keyword names are the column keys."""
    cells = {
        "call_number": "善101",
        "sibu_class": "史部·纪传类",
        "title_juan": "史記一百三十卷",
        "authors": "（漢）司馬遷撰 （南朝宋）裴駰集解",
        "edition_statement": "清乾隆四年（1739）武英殿刻本",
        "binding": "线装",
        "volumes": "二十四",
        "cases": "4",
    }
    cells.update(values)
    return [cells.get(c.key, "") for c in COLUMNS]


def xlsx(path: Path, rows: Sequence[Sequence[object]], header: Sequence[str] = HEADER) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    wb.save(path)
    return path


def csv_file(
    path: Path,
    rows: Sequence[Sequence[object]],
    *,
    encoding: str = "utf-8",
    header: Sequence[str] = HEADER,
) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def zip_bomb(path: Path, megabytes: int = 600) -> Path:
    """A .xlsx-looking zip whose one sheet inflates to ``megabytes`` of zeros."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"\0" * (1 << 20)
            for _ in range(megabytes):
                sheet.write(block)
    return path
