"""The office's pages of a notice's objections: the list (anonymous attempts apart, not
handled), an objection with its steps and the forms of the next one, and the removal of a
nominee during the notice. Office only; a notice is found under its own year's URL only."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.awards import objections as services
from sanhao.awards.models import Item, Notice, Objection, Step
from sanhao.campaigns.access import get_campaign_for_office
from sanhao.lib.errors import DomainError
from sanhao.lib.forms import form_errors


def get_notice_for_office(user: object, pk: int, notice_pk: int) -> Notice:
    """The notice of year `pk` (403 for anyone but the office, 404 for another year's)."""
    year = get_campaign_for_office(user, pk)
    try:
        return Notice.objects.select_related("deliberation__snapshot__year").get(
            pk=notice_pk, deliberation__snapshot__year=year
        )
    except Notice.DoesNotExist:
        raise Http404 from None


class StepForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("note"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip


class RemovalForm(forms.Form):
    item = forms.TypedChoiceField(label=gettext_lazy("nominee"), coerce=int)
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip
    objection = forms.TypedChoiceField(label=gettext_lazy("upheld objection"), coerce=int,
                                       required=False, empty_value=None)  # fmt: skip

    def __init__(self, *args: object, notice: Notice, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.nominees = {item.pk: item for item in services.nominees(notice)}
        self.upheld = {
            o.pk: o for o in services.objections_of(notice) if services.status_of(o) == Step.UPHELD
        }
        item_field = self.fields["item"]
        objection_field = self.fields["objection"]
        assert isinstance(item_field, forms.TypedChoiceField)
        assert isinstance(objection_field, forms.TypedChoiceField)
        item_field.choices = [
            (pk, f"{item.get_category_display()}：{item.name}（{item.unit.name}）")
            for pk, item in self.nominees.items()
        ]
        objection_field.choices = [("", _("none"))] + [
            (pk, services.reference(o)) for pk, o in self.upheld.items()
        ]


def _rows(notice: Notice) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    handled: list[dict[str, object]] = []
    anonymous: list[dict[str, object]] = []
    for objection in services.objections_of(notice):
        row = {"objection": objection, "status": services.status_of(objection),
               "reference": services.reference(objection)}  # fmt: skip
        (anonymous if objection.anonymous else handled).append(row)
    return handled, anonymous


@login_required
@require_http_methods(["GET"])
def objection_list(request: AuthenticatedRequest, pk: int, notice_pk: int) -> HttpResponse:
    notice = get_notice_for_office(request.user, pk, notice_pk)
    handled, anonymous = _rows(notice)
    removals = notice.removals.select_related("item__unit", "objection").order_by("id")
    return render(
        request,
        "awards/objections.html",
        {"year": notice.deliberation.snapshot.year, "notice": notice, "rows": handled,
         "anonymous": anonymous, "removals": removals,
         "removal_form": RemovalForm(notice=notice),
         "state": services.state(notice, timezone.localdate())},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def objection_detail(
    request: AuthenticatedRequest, pk: int, notice_pk: int, objection_pk: int
) -> HttpResponse:
    notice = get_notice_for_office(request.user, pk, notice_pk)
    try:
        objection = Objection.objects.select_related("item__unit").get(
            pk=objection_pk, notice=notice
        )
    except Objection.DoesNotExist:
        raise Http404 from None
    form = StepForm(request.POST or None)
    if request.method == "POST":
        step = request.POST.get("step", "")
        if step not in (Step.VERIFYING, Step.UPHELD, Step.NOT_UPHELD):
            messages.error(request, _("Choose a step."))
        elif not form.is_valid():
            messages.error(request, form_errors(form))
        else:
            note = form.cleaned_data["note"]
            try:
                if step == Step.VERIFYING:
                    services.start_verifying(objection, note, request.user)
                else:
                    services.conclude(objection, step == Step.UPHELD, note, request.user)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The step has been recorded."))
                return redirect("notice:objection", pk, notice.pk, objection.pk)
    status = services.status_of(objection)
    removal_form = None
    item = objection.item
    if status == Step.UPHELD and item is not None and not hasattr(item, "removal"):
        removal_form = RemovalForm(notice=notice,
                                   initial={"item": item.pk, "objection": objection.pk})  # fmt: skip
    return render(
        request,
        "awards/objection.html",
        {"year": notice.deliberation.snapshot.year, "notice": notice, "objection": objection,
         "steps": list(objection.steps.select_related("created_by")), "status": status,
         "reference": services.reference(objection), "form": form,
         "removal_form": removal_form},
    )  # fmt: skip


@login_required
@require_POST
def remove(request: AuthenticatedRequest, pk: int, notice_pk: int) -> HttpResponse:
    notice = get_notice_for_office(request.user, pk, notice_pk)
    form = RemovalForm(request.POST, notice=notice)
    if not form.is_valid():
        messages.error(request, form_errors(form))
    else:
        data = form.cleaned_data
        item: Item = form.nominees[data["item"]]
        objection = form.upheld.get(data["objection"]) if data["objection"] else None
        try:
            services.remove_nominee(notice, item, data["reason"], request.user, objection=objection)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("%(name)s has been removed from the notice.") % {"name": item.name}
            )
    return redirect("notice:objections", pk, notice.pk)
