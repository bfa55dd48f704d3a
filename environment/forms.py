from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from environment.models import Parameter

FORMATS = [
    ("auto", _("Detect automatically")),
    ("generic", _("Generic CSV")),
]


class PeriodForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def period(self, default_days: int = 30) -> tuple[date, date]:
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=default_days - 1)
        if start > end:
            start, end = end, start
        return start, end


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Logger export file"))
    format = forms.ChoiceField(label=_("Format"), choices=FORMATS, initial="auto")
    reason = forms.CharField(
        label=_("Reason"), max_length=500, initial=_("Logger export uploaded"), required=True
    )


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What was found and what was done."),
    )


class ThresholdForm(forms.Form):
    parameter = forms.ChoiceField(label=_("Parameter"), choices=Parameter.choices)
    minimum = forms.FloatField(label=_("Minimum"), required=False)
    maximum = forms.FloatField(label=_("Maximum"), required=False)
    max_daily_change = forms.FloatField(label=_("Allowed daily fluctuation"), required=False)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        lo, hi = data.get("minimum"), data.get("maximum")
        if lo is not None and hi is not None and lo > hi:
            raise forms.ValidationError(_("The minimum is above the maximum."))
        return data


class AssignForm(forms.Form):
    holdings = forms.CharField(
        label=_("Call numbers"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One call number per line, or several separated by commas or spaces."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, initial=_("Shelved in this room"))

    def call_numbers(self) -> list[str]:
        raw = self.cleaned_data["holdings"].replace(",", " ").replace("，", " ")
        return [c for c in raw.split() if c]


class RoomForm(forms.ModelForm):
    class Meta:
        from environment.models import Room

        model = Room
        fields = ["institution", "code", "name", "type", "location", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institutions is not None:
            self.fields["institution"].queryset = institutions


class SensorForm(forms.ModelForm):
    measures = forms.MultipleChoiceField(
        label=_("Measures"),
        choices=Parameter.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=["temperature_c", "rh"],
    )

    class Meta:
        from environment.models import Sensor

        model = Sensor
        fields = ["code", "vendor", "model", "serial", "measures"]
