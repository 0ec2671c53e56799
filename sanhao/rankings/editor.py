"""The scheme editor: one section of the year's scheme at a time, as forms.

Each section shows its part of the newest version's document (the engine's scheme file,
read with `tomllib`) as forms and formsets; on save it writes the forms' values back into
that document, leaves every other part as it was, and the result goes to the engine's own
reader (`services.save_scheme_version`), which saves nothing unless the whole scheme is
valid. The engine's problems come back located (`scheme.indicators[3].points`); each
section binds the locations it wrote to the fields they came from, so that a message
stands beside its field. A location no field of the section wrote (a checklist item whose
dimension was removed, say) is listed above the forms with its place.

The forms do not check numbers: what a clerk typed goes to the engine as a number when it
reads as one (full-width digits too), else as the text typed, and the engine says what is
wrong with it, in the same words as for an uploaded file. A value left as it was shown
keeps its original form, so that saving a section unchanged changes nothing.

Ids that other records refer to (indicators, record types, bonus, deduction and veto kinds,
voter groups, checklist items) are fixed once saved: a row's name may change, its id not.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.forms.formsets import BaseFormSet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sanhao.scoring import Problem
from sanhao.scoring.formats import canonical_json

CATEGORY_KEYS = ("team", "leader", "deputy")
WIDE = {"class": "wide"}
NUMBER = {"inputmode": "decimal", "class": "number"}


# Values as shown and as typed ------------------------------------------------------------


def shown(value: Any) -> str:
    """A document's value as a clerk reads it in a field: 0.4, 30, "" (never 30.0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    return str(value)


def typed(text: str) -> Any:
    """What a clerk typed in a number field, for the engine: an int, a Decimal, or the
    text itself when it is not a number (the engine then says so)."""
    plain = unicodedata.normalize("NFKC", text).strip()
    if re.fullmatch(r"[+-]?\d{1,18}", plain):
        return int(plain)
    try:
        number = Decimal(plain)
    except InvalidOperation:
        return plain
    return number if number.is_finite() else plain


def kept(original: Any, text: str, convert: Callable[[str], Any] = typed) -> Any:
    """The original value when the field still shows it, else the typed value."""
    if original is not _ABSENT and text == shown(original):
        return original
    return convert(text)


def _text(text: str) -> str:
    return text.strip()


_ABSENT: Any = object()


def put(row: dict[str, Any], key: str, original: Any, text: str, *, default: Any = _ABSENT,
        convert: Callable[[str], Any] = typed) -> None:  # fmt: skip
    """row[key] from a field; a key the row did not have is left out while the field
    holds the format's default, so that the document stays as it was written."""
    value = kept(original, text, convert)
    if original is _ABSENT and default is not _ABSENT and value == default:
        return
    row[key] = value


# Where the engine's problems go ----------------------------------------------------------


@dataclass
class Part:
    """One form or formset of a section."""

    key: str
    title: str | Promise
    form: forms.Form | None = None
    formset: BaseFormSet[Any] | None = None
    help: str | Promise = ""
    errors: list[str] = field(default_factory=list)  # the engine's, for the part as a whole

    @property
    def is_valid(self) -> bool:
        target = self.form if self.form is not None else self.formset
        assert target is not None
        return target.is_valid()


_LAST = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")


class Locator:
    """The engine's locations the build wrote, each bound to its field or part."""

    def __init__(self) -> None:
        self.places: dict[str, tuple[forms.Form | None, str | None, Part | None]] = {}

    def field(self, location: str, form: forms.Form, name: str | None = None) -> None:
        self.places[location] = (form, name, None)

    def part(self, location: str, part: Part) -> None:
        self.places[location] = (None, None, part)

    def place(self, problems: list[Problem]) -> list[Problem]:
        """Each problem beside the field of its location (or of the nearest location
        above it that the section wrote); the problems no field wrote are returned."""
        elsewhere = []
        for problem in problems:
            location = problem.location
            while location not in self.places and _LAST.search(location):
                location = _LAST.sub("", location)
            if location not in self.places:
                elsewhere.append(problem)
                continue
            form, name, part = self.places[location]
            if part is not None:
                part.errors.append(problem.message)
            else:
                assert form is not None
                form.add_error(name, problem.message)
        return elsewhere


# Forms -----------------------------------------------------------------------------------


def _char(label: Any, *, attrs: dict[str, str] | None = None,
          textarea: bool = False, max_length: int = 2000) -> forms.CharField:  # fmt: skip
    widget: forms.Widget
    if textarea:
        widget = forms.Textarea(attrs={"rows": 2, **(attrs or {})})
    else:
        widget = forms.TextInput(attrs=attrs or {})
    return forms.CharField(label=label, required=False, max_length=max_length, widget=widget)


def _number(label: Any, initial: str = "") -> forms.CharField:
    field = _char(label, attrs=NUMBER, max_length=40)
    field.initial = initial
    return field


def _choice(label: Any, choices: list[tuple[str, Any]], initial: str) -> forms.Field:
    return forms.ChoiceField(label=label, choices=choices, initial=initial, required=False)


class Row(forms.Form):
    """A row of a table section; its `id` is fixed once saved."""

    id_field = "id"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.initial and self.id_field in self.fields:
            self.fields[self.id_field].disabled = True
            self.fields[self.id_field].help_text = ""


class IndicatorRow(Row):
    id = _char(_("id"), max_length=100)
    name = _char(_("name"), attrs=WIDE, max_length=200)
    unit = _char(_("unit of measure"), max_length=20)
    points = _number(_("points"))
    direction = _choice(_("direction"), [("higher", _("higher is better")),
                                         ("lower", _("lower is better"))], "higher")  # fmt: skip
    growth_method = _choice(_("growth method"), [("efficacy", _("efficacy coefficient")),
                                                 ("rank", _("rank among units"))], "efficacy")  # fmt: skip
    alpha = _number("α", initial="0.5")


class RecordRow(Row):
    id_field = "type"
    type = _char(_("id"), max_length=100)
    name = _char(_("name"), attrs=WIDE, max_length=200)
    expected = _number(_("expected a year"))


class ItemRow(Row):
    id = _char(_("id"), max_length=100)
    name = _char(_("name"), attrs=WIDE, max_length=200)
    points = _number(_("points per event"))
    cap = _number(_("cap"))


class VetoRow(Row):
    id = _char(_("id"), max_length=100)
    name = _char(_("name"), attrs=WIDE, max_length=200)


class GroupRow(Row):
    id = _char(_("id"), max_length=100)
    name = _char(_("name"), attrs=WIDE, max_length=200)
    weight_team = _number(_("weight (good team)"))
    weight_leader = _number(_("weight (good leader)"))
    weight_deputy = _number(_("weight (good deputy)"))


class DimensionRow(forms.Form):
    name = _char(_("standard"), max_length=200)
    description = _char(_("what it means"), attrs=WIDE, textarea=True)


class GuidanceRow(Row):
    id = _char(_("id"), max_length=100)
    category = forms.ChoiceField(label=_("category"), required=False, choices=[])
    # a choice among the standards of every category; the engine checks it is its own's
    dimension = forms.CharField(label=_("dimension"), required=False, widget=forms.Select())
    text = _char(_("item"), attrs=WIDE, textarea=True, max_length=500)

    def __init__(self, *args: Any, categories: list[tuple[str, str, list[str]]],
                 **kwargs: Any) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = [(key, name) for key, name, _dims in categories]
        widget = self.fields["dimension"].widget
        assert isinstance(widget, forms.Select)
        widget.choices = [(name, [(d, d) for d in dims]) for _key, name, dims in categories]


class CategoryForm(forms.Form):
    name = _char(_("name"), max_length=200)
    weight_K = _number(_("weight of K (quantified)"))
    weight_P = _number(_("weight of P (panel)"))
    weight_M = _number(_("weight of M (ballots)"))
    quota = _number(_("quota"))
    threshold = _char(_("threshold"), attrs=NUMBER, max_length=40)
    unit_cap = _number(_("most awards per unit"))
    min_months_in_post = _number(_("months in post to be eligible"))
    team_bottom_gate = forms.BooleanField(
        label=_("ineligible when the unit's team is in the last third"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["threshold"].help_text = _("Empty: no threshold.")
        self.fields["unit_cap"].help_text = _("0: no cap.")


class TitleForm(forms.Form):
    title = _char(_("title of the scheme"), attrs=WIDE, max_length=200)


class ProcessForm(forms.Form):
    points = _number(_("points of the process records"))


class TotalsForm(forms.Form):
    bonus_max = _number(_("bonus at most in all"))
    deduction_max = _char(_("deduction at most in all"), attrs=NUMBER, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deduction_max"].help_text = _("Empty: no total cap.")


class MetaForm(forms.Form):
    """What every section posts besides its own fields."""

    base = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=_("reason for the change"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required once the year has reached the evaluation."),
    )


def _formset(row: type[forms.Form], extra: int) -> type[BaseFormSet[Any]]:
    return forms.formset_factory(row, extra=extra, can_delete=True, can_delete_extra=False,
                                 max_num=1000, absolute_max=1000)  # fmt: skip


def _kept_rows(formset: BaseFormSet[Any]) -> Iterator[tuple[int | None, forms.Form]]:
    """(index of the document's row or None for a new one, form) for every row kept:
    not marked for removal, and for an empty new row, filled in."""
    initial = formset.initial_form_count()
    for index, form in enumerate(formset.forms):
        if form.cleaned_data.get("DELETE"):
            continue
        if index >= initial and not form.has_changed():
            continue
        yield (index if index < initial else None), form


# Sections --------------------------------------------------------------------------------


class Section:
    """One part of the scheme: its forms from the document, and back."""

    slug = ""
    title: str | Promise = ""
    help: str | Promise = ""

    def parts(self, doc: Mapping[str, Any], data: Any | None) -> list[Part]:
        raise NotImplementedError

    def build(self, doc: dict[str, Any], parts: list[Part], at: Locator) -> None:
        """Write the parts' values into `doc` (a copy of the current document)."""
        raise NotImplementedError


def _category_names(doc: Mapping[str, Any]) -> dict[str, str]:
    names = {"team": _("good team"), "leader": _("good leader"), "deputy": _("good deputy")}
    return {k: doc["categories"][k].get("name") or str(names[k]) for k in CATEGORY_KEYS}


REQUIRED = _ABSENT  # a key every row writes
Spec = dict[str, tuple[str, Any, Callable[[str], Any]]]  # field → (key, default, converter)


def _table(doc_rows: list[dict[str, Any]], fields: Spec, row: type[forms.Form],
           data: Any, prefix: str, extra: int = 2, **kwargs: Any) -> BaseFormSet[Any]:  # fmt: skip
    """A formset of `row` with one form per document row (a key a row leaves out shows
    the format's default)."""
    initial = [
        {name: shown(r.get(key, "" if default is REQUIRED else default))
         for name, (key, default, _convert) in fields.items()}
        for r in doc_rows
    ]  # fmt: skip
    factory = _formset(row, extra)
    return factory(data, initial=initial, prefix=prefix, form_kwargs=kwargs)


def _at(values: list[Any], source: int | None) -> Any:
    """The document's value at a kept row's place, if it had one."""
    return values[source] if source is not None and source < len(values) else _ABSENT


def _rows_back(formset: BaseFormSet[Any], doc_rows: list[dict[str, Any]], where: str,
               fields: Spec, at: Locator, part: Part) -> list[dict[str, Any]]:  # fmt: skip
    """The formset's rows as document rows at `where`: each kept row keeps its other keys
    and key order; `fields` maps form field → (key, the format's default, converter)."""
    rows: list[dict[str, Any]] = []
    at.part(where, part)
    for source, form in _kept_rows(formset):
        original = copy.deepcopy(doc_rows[source]) if source is not None else {}
        row = original if source is not None else {}
        k = len(rows)
        for name, (key, default, convert) in fields.items():
            text = form.cleaned_data.get(name) or ""
            put(row, key, original.get(key, _ABSENT) if source is not None else _ABSENT,
                text, default=default, convert=convert)  # fmt: skip
            at.field(f"{where}[{k}].{key}", form, name)
        at.field(f"{where}[{k}]", form, None)
        rows.append(row)
    return rows


class IndicatorsSection(Section):
    slug = "indicators"
    title = _("Indicators")
    help = _(
        "Each indicator's points, its unit of measure as the statistics report it, and "
        "whether higher or lower is better. An indicator's id is fixed once saved: the "
        "year's figures refer to it."
    )
    FIELDS: Spec = {
        "id": ("id", REQUIRED, _text), "name": ("name", REQUIRED, _text),
        "unit": ("unit", "", _text), "points": ("points", REQUIRED, typed),
        "direction": ("direction", "higher", _text),
        "growth_method": ("growth_method", "efficacy", _text),
        "alpha": ("alpha", Decimal("0.5"), typed),
    }  # fmt: skip

    def parts(self, doc: Mapping[str, Any], data: Any | None) -> list[Part]:
        formset = _table(doc.get("indicators", []), self.FIELDS, IndicatorRow, data, "ind")
        return [Part("indicators", self.title, formset=formset)]

    def build(self, doc: dict[str, Any], parts: list[Part], at: Locator) -> None:
        (part,) = parts
        assert part.formset is not None
        doc["indicators"] = _rows_back(part.formset, doc.get("indicators", []),
                                       "scheme.indicators", self.FIELDS, at, part)  # fmt: skip


class RecordsSection(Section):
    slug = "records"
    title = _("Process records")
    help = _(
        "The record types the units keep (中心组月学, 党委会月督, …), how many of each a "
        "year, and what they are worth together. A type's id is fixed once saved."
    )
    FIELDS: Spec = {"type": ("type", REQUIRED, _text), "name": ("name", REQUIRED, _text),
                    "expected": ("expected", REQUIRED, typed)}  # fmt: skip

    def parts(self, doc: Mapping[str, Any], data: Any | None) -> list[Part]:
        process = doc.get("process", {})
        form = ProcessForm(data, initial={"points": shown(process.get("points", 0))},
                           prefix="process")  # fmt: skip
        formset = _table(process.get("records", []), self.FIELDS, RecordRow, data, "rec")
        return [Part("process", _("Worth"), form=form),
                Part("records", _("Record types"), formset=formset)]  # fmt: skip

    def build(self, doc: dict[str, Any], parts: list[Part], at: Locator) -> None:
        worth, table = parts
        assert worth.form is not None and table.formset is not None
        process = doc.setdefault("process", {})
        put(process, "points", process.get("points", _ABSENT),
            worth.form.cleaned_data["points"], default=0)  # fmt: skip
        at.field("scheme.process.points", worth.form, "points")
        process["records"] = _rows_back(table.formset, process.get("records", []),
                                        "scheme.process.records", self.FIELDS, at, table)  # fmt: skip


class ItemsSection(Section):
    slug = "items"
    title = _("Bonuses, deductions and vetoes")
    help = _(
        "Points per event and the cap of each item (exact decimals), the totals, and the "
        "kinds of veto. An item's id is fixed once saved: the year's events refer to it."
    )
    ITEM: Spec = {"id": ("id", REQUIRED, _text), "name": ("name", REQUIRED, _text),
                  "points": ("points", REQUIRED, typed), "cap": ("cap", REQUIRED, typed)}  # fmt: skip
    VETO: Spec = {"id": ("id", REQUIRED, _text), "name": ("name", REQUIRED, _text)}

    def parts(self, doc: Mapping[str, Any], data: Any | None) -> list[Part]:
        bonus, deduction = doc.get("bonus", {}), doc.get("deduction", {})
        veto = doc.get("veto", {})
        totals = TotalsForm(data, prefix="totals", initial={
            "bonus_max": shown(bonus.get("max", 5)),
            "deduction_max": shown(deduction.get("max", "")),
        })  # fmt: skip
        kinds = veto.get("kinds", [])
        names = veto.get("names") or []
        vetoes = [{"id": k, "name": names[i] if i < len(names) else ""}
                  for i, k in enumerate(kinds)]  # fmt: skip
        return [
            Part("totals", _("Totals"), form=totals),
            Part("bonus", _("Bonus items"),
                 formset=_table(bonus.get("items", []), self.ITEM, ItemRow, data, "bonus")),
            Part("deduction", _("Deduction items"),
                 formset=_table(deduction.get("items", []), self.ITEM, ItemRow, data, "ded")),
            Part("veto", _("Veto kinds"),
                 formset=_table(vetoes, self.VETO, VetoRow, data, "veto")),
        ]  # fmt: skip

    def build(self, doc: dict[str, Any], parts: list[Part], at: Locator) -> None:
        totals, bonus_part, deduction_part, veto_part = parts
        assert totals.form is not None
        item = self.ITEM
        bonus = doc.setdefault("bonus", {})
        put(bonus, "max", bonus.get("max", _ABSENT), totals.form.cleaned_data["bonus_max"],
            default=5)  # fmt: skip
        at.field("scheme.bonus.max", totals.form, "bonus_max")
        assert bonus_part.formset is not None
        bonus["items"] = _rows_back(bonus_part.formset, bonus.get("items", []),
                                    "scheme.bonus.items", item, at, bonus_part)  # fmt: skip
        deduction = doc.setdefault("deduction", {})
        text = totals.form.cleaned_data["deduction_max"]
        put(deduction, "max", deduction.get("max", _ABSENT), text, default="")
        at.field("scheme.deduction.max", totals.form, "deduction_max")
        assert deduction_part.formset is not None
        deduction["items"] = _rows_back(deduction_part.formset, deduction.get("items", []),
                                        "scheme.deduction.items", item, at, deduction_part)  # fmt: skip
        veto = doc.setdefault("veto", {})
        assert veto_part.formset is not None
        at.part("scheme.veto.kinds", veto_part)
        at.part("scheme.veto.names", veto_part)
        kinds: list[Any] = []
        names: list[Any] = []
        old_kinds, old_names = veto.get("kinds", []), veto.get("names") or []
        for source, form in _kept_rows(veto_part.formset):
            k = len(kinds)
            kinds.append(kept(_at(old_kinds, source), form.cleaned_data["id"] or "", _text))
            names.append(kept(_at(old_names, source), form.cleaned_data["name"] or "", _text))
            at.field(f"scheme.veto.kinds[{k}]", form, "id")
            at.field(f"scheme.veto.names[{k}]", form, "name")
        veto["kinds"] = kinds
        if "names" in veto or any(names):
            veto["names"] = names


class VotersSection(Section):
    slug = "voters"
    title = _("Voter groups")
    help = _(
        "The groups of the democratic evaluation (民主测评) and the weight of each in every "
        "category; the weights are renormalised over the groups that voted. A group's id "
        "is fixed once saved."
    )

    def parts(self, doc: Mapping[str, Any], data: Any | None) -> list[Part]:
        ballots = {k: doc["categories"][k].get("ballot", {}) for k in CATEGORY_KEYS}
        team = ballots["team"]
        groups, names = team.get("groups", []), team.get("group_names") or []
        rows = []
        for i, group in enumerate(groups):
            row = {"id": group, "name": names[i] if i < len(names) else ""}
            for k in CATEGORY_KEYS:
                weights = ballots[k].get("group_weights", [])
                row[f"weight_{k}"] = weights[i] if i < len(weights) else ""
            rows.append(row)
        fields: Spec = {"id": ("id", REQUIRED, _text), "name": ("name", REQUIRED, _text),
                        **{f"weight_{k}": (f"weight_{k}", REQUIRED, typed) for k in CATEGORY_KEYS}}  # fmt: skip
        return [Part("groups", self.title, formset=_table(rows, fields, GroupRow, data, "grp", 1))]

    def build(self, doc: dict[str, Any], parts: list[Part], at: Locator) -> None:
        (part,) = parts
        assert part.formset is not None
        ballots = {k: doc["categories"][k].setdefault("ballot", {}) for k in CATEGORY_KEYS}
        old = {k: (b.get("groups", []), b.get("group_names") or [], b.get("group_weights", []))
               for k, b in ballots.items()}  # fmt: skip
        new: dict[str, tuple[list[Any], list[Any], list[Any]]] = {
            k: ([], [], []) for k in CATEGORY_KEYS
        }
        for source, form in _kept_rows(part.formset):
            data = form.cleaned_data
            for k in CATEGORY_KEYS:
                groups, names, weights = old[k]
                out = new[k]
                i = len(out[0])
                out[0].append(kept(_at(groups, source), data["id"] or "", _text))
                out[1].append(kept(_at(names, source), data["name"] or "", _text))
                out[2].append(kept(_at(weights, source), data[f"weight_{k}"] or ""))
                w = f"scheme.categories.{k}.ballot"
                at.field(f"{w}.groups[{i}]", form, "id")
                at.field(f"{w}.group_names[{i}]", form, "name")
                at.field(f"{w}.group_weights[{i}]", form, f"weight_{k}")
        for k in CATEGORY_KEYS:
            w = f"scheme.categories.{k}.ballot"
            for key in ("groups", "group_names", "group_weights"):
                at.part(f"{w}.{key}", part)
            groups, names, weights = new[k]
            ballot = ballots[k]
            ballot["groups"] = groups
            if "group_names" in ballot or any(names):
                ballot["group_names"] = names
            ballot["group_weights"] = weights


class CategoriesSection(Section):
    slug = "categories"
    title = _("Categories, weights and quotas")
    help = _(
        "For each award category: its name, the weights of the three components (summing "
        "to exactly 1), the quota and its threshold, the cap per unit and the gates."
    )

    def parts(self, doc: Mapping[str, Any], data: Any | None) -> list[Part]:
        parts = [Part("title", _("Scheme"),
                      form=TitleForm(data, prefix="scheme",
                                     initial={"title": doc.get("title", "")}))]  # fmt: skip
        for k, name in _category_names(doc).items():
            spec = doc["categories"][k]
            weights = spec.get("weights", {})
            initial = {
                "name": spec.get("name", ""),
                **{f"weight_{c}": shown(weights.get(c, "")) for c in "KPM"},
                "quota": shown(spec.get("quota", "")),
                "threshold": shown(spec.get("threshold", "")),
                "unit_cap": shown(spec.get("unit_cap", 0)),
                "min_months_in_post": shown(spec.get("min_months_in_post", 0)),
                "team_bottom_gate": spec.get("team_bottom_gate", False) is True,
            }
            parts.append(Part(k, name, form=CategoryForm(data, prefix=k, initial=initial)))
        return parts

    def build(self, doc: dict[str, Any], parts: list[Part], at: Locator) -> None:
        title, *categories = parts
        assert title.form is not None
        put(doc, "title", doc.get("title", _ABSENT), title.form.cleaned_data["title"],
            default="", convert=_text)  # fmt: skip
        at.field("scheme.title", title.form, "title")
        for part in categories:
            form = part.form
            assert form is not None
            data = form.cleaned_data
            spec = doc["categories"][part.key]
            w = f"scheme.categories.{part.key}"
            at.part(w, part)
            put(spec, "name", spec.get("name", _ABSENT), data["name"], default="", convert=_text)
            at.field(f"{w}.name", form, "name")
            weights = spec.setdefault("weights", {})
            for c in "KPM":
                put(weights, c, weights.get(c, _ABSENT), data[f"weight_{c}"])
                at.field(f"{w}.weights.{c}", form, f"weight_{c}")
            at.field(f"{w}.weights", form, "weight_K")
            for key, default in (("quota", REQUIRED), ("threshold", ""), ("unit_cap", 0),
                                 ("min_months_in_post", 0)):  # fmt: skip
                put(spec, key, spec.get(key, _ABSENT), data[key], default=default)
                at.field(f"{w}.{key}", form, key)
            gate = bool(data["team_bottom_gate"])
            if "team_bottom_gate" in spec or gate:
                spec["team_bottom_gate"] = gate
            at.field(f"{w}.team_bottom_gate", form, "team_bottom_gate")


class DimensionsSection(Section):
    slug = "dimensions"
    title = _("Standards of each category")
    help = _(
        "The four standards of each category (四强, 四高, 四优) that the panel scores, and "
        "what each means. Renaming a standard moves its checklist items with it."
    )
    FIELDS: Spec = {"name": ("name", REQUIRED, _text),
                    "description": ("description", REQUIRED, _text)}  # fmt: skip

    def parts(self, doc: Mapping[str, Any], data: Any | None) -> list[Part]:
        parts = []
        for k, name in _category_names(doc).items():
            spec = doc["categories"][k]
            descriptions = spec.get("descriptions") or []
            rows = [{"name": d, "description": descriptions[i] if i < len(descriptions) else ""}
                    for i, d in enumerate(spec.get("dimensions", []))]  # fmt: skip
            formset = _table(rows, self.FIELDS, DimensionRow, data, f"dim-{k}", 1)
            parts.append(Part(k, name, formset=formset))
        return parts

    def build(self, doc: dict[str, Any], parts: list[Part], at: Locator) -> None:
        for part in parts:
            assert part.formset is not None
            spec = doc["categories"][part.key]
            w = f"scheme.categories.{part.key}"
            old_names = spec.get("dimensions", [])
            old_descriptions = spec.get("descriptions") or []
            names: list[Any] = []
            descriptions: list[Any] = []
            renamed: dict[Any, Any] = {}
            for source, form in _kept_rows(part.formset):
                k = len(names)
                was = old_names[source] if source is not None else _ABSENT
                name = kept(was, form.cleaned_data["name"] or "", _text)
                if source is not None and name != was:
                    renamed[was] = name
                names.append(name)
                descriptions.append(kept(_at(old_descriptions, source),
                                         form.cleaned_data["description"] or "", _text))  # fmt: skip
                at.field(f"{w}.dimensions[{k}]", form, "name")
                at.field(f"{w}.descriptions[{k}]", form, "description")
            at.part(f"{w}.dimensions", part)
            at.part(f"{w}.descriptions", part)
            spec["dimensions"] = names
            if "descriptions" in spec or any(descriptions):
                spec["descriptions"] = descriptions
            for item in doc.get("guidance", []):
                if item.get("category") == part.key and item.get("dimension") in renamed:
                    item["dimension"] = renamed[item["dimension"]]


class GuidanceSection(Section):
    slug = "guidance"
    title = _("Guidance checklist")
    help = _(
        "The positive guidance checklist (正向指引清单): what a good team, leader or deputy "
        "does, each item under one standard of its category. It describes; it enters no "
        "number. A new row without an id gets the next free one."
    )
    FIELDS: Spec = {
        "id": ("id", REQUIRED, _text), "category": ("category", REQUIRED, _text),
        "dimension": ("dimension", REQUIRED, _text), "text": ("text", REQUIRED, _text),
    }  # fmt: skip

    def parts(self, doc: Mapping[str, Any], data: Any | None) -> list[Part]:
        names = _category_names(doc)
        categories = [(k, names[k], list(doc["categories"][k].get("dimensions", [])))
                      for k in CATEGORY_KEYS]  # fmt: skip
        formset = _table(doc.get("guidance", []), self.FIELDS, GuidanceRow, data, "g", 3,
                         categories=categories)  # fmt: skip
        return [Part("guidance", self.title, formset=formset)]

    def build(self, doc: dict[str, Any], parts: list[Part], at: Locator) -> None:
        (part,) = parts
        assert part.formset is not None
        old = doc.get("guidance", [])
        rows = _rows_back(part.formset, old, "scheme.guidance", self.FIELDS, at, part)
        # A new item takes the next number no item of this version had (a removed item's
        # id is not given to another).
        taken = {r["id"] for r in rows if r.get("id")} | {r.get("id") for r in old}
        number = 1
        for row in rows:
            if not row.get("id"):
                while f"g{number:02d}" in taken:
                    number += 1
                row["id"] = f"g{number:02d}"
                taken.add(row["id"])
        if rows or "guidance" in doc:
            doc["guidance"] = rows


SECTIONS: dict[str, Section] = {
    s.slug: s
    for s in (
        CategoriesSection(),
        DimensionsSection(),
        GuidanceSection(),
        IndicatorsSection(),
        RecordsSection(),
        ItemsSection(),
        VotersSection(),
    )
}


def build(
    section: Section, doc: Mapping[str, Any], parts: list[Part]
) -> tuple[dict[str, Any], Locator]:
    """The document with the section's values written in, and where each came from."""
    new = copy.deepcopy(dict(doc))
    at = Locator()
    section.build(new, parts, at)
    return new, at


def numbered(new: dict[str, Any], old: Mapping[str, Any], year: int, number: int) -> None:
    """A changed scheme whose version string follows the platform's numbering
    (<year>.<version>) takes the next one; any other version string is the office's."""
    if canonical_json(new) == canonical_json(old):
        return
    if new.get("version") == old.get("version") == f"{year}.{number}":
        new["version"] = f"{year}.{number + 1}"
