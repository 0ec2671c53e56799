"""The forms of the figures pages. Numbers are taken as clerks type them and handed to
the service, which alone decides whether they are figures (and says why not)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sanhao.scoring.scheme import Indicator
from sanhao.targets.models import Figure
from sanhao.targets.reports import number_text
from sanhao.targets.services import Entry


def month_choices(skip: Iterable[int] = ()) -> list[tuple[int, str]]:
    closed = set(skip)
    return [(m, gettext("month %(m)s") % {"m": m}) for m in range(1, 13) if m not in closed]


_GROUPED = re.compile(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?")


def clerk_number(text: str) -> str:
    """`1,234.5`, `１２３４`, ` 12 ` → `1234.5`, `1234`, `12`. Full-width characters become
    their ASCII forms and thousands separators go where they group digits by three;
    anything else is left as typed for the service to refuse."""
    text = unicodedata.normalize("NFKC", text).strip()
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    return text


def _field(label: str, *, disabled: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=40,
        disabled=disabled,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "aria-label": label}
        ),
    )


class FiguresForm(forms.Form):
    """A unit's plan and prior per indicator and the actuals of one month."""

    month = forms.TypedChoiceField(
        label=_("month"), choices=month_choices, coerce=int, widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("reason"),
        required=False,
        max_length=200,
        help_text=_("Required for a correction of a locked month."),
    )

    def __init__(
        self,
        *args: Any,
        indicators: Iterable[Indicator],
        month: int,
        current: dict[tuple[str, str, int], Decimal],
        actuals_locked: bool,
        **kwargs: Any,
    ) -> None:
        initial: dict[str, Any] = {"month": month}
        self.indicators = list(indicators)
        self.actuals_locked = actuals_locked
        for kind, _label in Figure.Kind.choices:
            for indicator in self.indicators:
                key = (indicator.id, kind, month if kind == Figure.Kind.ACTUAL else 0)
                initial[self.name(kind, indicator.id)] = number_text(current.get(key))
        kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        for indicator in self.indicators:
            self.fields[self.name(Figure.Kind.PLAN, indicator.id)] = _field(
                _("%(name)s: annual plan") % {"name": indicator.name}
            )
            self.fields[self.name(Figure.Kind.PRIOR, indicator.id)] = _field(
                _("%(name)s: prior-year actual") % {"name": indicator.name}
            )
            self.fields[self.name(Figure.Kind.ACTUAL, indicator.id)] = _field(
                _("%(name)s: actual to the end of month %(m)s")
                % {"name": indicator.name, "m": month},
                disabled=actuals_locked,
            )

    @staticmethod
    def name(kind: str, indicator: str) -> str:
        return f"{kind}__{indicator}"

    def rows(self) -> list[dict[str, Any]]:
        """One row per indicator with its three bound fields, for the template."""
        return [
            {
                "indicator": indicator,
                "plan": self[self.name(Figure.Kind.PLAN, indicator.id)],
                "prior": self[self.name(Figure.Kind.PRIOR, indicator.id)],
                "actual": self[self.name(Figure.Kind.ACTUAL, indicator.id)],
            }
            for indicator in self.indicators
        ]

    def entries(self) -> list[Entry]:
        """The figures typed, normalised; empty fields and read-only ones are left out."""
        month = self.cleaned_data["month"]
        found: list[Entry] = []
        for kind, _label in Figure.Kind.choices:
            for indicator in self.indicators:
                name = self.name(kind, indicator.id)
                if self.fields[name].disabled:
                    continue
                text = clerk_number(self.cleaned_data.get(name) or "")
                if text:
                    found.append(
                        Entry(indicator.id, kind, month if kind == Figure.Kind.ACTUAL else 0, text)
                    )
        return found


class MonthLockForm(forms.Form):
    month = forms.TypedChoiceField(label=_("month"), choices=month_choices, coerce=int)

    def __init__(self, *args: Any, locked: Iterable[int] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["month"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = month_choices(skip=locked)


class OversightForm(forms.Form):
    indicators = forms.MultipleChoiceField(
        label=_("overseen indicators"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, indicators: Iterable[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["indicators"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(i.id, i.name) for i in indicators]


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.person.name}（{obj.title}）"


class PledgeForm(forms.Form):
    post = MemberChoiceField(
        label=_("who pledges"),
        queryset=None,
        required=False,
        empty_label=_("— the team as a whole —"),
    )
    text = forms.CharField(
        label=_("pledge"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, team: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["post"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = team


class PledgeChangeForm(forms.Form):
    action = forms.ChoiceField(choices=[("correct", _("correct")), ("withdraw", _("withdraw"))])
    text = forms.CharField(label=_("pledge"), max_length=500, required=False)
    reason = forms.CharField(label=_("reason"), max_length=200)
