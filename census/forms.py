from django import forms
from django.utils.translation import gettext_lazy as _

from census.models import Campaign
from census.review import SNAPSHOT_FIELDS, field_label
from guji.forms import HoldingForm
from guji.models import Institution


class CampaignForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), max_length=500, required=False)

    class Meta:
        model = Campaign
        fields = ["name", "starts_on", "ends_on", "description", "is_open"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["reason"].required = True
        else:
            del self.fields["is_open"]
            self.fields["reason"].label = _("Note for the record (optional)")

    def campaign_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}


class ParticipantForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.order_by("code"), required=False
    )
    estimated_holdings = forms.IntegerField(
        label=_("Estimated number of holdings"), min_value=0, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("institution") and data.get("estimated_holdings") is None:
            self.add_error("estimated_holdings", _("Give an estimate (0 when unknown)."))
        return data


class BaseParticipantFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            institution = form.cleaned_data.get("institution")
            if institution is None or form.cleaned_data.get("DELETE"):
                continue
            if institution in seen:
                raise forms.ValidationError(_("%(name)s is listed twice.") % {"name": institution})
            seen.add(institution)
        if not seen:
            raise forms.ValidationError(_("Name at least one participating institution."))

    def participants(self) -> dict[Institution, int]:
        return {
            f.cleaned_data["institution"]: f.cleaned_data["estimated_holdings"]
            for f in self.forms
            if f.cleaned_data.get("institution") and not f.cleaned_data.get("DELETE")
        }


ParticipantFormSet = forms.formset_factory(
    ParticipantForm, formset=BaseParticipantFormSet, extra=3, can_delete=True
)


class SubmitForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the reviewer (optional)"),
        max_length=1000,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. 卷数 checked against the 卷端")}),
    )


class BatchSubmitForm(SubmitForm):
    holdings = forms.ModelMultipleChoiceField(
        label=_("Records"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, holdings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["holdings"].queryset = holdings
        self.fields["holdings"].error_messages["required"] = _("Select at least one record.")


class ReviewForm(forms.Form):
    """The reviewer's decision: an overall comment and a comment per named field."""

    comment = forms.CharField(
        label=_("Review comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SNAPSHOT_FIELDS:
            label = _("Comment on %(field)s") % {"field": field_label(name)}
            self.fields[f"on_{name}"] = forms.CharField(
                label=label,
                required=False,
                widget=forms.Textarea(attrs={"rows": 1, "aria-label": label}),
            )

    def field_comments(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"on_{name}", "") for name in SNAPSHOT_FIELDS}


class BatchReviewForm(forms.Form):
    entries = forms.ModelMultipleChoiceField(queryset=None, widget=forms.CheckboxSelectMultiple)
    comment = forms.CharField(
        label=_("Comment for the selected entries"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entries"].queryset = entries
        self.fields["entries"].error_messages["required"] = _("Select at least one entry.")


class QueueFilterForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none(), required=False
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.all(), required=False
    )

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["institution"].empty_label = _("Any")
        self.fields["campaign"].empty_label = _("Any")


class CorrectionForm(HoldingForm):
    """The edit form's fields, proposing new values for a registered record."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Why the record needs correcting")
        self.fields["reason"].widget.attrs["placeholder"] = _("e.g. 册数 recounted on the shelf")


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
