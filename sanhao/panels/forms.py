from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sanhao.accounts.models import User
from sanhao.orgs.models import Unit
from sanhao.panels.models import Category, Mode

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME_FORMAT)


class SessionForm(forms.Form):
    """A session's name, window, units and judges; the category and the mode when new.

    Each judge account is a row: whether they sit on the panel, and their own unit, whose
    candidates they do not score (the services take several; a judge has one)."""

    title = forms.CharField(label=_("name of the session"), max_length=100)
    category = forms.ChoiceField(label=_("award category"), choices=Category.choices)
    mode = forms.ChoiceField(
        label=_("scoring mode"), choices=Mode.choices,
        help_text=_("As the year's scheme says for the category."),
    )  # fmt: skip
    opens = forms.DateTimeField(label=_("scoring opens"), widget=DateTimeInput())
    closes = forms.DateTimeField(label=_("scoring closes"), widget=DateTimeInput())
    units = forms.ModelMultipleChoiceField(
        label=_("candidates of these units"), queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Every candidate of the category in these units who is not yet in another "
                    "session of the year, in the units' order; the order can be changed "
                    "afterwards."),
    )  # fmt: skip

    def __init__(self, *args: Any, units: Any, judges: list[User], new: bool,
                 locked: bool = False, **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = units
        self.unit_list = list(units)
        self.judge_list = judges
        self.locked = locked  # open: only the name and the window
        if not new:
            del self.fields["category"], self.fields["mode"]
        if locked:
            del self.fields["units"]
            return
        choices = [("", _("— none —")), *((u.pk, u.name) for u in self.unit_list)]
        for judge in judges:
            self.fields[f"judge_{judge.pk}"] = forms.BooleanField(label=str(judge), required=False)
            self.fields[f"abstain_{judge.pk}"] = forms.TypedChoiceField(
                label=_("own unit (abstains on)"), choices=choices, coerce=int, required=False,
                empty_value=None,
            )  # fmt: skip

    def judge_rows(self) -> list[dict[str, Any]]:
        if self.locked:
            return []
        return [{"judge": j, "seat": self[f"judge_{j.pk}"], "abstain": self[f"abstain_{j.pk}"]}
                for j in self.judge_list]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens"), data.get("closes")
        if opens and closes and closes <= opens:
            self.add_error("closes", _("Scoring must close after it opens."))
        return data

    def seats(self) -> list[tuple[User, list[Unit]]]:
        """The judges chosen, each with the unit they abstain on (if any)."""
        by_pk = {u.pk: u for u in self.unit_list}
        data = self.cleaned_data
        seats = []
        for judge in self.judge_list:
            if data.get(f"judge_{judge.pk}"):
                own = by_pk.get(data.get(f"abstain_{judge.pk}") or 0)
                seats.append((judge, [own] if own else []))
        return seats


def initial_seats(seats: list[Any]) -> dict[str, Any]:
    initial: dict[str, Any] = {}
    for seat in seats:
        initial[f"judge_{seat.judge_id}"] = True
        own = sorted(seat.abstains.all(), key=lambda u: (u.order, u.code))
        initial[f"abstain_{seat.judge_id}"] = own[0].pk if own else None
    return initial
