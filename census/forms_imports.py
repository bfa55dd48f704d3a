from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from census.imports import check_size
from guji.models import Institution


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
