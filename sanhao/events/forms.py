from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanhao.events.models import ScoreEvent
from sanhao.lib.forms import FlexibleDateField
from sanhao.orgs.models import Post, Unit


class PostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.unit.name} · {obj.person.name}（{obj.title}）"


class EventForm(forms.Form):
    item = forms.ChoiceField(label=_("event"))
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none())
    post = PostChoiceField(
        label=_("person"),
        queryset=Post.objects.none(),
        required=False,
        empty_label=_("— the unit's team —"),
        help_text=_(
            "Empty: the event concerns the unit's team (a veto on the unit also stops its leader)."
        ),
    )
    count = forms.IntegerField(label=_("count"), min_value=1, max_value=1000, initial=1)
    happened_on = FlexibleDateField(label=_("date"))
    note = forms.CharField(
        label=_("what happened"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    evidence = forms.CharField(label=_("evidence"), max_length=500, required=False)

    def __init__(self, *args: Any, items: dict[str, dict[str, str]], units: Any, posts: Any,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        labels = dict(ScoreEvent.Kind.choices)
        item = self.fields["item"]
        assert isinstance(item, forms.ChoiceField)
        item.choices = [
            (str(labels[kind]), [(f"{kind}:{i}", name) for i, name in named.items()])
            for kind, named in items.items()
            if named
        ]
        unit = self.fields["unit"]
        post = self.fields["post"]
        assert isinstance(unit, forms.ModelChoiceField) and isinstance(post, forms.ModelChoiceField)
        unit.queryset = units
        post.queryset = posts

    def kind_and_item(self) -> tuple[str, str]:
        kind, _sep, item = self.cleaned_data["item"].partition(":")
        return kind, item


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=500)
