"""The core's tables: holdings by institution, dynasty, edition type, 四部 class, grade, status.

One GROUP BY query per table, whatever the number of holdings. Each row carries the holding
list's filters that select it (``Table.row_filters``), or None where the list cannot filter for
it (an empty or unlisted value), so that the statistics pages link every count to its records.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from guji.forms import HoldingFilterForm
from guji.models import EditionType, Grade, Holding, Institution, SibuClass
from guji.reports.tables import Column, Table


def _counts(holdings: QuerySet, field: str) -> dict:
    rows = holdings.order_by().values_list(field).annotate(n=Count("id"), ce=Sum("volumes"))
    return {key: (n, ce or 0) for key, n, ce in rows}


def _columns(first) -> list[Column]:
    return [Column(first, "text"), Column(_("Holdings (bu)"), "int"), Column(_("Ce"), "int")]


def _table(key, title, first, rows: list[tuple[str, tuple[int, int], dict | None]]) -> Table:
    table = Table(
        key=key,
        title=title,
        columns=_columns(first),
        rows=[[label, n, ce] for label, (n, ce), _f in rows],
        row_filters=[f for _l, _c, f in rows],
        chart=(0, 1),
    )
    return table.with_totals()


NOT_RECORDED = "—"


def by_institution(holdings: QuerySet) -> Table:
    counts = _counts(holdings, "institution_id")
    institutions = Institution.objects.filter(pk__in=list(counts)).order_by("code", "pk")
    rows = [
        (name, counts[pk], {"institution": str(pk)})
        for pk, name in institutions.values_list("pk", "name")
    ]
    return _table("holdings_by_institution", _("Holdings by institution"), _("Institution"), rows)


def by_dynasty(holdings: QuerySet) -> Table:
    counts = _counts(holdings, "edition_dynasty")
    known = [d for d in HoldingFilterForm.DYNASTIES if d in counts]
    rows = [(d, counts[d], {"dynasty": d}) for d in known]
    rows += [(d or NOT_RECORDED, c, None) for d, c in sorted(counts.items()) if d not in known]
    return _table("holdings_by_dynasty", _("Holdings by dynasty of edition"), _("Dynasty"), rows)


def by_edition_type(holdings: QuerySet) -> Table:
    counts = _counts(holdings, "edition_type")
    listed = list(
        EditionType.objects.filter(active=True, name__in=list(counts)).values_list(
            "name", flat=True
        )
    )
    rows = [(t, counts[t], {"edition_type": t}) for t in listed]
    rows += [(t or NOT_RECORDED, c, None) for t, c in sorted(counts.items()) if t not in listed]
    return _table(
        "holdings_by_edition_type", _("Holdings by edition type"), _("Edition type"), rows
    )


def by_sibu(holdings: QuerySet) -> Table:
    counts = _counts(holdings, "sibu_class__bu")
    branches = SibuClass.objects.filter(level=1, active=True, bu__in=[b for b in counts if b])
    rows = [(bu, counts[bu], {"sibu": str(pk)}) for pk, bu in branches.values_list("pk", "bu")]
    done = {r[0] for r in rows}
    rows += [
        (b or NOT_RECORDED, c, None)
        for b, c in sorted(counts.items(), key=lambda i: i[0] or "")
        if b not in done
    ]
    return _table("holdings_by_sibu", _("Holdings by four-branch class"), _("Branch"), rows)


def by_grade(holdings: QuerySet) -> Table:
    counts = _counts(holdings, "grade")
    rows = [(str(g.label), counts[g.value], {"grade": g.value}) for g in Grade if g.value in counts]
    if "" in counts:
        rows.append((_("Ungraded"), counts[""], None))
    return _table("holdings_by_grade", _("Holdings by grade"), _("Grade"), rows)


def by_status(holdings: QuerySet) -> Table:
    counts = _counts(holdings, "status")
    rows = [
        (str(s.label), counts[s.value], {"status": s.value})
        for s in Holding.Status
        if s.value in counts
    ]
    return _table("holdings_by_status", _("Holdings by status"), _("Status"), rows)


def holding_tables(holdings: QuerySet, *, with_status: bool = False) -> list[Table]:
    tables = [
        by_institution(holdings),
        by_dynasty(holdings),
        by_edition_type(holdings),
        by_sibu(holdings),
        by_grade(holdings),
    ]
    if with_status:
        tables.append(by_status(holdings))
    return tables


def report_section(period, scope) -> list[Table]:
    """The report's holdings: the register as it stands when the report is compiled (the
    holdings registered by the end of the census), by each of the list's dimensions."""
    registered = scope.filter(Holding.objects.filter(status=Holding.Status.REGISTERED))
    tables = holding_tables(registered)
    for t in tables:
        t.row_filters = [dict(f, status="registered") if f else None for f in t.row_filters]
        t.note = _("Registered holdings, as the register stood when the report was compiled.")
    return tables
