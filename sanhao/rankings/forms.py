from __future__ import annotations

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
