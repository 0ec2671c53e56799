from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sanhao.lib.forms import FlexibleDateField
from sanhao.lib.xlsx_import import size_note
from sanhao.orgs.models import MAX_ORDER, Person, Role, Unit


class UnitForm(forms.Form):
    code = forms.SlugField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=50)
    kind = forms.ChoiceField(label=_("kind"), choices=Unit.Kind.choices)
    order = forms.IntegerField(
        label=_("display order"), min_value=0, max_value=MAX_ORDER, initial=0
    )


class PersonForm(forms.Form):
    code = forms.SlugField(
        label=_("person number"), max_length=32, help_text=Person._meta.get_field("code").help_text
    )
    name = forms.CharField(label=_("full name"), max_length=50)
    gender = forms.ChoiceField(label=_("gender"), choices=Person.Gender.choices)
    birth_month = FlexibleDateField(label=_("born"), required=False)
    education = forms.ChoiceField(
        label=_("education"), choices=[("", "—"), *Person.Education.choices], required=False
    )
    party_joined = FlexibleDateField(label=_("joined the party"), required=False)


class PostForm(forms.Form):
    person = forms.ModelChoiceField(label=_("person"), queryset=Person.objects.none())
    role = forms.ChoiceField(label=_("role"), choices=Role.choices, initial=Role.DEPUTY)
    title = forms.CharField(label=_("title"), max_length=50)
    start = FlexibleDateField(label=_("start date"))
    end = FlexibleDateField(
        label=_("end date"),
        required=False,
        help_text=_("The first day the post is no longer held; empty while it is held."),
    )
    order = forms.IntegerField(
        label=_("display order"), min_value=0, max_value=MAX_ORDER, initial=100
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["person"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Person.objects.order_by("name", "code")
        field.label_from_instance = _person_label  # type: ignore[method-assign,assignment]


def _person_label(person: Person) -> str:
    return f"{person.name}（{person.code}）"


class PostCorrectForm(PostForm):
    """Correcting a post: the person stays."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["person"]


class EndPostForm(forms.Form):
    end = FlexibleDateField(
        label=_("end date"),
        help_text=_("The first day the post is no longer held; empty while it is held."),
    )


class RosterUploadForm(forms.Form):
    file = forms.FileField(label=_("roster workbook (.xlsx)"), help_text=size_note())

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.ROSTER_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(kb)s KB.") % {"kb": settings.ROSTER_MAX_BYTES // 1024}
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Upload an Excel workbook ending in .xlsx."))
        return upload


class DistrictForm(forms.Form):
    district = forms.CharField(
        label=_("district name"),
        max_length=50,
        help_text=_("No district exists yet: the units of this roster belong to it."),
    )
