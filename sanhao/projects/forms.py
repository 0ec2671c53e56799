"""The forms of the project pages; the services alone decide what is a valid project."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanhao.lib.forms import FlexibleDateField
from sanhao.orgs.models import Post
from sanhao.projects.models import Action, Kind, Medal
from sanhao.projects.services import GOAL_MAX, REASON_MAX, TEXT_MAX, TITLE_MAX


class OwnerField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.person.name}（{obj.title}）"


class ProjectForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Kind.choices)
    owner = OwnerField(label=_("owner"), queryset=Post.objects.none())
    title = forms.CharField(label=_("project title"), max_length=TITLE_MAX)
    goal = forms.CharField(label=_("goal"), max_length=GOAL_MAX,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args: Any, owners: Any, revising: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = owners
        if revising:
            del self.fields["kind"]
            self.fields["reason"] = forms.CharField(label=_("reason for the correction"),
                                                    max_length=REASON_MAX)  # fmt: skip


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("milestone"), max_length=TITLE_MAX)
    due_on = FlexibleDateField(label=_("due date"))


class MilestoneUpdateForm(forms.Form):
    action = forms.ChoiceField(label=_("action"), choices=Action.choices)
    text = forms.CharField(label=_("evidence or note"), max_length=TEXT_MAX)
    on = FlexibleDateField(label=_("date"), required=False,
                           help_text=_("Done: the day (today if empty). A new due date: that date."))  # fmt: skip
    file = forms.FileField(label=_("evidence file"), required=False)


class GradeForm(forms.Form):
    medal = forms.ChoiceField(label=_("award"), choices=Medal.choices)
    points = forms.DecimalField(label=_("points"), required=False, min_value=0, max_value=100,
                                max_digits=5, decimal_places=2)  # fmt: skip
    reason = forms.CharField(label=_("reason"), max_length=TEXT_MAX)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=REASON_MAX)
