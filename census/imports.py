"""Spreadsheet import of census entries: read, check every row, then write all or nothing.

One function, :func:`import_spreadsheet`, serves the web (through the Huey tasks in
``census/tasks.py``) and the ``import_holdings`` command. It reads .xlsx/.xls with pandas and
python-calamine and .csv in UTF-8 (with or without BOM) or GB18030/GBK, matches the census
columns by header name, checks every row and reports each problem with its row (as the user sees
it: the header is row 1 when it is the first row), column (the header as written) and value.
Nothing is written while any row is bad; a clean file is written in one transaction, holdings
and their responsibility statements through the history-aware bulk helpers.

Files are checked before any parser sees them: size, emptiness, what the bytes really are (a
.docx or a PDF renamed .xlsx), and for a zip the total uncompressed size and compression ratio
(zip bombs), decompressed as a stream so a lying header cannot hide one.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import struct
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import islice
from operator import attrgetter
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from guji import editions
from guji.cataloguing import Statement, catalogue_form, parse_statements, parse_title_juan
from guji.chinese import chinese_number, to_simplified
from guji.models import Binding, Holding, Institution, Responsibility, SibuClass, User
from guji.permissions import require
from guji.services import derive, update_holding

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (phase, done, total)


# --- the census columns -----------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str  # Holding field, or "authors" for the responsibility statements
    header: str  # census.md §2, as the template writes it
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("call_number", "索书号", ("call number", "call no", "callnumber"), required=True),
    Column("sibu_class", "分类", ("class", "classification", "四部分类", "sibu")),
    Column("title_juan", "题名卷数", ("title", "title and juan", "题名"), required=True),
    Column("authors", "著者", ("author", "authors", "responsibility", "责任者")),
    Column("edition_statement", "版本", ("edition", "edition statement", "版本项")),
    Column("layout", "版式", ("layout",)),
    Column("binding", "装帧", ("binding", "装帧形式")),
    Column("series", "丛书", ("series",)),
    Column("annotations", "批校题跋", ("annotations",)),
    Column("seals", "钤印", ("seals",)),
    Column("extant", "存缺卷", ("extant", "存缺卷数", "存卷")),
    Column("volumes", "册数", ("volumes", "ce", "number of ce"), required=True),
    Column("cases", "函数", ("cases", "number of cases")),
    Column("notes", "附注", ("notes", "note")),
    Column("storage_location", "存放位置", ("location", "storage location", "shelf")),
)
BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED_CELLS = ("call_number", "title_juan", "volumes")
# Holding fields an import sets; title and juan_count are derived from 题名卷数 (services.derive).
FIELDS = tuple(c.key for c in COLUMNS if c.key != "authors")
TEXT_FIELDS = tuple(k for k in FIELDS if k not in ("sibu_class", "binding", "volumes", "cases"))
EXAMPLE_ROW = {
    "call_number": "善001",
    "sibu_class": "史部·纪传类",
    "title_juan": "史記一百三十卷",
    "authors": "（漢）司馬遷撰 （南朝宋）裴駰集解 （唐）司馬貞索隱 （唐）張守節正義",
    "edition_statement": "清乾隆四年（1739）武英殿刻本",
    "layout": "半叶十行，行二十一字，小字双行同，白口，四周双边",
    "binding": "线装",
    "series": "",
    "annotations": "",
    "seals": "乾隆御覽之寶",
    "extant": "",
    "volumes": "二十四",
    "cases": "4",
    "notes": "",
    "storage_location": "善本书库 A-03",
}

HEADER_SEARCH_ROWS = 10  # a title row (XX图书馆古籍普查登记表) may sit above the header
MAX_ZIP_RATIO = 100  # deflated XML of real sheets stays far below this; zip bombs go far above
# 100,000 census rows unpack to about 60 MB of XML; nothing honest comes near this.
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
CHUNK = 1 << 20
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?f[\s>/]")


@lru_cache(maxsize=8192)  # vocabulary cells repeat on every row
def _norm(text: str) -> str:
    return re.sub(r"[\s_·・/／\-—:：()（）]+", "", to_simplified(text)).casefold()


@cache
def _header_index() -> dict[str, str]:
    index = {}
    for c in COLUMNS:
        for name in (c.header, c.key, *c.aliases):
            index[_norm(name)] = c.key
    return index


# --- problems and the report ------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    message: str
    row: int | None = None
    column: str | None = None
    value: str = ""
    kind: str = "error"  # "error", "conflict" (both reject the file) or "warning"

    def as_dict(self, file: str) -> dict:
        return {
            "file": file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message,
            "kind": self.kind,
        }


class FileRejected(Exception):
    """The file cannot be read at all; ``problems`` say where and why."""

    def __init__(self, *problems: Problem):
        super().__init__("; ".join(p.message for p in problems))
        self.problems = list(problems)


@dataclass
class RowPlan:
    row: int
    data: dict[str, object]
    statements: list[Statement]
    action: str = "create"  # create, update, unchanged, conflict
    holding_id: int | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)


@dataclass
class ImportReport:
    file: str
    dry_run: bool
    outcome: str = "rejected"  # rejected, would_import, imported, unchanged
    encoding: str = ""
    total_rows: int = 0
    problems: list[Problem] = field(default_factory=list)  # errors and conflicts
    warnings: list[Problem] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def rejected(self) -> bool:
        return self.outcome == "rejected"

    def summary(self) -> str:
        c = self.counts
        numbers = {k: c.get(k, 0) for k in ("create", "update", "unchanged", "conflict")}
        numbers.update(problems=len(self.problems), warnings=len(self.warnings), file=self.file)
        if self.outcome == "rejected":
            return _("%(file)s was rejected: %(problems)s problems, nothing was written.") % numbers
        if self.outcome == "unchanged":
            return _("%(file)s: nothing to change, every row matches the register.") % numbers
        if self.outcome == "would_import":
            return (
                _(
                    "%(file)s can be imported: %(create)s new, %(update)s updated, "
                    "%(unchanged)s unchanged, %(warnings)s warnings."
                )
                % numbers
            )
        return (
            _("%(file)s imported: %(create)s new, %(update)s updated, %(unchanged)s unchanged.")
            % numbers
        )

    def as_dict(self, *, limit: int | None = None) -> dict:
        """The report as JSON data; ``limit`` caps each list (the page), None keeps all (CLI)."""

        def capped(items: Sequence) -> Sequence:
            return items if limit is None else items[:limit]

        return {
            "file": self.file,
            "dry_run": self.dry_run,
            "outcome": self.outcome,
            "summary": self.summary(),
            "encoding": self.encoding,
            "total_rows": self.total_rows,
            "counts": {
                **self.counts,
                "problems": len(self.problems),
                "warnings": len(self.warnings),
            },
            "problems": [p.as_dict(self.file) for p in capped(self.problems)],
            "warnings": [p.as_dict(self.file) for p in capped(self.warnings)],
            "rows": [
                {
                    "row": r.row,
                    "action": r.action,
                    "call_number": r.data.get("call_number", ""),
                    "title_juan": r.data.get("title_juan", ""),
                    "holding": r.holding_id,
                    "changes": [list(c) for c in r.changes],
                }
                for r in capped(self.rows)
            ],
        }


# --- reading a file ---------------------------------------------------------------------------


@dataclass
class Table:
    cells: list[list[str]]  # every row of the first sheet, from row 1, stripped strings
    encoding: str = ""
    formulas: list[Problem] = field(default_factory=list)


def check_size(size: int, filename: str) -> Problem | None:
    """The checks made before a byte is parsed (the web form also makes them before storing)."""
    limit = settings.GUJI_MAX_UPLOAD_BYTES
    if size == 0:
        return Problem(_("The file %(file)s is empty.") % {"file": filename})
    if size > limit:
        return Problem(
            _(
                "The file %(file)s is %(size)s MB; files larger than %(limit)s MB are not "
                "accepted. Split it into several files."
            )
            % {"file": filename, "size": _mb(size), "limit": _mb(limit)}
        )
    return None


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _kind_of(head: bytes) -> str:
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "ole"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf16"
    if b"\x00" in head:
        return "binary"
    return "text"


def read_table(path: Path, filename: str) -> Table:
    """Read the first sheet (or the CSV) into strings; raise :class:`FileRejected` if unreadable."""
    size = path.stat().st_size
    if problem := check_size(size, filename):
        raise FileRejected(problem)
    with open(path, "rb") as f:
        head = f.read(8192)
    kind = _kind_of(head)
    suffix = Path(filename).suffix.lower()
    names = {"file": filename}
    if kind == "zip":
        formulas = _check_xlsx_zip(path, filename)
        return Table(_read_excel(path, filename), formulas=formulas)
    if kind == "ole":
        table = Table(_read_excel(path, filename))
        table.formulas = _xls_formulas(path, filename)
        return table
    if kind == "pdf":
        raise FileRejected(
            Problem(_("%(file)s is a PDF document, not a spreadsheet.") % names, row=None)
        )
    if kind == "utf16":
        raise FileRejected(
            Problem(
                _(
                    "%(file)s is UTF-16 text (Excel's “Unicode text”). Save it as .xlsx or as "
                    "CSV in UTF-8."
                )
                % names
            )
        )
    if kind == "binary":
        raise FileRejected(
            Problem(
                _(
                    "%(file)s is not a spreadsheet: it holds binary data that is neither .xlsx, "
                    ".xls nor CSV text."
                )
                % names
            )
        )
    if suffix in (".xlsx", ".xlsm", ".xls"):
        raise FileRejected(
            Problem(
                _(
                    "%(file)s is named like an Excel workbook but contains plain text. Rename "
                    "it to .csv if it is CSV, or save it from Excel as .xlsx."
                )
                % names
            )
        )
    if suffix not in (".csv", ".txt", ".tsv"):
        raise FileRejected(
            Problem(
                _("%(file)s is not a file type the import reads: use .xlsx, .xls or .csv.") % names
            )
        )
    return _read_csv(path.read_bytes(), filename)


def _check_xlsx_zip(path: Path, filename: str) -> list[Problem]:
    """Refuse zips that are not workbooks or that inflate too far; find formula cells."""
    names = {"file": filename}
    limit = MAX_UNCOMPRESSED_BYTES
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            members = {i.filename for i in infos}
            if "xl/workbook.xml" not in members:
                if "word/document.xml" in members:
                    what = _("%(file)s is a Word document, not a spreadsheet.")
                elif any(m.startswith("ppt/") for m in members):
                    what = _("%(file)s is a PowerPoint presentation, not a spreadsheet.")
                elif "content.xml" in members:
                    what = _("%(file)s is an OpenDocument file; save it as .xlsx or .csv.")
                else:
                    what = _("%(file)s is a zip archive, not an Excel workbook.")
                raise FileRejected(Problem(what % names))
            declared = sum(i.file_size for i in infos)
            packed = sum(i.compress_size for i in infos) or 1
            if declared > limit or declared / packed > MAX_ZIP_RATIO:
                raise FileRejected(_zip_bomb(filename, declared, packed))
            # Inflate as a stream: sizes in a zip header can lie, the bytes cannot.
            total, has_formulas = 0, False
            for info in infos:
                is_sheet = info.filename.startswith("xl/worksheets/")
                tail = b""
                with z.open(info) as member:
                    while chunk := member.read(CHUNK):
                        total += len(chunk)
                        if total > limit:
                            raise FileRejected(_zip_bomb(filename, total, packed))
                        if is_sheet and not has_formulas:
                            has_formulas = bool(_FORMULA_TAG.search(tail + chunk))
                            tail = chunk[-16:]
    except FileRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise FileRejected(
            Problem(
                _("%(file)s is a damaged zip archive and cannot be read as .xlsx (%(detail)s).")
                % {**names, "detail": exc}
            )
        ) from None
    return _xlsx_formulas(path, filename) if has_formulas else []


def _zip_bomb(filename: str, size: int, packed: int) -> Problem:
    return Problem(
        _(
            "%(file)s unpacks to more than %(size)s MB from %(packed)s MB: that is not a "
            "spreadsheet the import accepts (a zip bomb, or far too large)."
        )
        % {"file": filename, "size": _mb(size), "packed": _mb(packed)}
    )


MAX_FORMULAS_LISTED = 50


def _formula_problem(filename: str, row: int, col: int, formula: str) -> Problem:
    from openpyxl.utils import get_column_letter

    cell = f"{get_column_letter(col)}{row}"
    return Problem(
        _("Cell %(cell)s holds a formula; type the value itself.") % {"cell": cell},
        row=row,
        column=cell,  # renamed to the header by _check_rows when the column has one
        value=formula,
    )


def _xlsx_formulas(path: Path, filename: str) -> list[Problem]:
    import openpyxl

    found = []
    wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        for row in wb.worksheets[0].iter_rows():
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    found.append(_formula_problem(filename, cell.row, cell.column, str(cell.value)))
                    if len(found) >= MAX_FORMULAS_LISTED:
                        return found
    finally:
        wb.close()
    return found


def _xls_formulas(path: Path, filename: str) -> list[Problem]:
    """FORMULA records (BIFF 0x0006) of the first worksheet of an .xls."""
    from xlrd.compdoc import CompDoc

    try:
        doc = CompDoc(path.read_bytes(), logfile=io.StringIO())
        stream = doc.get_named_stream("Workbook") or doc.get_named_stream("Book")
    except Exception as exc:  # calamine has read it already; a doubt here is not a rejection
        logger.warning("%s: no formula scan of the .xls stream: %s", filename, exc)
        return []
    found, pos, depth, sheet = [], 0, 0, -1
    while pos + 4 <= len(stream):
        rtype, rlen = struct.unpack_from("<HH", stream, pos)
        body = stream[pos + 4 : pos + 4 + rlen]
        pos += 4 + rlen
        if rtype == 0x0809:  # BOF
            depth += 1
            if depth == 1 and len(body) >= 4 and struct.unpack_from("<H", body, 2)[0] == 0x10:
                sheet += 1
        elif rtype == 0x000A:  # EOF
            depth -= 1
            if sheet == 0 and depth == 0:
                break
        elif rtype == 0x0006 and sheet == 0 and depth == 1 and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body, 0)
            found.append(_formula_problem(filename, row + 1, col + 1, ""))
            if len(found) >= MAX_FORMULAS_LISTED:
                break
    return found


def _read_excel(path: Path, filename: str) -> list[list[str]]:
    import pandas as pd

    try:
        frame = pd.read_excel(
            path,
            engine="calamine",
            sheet_name=0,
            header=None,
            dtype=str,
            keep_default_na=False,
        )
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise FileRejected(
            Problem(
                _("%(file)s cannot be read as a spreadsheet (%(detail)s).")
                % {"file": filename, "detail": str(exc) or type(exc).__name__}
            )
        ) from None
    return [[cell.strip() for cell in row] for row in frame.itertuples(index=False, name=None)]


def _read_csv(data: bytes, filename: str) -> Table:
    text, encoding = _decode(data, filename)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        rows = [
            [cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise FileRejected(
            Problem(
                _("%(file)s is not valid CSV (%(detail)s).") % {"file": filename, "detail": exc}
            )
        ) from None
    return Table(rows, encoding=encoding)


def _decode(data: bytes, filename: str) -> tuple[str, str]:
    bom = data.startswith(b"\xef\xbb\xbf")
    candidates = ("utf-8-sig",) if bom else ("utf-8", "gb18030")
    errors = []
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            errors.append(exc)
    # The encoding that read furthest is the one the file was meant to be in.
    error = max(errors, key=lambda e: e.start)
    line = data.count(b"\n", 0, error.start) + 1
    raise FileRejected(
        Problem(
            _(
                "%(file)s cannot be read as UTF-8 or GB18030/GBK text: unreadable bytes on line "
                "%(line)s. Save it as CSV UTF-8 or as .xlsx."
            )
            % {"file": filename, "line": line},
            row=line,
            value=data[error.start : error.start + 8].hex(" "),
        )
    )


# --- checking rows ----------------------------------------------------------------------------


def _find_header(cells: list[list[str]]) -> tuple[int, dict[int, str]]:
    """Index of the header row and {column index: field key}; the first row when none fits."""
    index = _header_index()
    best = (0, {})
    for i, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        keys = {j: index[_norm(v)] for j, v in enumerate(row) if v and _norm(v) in index}
        if "call_number" in keys.values() or "title_juan" in keys.values():
            return i, keys
        if i == 0:
            best = (0, keys)
    return best


@dataclass
class _Vocab:
    classes: dict[str, SibuClass | None]  # None marks a name two 部 share
    bindings: dict[str, Binding]

    @classmethod
    def load(cls) -> _Vocab:
        classes: dict[str, SibuClass | None] = {}
        by_name: dict[str, list[SibuClass]] = {}
        for c in SibuClass.objects.filter(active=True):
            classes[_norm(c.code)] = c
            classes[_norm(c.bu + (c.name if c.level != 1 else ""))] = c
            if c.level != 1:
                by_name.setdefault(_norm(c.name), []).append(c)
        for name, found in by_name.items():
            classes.setdefault(name, found[0] if len(found) == 1 else None)
        bindings = {}
        for b in Binding.objects.filter(active=True):
            for name in (b.code, b.name, b.trad):
                if name:
                    bindings[_norm(name)] = b
        return cls(classes, bindings)


def _whole_number(text: str) -> int | None:
    text = text.strip()
    if text.endswith(("册", "冊", "函")):
        text = text[:-1]
    if re.fullmatch(r"\d+\.0+", text):  # 18.0 from a number cell
        text = text.split(".")[0]
    return chinese_number(text)


@cache
def _max_length(name: str, model: type = Holding) -> int | None:
    return model._meta.get_field(name).max_length


@cache
def _statements(text: str) -> tuple[Statement, ...]:
    return tuple(parse_statements(text))


@cache
def _title_juan(text: str) -> tuple[str, int | None]:
    return parse_title_juan(text)


def _check_rows(
    table: Table,
    filename: str,
    *,
    report: ImportReport,
    progress: Progress | None,
) -> list[RowPlan]:
    cells = table.cells
    while cells and not any(cells[-1]):
        cells.pop()
    if not cells:
        report.problems.append(Problem(_("The file %(file)s is empty.") % {"file": filename}))
        return []
    header_at, keys = _find_header(cells)
    header_row = cells[header_at]
    headers = {key: header_row[j] for j, key in keys.items()}

    seen_keys: dict[str, int] = {}
    for j, key in keys.items():
        if key in seen_keys:
            report.problems.append(
                Problem(
                    _("The column %(column)s appears twice (columns %(a)s and %(b)s).")
                    % {"column": header_row[j], "a": seen_keys[key] + 1, "b": j + 1},
                    row=header_at + 1,
                    column=header_row[j],
                )
            )
        seen_keys.setdefault(key, j)
    for column in COLUMNS:
        if column.required and column.key not in seen_keys:
            report.problems.append(
                Problem(
                    _("The required column %(column)s is missing from the header row.")
                    % {"column": column.header},
                    row=header_at + 1,
                    column=column.header,
                )
            )
    for j, value in enumerate(header_row):
        if value and j not in keys:
            report.warnings.append(
                Problem(
                    _("The column %(column)s is not a census column and is ignored.")
                    % {"column": value},
                    row=header_at + 1,
                    column=value,
                    kind="warning",
                )
            )
    for problem in table.formulas:
        col = _column_index(problem.column or "")
        name = header_row[col] if col is not None and col < len(header_row) else None
        report.problems.append(
            Problem(problem.message, problem.row, name or problem.column, problem.value)
        )
    if report.problems:
        return []

    vocab = _Vocab.load()
    width = len(header_row)
    columns = [(seen_keys[c.key], c.key) for c in COLUMNS if c.key in seen_keys]
    plans: list[RowPlan] = []
    first_row_of: dict[str, int] = {}
    body = cells[header_at + 1 :]
    total = sum(1 for r in body if any(r))
    report.total_rows = total
    done = 0
    for offset, row in enumerate(body):
        if not any(row):
            continue
        number = header_at + 2 + offset
        values = {key: (row[j] if j < len(row) else "") for j, key in columns}
        if all(values[key] == EXAMPLE_ROW[key] for key in values):
            report.warnings.append(
                Problem(
                    _("This is the template's example row, unchanged: it was skipped."),
                    row=number,
                    kind="warning",
                )
            )
            total -= 1
            continue
        call_number = values.get("call_number", "")
        duplicate = call_number in first_row_of
        if duplicate:
            report.problems.append(
                Problem(
                    _("The call number %(number)s is already used in row %(row)s of this file.")
                    % {"number": call_number, "row": first_row_of[call_number]},
                    row=number,
                    column=headers["call_number"],
                    value=call_number,
                )
            )
        elif call_number:
            first_row_of[call_number] = number
        plan = _check_row(number, values, headers, vocab, report)
        if plan is not None and not duplicate:
            plans.append(plan)
        extra = [v for v in row[width:] if v]
        if extra:
            report.warnings.append(
                Problem(
                    _("Values beyond the last titled column are ignored."),
                    row=number,
                    value=extra[0],
                    kind="warning",
                )
            )
        done += 1
        if progress and done % 2000 == 0:
            progress("checking", done, total)
    report.total_rows = total
    if total == 0:
        report.problems.append(
            Problem(
                _("The file %(file)s has a header but no rows below it.") % {"file": filename},
                row=header_at + 1,
            )
        )
    if progress:
        progress("checking", done, total)
    return plans


def _column_index(letters: str) -> int | None:
    m = re.fullmatch(r"([A-Z]+)\d+", letters)
    if not m:
        return None
    n = 0
    for ch in m.group(1):
        n = n * 26 + ord(ch) - 64
    return n - 1


def _check_row(
    number: int,
    values: dict[str, str],
    headers: dict[str, str],
    vocab: _Vocab,
    report: ImportReport,
) -> RowPlan | None:
    errors: list[Problem] = []

    def error(key: str, message: str, value: str = "") -> None:
        errors.append(Problem(message, row=number, column=headers[key], value=value))

    def warn(key: str, message: str, value: str = "") -> None:
        report.warnings.append(
            Problem(message, row=number, column=headers[key], value=value, kind="warning")
        )

    for key, value in values.items():
        if value.startswith("="):
            error(key, _("A formula is not accepted here; type the value itself."), value)
    if errors:
        report.problems.extend(errors)
        return None

    data: dict[str, object] = {k: values.get(k, "") for k in TEXT_FIELDS}
    for key in REQUIRED_CELLS:
        if key in values and not values[key]:
            error(key, _("This cell must not be empty."))
    for key in TEXT_FIELDS:
        limit = _max_length(key)
        if limit and len(values.get(key, "")) > limit:
            error(
                key,
                _("Too long: at most %(limit)s characters, this has %(n)s.")
                % {"limit": limit, "n": len(values[key])},
                values[key][:50],
            )

    if values.get("title_juan"):
        title, juan = _title_juan(values["title_juan"])
        if juan == 0:
            error(
                "title_juan",
                _("The number of juan must be at least one."),
                values["title_juan"],
            )
        elif juan is None and not re.search(r"不分卷|□+卷", values["title_juan"]):
            warn(
                "title_juan",
                _(
                    "No number of juan could be read: write it after the title in Chinese "
                    "numerals (史記一百三十卷), or 不分卷, or □□卷 when unknown."
                ),
                values["title_juan"],
            )
        if len(title) > _max_length("title"):
            error("title_juan", _("The title is too long."), title[:50])

    volumes_text = values.get("volumes", "")
    if volumes_text:
        volumes = _whole_number(volumes_text)
        if volumes is None or volumes < 1:
            error(
                "volumes",
                _("The number of ce must be a whole number of at least 1 (18 or 十八)."),
                volumes_text,
            )
        data["volumes"] = volumes
    cases_text = values.get("cases", "")
    data["cases"] = None
    if cases_text:
        cases = _whole_number(cases_text)
        if cases is None or cases < 1:
            error(
                "cases",
                _("The number of cases must be a whole number of at least 1, or empty."),
                cases_text,
            )
        data["cases"] = cases

    data["sibu_class"] = None
    if text := values.get("sibu_class"):
        found = vocab.classes.get(_norm(text), False)
        if found is None:
            error(
                "sibu_class",
                _(
                    "%(value)s is a class in several branches: write the branch too, "
                    "e.g. 史部·%(value)s."
                )
                % {"value": text},
                text,
            )
        elif found is False:
            error(
                "sibu_class",
                _("Unknown class: use a name from the template's list, e.g. 史部·纪传类."),
                text,
            )
        else:
            data["sibu_class"] = found
    data["binding"] = None
    if text := values.get("binding"):
        found = vocab.bindings.get(_norm(text))
        if found is None:
            error("binding", _("Unknown binding: use a name from the template's list."), text)
        data["binding"] = found

    statements: tuple[Statement, ...] = ()
    if text := values.get("authors"):
        statements = _statements(text)
        for s in statements:
            too_long = (
                len(s.name) > _max_length("name", Responsibility)
                or len(s.dynasty) > _max_length("dynasty", Responsibility)
                or len(s.role) > _max_length("role", Responsibility)
            )
            if too_long:
                error("authors", _("A name, dynasty or role here is too long."), text[:50])
                break
        if len(catalogue_form(list(statements))) > _max_length("authors_text"):
            error("authors", _("The statements of responsibility are too long."), text[:50])

    if text := values.get("edition_statement"):
        for warning in editions.parse(text).warnings:
            warn("edition_statement", warning, text)

    if errors:
        order = {headers[c.key]: i for i, c in enumerate(COLUMNS) if c.key in headers}
        report.problems.extend(sorted(errors, key=lambda p: order.get(p.column, len(order))))
        return None
    return RowPlan(number, data, list(statements))


# --- comparing with the register --------------------------------------------------------------


@cache
def _defaults(model: type) -> dict:
    return {k: v for k, v in model().__dict__.items() if k != "_state"}


def _instance(model: type, values: dict):
    """A new model instance without ``Model.__init__``, the largest cost of building 10⁵ of
    them: the field defaults of one instance made the ordinary way, then ``values`` (attnames).
    """
    obj = model.__new__(model)
    obj.__dict__.update(_defaults(model))
    obj.__dict__.update(values)
    obj._state = ModelState()
    return obj


def _candidate(institution: Institution, plan: RowPlan) -> Holding:
    data = dict(plan.data)
    sibu_class, binding = data.pop("sibu_class"), data.pop("binding")
    data["institution_id"] = institution.pk
    data["sibu_class_id"] = sibu_class.pk if sibu_class else None
    data["binding_id"] = binding.pk if binding else None
    holding = _instance(Holding, data)
    derive(holding, plan.statements)
    return holding


COMPARED = (*FIELDS, "title", "juan_count", "authors_text")


def _display(value: object) -> str:
    return "" if value is None else str(value)


def _locked_message(holding: Holding) -> str | None:
    """The census lock: a registered (accepted) entry changes only by a correction request."""
    if holding.status == Holding.Status.REGISTERED:
        return _(
            "Holding %(number)s is registered in the census: change it with a correction "
            "request, not by import."
        ) % {"number": holding.call_number}
    if holding.status == Holding.Status.SUBMITTED:
        return _("Holding %(number)s is under census review: wait for the reviewer's decision.") % {
            "number": holding.call_number
        }
    return None


def _differences(old: Holding, new: Holding) -> list[tuple[str, str, str]]:
    changes = []
    for name in COMPARED:
        attname = Holding._meta.get_field(name).attname  # compare keys, show names
        before, after = getattr(old, attname), getattr(new, attname)
        if before == after or (before in ("", None) and after in ("", None)):
            continue
        if attname != name:
            before, after = getattr(old, name), getattr(new, name)
        label = str(Holding._meta.get_field(name).verbose_name)
        changes.append((label, _display(before), _display(after)))
    return changes


def _plan_against_register(
    plans: list[RowPlan],
    *,
    institution: Institution,
    update_existing: bool,
    headers_call_number: str,
    report: ImportReport,
    batch_size: int,
) -> None:
    for start in range(0, len(plans), batch_size):
        batch = plans[start : start + batch_size]
        existing = {
            h.call_number: h
            for h in Holding.objects.filter(
                institution=institution, call_number__in=[p.data["call_number"] for p in batch]
            ).prefetch_related("responsibilities")
        }
        for plan in batch:
            holding = existing.get(plan.data["call_number"])
            if holding is None:
                continue
            plan.holding_id = holding.pk
            new = _candidate(institution, plan)
            changes = _differences(holding, new)
            old_statements = [
                Statement(r.dynasty, r.name, r.role, r.attributed)
                for r in holding.responsibilities.all()
            ]
            if old_statements != plan.statements and holding.authors_text == new.authors_text:
                label = str(Holding._meta.get_field("authors_text").verbose_name)
                changes.append((label, catalogue_form(old_statements), new.authors_text))
            plan.changes = changes
            if not changes:
                plan.action = "unchanged"
                continue
            locked = _locked_message(holding)
            if locked or not update_existing:
                plan.action = "conflict"
                report.problems.append(
                    Problem(
                        locked
                        or _(
                            "Call number %(number)s already exists at this institution with "
                            "other values (%(fields)s). Choose “update existing” to overwrite it."
                        )
                        % {
                            "number": plan.data["call_number"],
                            "fields": "、".join(c[0] for c in changes),
                        },
                        row=plan.row,
                        column=headers_call_number,
                        value=str(plan.data["call_number"]),
                        kind="conflict",
                    )
                )
            else:
                plan.action = "update"


# --- writing ----------------------------------------------------------------------------------


def create_with_history(objs: Sequence, *, by: User, reason: str) -> None:
    """Insert new rows and their "+" history rows at the driver (executemany, or COPY on
    PostgreSQL), setting each object's pk.

    The rows are exactly those ``bulk_create_with_history(objs, model, default_user=by,
    default_change_reason=reason)`` writes (tests/census/test_import.py compares them); going
    round the ORM's per-value compilation makes a 100,000-row import three times faster.
    Call it inside a transaction: on SQLite ids come from the table's AUTOINCREMENT counter,
    which the transaction's write lock keeps to itself.
    """
    if not objs:
        return
    model = type(objs[0])
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)  # a string on SQLite
    fields = model._meta.concrete_fields
    auto_now = [
        f.attname
        for f in fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj, pk in zip(objs, _reserve_ids(model, len(objs)), strict=True):
        obj.pk = pk
        for name in auto_now:
            setattr(obj, name, stamp)
    values = attrgetter(*(f.attname for f in fields))
    _insert_rows(model, [f.column for f in fields], [values(obj) for obj in objs])

    history = model.history.model
    special = ("history_date", "history_change_reason", "history_type", "history_user_id")
    tracked = [
        f for f in history._meta.concrete_fields if f.attname not in ("history_id", *special)
    ]
    fixed = (stamp, reason, "+", by.pk if by is not None else None)
    values = attrgetter(*(f.attname for f in tracked))
    _insert_rows(
        history,
        [history._meta.get_field(name).column for name in special] + [f.column for f in tracked],
        [fixed + values(obj) for obj in objs],
    )
    for obj in objs:
        for name in auto_now:
            setattr(obj, name, now)


def _reserve_ids(model: type, n: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, n],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f'coalesce((SELECT max(id) FROM "{table}"), 0))',
            [table],
        )
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + n))


def _insert_rows(model: type, columns: list[str], rows: list[tuple]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


class RegisterChanged(Exception):
    """Between the check and the write, someone else created one of the call numbers."""


def _write(
    plans: list[RowPlan],
    *,
    institution: Institution,
    by: User,
    reason: str,
    batch_size: int,
    progress: Progress | None,
) -> None:
    to_write = [p for p in plans if p.action in ("create", "update")]
    total, done = len(to_write), 0
    creates = iter(p for p in to_write if p.action == "create")
    while batch := list(islice(creates, batch_size)):
        numbers = [p.data["call_number"] for p in batch]
        clash = list(
            Holding.objects.filter(institution=institution, call_number__in=numbers).values_list(
                "call_number", flat=True
            )[:5]
        )
        if clash:
            raise RegisterChanged(", ".join(clash))
        holdings = [_candidate(institution, p) for p in batch]
        create_with_history(holdings, by=by, reason=reason)
        statements = [
            _instance(
                Responsibility,
                {
                    "holding_id": holding.pk,
                    "seq": seq,
                    "dynasty": s.dynasty,
                    "name": s.name,
                    "role": s.role,
                    "attributed": s.attributed,
                },
            )
            for holding, plan in zip(holdings, batch, strict=True)
            for seq, s in enumerate(plan.statements, start=1)
        ]
        create_with_history(statements, by=by, reason=reason)
        for holding, plan in zip(holdings, batch, strict=True):
            plan.holding_id = holding.pk
        done += len(batch)
        if progress:
            progress("writing", done, total)
    for plan in to_write:
        if plan.action != "update":
            continue
        holding = Holding.objects.get(pk=plan.holding_id)
        if _locked_message(holding):
            raise RegisterChanged(holding.call_number)
        update_holding(
            holding,
            data=plan.data,
            statements=plan.statements,
            by=by,
            reason=reason,
        )
        done += 1
        if progress and done % 100 == 0:
            progress("writing", done, total)
    if progress:
        progress("writing", done, total)


# --- the one entry point ----------------------------------------------------------------------


def import_reason(filename: str) -> str:
    return _("Import %(file)s") % {"file": filename}


def import_spreadsheet(
    path: Path | str,
    *,
    filename: str | None = None,
    institution: Institution,
    by: User,
    update_existing: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    batch_size: int = 2000,
) -> ImportReport:
    """Check a spreadsheet and, unless ``dry_run`` or any row is bad, import it.

    Raises PermissionDenied when ``by`` may not catalogue at ``institution``; every problem with
    the file itself ends in the report, never in an exception.
    """
    require(by, "catalogue", institution)
    path = Path(path)
    filename = filename or path.name
    report = ImportReport(file=filename, dry_run=dry_run)
    try:
        table = read_table(path, filename)
    except FileRejected as exc:
        report.problems.extend(exc.problems)
        return _finish(report, [])
    report.encoding = table.encoding
    plans = _check_rows(table, filename, report=report, progress=progress)
    del table
    if report.problems:
        return _finish(report, plans)
    header = BY_KEY["call_number"].header
    _plan_against_register(
        plans,
        institution=institution,
        update_existing=update_existing,
        headers_call_number=header,
        report=report,
        batch_size=batch_size,
    )
    if report.problems or dry_run or not any(p.action in ("create", "update") for p in plans):
        return _finish(report, plans)
    try:
        with transaction.atomic():
            _write(
                plans,
                institution=institution,
                by=by,
                reason=import_reason(filename),
                batch_size=batch_size,
                progress=progress,
            )
    except ValidationError as exc:  # update_holding's own refusal, e.g. a lock taken meanwhile
        report.problems.append(Problem(" ".join(exc.messages), kind="conflict"))
    except RegisterChanged as exc:
        report.problems.append(
            Problem(
                _(
                    "While the file was being imported, someone else changed or created call "
                    "numbers %(numbers)s; nothing was written. Run the import again."
                )
                % {"numbers": exc},
                kind="conflict",
            )
        )
    return _finish(report, plans, written=True)


def _finish(report: ImportReport, plans: list[RowPlan], *, written: bool = False) -> ImportReport:
    report.rows = plans
    report.problems.sort(key=lambda p: (p.row or 0, p.kind != "error"))
    report.warnings.sort(key=lambda p: p.row or 0)
    counts = dict.fromkeys(("create", "update", "unchanged", "conflict"), 0)
    for plan in plans:
        counts[plan.action] += 1
    report.counts = {"rows": report.total_rows, **counts}
    if report.problems:
        report.outcome = "rejected"
    elif not counts["create"] and not counts["update"]:
        report.outcome = "unchanged"
    else:
        report.outcome = "imported" if written else "would_import"
    return report
