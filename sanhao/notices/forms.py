from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanhao.lib.forms import FlexibleDateField
from sanhao.notices.models import NoticeKind
from sanhao.orgs.models import Unit


class SentFilterForm(forms.Form):
    day = FlexibleDateField(label=_("for the day"), required=False)
    kind = forms.ChoiceField(
        label=_("kind"), required=False, choices=[("", _("— all —")), *NoticeKind.choices]
    )
    unit = forms.ModelChoiceField(
        label=_("unit"), required=False, queryset=Unit.objects.none(), empty_label=_("— all —"),
        to_field_name="code",
    )  # fmt: skip

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = units
