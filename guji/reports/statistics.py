"""The statistics pages: the holdings a user may see, counted by each dimension of the holding
list, for any of the list's filters; every count links to the list with the same filters."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from guji.lists import STATE, HoldingQuery
from guji.permissions import can_anywhere
from guji.reports.holdings import holding_tables
from guji.reports.render import bars_svg


def list_link(base: list[tuple[str, str]], extra: dict[str, str] | None) -> str:
    """The holding list with the filters ``base`` (pairs) and ``extra`` (replacing keys)."""
    extra = extra or {}
    pairs = [(k, v) for k, v in base if k not in extra] + sorted(extra.items())
    return reverse("holding_list") + ("?" + urlencode(pairs) if pairs else "")


@require_GET
def statistics_index(request: HttpRequest) -> HttpResponse:
    if not can_anywhere(request.user, "view"):
        raise PermissionDenied
    query = HoldingQuery.from_params(request.user, request.GET)
    holdings = query.queryset(request.user).order_by()
    data = query.data
    base = [
        (k, v)
        for k, vs in request.GET.lists()
        if k not in STATE and (k in ("q", "field") or data.get(k))
        for v in vs
        if v
    ]
    tables = []
    for t in holding_tables(holdings, with_status=True):
        rows = [
            {
                "label": row[0],
                "count": row[1],
                "link": list_link(base, f) if f is not None else "",
            }
            for row, f in zip(t.rows, t.row_filters, strict=True)
        ]
        tables.append(
            {
                "key": t.key,
                "title": t.title,
                "column": t.columns[0].label,
                "rows": rows,
                "total": t.totals[1] if t.totals else 0,
                "total_link": list_link(base, None),
                "chart": mark_safe(bars_svg(t, limit=30)),
            }
        )
    return render(
        request,
        "reports/statistics.html",
        {"form": query.form, "tables": tables, "filtered": bool(base)},
    )
