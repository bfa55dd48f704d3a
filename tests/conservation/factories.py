"""Rows of the repair base for tests, built through conservation.services."""

import datetime
from decimal import Decimal

from conservation.models import DamageScheme, DamageType, MaterialBatch, RepairOperation
from conservation.services import approve_plan, create_assessment, create_plan
from guji.models import RoleAssignment
from tests.factories import make_user

Role = RoleAssignment.Role


def conservator(**fields):
    return make_user(Role.CONSERVATOR, **fields)


def centre_admin(**fields):
    return make_user(Role.CENTRE_ADMIN, **fields)


def assess(holding, by, *, code="queshun", scheme="DA/T 64.1-2017", **values):
    values = {k: Decimal(str(v)) if isinstance(v, float | int) else v for k, v in values.items()}
    return create_assessment(
        holding,
        scheme=DamageScheme.objects.get(code=scheme),
        findings=[{"damage_type": DamageType.objects.get(code=code), **values}],
        by=by,
    )


def plan_for(holding, *, by, conservators, approve_by=None, **data):
    values = {
        "condition_summary": "书叶虫蛀",
        "goals": "补破、溜口",
        "estimated_hours": Decimal(20),
    }
    values.update(data)
    plan = create_plan(
        holding,
        data=values,
        operations=RepairOperation.objects.filter(code__in=["bu", "liukou"]),
        conservators=conservators,
        by=by,
    )
    if approve_by is not None:
        plan = approve_plan(plan, by=approve_by)
    return plan


def batch(code="ZZ-2026-01", **fields):
    values = {
        "kind": MaterialBatch.Kind.PAPER,
        "name": "竹纸",
        "batch_code": code,
        "maker": "富阳",
        "received_on": datetime.date(2026, 3, 1),
        "quantity": Decimal(200),
        "remaining": Decimal(200),
        "unit": "张",
    }
    values.update(fields)
    return MaterialBatch.objects.create(**values)
