"""Spreadsheet import of census entries: read, check every row, then write all or nothing.

One function, :func:`import_spreadsheet`, serves the web (through the Huey tasks in
``census/tasks.py``) and the ``import_holdings`` command. Its parts:

- :mod:`~census.imports.columns`: the census columns, their headers and aliases;
- :mod:`~census.imports.reading`: the file, read safely by ``guji.files.spreadsheets`` (size,
  type, zip bombs, encodings, formula cells);
- :mod:`~census.imports.rows`: every row checked, each problem with its row, column and value;
- :mod:`~census.imports.planning`: the rows compared with the register (create, update,
  unchanged, conflict; locked records refused). An update changes only the fields of the
  columns the file holds, and an empty cell only when the user chose "empty cells clear
  fields"; each matched holding's version is recorded, so the run refuses when it moved;
- :mod:`~census.imports.writing`: one transaction, new holdings at the driver with history;
- :mod:`~census.imports.jobs`: the import job's lifecycle (upload, dry run, run, progress).

Nothing is written while any row is bad.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from census.imports import planning, reading, rows, writing
from census.imports.columns import BY_KEY, COLUMNS, EXAMPLE_ROW, FIELDS, Column
from census.imports.reading import check_size, read_table
from census.imports.report import FileRejected, ImportReport, Problem, Progress, RowPlan
from guji.models import Institution, User
from guji.permissions import require

__all__ = [
    "BY_KEY",
    "COLUMNS",
    "EXAMPLE_ROW",
    "FIELDS",
    "Column",
    "FileRejected",
    "ImportReport",
    "Problem",
    "RowPlan",
    "check_size",
    "import_reason",
    "import_spreadsheet",
    "read_table",
]


def import_reason(filename: str, uploaded_by: User | None = None) -> str:
    """The history reason of the rows an import writes: the file, and who uploaded it when
    someone else runs the import of their upload (the one who runs it is the history user)."""
    if uploaded_by is None:
        return _("Import %(file)s") % {"file": filename}
    return _("Import %(file)s (uploaded by %(user)s)") % {"file": filename, "user": uploaded_by}


def import_spreadsheet(
    path: Path | str,
    *,
    filename: str | None = None,
    institution: Institution,
    by: User,
    update_existing: bool = False,
    clear_empty: bool = False,
    dry_run: bool = False,
    expected_versions: dict[str, int] | None = None,
    uploaded_by: User | None = None,
    progress: Progress | None = None,
    batch_size: int = 2000,
) -> ImportReport:
    """Check a spreadsheet and, unless ``dry_run`` or any row is bad, import it.

    An update changes only the fields of the columns the file holds; an empty cell leaves its
    field as it is unless ``clear_empty``. ``expected_versions`` is what the dry run saw
    (``report.versions``): when any holding the rows match changed since, or a call number it
    planned to create exists now, nothing is written. ``by`` is the history user of every row
    written; ``uploaded_by``, when given, is named in the reason.

    Raises PermissionDenied when ``by`` may not catalogue at ``institution``; every problem with
    the file itself ends in the report, never in an exception.
    """
    require(by, "catalogue", institution)
    path = Path(path)
    filename = filename or path.name
    report = ImportReport(file=filename, dry_run=dry_run)
    try:
        table = reading.read_table(path, filename)
    except FileRejected as exc:
        report.problems.extend(exc.problems)
        return _finish(report, [])
    report.encoding = table.encoding
    plans = rows.check_rows(table, filename, report=report, progress=progress)
    del table
    if report.problems:
        return _finish(report, plans)
    header = BY_KEY["call_number"].header
    planning.plan_against_register(
        plans,
        institution=institution,
        update_existing=update_existing,
        headers_call_number=header,
        report=report,
        batch_size=batch_size,
        clear_empty=clear_empty,
    )
    changed = [] if dry_run else planning.changed_since_check(report, expected_versions)
    if changed:
        report.problems.append(
            Problem(
                _(
                    "Since the file was checked, the register changed for call numbers "
                    "%(numbers)s; nothing was written. Upload the file again to see what "
                    "the import would do now."
                )
                % {"numbers": "、".join(changed)},
                kind="conflict",
            )
        )
    if report.problems or dry_run or not any(p.action in ("create", "update") for p in plans):
        return _finish(report, plans)
    try:
        with transaction.atomic():
            writing.write(
                plans,
                institution=institution,
                by=by,
                reason=import_reason(filename, uploaded_by),
                batch_size=batch_size,
                progress=progress,
            )
    except ValidationError as exc:  # update_holding's own refusal, e.g. a lock taken meanwhile
        report.problems.append(Problem(" ".join(exc.messages), kind="conflict"))
    except writing.RegisterChanged as exc:
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
    if report.problems:  # a rejected file adds and changes nothing, whatever its rows planned
        for plan in plans:
            if plan.action in ("create", "update"):
                plan.holding_id = plan.holding_id if plan.action == "update" else None
                plan.action = "refused"
    counts = dict.fromkeys(("create", "update", "unchanged", "conflict", "refused"), 0)
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
