"""The register's endpoints: holdings, institutions and grades."""

from django.db.models import Count
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.response import Response

from guji.api.filters import HoldingFilter
from guji.api.framework import ReadOnlyApi
from guji.api.serializers import GradeSerializer, HoldingSerializer, InstitutionSerializer
from guji.models import Grade, Holding
from guji.permissions import holds_globally, institutions_where


class InstitutionViewSet(ReadOnlyApi):
    """Collecting institutions the caller may see (a cataloguer: their own)."""

    serializer_class = InstitutionSerializer

    def get_queryset(self):
        return institutions_where(self.request.user, "view")


class HoldingViewSet(ReadOnlyApi):
    """Holdings the caller may see, filtered as the holding list filters them."""

    serializer_class = HoldingSerializer
    filterset_class = HoldingFilter

    def get_queryset(self):
        user = self.request.user
        holdings = Holding.objects.visible_to(user).select_related(
            "institution", "sibu_class", "binding"
        )
        if not holds_globally(user, "view"):  # as the list does: the planner walks the index
            ids = list(institutions_where(user, "view").values_list("pk", flat=True))
            holdings = holdings.filter(institution__in=ids)
        return holdings


def _grade_row(grade: Grade, counts: dict[str, int]) -> dict:
    return {
        "code": grade.value,
        "label": str(grade.label),
        "level": int(grade.value[0]),
        "shanben": grade.value[0] in "123",
        "holdings": counts.get(grade.value, 0),
    }


@extend_schema_view(
    retrieve=extend_schema(parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)])
)
class GradeViewSet(viewsets.ViewSet):
    """The grades of WH/T 20-2006, each with the number of holdings of it the caller may see."""

    serializer_class = GradeSerializer
    lookup_field = "code"
    lookup_value_regex = "[1-4][A-C]?"
    http_method_names = ["get", "head", "options"]

    def _counts(self, grade: str | None = None) -> dict[str, int]:
        holdings = Holding.objects.visible_to(self.request.user).exclude(grade="")
        if grade:
            holdings = holdings.filter(grade=grade)
        return dict(holdings.order_by().values_list("grade").annotate(n=Count("id")))

    @extend_schema(responses=GradeSerializer(many=True))
    def list(self, request):
        counts = self._counts()
        rows = [_grade_row(g, counts) for g in Grade]
        return Response(GradeSerializer(rows, many=True).data)

    @extend_schema(responses=GradeSerializer)
    def retrieve(self, request, code: str):
        if code not in Grade.values:
            raise Http404
        return Response(GradeSerializer(_grade_row(Grade(code), self._counts(code))).data)
