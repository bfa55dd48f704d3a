"""A report table: title, columns, rows and a totals row, as plain data (stored as JSON with a
frozen report, written to the PDF and to one sheet of the workbook each).

    Table(
        key="holdings_by_dynasty",
        title=_("Holdings by dynasty"),
        columns=[Column(_("Dynasty"), "text"), Column(_("Bu"), "int"), Column(_("Ce"), "int")],
        rows=[["明", 120, 845], ["清", 300, 2100]],
        chart=(0, 1),                  # a bar chart of column 1 labelled by column 0
    ).with_totals()                    # sums every "int"/"dec" column
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

NUMERIC = ("int", "dec")


@dataclass
class Column:
    label: str
    kind: str = "int"  # text, int, dec (one decimal), pct (per cent, one decimal)


@dataclass
class Table:
    key: str
    title: str
    columns: list[Column]
    rows: list[list[Any]] = field(default_factory=list)
    totals: list[Any] | None = None
    note: str = ""
    chart: tuple[int, int] | None = None  # (label column, value column) for a bar chart
    # Holding-list filters behind each row (the statistics pages link every count to them).
    row_filters: list[dict[str, str] | None] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.title, self.note = str(self.title), str(self.note)
        for c in self.columns:
            c.label = str(c.label)
        self.rows = [[_plain(v) for v in row] for row in self.rows]
        if self.totals is not None:
            self.totals = [_plain(v) for v in self.totals]

    def with_totals(self, label: str | None = None, **given: Any) -> Table:
        """A totals row: the sum of each int/dec column, ``given`` (column index as ``cN``)
        for others (a percentage is recomputed from its parts, never summed)."""
        totals: list[Any] = []
        for i, column in enumerate(self.columns):
            if f"c{i}" in given:
                totals.append(_plain(given[f"c{i}"]))
            elif column.kind == "int":
                totals.append(sum(int(r[i] or 0) for r in self.rows))
            elif column.kind == "dec":
                totals.append(round(sum(float(r[i] or 0) for r in self.rows), 1))
            else:
                totals.append("")
        totals[0] = str(label) if label is not None else _("Total")
        self.totals = totals
        return self

    def column_total(self, index: int) -> Any:
        return self.totals[index] if self.totals else None

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Table:
        data = dict(data)
        data["columns"] = [Column(**c) for c in data["columns"]]
        if data.get("chart"):
            data["chart"] = tuple(data["chart"])
        return cls(**data)


def _plain(value: Any) -> Any:
    """A JSON-safe cell: Decimal → float, lazy strings → str, None kept."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def share(part: float | None, whole: float | None) -> float | None:
    """``part`` as a percentage of ``whole``, one decimal; None when there is no whole."""
    if not whole:
        return None
    return round(100 * (part or 0) / whole, 1)
