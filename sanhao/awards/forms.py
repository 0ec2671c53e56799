from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sanhao.awards.models import EventKind
from sanhao.lib.forms import FlexibleDateField

TEXT = {"rows": 3}


class MeetingForm(forms.Form):
    held_on = FlexibleDateField(label=_("date of the meeting"))
    attendees = forms.CharField(label=_("attendees"), max_length=2000,
                                widget=forms.Textarea(attrs=TEXT))  # fmt: skip
    agenda = forms.CharField(label=_("agenda"), max_length=2000, widget=forms.Textarea(attrs=TEXT))


class NoticeForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("document", "title"), max_length=200)
    issuer = forms.CharField(label=_("issuing office"), max_length=100)
    body = forms.CharField(label=_("text"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    how_to_object = forms.CharField(label=_("how to object"), max_length=2000,
                                    widget=forms.Textarea(attrs=TEXT))  # fmt: skip
    contact = forms.CharField(label=_("contact"), max_length=200)
    first_day = FlexibleDateField(
        label=_("first day"),
        help_text=_("The notice runs 5 working days from this day (or the next working day)."),
    )
    show_scores = forms.BooleanField(
        label=_("Show each nominee's K, P, M, B, D and S on the notice"), required=False
    )


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("document number"), max_length=50,
                             widget=forms.TextInput(attrs={"placeholder": "姜组发〔2026〕12号"}))  # fmt: skip
    title = forms.CharField(label=pgettext_lazy("document", "title"), max_length=200)
    issuer = forms.CharField(label=_("issuing office"), max_length=100)
    body = forms.CharField(label=_("text"), max_length=5000, widget=forms.Textarea(attrs=TEXT))
    issued_on = FlexibleDateField(label=_("date of issue"))


class CareerEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=EventKind.choices)
    happened_on = FlexibleDateField(label=_("date"))
    new_post = forms.CharField(label=_("new post"), max_length=100, required=False)
    note = forms.CharField(label=_("note"), max_length=1000, required=False)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=1000)
