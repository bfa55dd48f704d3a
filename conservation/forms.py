from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conservation.models import (
    ACCEPTANCE_CRITERIA,
    DamageScheme,
    DamageType,
    Finding,
    MaterialBatch,
    QualityGrade,
    RepairImage,
    RepairLog,
    RepairOperation,
    RepairPlan,
)
from guji.models import Grade, Institution, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def conservators():
    return User.objects.filter(role_assignments__role="conservator", is_active=True).distinct()


class AssessmentForm(forms.Form):
    scheme = forms.ModelChoiceField(
        label=_("Damage-level scheme"), queryset=DamageScheme.objects.all(), empty_label=None
    )
    volume = forms.IntegerField(
        label=_("Volume (ce)"),
        min_value=1,
        required=False,
        help_text=_("Empty: the whole 部, judged on its worst ce."),
    )
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    notes = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    size_cm = forms.CharField(label=_("Format (cm)"), required=False, max_length=50)
    paper_kind = forms.CharField(label=_("Paper"), required=False, max_length=50)
    paper_colour = forms.CharField(label=_("Paper colour"), required=False, max_length=50)
    paper_thickness_mm = forms.DecimalField(
        label=_("Paper thickness (mm)"), required=False, max_digits=5, decimal_places=3
    )
    chain_lines = forms.CharField(label=_("Chain lines"), required=False, max_length=100)
    earlier_repairs = forms.CharField(
        label=_("Earlier repairs"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    override_level = forms.TypedChoiceField(
        label=_("Override the computed level"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[],
    )
    override_reason = forms.CharField(
        label=_("Reason for the override"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when you override the computed level."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        active = DamageScheme.objects.filter(active=True).first()
        self.fields["scheme"].initial = active
        self.fields["assessed_on"].initial = timezone.localdate()
        levels = {}
        for scheme in DamageScheme.objects.prefetch_related("levels"):
            for lv in scheme.levels.all():
                levels.setdefault(lv.number, lv.name)
        self.fields["override_level"].choices = [("", _("— keep the computed level —"))] + [
            (n, f"{n} · {name}") for n, name in sorted(levels.items())
        ]

    def clean(self):
        data = super().clean()
        if data.get("override_level") is not None and not data.get("override_reason", "").strip():
            self.add_error("override_reason", _("Say why you override the computed level."))
        return data


class FindingForm(forms.ModelForm):
    class Meta:
        model = Finding
        fields = [
            "damage_type",
            "ph",
            "ph_method",
            "leaves_affected",
            "leaves_total",
            "area_pct",
            "leaf_area_pct",
            "item_area_pct",
            "fraction_of_sheet",
            "qualitative",
            "location",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 1})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["damage_type"].queryset = DamageType.objects.filter(active=True)
        self.fields["damage_type"].required = False

    def clean(self):
        data = super().clean()
        a, t = data.get("leaves_affected"), data.get("leaves_total")
        if a is not None and t is not None and a > t:
            self.add_error("leaves_affected", _("More leaves affected than in total."))
        if (a is None) != (t is None):
            self.add_error("leaves_total", _("Give both counts, so the share can be reproduced."))
        measured = any(
            data.get(k) not in (None, "", False)
            for k in self.Meta.fields
            if k not in ("damage_type", "ph_method")
        )
        if measured and not data.get("damage_type"):
            self.add_error("damage_type", _("Which damage type is this?"))
        if data.get("ph") is not None and not data.get("ph_method"):
            self.add_error("ph_method", _("Say how the pH was measured."))
        return data

    def finding_data(self) -> dict | None:
        if not self.cleaned_data.get("damage_type"):
            return None
        return {k: self.cleaned_data[k] for k in self.Meta.fields}


FindingFormSet = forms.formset_factory(FindingForm, extra=4)


class RepairRequestForm(forms.Form):
    description = forms.CharField(
        label=_("What needs repair"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000
    )


class PlanForm(forms.ModelForm):
    operations = forms.ModelMultipleChoiceField(
        label=_("Operations"),
        queryset=RepairOperation.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    conservators = forms.ModelMultipleChoiceField(
        label=_("Conservators"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=1000,
        help_text=_("Required once the plan is approved: the change becomes a new revision."),
    )

    class Meta:
        model = RepairPlan
        fields = [
            "volumes",
            "condition_summary",
            "goals",
            "methods",
            "materials",
            "estimated_hours",
        ]
        widgets = {
            "condition_summary": forms.Textarea(attrs={"rows": 3}),
            "goals": forms.Textarea(attrs={"rows": 2}),
            "methods": forms.Textarea(attrs={"rows": 3}),
            "materials": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conservators"].queryset = conservators()
        if self.instance.pk:
            self.fields["operations"].initial = list(self.instance.operations.all())
            self.fields["conservators"].initial = list(self.instance.conservators.all())
            self.fields["version"].initial = self.instance.version
            if self.instance.status != RepairPlan.Status.DRAFT:
                self.fields["reason"].required = True
        else:
            del self.fields["reason"]
            del self.fields["version"]

    def plan_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields}


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("Approval comment"), required=False, max_length=1000)


class LogForm(forms.ModelForm):
    operations = forms.ModelMultipleChoiceField(
        label=_("Operations"),
        queryset=RepairOperation.objects.filter(active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    materials = forms.ModelMultipleChoiceField(
        label=_("Material batches used"),
        queryset=MaterialBatch.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = RepairLog
        fields = [
            "worked_on",
            "volumes",
            "volume_count",
            "leaves",
            "leaf_count",
            "hours",
            "interruptions",
            "findings",
        ]
        widgets = {
            "worked_on": DATE,
            "interruptions": forms.Textarea(attrs={"rows": 2}),
            "findings": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worked_on"].initial = timezone.localdate()

    def log_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields}


class AcceptanceForm(forms.Form):
    result = forms.ModelChoiceField(
        label=_("Acceptance result"), queryset=QualityGrade.objects.filter(active=True)
    )
    criteria = forms.MultipleChoiceField(
        label=_("Quality criteria met"),
        choices=ACCEPTANCE_CRITERIA,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    accepted_on = forms.DateField(label=_("Date"), widget=DATE)
    remarks = forms.CharField(
        label=_("Remarks"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accepted_on"].initial = timezone.localdate()


class BatchForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), required=False, max_length=500)

    class Meta:
        model = MaterialBatch
        fields = [
            "kind",
            "name",
            "batch_code",
            "maker",
            "supplier",
            "fibre",
            "ph",
            "thickness_mm",
            "colour",
            "received_on",
            "quantity",
            "remaining",
            "unit",
            "notes",
        ]
        widgets = {"received_on": DATE, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remaining"].required = False
        if self.instance.pk:
            self.fields["reason"].required = True

    def batch_data(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields}


class QueueFilterForm(forms.Form):
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.all(), required=False
    )
    level = forms.TypedChoiceField(
        label=_("Damage level"),
        coerce=int,
        empty_value=None,
        required=False,
        choices=[("", "—"), *[(n, str(n)) for n in range(1, 6)]],
    )
    grade = forms.ChoiceField(
        label=_("Grade"), required=False, choices=[("", "—"), ("shanben", _("善本 (levels 1–3)")),
                                                    *Grade.choices],
    )  # fmt: skip
    damage_type = forms.ModelChoiceField(
        label=_("Damage type"), queryset=DamageType.objects.filter(active=True), required=False
    )


class WorkloadForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)]


class ImageUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Photograph files"),
        help_text=_(
            "JPEG, PNG, TIFF (one page) or WebP. A file named like 3-12.jpg is taken as ce 3, "
            "leaf 12 unless you give them below."
        ),
    )
    kind = forms.ChoiceField(label=_("Set"), choices=RepairImage.Kind.choices)
    volume = forms.IntegerField(label=_("Volume (ce)"), min_value=1, required=False)
    leaf = forms.CharField(label=_("Leaf"), max_length=20, required=False)
    caption = forms.CharField(label=_("Caption"), max_length=200, required=False)
