"""The record form: type, period, date, topic, who of the team was there, a summary;
for a correction also the reason. The service alone decides whether it is a record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanhao.orgs.models import Post
from sanhao.records.services import REASON_MAX, TEXT_MAX, TOPIC_MAX
from sanhao.scoring.scheme import RecordType


class RecordForm(forms.Form):
    type = forms.ChoiceField(label=_("record type"))
    period = forms.IntegerField(label=_("period"), min_value=1, max_value=366,
                                help_text=_("The month, for a monthly record."))  # fmt: skip
    held_on = forms.DateField(label=_("held on"), widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.CharField(label=_("topic"), max_length=TOPIC_MAX)
    text = forms.CharField(label=_("summary"), max_length=TEXT_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(
        self, *args: Any, types: tuple[RecordType, ...], team: list[Post], correcting: bool = False,
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        type_field = self.fields["type"]
        assert isinstance(type_field, forms.ChoiceField)
        type_field.choices = [(t.type, t.name) for t in types]
        self.team = team
        self.correcting = correcting
        if correcting:
            self.fields["type"].disabled = True
            self.fields["reason"] = forms.CharField(label=_("reason for the correction"),
                                                    max_length=REASON_MAX)  # fmt: skip
        for index, post in enumerate(team):
            self.fields[f"m{index}_present"] = forms.BooleanField(
                label=post.person.name, required=False, initial=True
            )
            self.fields[f"m{index}_reason"] = forms.CharField(
                label=_("reason for the absence"), required=False, max_length=REASON_MAX
            )

    def members(self) -> list[dict[str, Any]]:
        return [{"post": post, "present": self[f"m{i}_present"], "reason": self[f"m{i}_reason"]}
                for i, post in enumerate(self.team)]  # fmt: skip

    def attendance(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [{"number": post.person.code, "present": data[f"m{i}_present"],
                 "reason": data[f"m{i}_reason"]} for i, post in enumerate(self.team)]  # fmt: skip


class AttachmentForm(forms.Form):
    record = forms.IntegerField(widget=forms.HiddenInput)
    file = forms.FileField(label=_("file"))
