"""Census entries in the read API (``/api/v1/census-entries/``), registered in hooks.py."""

import django_filters
from rest_framework import serializers

from census.models import CensusEntry
from guji.api.framework import IdFilter, ReadOnlyApi, institution_filter
from guji.models import Holding


class CensusEntrySerializer(serializers.ModelSerializer):
    census_number = serializers.CharField(source="holding.census_number", read_only=True)
    status = serializers.ChoiceField(
        source="holding.status", choices=Holding.Status.choices, read_only=True
    )
    campaign_name = serializers.CharField(
        source="campaign.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = CensusEntry
        fields = [
            "id",
            "holding",
            "institution",
            "census_number",
            "status",
            "campaign",
            "campaign_name",
            "round",
            "submitted_at",
            "accepted_at",
        ]


class CensusEntryFilter(django_filters.FilterSet):
    institution = institution_filter()
    holding = IdFilter(field_name="holding_id")
    campaign = IdFilter(field_name="campaign_id")
    status = django_filters.ChoiceFilter(
        field_name="holding__status", choices=Holding.Status.choices
    )

    class Meta:
        model = CensusEntry
        fields = []


class CensusEntryViewSet(ReadOnlyApi):
    """Census entries of the holdings the caller may see: campaign, review round, dates."""

    serializer_class = CensusEntrySerializer
    filterset_class = CensusEntryFilter

    def get_queryset(self):
        return CensusEntry.objects.visible_to(self.request.user).select_related(
            "holding", "campaign"
        )
