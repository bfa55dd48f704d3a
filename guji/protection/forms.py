from django import forms
from django.utils.translation import gettext_lazy as _

from guji.models import Grade, Holding, Institution
from guji.protection.checklist import Requirement, Result
from guji.protection.models import Criterion, KeyUnitAssessment, ListLevel, PreciousList

REASON_HELP = _("Kept in the holding's history.")


class ProposalForm(forms.Form):
    grade = forms.ChoiceField(label=_("Proposed grade"), choices=Grade.choices)
    criteria = forms.MultipleChoiceField(
        label=_("Criteria"), choices=Criterion.choices, widget=forms.CheckboxSelectMultiple
    )
    historical_value = forms.CharField(
        label=_("Historical value (历史文物性)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    academic_value = forms.CharField(
        label=_("Academic value (学术资料性)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    artistic_value = forms.CharField(
        label=_("Artistic value (艺术代表性)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(label=_("Reason"), help_text=REASON_HELP)

    def clean(self):
        data = super().clean()
        values = ("historical_value", "academic_value", "artistic_value")
        if not any((data.get(v) or "").strip() for v in values):
            raise forms.ValidationError(
                _("Say which value (historical, academic or artistic) justifies the grade.")
            )
        return data


class DecisionForm(forms.Form):
    grade = forms.ChoiceField(label=_("Grade"), choices=Grade.choices)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you change the proposed grade."),
    )


class BulkForm(forms.Form):
    holdings = forms.TypedMultipleChoiceField(coerce=int, label=_("Holdings"))
    reason = forms.CharField(label=_("Reason"), help_text=REASON_HELP)

    def __init__(self, *args, ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holdings"].choices = [(i, i) for i in ids]


class ListForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason"))

    class Meta:
        model = PreciousList
        fields = ["level", "name", "batch", "year", "issued_by", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}


class ListingForm(forms.Form):
    holding = forms.IntegerField(label=_("Holding (record number)"))
    number = forms.IntegerField(label=_("List number"), min_value=1)
    entry_text = forms.CharField(label=_("Entry as published"), required=False, max_length=500)
    reason = forms.CharField(label=_("Reason"))

    def clean_holding(self):
        try:
            return Holding.objects.get(pk=self.cleaned_data["holding"])
        except Holding.DoesNotExist:
            raise forms.ValidationError(_("No holding has this number.")) from None


class ApplicationForm(forms.Form):
    level = forms.ChoiceField(label=_("List applied for"), choices=ListLevel.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    justification = forms.CharField(
        label=_("Justification"), widget=forms.Textarea(attrs={"rows": 4})
    )


class PhotoForm(forms.Form):
    image = forms.ImageField(label=_("Photograph"))
    caption = forms.CharField(label=_("Caption"), required=False, max_length=200)


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OutcomeForm(forms.Form):
    listed = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("1", _("Listed")), ("0", _("Not listed"))],
        coerce=lambda v: v == "1",
    )
    precious_list = forms.ModelChoiceField(
        label=_("List"), queryset=PreciousList.objects.all(), required=False
    )
    number = forms.IntegerField(label=_("List number"), min_value=1, required=False)
    reason = forms.CharField(label=_("Reason"))


class AssessmentForm(forms.Form):
    """One result and note per GB/T 30227 requirement, plus staff and level."""

    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none()
    )
    level = forms.ChoiceField(label=_("Level applied for"), choices=ListLevel.choices)
    staff_count = forms.IntegerField(label=_("Dedicated staff"), min_value=0)

    def __init__(self, *args, institutions, instance: KeyUnitAssessment | None = None, **kwargs):
        initial = kwargs.pop("initial", {}) or {}
        if instance is not None:
            initial.update(
                institution=instance.institution_id,
                level=instance.level,
                staff_count=instance.staff_count,
            )
            for req, answer in instance.answers.items():
                initial[f"{req}_result"] = answer.get("result", "")
                initial[f"{req}_note"] = answer.get("note", "")
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["institution"].queryset = institutions
        if instance is not None:
            self.fields["institution"].disabled = True
        for req in Requirement:
            self.fields[f"{req.value}_result"] = forms.ChoiceField(
                label=req.label, choices=[("", "—"), *Result.choices], required=False
            )
            self.fields[f"{req.value}_note"] = forms.CharField(
                label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 1})
            )

    def rows(self):
        return [(self[f"{r.value}_result"], self[f"{r.value}_note"]) for r in Requirement]

    def answers(self) -> dict:
        return {
            r.value: {
                "result": self.cleaned_data[f"{r.value}_result"],
                "note": self.cleaned_data[f"{r.value}_note"],
            }
            for r in Requirement
        }


class EvidenceForm(forms.Form):
    requirement = forms.ChoiceField(label=_("Requirement"), choices=Requirement.choices)
    file = forms.FileField(label=_("File"))
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
