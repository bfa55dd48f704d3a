"""Spreadsheets: reading .xlsx/.xls/.csv safely, and the one .xlsx writer.

Reading (:func:`read_table`) checks a file before any parser sees it: size, emptiness, what the
bytes really are (a .docx or a PDF renamed .xlsx), and for a zip the total uncompressed size and
compression ratio (zip bombs), decompressed as a stream so a lying header cannot hide one.
.xlsx/.xls are read with pandas and python-calamine, .csv in UTF-8 (with or without BOM) or
GB18030/GBK; formula cells are found and reported (:attr:`Table.formulas`), never evaluated.
Every problem is a :class:`Problem` with the row and column as the user sees them; a file that
cannot be read at all raises :class:`FileRejected`.

Writing (:class:`XlsxWriter`) stores every ``str`` as a text cell, never as a formula, with the
control characters XML cannot hold left out: no spreadsheet the project writes can carry a
formula injection. Every .xlsx export goes through it (tests/guji/files/test_spreadsheets.py
checks that nothing else builds workbooks).
"""

from __future__ import annotations

import csv
import io
import logging
import re
import struct
import zipfile
import zlib
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

MAX_ZIP_RATIO = 100  # deflated XML of real sheets stays far below this; zip bombs go far above
# 100,000 census rows unpack to about 60 MB of XML; nothing honest comes near this.
MAX_UNCOMPRESSED_BYTES = 512 * 1024 * 1024
CHUNK = 1 << 20
_FORMULA_TAG = re.compile(rb"<(?:[A-Za-z][\w.-]*:)?f[\s>/]")


# --- problems ---------------------------------------------------------------------------------


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


# --- reading a file ---------------------------------------------------------------------------


@dataclass
class Table:
    cells: list[list[str]]  # every row of the first sheet, from row 1, stripped strings
    encoding: str = ""
    formulas: list[Problem] = field(default_factory=list)


def check_size(size: int, filename: str, *, max_bytes: int | None = None) -> Problem | None:
    """The checks made before a byte is parsed (the web form also makes them before storing)."""
    limit = max_bytes or settings.GUJI_MAX_UPLOAD_BYTES
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
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,  # a corrupted deflate stream
        NotImplementedError,  # a compression method or encryption zipfile cannot read
        OSError,
        EOFError,
        ValueError,
    ) as exc:
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


def column_index(cell: str) -> int | None:
    """``"C7"`` → 2 (0-based column of a cell reference), None when it is not one."""
    m = re.fullmatch(r"([A-Z]+)\d+", cell)
    if not m:
        return None
    n = 0
    for ch in m.group(1):
        n = n * 26 + ord(ch) - 64
    return n - 1


@contextmanager
def local_path(name: str, *, storage: Storage | None = None, suffix: str = ""):
    """A path on local disk holding the stored file ``name``, for parsers that want a path.

    The storage's own path when it has one (FileSystemStorage); otherwise (S3 and the like) a
    temporary copy, deleted afterwards.
    """
    import shutil
    import tempfile

    storage = storage or default_storage
    try:
        on_disk = Path(storage.path(name))
    except NotImplementedError:
        on_disk = None
    if on_disk is not None and on_disk.is_file():
        yield on_disk
        return
    with tempfile.TemporaryDirectory(prefix="guji-stored-") as tmp:
        path = Path(tmp) / f"file{suffix}"
        with storage.open(name, "rb") as source, open(path, "wb") as target:
            shutil.copyfileobj(source, target, CHUNK)
        yield path


def read_stored_table(name: str, filename: str, *, storage: Storage | None = None) -> Table:
    """:func:`read_table` of a file kept in storage under ``name`` (uploaded as ``filename``)."""
    with local_path(name, storage=storage, suffix=Path(filename).suffix) as path:
        return read_table(path, filename)


# --- writing ----------------------------------------------------------------------------------

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean_text(value: object) -> str:
    """Text without the control characters XML (xlsx) cannot hold and a PDF cannot show."""
    text = "" if value is None else str(value)
    return _UNPRINTABLE.sub("", text)


class XlsxWriter:
    """The one way the project writes .xlsx: every ``str`` becomes a text cell.

        writer = XlsxWriter()
        sheet = writer.sheet("普查登记目录")
        writer.append(sheet, ["=1+1", "善001", 18, None])   # "=1+1" stays text
        writer.set(sheet, 1, 1, "title").font = Font(bold=True)
        writer.save(path_or_file)   # or writer.to_bytes()

    The openpyxl worksheets it returns are there for formatting (fonts, widths, merges, freeze
    panes, data validation); put values in only through :meth:`append` and :meth:`set`.
    Numbers, dates and booleans keep their types; None leaves the cell empty.
    """

    def __init__(self) -> None:
        from openpyxl import Workbook

        self.workbook = Workbook()
        self._fresh = True  # the workbook's first sheet is not named yet

    def sheet(self, title: str, *, hidden: bool = False):
        if self._fresh:
            ws = self.workbook.active
            ws.title = title
            self._fresh = False
        else:
            ws = self.workbook.create_sheet(title)
        if hidden:
            ws.sheet_state = "hidden"
        return ws

    def append(self, sheet, values: Iterable[Any]) -> int:
        """Add a row below the last one; return its 1-based number."""
        row = [clean_text(v) if isinstance(v, str) else v for v in values]
        sheet.append(row)
        number = sheet.max_row
        for column, value in enumerate(row, start=1):
            if isinstance(value, str) and value.startswith("="):
                self._as_text(sheet.cell(row=number, column=column), value)
        return number

    def set(self, sheet, row: int, column: int, value: Any):
        """Put ``value`` in one cell (1-based) and return the cell, for formatting."""
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, str):
            self._as_text(cell, clean_text(value))
        else:
            cell.value = value
        return cell

    @staticmethod
    def _as_text(cell, text: str) -> None:
        cell.value = text
        cell.data_type = "s"  # openpyxl would store "=…" as a formula

    def save(self, out: Path | str | IO[bytes]) -> None:
        self.workbook.save(out)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.save(buffer)
        return buffer.getvalue()
