from django import forms
from django.utils.translation import gettext_lazy as _

from census.models import Campaign, ExportJob, LeafPhoto
from guji.models import Institution


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
        empty = [("", "---------")]
        self.fields["institution"].widget.choices = empty + [(i.pk, str(i)) for i in institutions]
        self.fields["campaign"].widget.choices = empty + [(c.pk, str(c)) for c in campaigns]
        self.fields["scope"].initial = ExportJob.Scope.INSTITUTION
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
