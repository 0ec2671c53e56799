from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_SCHEME_KB = 256  # the default scheme is under 5 KB


def _lines(text: str) -> str:
    """One kind of line end, as the file is stored (browsers send a textarea with CRLF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


class SchemeForm(forms.Form):
    file = forms.FileField(
        label=_("scheme file (.toml)"),
        required=False,
        help_text=_("A scheme file downloaded from this page, edited. UTF-8 text."),
    )
    source = forms.CharField(
        label=_("or the scheme's text"),
        required=False,
        strip=False,
        max_length=MAX_SCHEME_KB * 1024,
        widget=forms.Textarea(attrs={"rows": 24, "spellcheck": "false", "class": "code"}),
        help_text=_("Used when no file is chosen."),
    )
    reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required once the year has reached the evaluation."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload is None:
            return None
        if upload.size > MAX_SCHEME_KB * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(kb)s KB: it cannot be a scheme file.")
                % {"kb": MAX_SCHEME_KB}
            )
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _(
                    "The file is not UTF-8 text. Save it as UTF-8 (in WPS or Notepad: "
                    "“Save as”, encoding UTF-8) and upload it again."
                )
            ) from None
        return _lines(text)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        text = data.get("file") or _lines(data.get("source") or "")
        if not text.strip():
            raise forms.ValidationError(_("Choose a scheme file or paste the scheme's text."))
        data["text"] = text
        return data


def _number_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


class WhatIfForm(forms.Form):
    """The rules a what-if changes: the category's weights, quota, threshold, unit cap.
    Each field says in words what is wrong with it; the engine then checks the scheme."""

    weight_K = forms.CharField(label=_("weight of K"), max_length=20)
    weight_P = forms.CharField(label=_("weight of P"), max_length=20)
    weight_M = forms.CharField(label=_("weight of M"), max_length=20)
    quota = forms.CharField(label=_("quota"), max_length=20)
    threshold = forms.CharField(label=_("threshold"), max_length=20, required=False,
                                help_text=_("Empty: no threshold."))  # fmt: skip
    unit_cap = forms.CharField(label=_("most awards per unit"), max_length=20, required=False,
                               help_text=_("0: no cap."))  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The labels wrap their inputs: no ids, which htmx would settle (copying the old
        # elements' style attributes, which the CSP refuses) when the panel is swapped.
        kwargs.setdefault("auto_id", False)
        super().__init__(*args, **kwargs)

    def _weight(self, name: str) -> Decimal:
        text = _number_text(self.cleaned_data[name])
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("Enter a number between 0 and 1, such as 0.4.")) from None
        if not value.is_finite() or not 0 <= value <= 1:
            raise forms.ValidationError(_("Enter a number between 0 and 1, such as 0.4."))
        return value

    def clean_weight_K(self) -> Decimal:
        return self._weight("weight_K")

    def clean_weight_P(self) -> Decimal:
        return self._weight("weight_P")

    def clean_weight_M(self) -> Decimal:
        return self._weight("weight_M")

    def _count(self, name: str, *, required: bool) -> int | None:
        text = _number_text(self.cleaned_data.get(name) or "")
        if not text and not required:
            return None
        if not re.fullmatch(r"\d{1,6}", text):
            raise forms.ValidationError(_("Enter a whole number, 0 or more."))
        return int(text)

    def clean_quota(self) -> int | None:
        return self._count("quota", required=True)

    def clean_unit_cap(self) -> int | None:
        return self._count("unit_cap", required=False)

    def clean_threshold(self) -> Decimal | None:
        text = _number_text(self.cleaned_data.get("threshold") or "")
        if not text:
            return None
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("Enter a score such as 80, or leave it empty.")) from None
        if not value.is_finite() or value < 0:
            raise forms.ValidationError(_("Enter a score such as 80, or leave it empty."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        weights: list[Decimal] = [w for c in "KPM" if (w := data.get(f"weight_{c}")) is not None]
        if len(weights) == 3 and sum(weights, Decimal(0)) != 1:
            total = format(sum(weights, Decimal(0)).normalize(), "f")
            for c in "KPM":
                self.add_error(f"weight_{c}", _("The three weights must add up to exactly 1; "
                                                "now they add up to %(total)s.") % {"total": total})  # fmt: skip
        return data
