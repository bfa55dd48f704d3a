"""Re-derive the stored structure of holdings after the parsers change.

The cataloguer's text is the record: 题名卷数, the catalogue form of the responsibility
statements (``authors_text``) and the edition statement. Everything read from them (title and
count, statements, edition dating and type, the readers' warnings, the search key) is derived,
and re-deriving it with the current parsers is safe. What a cataloguer set by hand (a title or
number of juan differing from what the 题名卷数 gives) is kept.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import transaction

from guji.cataloguing import Statement, parse_statements, read_title_juan
from guji.history import save_audited
from guji.models import Holding, User
from guji.services import _sync_statements, derive

DERIVED = (
    "title",
    "juan_count",
    "juan_unit",
    "edition_dynasty",
    "edition_era",
    "edition_era_year",
    "edition_year",
    "edition_type",
    "edition_warnings",
    "authors_text",
    "cataloguing_warnings",
    "search_key",
)
SHOWN = tuple(f for f in DERIVED if f != "search_key")
CHUNK = 500


@dataclass
class Changed:
    holding_id: int
    call_number: str
    institution_id: int
    fields: list[tuple[str, object, object]] = field(default_factory=list)
    statements: tuple[str, str] | None = None  # (old, new) catalogue forms

    def lines(self) -> list[str]:
        out = [f"{self.call_number} (#{self.holding_id})"]
        out += [f"  {name}: {old!r} → {new!r}" for name, old, new in self.fields]
        if self.statements:
            out.append(f"  statements: {self.statements[0]!r} → {self.statements[1]!r}")
        return out


@dataclass
class Report:
    examined: int = 0
    changed: list[Changed] = field(default_factory=list)
    dry_run: bool = True


def _reread_title(holding: Holding) -> None:
    """Forget a title and count an older parser failed to split (title left as the whole
    题名卷数, or no count), so that ``derive`` reads them again; keep what was set by hand."""
    t = read_title_juan(holding.title_juan or "")
    if holding.title == holding.title_juan or holding.juan_count is None:
        holding.title = ""
        holding.juan_count = None
    elif holding.title == t.title and holding.juan_count != t.count and t.count is not None:
        holding.juan_count = None


def rederive(
    *,
    by: User | None,
    reason: str,
    dry_run: bool = False,
    holdings=None,
    progress: Callable[[Changed], None] | None = None,
) -> Report:
    """Re-derive every holding in ``holdings`` (all by default); write the changed ones with
    history (``by``, ``reason``) unless ``dry_run``. Returns what changed."""
    report = Report(dry_run=dry_run)
    queryset = (holdings if holdings is not None else Holding.objects.all()).order_by("pk")
    for chunk in _chunks(queryset):
        with transaction.atomic():
            for holding in chunk:
                report.examined += 1
                change = _rederive_one(holding, by=by, reason=reason, dry_run=dry_run)
                if change is not None:
                    report.changed.append(change)
                    if progress:
                        progress(change)
    return report


def _chunks(queryset) -> Iterator[list[Holding]]:
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).prefetch_related("responsibilities")[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def _rederive_one(holding: Holding, *, by, reason: str, dry_run: bool) -> Changed | None:
    before = {name: getattr(holding, name) for name in DERIVED}
    rows = sorted(holding.responsibilities.all(), key=lambda r: (r.seq, r.pk))
    old_statements = [r.statement() for r in rows]
    new_statements: list[Statement] = list(parse_statements(holding.authors_text or ""))
    _reread_title(holding)
    derive(holding, new_statements)
    change = Changed(holding.pk, holding.call_number, holding.institution_id)
    change.fields = [
        (name, before[name], getattr(holding, name))
        for name in SHOWN
        if before[name] != getattr(holding, name)
    ]
    statements_changed = old_statements != new_statements
    if statements_changed:
        change.statements = (_describe(old_statements), _describe(new_statements))
    key_changed = before["search_key"] != holding.search_key
    if not (change.fields or statements_changed or key_changed):
        return None
    if not dry_run:
        if change.fields or key_changed:
            save_audited(holding, by=by, reason=reason, fields=[*DERIVED, "updated_at"])
        if statements_changed:
            _sync_statements(holding, new_statements, by=by, reason=reason)
    return change if (change.fields or statements_changed) else None


def _describe(statements: list[Statement]) -> str:
    """``(清)|王念孫|撰 · …``: dynasty, name and role of each statement, as stored."""
    return " · ".join(
        f"[原文]{s.written}" if s.written else f"({s.dynasty})|{s.name}|{s.role}"
        for s in statements
    )
