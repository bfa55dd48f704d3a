"""The one damage-level function against every condition of the shipped schemes.

Convention under test (conservation/grading.py): ``range`` is low ≤ value < high; ``>=``/``<``
as written; AND-groups need all their rows; the worst level reached decides; nothing holds → None.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from conservation.grading import damage_level
from conservation.models import DamageCondition, DamageScheme, DamageType, Finding
from conservation.services import create_assessment, current_damage
from guji.models import RoleAssignment
from tests.factories import make_holding, make_user

WHT = "WH/T 22-2006"
DAT = "DA/T 64.1-2017"


def finding(code: str, **values) -> Finding:
    if "leaves" in values:
        values["leaves_affected"], values["leaves_total"] = values.pop("leaves")
    for k, v in list(values.items()):
        if (
            isinstance(v, float | int)
            and not isinstance(v, bool)
            and k
            not in (
                "leaves_affected",
                "leaves_total",
            )
        ):
            values[k] = Decimal(str(v))
    return Finding(damage_type=DamageType.objects.get(code=code), **values)


def grade(scheme: str, *findings: Finding):
    return damage_level(list(findings), DamageScheme.objects.get(code=scheme))


# (scheme, damage type, measure, the values of the finding, expected level). Each shipped
# condition row appears with the values on both sides of each of its edges.
CASES = [
    # WH/T 22-2006 虫蛀: level 1 = one leaf ≥ 50 % AND ≥ 80 % of the 册's leaves; else level 4.
    (WHT, "chongzhu", "leaf_area_pct+leaf_pct", {"leaf_area_pct": 50, "leaves": (80, 100)}, 1),
    (WHT, "chongzhu", "leaf_area_pct+leaf_pct", {"leaf_area_pct": 100, "leaves": (10, 10)}, 1),
    (WHT, "chongzhu", "leaf_area_pct", {"leaf_area_pct": 49.99, "leaves": (80, 100)}, 4),
    (WHT, "chongzhu", "leaf_pct", {"leaf_area_pct": 50, "leaves": (79, 100)}, 4),
    (WHT, "chongzhu", "leaf_pct", {"leaf_area_pct": 50, "leaves": (4, 5)}, 1),  # 80 % exactly
    (WHT, "chongzhu", "leaf_area_pct", {"leaf_area_pct": 90}, 4),  # counts not taken: not 1
    (WHT, "chongzhu", "present", {}, 4),
    (WHT, "suanhua", "none", {"ph": 3.5}, None),  # no WH/T 22 pH threshold shipped
    # DA/T 64.1-2017 酸化 pH: < 5.0 → 1; 5.0–5.5 → 2; 5.5–6.2 → 3; from 6.2 nothing.
    (DAT, "suanhua", "ph", {"ph": 4.99}, 1),
    (DAT, "suanhua", "ph", {"ph": 5.0}, 2),
    (DAT, "suanhua", "ph", {"ph": 5.49}, 2),
    (DAT, "suanhua", "ph", {"ph": 5.5}, 3),
    (DAT, "suanhua", "ph", {"ph": 6.19}, 3),
    (DAT, "suanhua", "ph", {"ph": 6.2}, None),
    (DAT, "suanhua", "ph", {}, None),  # not measured: never guessed
    # 粘连: 1 = area ≥ 40 % AND item > 50 %; 2 = 20–40 % of sheets; 3 = 5–20 % of sheets.
    (DAT, "zhanlian", "area_pct+item_area_pct", {"area_pct": 40, "item_area_pct": 50.01}, 1),
    (DAT, "zhanlian", "item_area_pct", {"area_pct": 40, "item_area_pct": 50}, None),
    (DAT, "zhanlian", "area_pct", {"area_pct": 39.99, "item_area_pct": 80}, None),
    (
        DAT,
        "zhanlian",
        "item_area_pct",
        {"area_pct": 45, "item_area_pct": 50, "leaves": (30, 100)},
        2,
    ),
    (DAT, "zhanlian", "sheet_pct", {"leaves": (40, 100)}, None),  # ≥ 40 % sheets: only area
    (DAT, "zhanlian", "sheet_pct", {"leaves": (39, 100)}, 2),
    (DAT, "zhanlian", "sheet_pct", {"leaves": (20, 100)}, 2),
    (DAT, "zhanlian", "sheet_pct", {"leaves": (19, 100)}, 3),
    (DAT, "zhanlian", "sheet_pct", {"leaves": (5, 100)}, 3),
    (DAT, "zhanlian", "sheet_pct", {"leaves": (4, 100)}, None),
    # 缺损 area: ≥ 40 → 1; 20–40 → 2; 5–20 → 3.
    (DAT, "queshun", "area_pct", {"area_pct": 40}, 1),
    (DAT, "queshun", "area_pct", {"area_pct": 39.99}, 2),
    (DAT, "queshun", "area_pct", {"area_pct": 20}, 2),
    (DAT, "queshun", "area_pct", {"area_pct": 19.99}, 3),
    (DAT, "queshun", "area_pct", {"area_pct": 5}, 3),
    (DAT, "queshun", "area_pct", {"area_pct": 4.99}, None),
    # 污渍: ≥ 60 → 1; 20–60 → 2.
    (DAT, "wuzi", "area_pct", {"area_pct": 60}, 1),
    (DAT, "wuzi", "area_pct", {"area_pct": 59.99}, 2),
    (DAT, "wuzi", "area_pct", {"area_pct": 20}, 2),
    (DAT, "wuzi", "area_pct", {"area_pct": 19.99}, None),
    # 霉蚀 and 虫蛀 (archives): ≥ 30 → 1; 20–30 → 2.
    (DAT, "meishi", "area_pct", {"area_pct": 30}, 1),
    (DAT, "meishi", "area_pct", {"area_pct": 29.99}, 2),
    (DAT, "meishi", "area_pct", {"area_pct": 20}, 2),
    (DAT, "meishi", "area_pct", {"area_pct": 19.99}, None),
    (DAT, "chongzhu", "area_pct", {"area_pct": 30}, 1),
    (DAT, "chongzhu", "area_pct", {"area_pct": 29.99}, 2),
    (DAT, "chongzhu", "area_pct", {"area_pct": 20}, 2),
    (DAT, "chongzhu", "area_pct", {"area_pct": 19.99}, None),
    # 撕裂: a tear over 1/4 to 1/2 of the sheet → 3.
    (DAT, "silie", "fraction_of_sheet", {"fraction_of_sheet": 0.25}, 3),
    (DAT, "silie", "fraction_of_sheet", {"fraction_of_sheet": 0.499}, 3),
    (DAT, "silie", "fraction_of_sheet", {"fraction_of_sheet": 0.5}, None),
    (DAT, "silie", "fraction_of_sheet", {"fraction_of_sheet": 0.249}, None),
    # qualitative conditions: 糟朽 and 字迹损坏 → 1; 老化 → 2.
    (DAT, "zaoxiu", "qualitative", {"qualitative": True}, 1),
    (DAT, "zaoxiu", "qualitative", {"qualitative": False}, None),
    (DAT, "script_loss", "qualitative", {"qualitative": True}, 1),
    (DAT, "script_loss", "qualitative", {"qualitative": False}, None),
    (DAT, "laohua", "qualitative", {"qualitative": True}, 2),
    (DAT, "laohua", "qualitative", {"qualitative": False}, None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("scheme", "code", "measure", "values", "expected"),
    CASES,
    ids=[f"{s[:3]}-{c}-{m}-{sorted(v.items())}" for s, c, m, v, _e in CASES],
)
def test_each_threshold_edge(scheme, code, measure, values, expected):
    decision = grade(scheme, finding(code, **values))

    assert decision.level == expected
    if expected is None:
        assert decision.rule == ""
    else:
        assert decision.damage_type == DamageType.objects.get(code=code).name
        assert decision.rule.endswith(decision.level_name)


@pytest.mark.django_db
def test_every_shipped_condition_is_exercised_above():
    tested = set()
    for scheme, code, measure, _v, _e in CASES:
        for m in measure.split("+"):
            tested.add((scheme, code, m))
    shipped = {
        (c.level.scheme.code, c.damage_type.code, c.measure)
        for c in DamageCondition.objects.select_related("level__scheme", "damage_type")
    }

    assert shipped, "the migration loads the schemes from conservation/data/"
    assert shipped - tested == set()


@pytest.mark.django_db
def test_the_wht22_and_group_names_both_measures_in_its_rule():
    decision = grade(WHT, finding("chongzhu", leaf_area_pct=60, leaves=(90, 100)))

    assert decision.level == 1
    assert decision.level_name == "一级破损"
    assert "50" in decision.rule and "80" in decision.rule
    assert decision.rule.startswith("虫蛀")


@pytest.mark.django_db
def test_the_worst_of_several_damages_decides():
    decision = grade(
        DAT,
        finding("queshun", area_pct=10),  # 3
        finding("suanhua", ph=5.2),  # 2
        finding("silie", fraction_of_sheet=0.3),  # 3
    )

    assert decision.level == 2
    assert decision.damage_type == "酸化"
    assert decision.per_type == {"缺损": 3, "酸化": 2, "撕裂": 3}


@pytest.mark.django_db
def test_several_light_damages_do_not_add_up():
    decision = grade(
        DAT,
        finding("queshun", area_pct=19),
        finding("zhanlian", leaves=(10, 100)),
        finding("silie", fraction_of_sheet=0.3),
    )

    assert decision.level == 3


@pytest.mark.django_db
def test_a_type_takes_its_most_severe_level_when_two_of_its_conditions_hold():
    # 粘连 area ≥ 40 % of a sheet and > half the item (1) while 30 % of sheets are stuck (2)
    decision = grade(DAT, finding("zhanlian", area_pct=41, item_area_pct=60, leaves=(30, 100)))

    assert decision.level == 1
    assert "≥" in decision.rule and ">" in decision.rule


@pytest.mark.django_db
def test_no_findings_reach_no_level():
    assert grade(DAT).level is None


@pytest.mark.django_db
def test_thresholds_are_data_the_centre_can_change():
    row = DamageCondition.objects.get(
        level__scheme__code=DAT, level__number=1, damage_type__code="queshun"
    )
    row.low = Decimal(50)
    row.save()

    assert grade(DAT, finding("queshun", area_pct=45)).level is None  # now in no band
    assert grade(DAT, finding("queshun", area_pct=50)).level == 1


@pytest.mark.django_db
def test_a_condition_added_for_wht22_takes_effect():
    scheme = DamageScheme.objects.get(code=WHT)
    DamageCondition.objects.create(
        level=scheme.levels.get(number=2),
        damage_type=DamageType.objects.get(code="suanhua"),
        measure="ph",
        operator="<",
        high=Decimal("5.0"),
    )

    assert grade(WHT, finding("suanhua", ph=4.8)).level == 2
    assert grade(WHT, finding("suanhua", ph=5.0)).level is None


# --- overrides and the holding's current level ---------------------------------------------


@pytest.fixture
def conservator(db):
    return make_user(RoleAssignment.Role.CONSERVATOR)


@pytest.mark.django_db
def test_an_override_needs_a_reason(conservator):
    holding = make_holding()
    queshun = DamageType.objects.get(code="queshun")
    dat = DamageScheme.objects.get(code=DAT)

    with pytest.raises(ValidationError) as exc:
        create_assessment(
            holding,
            scheme=dat,
            findings=[{"damage_type": queshun, "area_pct": Decimal(10)}],
            override_level=1,
            by=conservator,
        )

    assert "override_reason" in exc.value.message_dict
    assert not holding.assessments.exists()


@pytest.mark.django_db
def test_an_override_keeps_the_computed_level_and_rule(conservator):
    holding = make_holding()
    queshun = DamageType.objects.get(code="queshun")
    dat = DamageScheme.objects.get(code=DAT)

    a = create_assessment(
        holding,
        scheme=dat,
        findings=[{"damage_type": queshun, "area_pct": Decimal(10)}],
        override_level=2,
        override_reason="书脑处缺损集中，翻阅即扩大",
        by=conservator,
    )

    assert (a.computed_level, a.override_level, a.level) == (3, 2, 2)
    assert "缺损" in a.computed_rule
    assert a.level_name() == "严重破损"
    version = a.history.first()
    assert version.history_user == conservator
    assert "书脑处缺损集中" in version.history_change_reason


@pytest.mark.django_db
def test_an_override_to_a_level_the_scheme_lacks_is_refused(conservator):
    with pytest.raises(ValidationError) as exc:
        create_assessment(
            make_holding(),
            scheme=DamageScheme.objects.get(code=DAT),
            findings=[],
            override_level=9,
            override_reason="x",
            by=conservator,
        )
    assert "override_level" in exc.value.message_dict


@pytest.mark.django_db
def test_the_holding_takes_the_worst_of_its_latest_per_volume_assessments(conservator):
    holding = make_holding(volumes=4)
    dat = DamageScheme.objects.get(code=DAT)
    queshun = DamageType.objects.get(code="queshun")

    def assess(volume, pct, day):
        import datetime

        return create_assessment(
            holding,
            scheme=dat,
            volume=volume,
            assessed_on=datetime.date(2026, 1, day),
            findings=[{"damage_type": queshun, "area_pct": Decimal(pct)}],
            by=conservator,
        )

    assess(None, 45, 1)  # whole 部: level 1
    assert current_damage(holding).level == 1
    assess(1, 25, 2)  # 册1 → 2
    assess(2, 10, 3)  # 册2 → 3; 册3–4 are still judged by the whole-部 assessment
    assert current_damage(holding).level == 1
    assess(None, 10, 4)  # the whole 部 re-assessed after repair → 3, older per-册 ones superseded
    assert current_damage(holding).level == 3
    assess(1, 25, 5)  # 册1 found worse afterwards → 2
    now = current_damage(holding)
    assert now.level == 2
    assert [a.volume for a in now.assessments] == [1, None]


@pytest.mark.django_db
def test_a_volume_beyond_the_holding_is_refused(conservator):
    holding = make_holding(volumes=2)
    with pytest.raises(ValidationError) as exc:
        create_assessment(holding, volume=3, findings=[], by=conservator)
    assert "volume" in exc.value.message_dict


@pytest.mark.django_db
def test_only_assessors_may_assess():
    holding = make_holding()
    cataloguer = make_user(RoleAssignment.Role.CATALOGUER, holding.institution)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        create_assessment(holding, findings=[], by=cataloguer)


@pytest.mark.django_db
def test_the_damage_levels_provider_counts_holdings_by_current_level(conservator):
    from guji import registry
    from guji.models import Holding

    dat = DamageScheme.objects.get(code=DAT)
    queshun = DamageType.objects.get(code="queshun")
    worst, worst_too, light, never = (make_holding() for _ in range(4))
    for holding, pct in ((worst, 45), (worst_too, 50), (light, 10)):
        create_assessment(
            holding,
            scheme=dat,
            findings=[{"damage_type": queshun, "area_pct": Decimal(pct)}],
            by=conservator,
        )
    names = {n: current_damage(h).name for n, h in ((1, worst), (3, light))}

    chosen = Holding.objects.filter(pk__in=[worst.pk, worst_too.pk, light.pk, never.pk])
    levels = registry.provider("damage_levels")(chosen)

    # Worst first; the holding nobody assessed is not counted.
    assert levels == [(names[1], 2), (names[3], 1)]
