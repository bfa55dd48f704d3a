from django import forms
from django.utils.translation import gettext_lazy as _

from guji import editions
from guji.cataloguing import Statement, parse_extent, parse_statements, read_title_juan
from guji.concurrency import VersionField, current_version
from guji.models import Binding, EditionType, Grade, Holding, Institution, SibuClass
from guji.services import EDITABLE_FIELDS

DASHES = "---------"
MAX_VOLUMES = 1_000_000  # far above any real holding, far below the integer column's limit


class PlainMenusMixin:
    """Menus say what their empty choice means instead of Django's "---------": "Choose…" where
    a choice is needed or being made, "Any" in filter forms (``empty_choice = "any"``)."""

    empty_choice = "choose"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label = _("Any") if self.empty_choice == "any" else _("Choose…")
        for field in self.fields.values():
            if getattr(field, "empty_label", None) == DASHES:
                field.empty_label = label
            elif isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.ModelChoiceField
            ):
                choices = list(field.choices)
                if any(text == DASHES for _value, text in choices):
                    field.choices = [(v, label if t == DASHES else t) for v, t in choices]


class HoldingForm(PlainMenusMixin, forms.ModelForm):
    authors = forms.CharField(
        label=_("Responsibility"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Catalogue form, e.g. （漢）司馬遷撰 （南朝宋）裴駰集解"),
    )
    volumes = forms.CharField(
        label=_("Number of ce"),
        max_length=100,
        help_text=_("册数, as catalogues write it: 18, 十八, 10冊；2函, 4冊；1夾, 三摺, 2軸."),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. corrected against the 卷端")}),
    )
    version = VersionField()  # the version this form was read at (guji.concurrency)

    class Meta:
        model = Holding
        fields = EDITABLE_FIELDS
        widgets = {
            "annotations": forms.Textarea(attrs={"rows": 2}),
            "seals": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, require_reason: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = _("Filled from the title and juan when left empty.")
        self.fields["sibu_class"].queryset = SibuClass.objects.filter(active=True)
        self.fields["binding"].queryset = Binding.objects.filter(active=True)
        self.fields["reason"].required = require_reason
        self.fields["volume_unit"].required = False  # 册 unless the extent or the user says
        if self.instance.pk:
            self.initial.setdefault("authors", self.instance.authors_text)
            self.initial.setdefault("version", current_version(self.instance))
        self.order_fields(["call_number", "title_juan", "title", "juan_count", "authors"])

    def clean_authors(self) -> list[Statement]:
        return parse_statements(self.cleaned_data["authors"])

    def clean_volume_unit(self) -> str:
        return self.cleaned_data.get("volume_unit") or "册"

    def clean_volumes(self) -> int:
        text = str(self.cleaned_data["volumes"])
        self.extent = extent = parse_extent(text)
        if extent.volumes is None:
            raise forms.ValidationError(
                _("No number of ce could be read from %(text)s: write e.g. 10 or 10冊；2函.")
                % {"text": text},
                code="extent",
            )
        if extent.volumes < 1:  # the holding_volumes_positive constraint
            raise forms.ValidationError(_("The number of ce must be at least 1."), code="min_value")
        if extent.volumes > MAX_VOLUMES:  # larger would overflow the column on PostgreSQL
            raise forms.ValidationError(
                _("%(n)s ce is more than any holding has: at most %(max)s.")
                % {"n": extent.volumes, "max": MAX_VOLUMES},
                code="max_value",
            )
        return extent.volumes

    def clean(self) -> dict:
        data = super().clean()
        extent = getattr(self, "extent", None)
        if extent is None or "volumes" not in self.changed_data:
            return data
        # 10冊；2函 fills 函数, 三摺 the unit, 1夾 the other extent, unless typed there too.
        if extent.cases is not None:
            if data.get("cases") not in (None, extent.cases) and "cases" in self.changed_data:
                self.add_error(
                    "cases",
                    _("The number of ce says %(n)s cases; this field says otherwise.")
                    % {"n": extent.cases},
                )
            data["cases"] = extent.cases
        if extent.unit != "册" or "volume_unit" not in self.changed_data:
            data["volume_unit"] = extent.unit
        if extent.other and extent.other not in (data.get("extent_note") or ""):
            data["extent_note"] = "；".join(p for p in (data.get("extent_note"), extent.other) if p)
        return data

    def catalogue_warnings(self) -> list[tuple[str, str]]:
        """(field label, warning) for what the readers were unsure of in the text as typed
        (bound form) or as stored (unbound), shown on the form before saving."""
        source = self.data if self.is_bound else None

        def value(name: str) -> str:
            if source is not None:
                return str(source.get(self.add_prefix(name), "") or "")
            if name == "authors":
                return self.initial.get("authors", "")
            return str(getattr(self.instance, name, "") or "")

        checks = [
            ("title_juan", read_title_juan(value("title_juan")).warnings),
            ("authors", parse_statements(value("authors")).warnings),
            ("edition_statement", editions.parse(value("edition_statement")).warnings),
        ]
        if source is not None:
            checks.append(("volumes", parse_extent(value("volumes")).warnings))
        return [(str(self.fields[name].label), w) for name, ws in checks for w in ws]

    def holding_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}
        if "title_juan" in self.changed_data:
            # The form sends the old title and juan back: leave them out, unless edited too, so
            # that they are read from the new 题名卷数 (see services._assign).
            for name in ("title", "juan_count"):
                if name not in self.changed_data:
                    del data[name]
        return data


class HoldingCreateForm(HoldingForm):
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects)

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, require_reason=False, **kwargs)
        self.fields["institution"].queryset = institutions
        self.fields["reason"].label = _("Note for the record (optional)")
        self.order_fields(["institution", "call_number", "title_juan", "title", "juan_count"])


class HoldingFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    field = forms.ChoiceField(
        label=_("Search in"),
        required=False,
        choices=[
            ("", _("All fields")),
            ("title", _("Title")),
            ("author", _("Responsibility")),
            ("edition", _("Edition statement")),
            ("annotations", _("Annotations and colophons")),
            ("seals", _("Seals")),
            ("number", _("Call or census number")),
        ],
    )
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none(), required=False
    )
    dynasty = forms.ChoiceField(label=_("Dynasty"), required=False)
    edition_type = forms.ChoiceField(label=_("Edition type"), required=False)
    sibu = forms.ModelChoiceField(
        label=_("Classification"), queryset=SibuClass.objects.none(), required=False
    )
    grade = forms.ChoiceField(label=_("Grade"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)

    DYNASTIES = ("宋", "北宋", "南宋", "辽", "西夏", "金", "元", "明", "南明", "清", "民国")

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        any_ = [("", _("Any"))]
        self.fields["dynasty"].choices = any_ + [(d, d) for d in self.DYNASTIES]
        self.fields["edition_type"].choices = any_ + [
            (name, name)
            for name in EditionType.objects.filter(active=True).values_list("name", flat=True)
        ]
        self.fields["sibu"].queryset = SibuClass.objects.filter(active=True)
        self.fields["sibu"].empty_label = _("Any")
        self.plain_choices = {"sibu": _LazyChoices(self._sibu_choices)}
        self.fields["institution"].empty_label = _("Any")
        self.fields["grade"].choices = any_ + list(Grade.choices)
        self.fields["status"].choices = any_ + list(Holding.Status.choices)

    def _sibu_choices(self) -> list[tuple]:
        """The classes as (id, label) without making a model instance each (what str() of a
        SibuClass gives: 经 for a branch, 经·易类 for a class)."""
        rows = self.fields["sibu"].queryset.values_list("id", "bu", "name", "level")
        return [("", self.fields["sibu"].empty_label)] + [
            (pk, bu if level == 1 else f"{bu}·{name}") for pk, bu, name, level in rows
        ]


class _LazyChoices:
    """Choices computed when first iterated (a form built but not rendered costs nothing)."""

    def __init__(self, make):
        self._make, self._choices = make, None

    def __iter__(self):
        if self._choices is None:
            self._choices = self._make()
        return iter(self._choices)
