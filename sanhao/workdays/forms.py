from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sanhao.lib.forms import FlexibleDateField


class PeriodForm(forms.Form):
    first = FlexibleDateField(label=_("first day of the period"))
    working_days = forms.IntegerField(label=_("number of working days"), min_value=1, max_value=60,
                                      initial=5)  # fmt: skip


class YearForm(forms.Form):
    text = forms.CharField(
        label=_("holidays and adjusted working days, one a line"),
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=20000,
    )
