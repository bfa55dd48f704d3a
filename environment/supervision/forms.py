from django import forms
from django.utils.translation import gettext_lazy as _

from guji.models import Institution
from guji.protection.checklist import Requirement, Result


class InspectionForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none()
    )
    date = forms.DateField(
        label=_("Date of inspection"),
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    inspectors = forms.CharField(label=_("Inspectors"), max_length=300)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        for req in Requirement:
            self.fields[f"{req.value}_result"] = forms.ChoiceField(
                label=req.label, choices=[("", "—"), *Result.choices], required=False
            )
            self.fields[f"{req.value}_note"] = forms.CharField(
                label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 1})
            )

    def rows(self):
        return [(self[f"{r.value}_result"], self[f"{r.value}_note"]) for r in Requirement]

    def findings(self) -> dict:
        return {
            r.value: (self.cleaned_data[f"{r.value}_result"], self.cleaned_data[f"{r.value}_note"])
            for r in Requirement
        }


class ActionForm(forms.Form):
    requirement = forms.ChoiceField(label=_("Requirement"), choices=Requirement.choices)
    description = forms.CharField(
        label=_("Action required"), widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.CharField(label=_("Owner"), max_length=100)
    due_date = forms.DateField(
        label=_("Due date"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class CloseForm(forms.Form):
    note = forms.CharField(label=_("How it was done"), widget=forms.Textarea(attrs={"rows": 2}))


class PhotoForm(forms.Form):
    image = forms.ImageField(label=_("Photograph"))
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)
