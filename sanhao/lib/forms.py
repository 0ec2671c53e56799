"""Form fields shared by the apps."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from sanhao.lib.dates import parse_date


class FlexibleDateField(forms.CharField):
    """A date typed as 2021-10, 2021年10月, 2021/10/5 …; a month means its first day."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 20)
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("placeholder", "2021-10")
        self.widget.attrs.setdefault("inputmode", "numeric")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        try:
            return parse_date(text)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
