"""Checking every row of an import: the header, each cell, duplicates, the vocabularies.

Each problem names its row (as the user sees it: the header is row 1 when it is the first
row), its column (the header as written) and its value. Nothing here reads the register's
holdings; that is :mod:`census.imports.planning`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext as _

from census.imports.columns import (
    COLUMNS,
    EXAMPLE_ROW,
    FIELDS_OF,
    HEADER_SEARCH_ROWS,
    REQUIRED_CELLS,
    TEXT_FIELDS,
    header_index,
    norm,
)
from census.imports.report import ImportReport, Problem, Progress, RowPlan
from guji import editions
from guji.cataloguing import (
    ClassIndex,
    ClassRow,
    Statement,
    catalogue_form,
    example_values,
    parse_extent,
    parse_statements,
    read_title_juan,
)
from guji.chinese import chinese_number
from guji.files.spreadsheets import Table, column_index
from guji.models import Binding, Holding, Responsibility, SibuClass


def find_header(cells: list[list[str]]) -> tuple[int, dict[int, str]]:
    """Index of the header row and {column index: field key}; the first row when none fits."""
    index = header_index()
    best = (0, {})
    for i, row in enumerate(cells[:HEADER_SEARCH_ROWS]):
        keys = {j: index[norm(v)] for j, v in enumerate(row) if v and norm(v) in index}
        if "call_number" in keys.values() or "title_juan" in keys.values():
            return i, keys
        if i == 0:
            best = (0, keys)
    return best


@dataclass
class Vocab:
    classes: dict[str, SibuClass | None]  # None marks a name two 部 share
    bindings: dict[str, Binding]
    class_index: ClassIndex | None = None  # the forms catalogues write: 集部/別集類, 集 别集 宋

    @classmethod
    def load(cls) -> Vocab:
        classes: dict[str, SibuClass | None] = {}
        by_name: dict[str, list[SibuClass]] = {}
        for c in SibuClass.objects.filter(active=True):
            classes[norm(c.code)] = c
            classes[norm(c.bu + (c.name if c.level != 1 else ""))] = c
            if c.level != 1:
                by_name.setdefault(norm(c.name), []).append(c)
        for name, found in by_name.items():
            classes.setdefault(name, found[0] if len(found) == 1 else None)
        bindings = {}
        for b in Binding.objects.filter(active=True):
            for name in (b.code, b.name, b.trad):
                if name:
                    bindings[norm(name)] = b
        rows = SibuClass.objects.filter(active=True)
        index = ClassIndex(ClassRow(c.code, c.bu, c.name, c.trad, c.level) for c in rows)
        return cls(classes, bindings, index)

    def find_class(self, text: str) -> tuple[SibuClass | None, str, tuple[str, ...], bool]:
        """(class, 属 written after it, nearest classes, ambiguous)."""
        found = self.classes.get(norm(text), False)
        if found:
            return found, "", (), False
        m = self.class_index.find(text) if self.class_index else None
        if m is None or m.code is None:
            return None, "", m.suggestions if m else (), found is None or bool(m and m.ambiguous)
        return self.classes.get(norm(m.code)) or None, m.subdivision, (), False


def whole_number(text: str) -> int | None:
    text = text.strip()
    if text.endswith(("册", "冊", "函")):
        text = text[:-1]
    if re.fullmatch(r"\d+\.0+", text):  # 18.0 from a number cell
        text = text.split(".")[0]
    return chinese_number(text)


@cache
def max_length(name: str, model: type = Holding) -> int | None:
    return model._meta.get_field(name).max_length


@cache
def statements_of(text: str) -> tuple[Statement, ...]:
    return tuple(parse_statements(text))


@cache
def statement_warnings(text: str) -> tuple[str, ...]:
    return parse_statements(text).warnings  # the reader caches what it read


_AS_WRITTEN = re.compile(r"[\s（）()［］\[\]〔〕、；;&＆,，]+")


def _reads_as_written(text: str, statements: tuple[Statement, ...]) -> bool:
    """Whether the catalogue form says what the cell says, bar spacing and punctuation."""
    return _AS_WRITTEN.sub("", text) == _AS_WRITTEN.sub("", catalogue_form(list(statements)))


def check_rows(
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
    header_at, keys = find_header(cells)
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
        col = column_index(problem.column or "")
        name = header_row[col] if col is not None and col < len(header_row) else None
        report.problems.append(
            Problem(problem.message, problem.row, name or problem.column, problem.value)
        )
    if report.problems:
        return []

    vocab = Vocab.load()
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
        if example := example_values(values, EXAMPLE_ROW):
            report.problems.append(
                Problem(
                    _(
                        "This row still holds the template's example values (%(columns)s): "
                        "replace them with this book's, or delete the row."
                    )
                    % {"columns": "、".join(headers[k] for k in example)},
                    row=number,
                    column=headers[example[0]],
                    value=values[example[0]],
                )
            )
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
        plan = check_row(number, values, headers, vocab, report)
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


def check_row(
    number: int,
    values: dict[str, str],
    headers: dict[str, str],
    vocab: Vocab,
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
        limit = max_length(key)
        if limit and len(values.get(key, "")) > limit:
            error(
                key,
                _("Too long: at most %(limit)s characters, this has %(n)s.")
                % {"limit": limit, "n": len(values[key])},
                values[key][:50],
            )

    if values.get("title_juan"):
        t = read_title_juan(values["title_juan"])
        if t.count == 0:
            error(
                "title_juan",
                _("The number of juan must be at least one."),
                values["title_juan"],
            )
        for warning in t.warnings if t.count != 0 else ():
            warn("title_juan", warning, values["title_juan"])
        if len(t.title) > max_length("title"):
            error("title_juan", _("The title is too long."), t.title[:50])

    volumes_text = values.get("volumes", "")
    data["volume_unit"], data["extent_note"] = "册", ""
    cases_text = values.get("cases", "")
    data["cases"] = None
    if cases_text:
        cases = whole_number(cases_text)
        if cases is None or cases < 1:
            error(
                "cases",
                _("The number of cases must be a whole number of at least 1, or empty."),
                cases_text,
            )
        data["cases"] = cases
    if volumes_text:
        extent = parse_extent(volumes_text)  # 10冊；2函, 4冊；1夾, 三摺
        if extent.volumes is None:
            error(
                "volumes",
                _("The number of ce must be a whole number of at least 1 (18 or 十八)."),
                volumes_text,
            )
        data["volumes"] = extent.volumes
        data["volume_unit"], data["extent_note"] = extent.unit, extent.other
        if extent.cases is not None:
            if data["cases"] not in (None, extent.cases):
                error(
                    "cases",
                    _("The number of ce says %(n)s cases; this cell says otherwise.")
                    % {"n": extent.cases},
                    cases_text,
                )
            data["cases"] = extent.cases
        for warning in extent.warnings:
            warn("volumes", warning, volumes_text)
        if extent.volumes and (extent.cases is not None or extent.other or extent.unit != "册"):
            warn("volumes", _("Split as %(parts)s.") % {"parts": extent.summary()}, volumes_text)

    data["sibu_class"], data["sibu_subdivision"] = None, ""
    if text := values.get("sibu_class"):
        found, subdivision, nearest, ambiguous = vocab.find_class(text)
        if found is None and ambiguous:
            error(
                "sibu_class",
                _(
                    "%(value)s is a class in several branches: write the branch too, "
                    "e.g. 史部·%(value)s."
                )
                % {"value": text},
                text,
            )
        elif found is None:
            error(
                "sibu_class",
                _("Unknown class. Nearest classes: %(nearest)s.")
                % {"nearest": "、".join(nearest) or "史部·纪传类"},
                text,
            )
        else:
            data["sibu_class"], data["sibu_subdivision"] = found, subdivision
    data["binding"] = None
    if text := values.get("binding"):
        found = vocab.bindings.get(norm(text))
        if found is None:
            error("binding", _("Unknown binding: use a name from the template's list."), text)
        data["binding"] = found

    statements: tuple[Statement, ...] = ()
    if text := values.get("authors"):
        statements = statements_of(text)
        for warning in statement_warnings(text):
            warn("authors", warning, text)
        if statements and not _reads_as_written(text, statements):
            warn(
                "authors",
                _("Read as %(statements)s.") % {"statements": catalogue_form(list(statements))},
                text,
            )
        for s in statements:
            too_long = (
                len(s.name) > max_length("name", Responsibility)
                or len(s.dynasty) > max_length("dynasty", Responsibility)
                or len(s.role) > max_length("role", Responsibility)
                or len(s.written) > max_length("written", Responsibility)
            )
            if too_long:
                error("authors", _("A name, dynasty or role here is too long."), text[:50])
                break
        if len(catalogue_form(list(statements))) > max_length("authors_text"):
            error("authors", _("The statements of responsibility are too long."), text[:50])

    if text := values.get("edition_statement"):
        for warning in editions.parse(text).warnings:
            warn("edition_statement", warning, text)

    if errors:
        order = {headers[c.key]: i for i, c in enumerate(COLUMNS) if c.key in headers}
        report.problems.extend(sorted(errors, key=lambda p: order.get(p.column, len(order))))
        return None
    given = {f for key, value in values.items() if value for f in FIELDS_OF[key]}
    blank = {f for key, value in values.items() if not value for f in FIELDS_OF[key]}
    if volumes_text and data["cases"] is not None:  # 10冊；2函 gives the cases too
        given.add("cases")
        blank.discard("cases")
    plan = RowPlan(number, data, list(statements))
    plan.given, plan.blank = frozenset(given), frozenset(blank)
    return plan
