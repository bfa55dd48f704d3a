"""The ONE damage-level function: findings + a scheme's conditions → a level and its rule.

Rules (damage.md §4, with the AND-groups of the second reading):

* A condition compares one measure of the finding of its damage type. A measure the finding does
  not carry (not measured) never satisfies a condition: the level is never guessed upwards.
* Rows of one level and damage type with the same ``and_group`` form one condition that holds when
  all its rows hold; a row without a group is a condition of its own.
* A damage type reaches the most severe (lowest-numbered) level one of whose conditions holds;
  the overall level is the most severe level any type reaches ("the worst condition decides").
  Several lighter damages do not add up.
* Nothing holds → no level (``None``): shown as "no damage level reached".

Comparison convention, the same for every scheme: ``<`` value < high, ``<=`` value ≤ high,
``>`` value > low, ``>=`` value ≥ low, ``range`` low ≤ value < high (half-open, so DA/T 64.1's
adjoining bands pH 5.0–5.5 / 5.5–6.2 and 20–40 % / ≥ 40 % leave neither gaps nor overlaps;
both edges are tested); ``=`` holds when the finding records the damage (``present``) or its
described condition (``qualitative``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from conservation.models import DamageCondition, DamageScheme, Finding, Measure

Op = DamageCondition.Operator


def measure_value(finding: Finding, measure: str) -> Decimal | bool | None:
    """The finding's value for ``measure``; None when it was not measured."""
    if measure == Measure.PRESENT:
        return True
    if measure == Measure.QUALITATIVE:
        return bool(finding.qualitative)
    if measure in (Measure.LEAF_PCT, Measure.SHEET_PCT):
        return finding.leaf_pct  # both from the counts, so the share is reproducible
    return getattr(finding, measure)


def holds(condition: DamageCondition, finding: Finding) -> bool:
    value = measure_value(finding, condition.measure)
    if value is None:
        return False
    op, low, high = condition.operator, condition.low, condition.high
    if op == Op.EQ:
        return value is True
    if isinstance(value, bool):
        return False  # a numeric comparison on a yes/no measure is a data error: never holds
    if op == Op.LT:
        return high is not None and value < high
    if op == Op.LE:
        return high is not None and value <= high
    if op == Op.GT:
        return low is not None and value > low
    if op == Op.GE:
        return low is not None and value >= low
    if op == Op.RANGE:
        return low is not None and high is not None and low <= value < high
    return False


@dataclass(frozen=True)
class Decision:
    level: int | None  # None: no condition holds
    level_name: str
    rule: str  # the condition that decided, as a sentence
    damage_type: str  # the type whose condition decided ("" when none)
    per_type: dict[str, int | None]  # damage-type name → level it reached


def _groups(conditions: Iterable[DamageCondition]) -> dict[tuple, list[DamageCondition]]:
    groups: dict[tuple, list[DamageCondition]] = defaultdict(list)
    for c in conditions:
        key = (c.level.number, c.damage_type_id, c.and_group or f"#{c.pk or id(c)}")
        groups[key].append(c)
    return groups


def damage_level(findings: Sequence[Finding], scheme: DamageScheme) -> Decision:
    """The damage level of ``findings`` under ``scheme``, with the rule that decided it."""
    conditions = list(
        DamageCondition.objects.filter(level__scheme=scheme).select_related("level", "damage_type")
    )
    names = {lv.number: lv.name for lv in scheme.levels.all()}
    by_type: dict[int, list[Finding]] = defaultdict(list)
    for f in findings:
        by_type[f.damage_type_id].append(f)

    best: tuple[int, list[DamageCondition]] | None = None
    per_type: dict[str, int | None] = {}
    for f in findings:
        per_type.setdefault(str(f.damage_type), None)
    for (number, type_id, _group), rows in sorted(_groups(conditions).items(), key=_order):
        if not any(all(holds(c, f) for c in rows) for f in by_type.get(type_id, ())):
            continue
        type_name = str(rows[0].damage_type)
        if per_type.get(type_name) is None or number < per_type[type_name]:
            per_type[type_name] = number
        if best is None or number < best[0]:
            best = (number, rows)
    if best is None:
        return Decision(None, _("no damage level reached"), "", "", per_type)
    number, rows = best
    return Decision(
        number,
        names.get(number, str(number)),
        describe_rule(rows),
        str(rows[0].damage_type),
        per_type,
    )


def _order(item):
    (number, type_id, group), _rows = item
    return (number, type_id, group)


def describe_condition(c: DamageCondition) -> str:
    measure = Measure(c.measure).label if c.measure in Measure.values else c.measure
    unit = "" if c.unit in ("", "pH", "fraction") else c.unit
    low = f"{_fmt(c.low)}{unit}" if c.low is not None else ""
    high = f"{_fmt(c.high)}{unit}" if c.high is not None else ""
    if c.operator == Op.EQ:
        text = f"{measure}"
    elif c.operator == Op.RANGE:
        text = f"{low} ≤ {measure} < {high}"
    elif c.operator in (Op.LT, Op.LE):
        text = f"{measure} {Op(c.operator).label} {high}"
    else:
        text = f"{measure} {Op(c.operator).label} {low}"
    return f"{c.damage_type}: {text}"


def describe_rule(rows: Sequence[DamageCondition]) -> str:
    """'虫蛀: … ≥ 50% 且 … ≥ 80% → 一级破损'."""
    parts = [describe_condition(rows[0])]
    parts += [describe_condition(c).split(": ", 1)[1] for c in rows[1:]]
    return _(" and ").join(parts) + f" → {rows[0].level.name}"


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text
