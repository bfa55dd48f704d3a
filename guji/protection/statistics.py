"""Holdings by grade and by damage level, per institution and citywide; chart and workbook."""

from dataclasses import dataclass, field
from io import BytesIO

from django.db.models import Count
from django.utils.translation import gettext as _

from guji import registry
from guji.models import Grade, Holding

UNGRADED = ""


@dataclass
class GradeTable:
    columns: list[tuple[str, str]]  # (grade code, label)
    rows: list[tuple[object, dict[str, int], int]] = field(default_factory=list)

    def totals_by_grade(self) -> list[tuple[str, str, int]]:
        return [
            (code, label, sum(r[1].get(code, 0) for r in self.rows)) for code, label in self.columns
        ]

    @property
    def total(self) -> int:
        return sum(r[2] for r in self.rows)


def _short(label) -> str:
    text = str(label)
    return text[text.find("(") + 1 : text.find(")")] if "(" in text else text


def grade_table(institutions) -> GradeTable:
    columns = [(g.value, _short(g.label)) for g in Grade] + [(UNGRADED, _("Ungraded"))]
    counts: dict[int, dict[str, int]] = {}
    rows = (
        Holding.objects.filter(institution__in=institutions)
        .order_by()
        .values_list("institution_id", "grade")
        .annotate(n=Count("id"))
    )
    for inst_id, grade, n in rows:
        counts.setdefault(inst_id, {})[grade or UNGRADED] = n
    table = GradeTable(columns=columns)
    for inst in institutions:
        by_grade = counts.get(inst.pk, {})
        table.rows.append((inst, by_grade, sum(by_grade.values())))
    return table


def damage_table(institutions) -> list[tuple[str, int]] | None:
    """Holdings by damage level where assessed — from conservation's ``damage_levels``
    provider (``fn(holdings) → [(label, count)]``); None while no app offers it."""
    fn = registry.provider("damage_levels")
    if fn is None:
        return None
    return fn(Holding.objects.filter(institution__in=institutions))


def bars(totals: list[tuple[str, str, int]]) -> list[dict]:
    """A bar per grade, its width as a CSS class in 5 % steps (no inline style under CSP)."""
    top = max((n for _c, _l, n in totals), default=0) or 1
    return [
        {"code": code, "label": label, "n": n, "step": max(round(n * 20 / top), 1 if n else 0) * 5}
        for code, label, n in totals
    ]


def workbook(institutions) -> bytes:
    import pandas as pd

    table = grade_table(institutions)
    records = []
    for inst, by_grade, total in table.rows:
        row = {_("Institution"): inst.name, _("Code"): inst.code}
        for code, label in table.columns:
            row[label] = by_grade.get(code, 0)
        row[_("Total")] = total
        records.append(row)
    frame = pd.DataFrame.from_records(records)
    out = BytesIO()
    with pd.ExcelWriter(out, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=_("By grade"), index=False)
        damage = damage_table(institutions)
        if damage:
            pd.DataFrame(damage, columns=[_("Damage level"), _("Holdings")]).to_excel(
                writer, sheet_name=_("By damage"), index=False
            )
    return out.getvalue()
