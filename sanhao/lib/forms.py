"""Form fields shared by the apps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from sanhao.lib.dates import parse_date


class FlexibleDateField(forms.Field):
    """A date typed as 2021-10, 2021年10月, 2021/10/5 …; a month means its first day."""

    widget = forms.TextInput

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        return {**super().widget_attrs(widget), "placeholder": "2021-10", "maxlength": "20"}

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        try:
            return parse_date(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


def form_errors(form: Any) -> str:
    """A form's errors as one line for `messages.error`: each field's label and its errors,
    "；" between fields (an error of the whole form has no label)."""
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}：{' '.join(v)}".lstrip("：")
        for k, v in form.errors.items()
    )
