"""The holding list's filters, as query parameters of ``/api/v1/holdings/``.

The parameters are the list page's (``guji.forms.HoldingFilterForm``) and the filtering is its
own function, ``guji.lists.filter_holdings``, with the same search: a filter cannot mean one
thing on the page and another in the API. A value that is not a valid choice (an institution
the user may not see included) is a 400 naming the parameter.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from guji.forms import HoldingFilterForm
from guji.lists import filter_holdings
from guji.models import EditionType, Grade, Holding, Institution, SibuClass
from guji.permissions import institutions_where


def visible_institutions(request):
    if request is None:
        return Institution.objects.none()
    return institutions_where(request.user, "view")


def _edition_types():
    return [(n, n) for n in EditionType.objects.filter(active=True).values_list("name", flat=True)]


SEARCH_FIELDS = [c for c in HoldingFilterForm.base_fields["field"].choices if c[0]]


class HoldingFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"), method="_keep", help_text=_("The holding list's search.")
    )
    field = django_filters.ChoiceFilter(label=_("Search in"), choices=SEARCH_FIELDS, method="_keep")
    institution = django_filters.ModelChoiceFilter(
        label=_("Institution"), queryset=visible_institutions, method="_keep"
    )
    dynasty = django_filters.ChoiceFilter(
        label=_("Dynasty"), choices=[(d, d) for d in HoldingFilterForm.DYNASTIES], method="_keep"
    )
    edition_type = django_filters.ChoiceFilter(
        label=_("Edition type"), choices=_edition_types, method="_keep"
    )
    sibu = django_filters.ModelChoiceFilter(
        label=_("Classification"), queryset=SibuClass.objects.filter(active=True), method="_keep_id"
    )
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=Grade.choices, method="_keep")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Holding.Status.choices, method="_keep"
    )

    class Meta:
        model = Holding
        fields = []

    def _keep(self, queryset, name, value):
        return queryset  # each filter is applied by filter_holdings, all together

    def _keep_id(self, queryset, name, value: int):
        return queryset

    def filter_queryset(self, queryset):
        return filter_holdings(queryset, self.form.cleaned_data)
