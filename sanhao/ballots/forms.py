from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sanhao.orgs.models import Unit
from sanhao.scoring.codes import CATEGORIES

CATEGORY_NAMES = {"team": _("good team"), "leader": _("good leader"), "deputy": _("good deputy")}
LOCAL = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL, **kwargs)


class SessionForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("document", "title"), max_length=120)
    scope = forms.ChoiceField(
        label=_("candidates"),
        choices=[
            ("category", _("every unit's candidates of one category")),
            ("unit", _("one unit's team, leader and deputies")),
        ],
        widget=forms.RadioSelect,
        initial="category",
    )
    category = forms.ChoiceField(label=_("category"), required=False)
    unit = forms.ModelChoiceField(label=_("unit"), queryset=Unit.objects.none(), required=False)
    opens_at = forms.DateTimeField(
        label=_("opens at"), widget=LocalDateTimeInput(), input_formats=[LOCAL, "%Y-%m-%d %H:%M"]
    )
    closes_at = forms.DateTimeField(
        label=_("closes at"), widget=LocalDateTimeInput(), input_formats=[LOCAL, "%Y-%m-%d %H:%M"]
    )

    def __init__(
        self, *args: Any, units: Any, groups: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = units
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [("", "—")] + [(c, CATEGORY_NAMES[c]) for c in CATEGORIES]
        self.group_fields = []
        for group, name in groups:
            key = f"invited_{group}"
            self.fields[key] = forms.IntegerField(
                label=_("%(group)s: voters invited") % {"group": name},
                min_value=0,
                max_value=100_000,
                initial=0,
                required=False,
            )
            self.group_fields.append((group, key))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("scope") == "unit" and not data.get("unit"):
            self.add_error("unit", _("Choose the unit."))
        if data.get("scope") == "category" and not data.get("category"):
            self.add_error("category", _("Choose the category."))
        return data


class IssueForm(forms.Form):
    group = forms.ChoiceField(label=_("voter group"))
    count = forms.IntegerField(label=_("number of codes"), min_value=1, max_value=2000)

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group = self.fields["group"]
        assert isinstance(group, forms.ChoiceField)
        group.choices = [(str(pk), name) for pk, name in groups]


class PaperForm(forms.Form):
    """How many paper ballot forms of which group to print (sanhao/ballots/paper.py)."""

    group = forms.ChoiceField(label=_("voter group"))
    count = forms.IntegerField(label=_("number of forms"), min_value=1, max_value=1000)

    def __init__(self, *args: Any, groups: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        group = self.fields["group"]
        assert isinstance(group, forms.ChoiceField)
        group.choices = [(str(pk), name) for pk, name in groups]
