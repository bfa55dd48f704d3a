"""Damage types, damage-level schemes, repair operations and quality grades from conservation/data/.

Copied from the domain reference (damage_types.csv, damage_levels.csv) or written from repair.md
(repair_operations.csv, quality_grades.csv). Loading adds only what is missing — a scheme already
present is never touched, so what the centre administrator entered from the printed standard
survives every migrate.
"""

import csv
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

DATA = Path(__file__).resolve().parent / "data"
REASON = "从领域参考数据载入（conservation/data/{file}）"
ACTIVE_SCHEME = "WH/T 22-2006"  # the 古籍 standard; DA/T 64.1-2017 is the labelled interim one
SCHEME_NAMES = {
    "WH/T 22-2006": "WH/T 22-2006 古籍特藏破损定级标准",
    "DA/T 64.1-2017": "DA/T 64.1-2017 纸质档案抢救与修复规范（档案标准，仅作对照/过渡方案）",
}


def rows(filename: str) -> list[dict[str, str]]:
    with open(DATA / filename, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _add_missing(model, filename: str, build) -> int:
    have = set(model.objects.values_list("code", flat=True))
    new = [build(i, r) for i, r in enumerate(rows(filename)) if r["code"] not in have]
    if new:
        bulk_create_with_history(new, model, default_change_reason=REASON.format(file=filename))
    return len(new)


@transaction.atomic
def sync() -> dict[str, int]:
    from conservation.models import DamageType, QualityGrade, RepairOperation

    added = {
        "DamageType": _add_missing(
            DamageType,
            "damage_types.csv",
            lambda i, r: DamageType(
                code=r["code"],
                name=r["name"],
                trad=r["trad"],
                category=r["category"],
                measure=r["measure"],
                unit=r["unit"],
                description=r["definition"],
                status=r["status"],
                position=i,
            ),
        ),
        "RepairOperation": _add_missing(
            RepairOperation,
            "repair_operations.csv",
            lambda i, r: RepairOperation(
                code=r["code"],
                name=r["name"],
                trad=r["trad"],
                english=r["english"],
                default_parameters=r["default_parameters"],
                description=r["description"],
                position=i,
            ),
        ),
        "QualityGrade": _add_missing(
            QualityGrade,
            "quality_grades.csv",
            lambda i, r: QualityGrade(
                code=r["code"],
                name=r["name"],
                trad=r["trad"],
                passed=r["passed"] == "yes",
                description=r["description"],
                position=i,
            ),
        ),
    }
    added["DamageScheme"] = load_schemes()
    return added


def _dec(text: str) -> Decimal | None:
    return Decimal(text) if text.strip() else None


def load_schemes(filename: str = "damage_levels.csv") -> int:
    """Create each scheme of the file that does not exist yet, with its levels and conditions."""
    from conservation.models import DamageCondition, DamageLevel, DamageScheme, DamageType

    reason = REASON.format(file=filename)
    types = {t.code: t for t in DamageType.objects.all()}
    data = rows(filename)
    created = 0
    for code in dict.fromkeys(r["scheme"] for r in data):
        if DamageScheme.objects.filter(code=code).exists():
            continue
        scheme = DamageScheme(
            code=code,
            name=SCHEME_NAMES.get(code, code),
            active=code == ACTIVE_SCHEME and not DamageScheme.objects.filter(active=True).exists(),
        )
        scheme._change_reason = reason
        scheme.save()
        created += 1
        levels: dict[int, DamageLevel] = {}
        for r in (r for r in data if r["scheme"] == code):
            number = int(r["level"])
            level = levels.get(number)
            if level is None:
                level = DamageLevel(scheme=scheme, number=number, name=r["name"], trad=r["trad"])
                level._change_reason = reason
                level.save()
                levels[number] = level
            if not r["damage_type"]:
                level.alt_name = level.alt_name or r["alt_name"]
                level.notes = level.notes or r["note"]
                level._change_reason = reason
                level.save()
                continue
            condition = DamageCondition(
                level=level,
                damage_type=types[r["damage_type"]],
                measure=r["measure"],
                and_group=r["and_group"],
                operator=r["operator"],
                low=_dec(r["threshold_low"]),
                high=_dec(r["threshold_high"]),
                unit=r["unit"],
                status=r["status"],
                note=r["note"],
            )
            condition._change_reason = reason
            condition.save()
    return created
