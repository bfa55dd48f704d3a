"""A report's two files from its tables: the PDF (WeasyPrint, Noto CJK, charts as inline SVG
made here) and the workbook (one sheet per table, the same numbers)."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from guji.files import documents
from guji.files.spreadsheets import XlsxWriter
from guji.reports.tables import Table

STYLESHEET = Path(__file__).parent / "static" / "reports" / "report_pdf.css"
CHART_ROWS = 20  # a chart shows at most this many bars (the largest), the table shows all


def cell_text(value, kind: str) -> str:
    if value is None or value == "":
        return "—" if kind != "text" else ""
    if kind == "int":
        return f"{int(value):,}"
    if kind == "dec":
        return f"{float(value):,.1f}"
    if kind == "pct":
        return f"{float(value):.1f}%"
    return str(value)


def bars_svg(table: Table, *, limit: int = CHART_ROWS) -> str:
    """A horizontal bar chart of the table's chart column, as SVG markup (no script, no style
    attribute: it passes the pages' Content-Security-Policy and WeasyPrint alike)."""
    if not table.chart or not table.rows:
        return ""
    label_i, value_i = table.chart
    rows = [(str(r[label_i]), float(r[value_i] or 0)) for r in table.rows]
    if len(rows) > limit:
        rows = sorted(rows, key=lambda r: -r[1])[:limit]
    top = max((v for _l, v in rows), default=0) or 1
    bar_h, gap, label_w, width = 14, 4, 150, 560
    height = len(rows) * (bar_h + gap) + gap
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" font-family="Noto Sans CJK SC, sans-serif" role="img" '
        f'aria-label="{escape(table.title)}">'
    ]
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = (width - label_w - 70) * value / top
        short = label if len(label) <= 12 else label[:11] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + bar_h - 3}" text-anchor="end" font-size="11">'
            f"{escape(short)}</text>"
            f'<rect class="bar" x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h}" '
            f'fill="#8c5a2b"><title>{escape(label)}: {value:g}</title></rect>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}" font-size="11">'
            f"{value:,.0f}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def rendered_tables(tables: list[Table]) -> list[dict]:
    out = []
    for t in tables:
        kinds = [c.kind for c in t.columns]
        out.append(
            {
                "table": t,
                "chart": mark_safe(bars_svg(t)),
                "head": [(c.label, c.kind != "text") for c in t.columns],
                "rows": [
                    [(cell_text(v, k), k != "text") for v, k in zip(r, kinds, strict=True)]
                    for r in t.rows
                ],
                "totals": [
                    (cell_text(v, k), k != "text") for v, k in zip(t.totals, kinds, strict=True)
                ]
                if t.totals
                else None,
            }
        )
    return out


NO_FOOTER = "@page { @bottom-center { content: none } }"  # numbers are stamped after joining


def pdf_bytes(
    *,
    title: str,
    period_label: str,
    sections: list[tuple[str, list[Table]]],
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bytes, list[dict]]:
    """The PDF and the characters its fonts could not draw ([{char, codepoint, where}]).

    The cover and each section are laid out on their own and written as parts, then joined with
    page numbers stamped across them: memory follows the largest section, not the document."""
    documents.check_fonts()
    glyphs = documents.GlyphCheck()
    for _heading, tables in sections:
        for t in tables:
            glyphs.check(" ".join([t.title, *(str(v) for r in t.rows for v in r)]), where=t.title)
    compiled_at = timezone.localtime()
    units = [None, *range(len(sections))]
    with tempfile.TemporaryDirectory(prefix="guji-report-") as folder:
        parts = []
        for done, i in enumerate(units):
            html = render_to_string(
                "reports/report_pdf.html",
                {
                    "title": title,
                    "period": period_label,
                    "compiled_at": compiled_at,
                    "cover": i is None,
                    "number": (i or 0) + 1,
                    "sections": []
                    if i is None
                    else [(sections[i][0], rendered_tables(sections[i][1]))],
                },
            )
            path = Path(folder) / f"part-{done:03d}.pdf"
            document = documents.render_html(html, stylesheets=[STYLESHEET, NO_FOOTER])
            documents.write_part(document, path)
            del document
            parts.append(path)
            if progress:
                progress(done + 1, len(units))
        out = BytesIO()
        numbers = documents.PageNumbers(stylesheets=(STYLESHEET,))
        documents.join_pdfs(parts, out, title=title, page_numbers=numbers)
    return out.getvalue(), glyphs.report()


_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, taken: set[str]) -> str:
    base = _SHEET_BAD.sub("", title)[:28] or "Sheet"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base[:26]}{n}"
    taken.add(name)
    return name


def xlsx_bytes(tables: list[Table]) -> bytes:
    """One sheet per table: its title in A1, the column headers in row 2, the rows, and the
    totals row last; numbers stay numbers."""
    from openpyxl.styles import Font

    writer = XlsxWriter()
    taken: set[str] = set()
    bold = Font(bold=True)
    for t in tables:
        sheet = writer.sheet(sheet_name(t.title, taken))
        writer.set(sheet, 1, 1, t.title).font = bold
        writer.append(sheet, [c.label for c in t.columns])
        for row in t.rows:
            writer.append(sheet, row)
        if t.totals:
            n = writer.append(sheet, t.totals)
            for cell in sheet[n]:
                cell.font = bold
        if t.note:
            writer.append(sheet, [])
            writer.append(sheet, [t.note])
        sheet.freeze_panes = "B3"
        sheet.column_dimensions["A"].width = 28
    if not tables:
        writer.sheet(_("Report"))
    return writer.to_bytes()
