"""Damage assessments and repairs in the read API, registered in hooks.py:
``/api/v1/damage-assessments/`` and ``/api/v1/repairs/`` (a repair plan with its logged work)."""

from decimal import Decimal

import django_filters
from django.db.models import DecimalField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from conservation.models import Assessment, RepairPlan
from guji.api.framework import IdFilter, ReadOnlyApi, institution_filter


class AssessmentSerializer(serializers.ModelSerializer):
    scheme = serializers.CharField(source="scheme.code", read_only=True)
    level = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("The overriding level, else the computed.")
    )
    damage_types = serializers.SerializerMethodField(help_text=_("Codes of the damage found."))

    class Meta:
        model = Assessment
        fields = [
            "id",
            "holding",
            "institution",
            "volume",
            "scheme",
            "assessed_on",
            "level",
            "computed_level",
            "override_level",
            "damage_types",
            "paper_kind",
            "notes",
        ]

    def get_damage_types(self, assessment) -> list[str]:
        return [f.damage_type.code for f in assessment.findings.all()]


class AssessmentFilter(django_filters.FilterSet):
    institution = institution_filter()
    holding = IdFilter(field_name="holding_id")
    assessed_from = django_filters.DateFilter(field_name="assessed_on", lookup_expr="gte")
    assessed_to = django_filters.DateFilter(field_name="assessed_on", lookup_expr="lte")

    class Meta:
        model = Assessment
        fields = []


class AssessmentViewSet(ReadOnlyApi):
    """Damage assessments (破损定级) of the holdings the caller may see."""

    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter

    def get_queryset(self):
        return (
            Assessment.objects.visible_to(self.request.user)
            .select_related("scheme")
            .prefetch_related("findings__damage_type")
        )


class RepairSerializer(serializers.ModelSerializer):
    operations = serializers.SerializerMethodField(help_text=_("Codes of the planned operations."))
    hours_logged = serializers.DecimalField(max_digits=9, decimal_places=1, read_only=True)
    volumes_treated = serializers.IntegerField(read_only=True)
    leaves_treated = serializers.IntegerField(read_only=True)

    class Meta:
        model = RepairPlan
        fields = [
            "id",
            "holding",
            "institution",
            "assessment",
            "status",
            "revision",
            "volumes",
            "condition_summary",
            "goals",
            "operations",
            "estimated_hours",
            "planned_at",
            "approved_at",
            "hours_logged",
            "volumes_treated",
            "leaves_treated",
        ]

    def get_operations(self, plan) -> list[str]:
        return [op.code for op in plan.operations.all()]


class RepairFilter(django_filters.FilterSet):
    institution = institution_filter()
    holding = IdFilter(field_name="holding_id")
    status = django_filters.ChoiceFilter(choices=RepairPlan.Status.choices)

    class Meta:
        model = RepairPlan
        fields = []


class RepairViewSet(ReadOnlyApi):
    """Repair plans of the holdings the caller may see, with the work logged on each."""

    serializer_class = RepairSerializer
    filterset_class = RepairFilter

    def get_queryset(self):
        hours = DecimalField(max_digits=9, decimal_places=1)
        return (
            RepairPlan.objects.visible_to(self.request.user)
            .prefetch_related("operations")
            .annotate(
                hours_logged=Coalesce(Sum("logs__hours"), Value(Decimal(0)), output_field=hours),
                volumes_treated=Coalesce(Sum("logs__volume_count"), 0),
                leaves_treated=Coalesce(Sum("logs__leaf_count"), 0),
            )
        )
