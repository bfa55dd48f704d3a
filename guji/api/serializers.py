"""What the read API shows of the register's rows: named fields only, nothing internal.

Left out on purpose: search keys and parser warnings (internal), storage locations (where a
precious book lies is not for other systems), contact details and notes of institutions.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from guji.models import Grade, Holding, Institution


class InstitutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "region_code",
            "type",
            "address",
            "key_protection",
            "key_protection_batch",
        ]


class HoldingSerializer(serializers.ModelSerializer):
    institution_code = serializers.CharField(source="institution.code", read_only=True)
    census_number = serializers.CharField(
        read_only=True, help_text=_("RRRRRR-IIII-NNNNNNN; empty until the holding is registered.")
    )
    sibu_class = serializers.SerializerMethodField(help_text=_("四部 class, e.g. 史部·正史类."))
    binding = serializers.SerializerMethodField()

    class Meta:
        model = Holding
        fields = [
            "id",
            "institution",
            "institution_code",
            "census_number",
            "call_number",
            "title",
            "title_juan",
            "juan_count",
            "authors_text",
            "edition_statement",
            "edition_dynasty",
            "edition_era",
            "edition_era_year",
            "edition_year",
            "edition_type",
            "sibu_class",
            "sibu_subdivision",
            "binding",
            "series",
            "volumes",
            "volume_unit",
            "cases",
            "extent_note",
            "extant",
            "layout",
            "annotations",
            "seals",
            "grade",
            "status",
            "created_at",
            "updated_at",
        ]

    def get_sibu_class(self, holding) -> str | None:
        return str(holding.sibu_class) if holding.sibu_class_id else None

    def get_binding(self, holding) -> str | None:
        return holding.binding.name if holding.binding_id else None


class GradeSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=Grade.choices, read_only=True)
    label = serializers.CharField(read_only=True)
    level = serializers.IntegerField(read_only=True, help_text=_("1–3 are 善本, 4 is 普本."))
    shanben = serializers.BooleanField(read_only=True)
    holdings = serializers.IntegerField(
        read_only=True, help_text=_("Holdings of this grade the caller may see.")
    )
