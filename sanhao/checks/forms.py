from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sanhao.lib.forms import FlexibleDateField
from sanhao.orgs.models import Post, Unit


class PostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.unit.name} · {obj.person.name}（{obj.title}）"


class SpotCheckForm(forms.Form):
    held_on = FlexibleDateField(label=_("date"))
    title = forms.CharField(label=pgettext_lazy("document", "title"), max_length=200)
    indicators = forms.MultipleChoiceField(
        label=_("indicators reviewed"), required=False, widget=forms.CheckboxSelectMultiple
    )
    units = forms.ModelMultipleChoiceField(
        label=_("units present"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(
        label=_("minutes"), max_length=5000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args: Any, indicators: list[tuple[str, str]], units: Any,
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        chosen = self.fields["indicators"]
        present = self.fields["units"]
        assert isinstance(chosen, forms.MultipleChoiceField)
        assert isinstance(present, forms.ModelMultipleChoiceField)
        chosen.choices = indicators
        present.queryset = units


class SpotCheckCorrectionForm(SpotCheckForm):
    reason = forms.CharField(label=_("reason for the correction"), max_length=200)


class ShortfallForm(forms.Form):
    post = PostChoiceField(label=_("person"), queryset=Post.objects.none())
    text = forms.CharField(label=_("shortfall"), max_length=500)
    measure = forms.CharField(label=_("measure"), max_length=500)
    owner = PostChoiceField(
        label=_("owner"),
        queryset=Post.objects.none(),
        required=False,
        empty_label=_("— the same person —"),
    )
    due_on = FlexibleDateField(label=_("due date"))

    def __init__(self, *args: Any, posts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("post", "owner"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = posts


class RemedyUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("status"))
    note = forms.CharField(label=_("evidence or note"), max_length=500)

    def __init__(self, *args: Any, statuses: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        status = self.fields["status"]
        assert isinstance(status, forms.ChoiceField)
        status.choices = statuses
