"""Holdings by grade and by damage level, per institution and citywide; chart and workbook."""

from dataclasses import dataclass, field

from django.db.models import Count
from django.utils.translation import gettext as _

from guji import registry
from guji.files.spreadsheets import XlsxWriter
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
    table = grade_table(institutions)
    writer = XlsxWriter()
    sheet = writer.sheet(_("By grade"))
    writer.append(
        sheet, [_("Institution"), _("Code"), *(label for _c, label in table.columns), _("Total")]
    )
    for inst, by_grade, total in table.rows:
        counts = [by_grade.get(code, 0) for code, _label in table.columns]
        writer.append(sheet, [inst.name, inst.code, *counts, total])
    damage = damage_table(institutions)
    if damage:
        sheet = writer.sheet(_("By damage"))
        writer.append(sheet, [_("Damage level"), _("Holdings")])
        for label, n in damage:
            writer.append(sheet, [label, n])
    return writer.to_bytes()
