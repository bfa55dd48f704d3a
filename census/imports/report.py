"""What an import found: each row's plan, every problem and warning, and the summary."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from guji.cataloguing import Statement
from guji.files.spreadsheets import FileRejected, Problem

__all__ = ["FileRejected", "ImportReport", "Problem", "Progress", "RowPlan"]

Progress = Callable[[str, int, int], None]  # (phase, done, total)


@dataclass
class RowPlan:
    row: int
    data: dict[str, object]
    statements: list[Statement]
    # create, update, unchanged, conflict; refused: a row of a rejected file, written nowhere
    action: str = "create"
    holding_id: int | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)  # (label, old, new)
    # Fields (FIELDS_OF's names) whose cells hold a value, and those whose cells are empty; a
    # column the file lacks is in neither, and an update leaves its fields as they are.
    given: frozenset[str] = frozenset()
    blank: frozenset[str] = frozenset()
    update: dict[str, object] = field(default_factory=dict)  # what an update sets
    update_statements: list[Statement] | None = None  # None: the statements stay
    clears: list[str] = field(default_factory=list)  # labels of the fields an update empties
    version: int | None = None  # the holding's version (guji.concurrency) when it was read


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
    # {call number: version} of every holding the rows matched, as read: the run compares
    # them with what its dry run saw (never capped: the run needs them all).
    versions: dict[str, int] = field(default_factory=dict)

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
            "versions": dict(self.versions),
            "rows": [
                {
                    "row": r.row,
                    "action": r.action,
                    "call_number": r.data.get("call_number", ""),
                    "title_juan": r.data.get("title_juan", ""),
                    "holding": r.holding_id,
                    "changes": [list(c) for c in r.changes],
                    "clears": list(r.clears),
                }
                for r in capped(self.rows)
            ],
        }
