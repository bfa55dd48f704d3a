from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from census.imports import check_size
from census.models import Campaign, ExportJob, LeafPhoto
from census.review import SNAPSHOT_FIELDS, field_label
from guji.concurrency import VersionField, current_version
from guji.forms import HoldingForm, PlainMenusMixin
from guji.models import Institution


class CampaignForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason for the change"), max_length=500, required=False)
    version = VersionField()  # the version this form was read at (guji.concurrency)

    class Meta:
        model = Campaign
        fields = ["name", "starts_on", "ends_on", "description", "is_open"]
        widgets = {
            # An <input type="date"> takes ISO dates only: printed as 2024/03/01 it shows blank.
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["reason"].required = True
            self.initial.setdefault("version", current_version(self.instance))
        else:
            del self.fields["is_open"]
            del self.fields["version"]
            self.fields["reason"].label = _("Note for the record (optional)")

    def clean(self) -> dict:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:  # the campaign_period_ordered constraint
            self.add_error("ends_on", _("A campaign cannot end before it starts."))
        return data

    def campaign_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}


class ParticipantForm(PlainMenusMixin, forms.Form):
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
    """The reviewer's decision: an overall comment and a comment per named field.

    ``version`` is the version of the record the reviewer read: a decision on a record that
    changed since (resubmitted, decided by someone else, edited) is refused.
    """

    comment = forms.CharField(
        label=_("Review comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = VersionField()

    def __init__(self, *args, holding=None, **kwargs):
        super().__init__(*args, **kwargs)
        if holding is not None:
            self.initial.setdefault("version", current_version(holding))
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
    """A reviewer's decision on a correction request, carrying the record's version read."""

    reason = forms.CharField(
        label=_("Reason for the decision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = VersionField()

    def __init__(self, *args, holding=None, **kwargs):
        super().__init__(*args, **kwargs)
        if holding is not None:
            self.initial.setdefault("version", current_version(holding))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files in one field; each is verified by census.photos, not here."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(f, initial) for f in files]


class LeafPhotoForm(forms.Form):
    photos = MultipleImageField(
        label=_("Photographs"),
        help_text=_("JPEG, PNG, TIFF or WebP; several files at once are fine."),
    )
    kind = forms.ChoiceField(
        label=_("What they show"), choices=LeafPhoto.Kind.choices, initial=LeafPhoto.Kind.FIRST_LEAF
    )
    caption = forms.CharField(
        label=_("Caption"),
        max_length=200,
        required=False,
        help_text=_("e.g. 卷一第一葉, or the seal's text"),
    )
    reason = forms.CharField(
        label=_("Note for the record (optional)"), max_length=500, required=False
    )

    def clean_photos(self):
        files = self.cleaned_data["photos"]
        limit = settings.GUJI_MAX_PHOTOS_PER_UPLOAD
        if len(files) > limit:
            raise forms.ValidationError(
                _("At most %(limit)d photographs at a time; you chose %(n)d.")
                % {"limit": limit, "n": len(files)},
                code="too_many_files",
            )
        return files


class LeafPhotoDeleteForm(forms.Form):
    reason = forms.CharField(label=_("Why remove it"), max_length=500)


class CatalogueExportForm(forms.Form):
    """Offers only what the user may export; the view asks the permission rule for the rest.

    The fields accept any institution or campaign so that a forged choice reaches the view's
    permission check (403) instead of passing for a typing mistake.
    """

    scope = forms.ChoiceField(label=_("Catalogue of"), choices=ExportJob.Scope.choices)
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.all(), required=False
    )
    campaign = forms.ModelChoiceField(
        label=_("Census campaign"), queryset=Campaign.objects.all(), required=False
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportJob.Format.choices,
        initial=ExportJob.Format.PDF,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, institutions, campaigns, citywide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        empty = [("", _("Choose…"))]
        self.fields["institution"].widget.choices = empty + [(i.pk, str(i)) for i in institutions]
        self.fields["campaign"].widget.choices = empty + [(c.pk, str(c)) for c in campaigns]
        # Never preselect a scope whose menu is empty.
        self.fields["scope"].initial = (
            ExportJob.Scope.INSTITUTION
            if institutions
            else ExportJob.Scope.CAMPAIGN
            if campaigns
            else ExportJob.Scope.CITY
        )
        if len(institutions) == 1:
            self.fields["institution"].initial = institutions[0].pk
        self.fields["scope"].widget = (
            forms.RadioSelect(choices=ExportJob.Scope.choices) if citywide else forms.HiddenInput()
        )
        if not citywide:
            self.fields["campaign"].widget = forms.HiddenInput()

    def clean(self):
        data = super().clean()
        scope = data.get("scope")
        if scope == ExportJob.Scope.INSTITUTION and not data.get("institution"):
            self.add_error("institution", _("Choose the institution."))
        if scope == ExportJob.Scope.CAMPAIGN and not data.get("campaign"):
            self.add_error("campaign", _("Choose the campaign."))
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        allow_empty_file=True,  # clean_file says which file is empty, in the import's words
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none(), empty_label=None
    )
    update_existing = forms.BooleanField(
        label=_("Update existing records"),
        help_text=_("Overwrite holdings whose call number is already registered here."),
        required=False,
    )
    clear_empty = forms.BooleanField(
        label=_("Empty cells clear fields"),
        help_text=_(
            "When updating, an empty cell empties its field. Without this, an empty cell leaves "
            "the field as it is; a column the file lacks is never changed."
        ),
        required=False,
    )

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        limit = settings.GUJI_MAX_UPLOAD_BYTES // (1024 * 1024)
        self.fields["file"].help_text = _(
            "The census template filled in: .xlsx, .xls or .csv (UTF-8 or GBK), at most "
            "%(limit)s MB."
        ) % {"limit": limit}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if problem := check_size(upload.size, upload.name):
            raise forms.ValidationError(problem.message, code="size")
        return upload
