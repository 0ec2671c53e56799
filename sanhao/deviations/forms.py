from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanhao.lib.forms import FlexibleDateField
from sanhao.orgs.models import Unit
from sanhao.records.models import ProcessRecord


class RecordChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.unit.name} · {obj.period}月 · {obj.held_on:%Y-%m-%d} {obj.topic}"


class DeviationForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none())
    record = RecordChoiceField(
        label=_("supervision record"),
        queryset=ProcessRecord.objects.none(),
        required=False,
        empty_label=_("— none —"),
        help_text=_("The monthly supervision meeting that found it, if it is recorded."),
    )
    found_on = FlexibleDateField(label=_("found on"))
    problem = forms.CharField(
        label=_("what is wrong"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    correction = forms.CharField(
        label=_("what must be corrected"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip
    deadline = FlexibleDateField(label=_("deadline"))

    def __init__(self, *args: Any, units: Any, records: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        record = self.fields["record"]
        assert isinstance(unit, forms.ModelChoiceField)
        assert isinstance(record, forms.ModelChoiceField)
        unit.queryset = units
        record.queryset = records

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, record = data.get("unit"), data.get("record")
        if unit is not None and record is not None and record.unit_id != unit.pk:
            self.add_error("record", _("This supervision record is of another unit."))
        return data


class DeviationUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("status"))
    note = forms.CharField(label=_("evidence or note"), max_length=500)
    file = forms.FileField(label=_("evidence file"), required=False)

    def __init__(self, *args: Any, statuses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = statuses
