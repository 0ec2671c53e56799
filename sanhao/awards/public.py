"""The public side of the notice (公示), without an account: the published notices, a
notice in the style of a government notice, and the objection form.

Like the voters' pages these have a frame of their own (awards/public_base.html): no menu,
no language form and no cookie. The objection form needs no CSRF token: it acts for nobody
(no session is read), and its signed single-use captcha token already ties a submission to
a page fetched from here.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from sanhao.awards import captcha
from sanhao.awards import objections as services
from sanhao.awards.models import Category, Item, Notice
from sanhao.lib.errors import DomainError
from sanhao.lib.net import throttle_address

SCORE_KEYS = ["K", "P", "M", "B", "D", "S"]
KEPT = ("item", "real_name", "phone", "content")  # what a refused page keeps of the form


def day(value: Any) -> str:
    """A date as the notice writes it: 2025年9月28日."""
    return _("%(year)d-%(month)d-%(day)d") % {
        "year": value.year,
        "month": value.month,
        "day": value.day,
    }


def _notice(pk: int) -> Notice:
    try:
        return (
            Notice.objects.select_related("deliberation__snapshot")
            .filter(published__lte=timezone.now())
            .get(pk=pk)
        )
    except Notice.DoesNotExist:
        raise Http404 from None


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def _period(notice: Notice) -> dict[str, Any]:
    return {"starts": day(notice.starts), "ends": day(notice.ends), "days": notice.working_days}


@never_cache
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    notices = Notice.objects.filter(published__lte=timezone.now()).order_by("-published", "-id")
    rows = [{"notice": n, "state": services.state(n, today), **_period(n)} for n in notices[:100]]
    return render(request, "awards/public_index.html", {"rows": rows})


def nominee_label(item: Item) -> str:
    if item.category == Category.TEAM:
        return item.name
    return f"{item.name}（{item.unit.name}{item.post}）"


@never_cache
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(pk)
    today = timezone.localdate()
    lists = services.notice_lists(notice, with_weights=notice.show_scores)
    for part in lists:
        part.rows = [  # type: ignore[attr-defined]
            {"item": item, "scores": [item.scores.get(k, "—") for k in SCORE_KEYS]}
            for item in part.items
        ]
    snapshot = notice.deliberation.snapshot
    return render(
        request,
        "awards/public_detail.html",
        {
            "notice": notice,
            "lists": lists,
            "state": services.state(notice, today),
            "period": _period(notice),
            "ends": day(notice.ends),
            "published": day(timezone.localtime(notice.published).date()),
            "hash": snapshot.content_hash,
            "short_hash": snapshot.short_hash,
            "score_keys": SCORE_KEYS,
        },
    )


class ObjectionForm(forms.Form):
    item = forms.TypedChoiceField(label=gettext_lazy("about whom"), required=False,
                                  coerce=int, empty_value=None)  # fmt: skip
    real_name = forms.CharField(label=gettext_lazy("your real name"), max_length=50,
                                required=False)  # fmt: skip
    phone = forms.CharField(
        label=gettext_lazy("your phone"), max_length=20, required=False,
        help_text=gettext_lazy("a mobile number, or a landline number with its area code"),
    )  # fmt: skip
    content = forms.CharField(label=gettext_lazy("your objection"),
                              max_length=services.CONTENT_MAX, widget=forms.Textarea)  # fmt: skip
    answer = forms.CharField(label=gettext_lazy("answer (a number)"), max_length=10)
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, items: list[Item], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = {item.pk: item for item in items}
        field = self.fields["item"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("other / the list as a whole"))] + [
            (item.pk, f"{item.get_category_display()}：{nominee_label(item)}") for item in items
        ]
        # The browser asks for both; one sent without them is kept as an anonymous attempt.
        for name in ("real_name", "phone"):
            self.fields[name].widget.attrs["required"] = "required"
        self.fields["phone"].widget.attrs.update({"inputmode": "tel", "autocomplete": "tel"})
        self.fields["real_name"].widget.attrs["autocomplete"] = "name"
        self.fields["answer"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def clean_phone(self) -> str:
        # Full-width digits, as a Chinese input method types them, become ASCII ones.
        phone = unicodedata.normalize("NFKC", str(self.cleaned_data.get("phone") or "")).strip()
        if phone and not services.valid_phone(phone):
            raise forms.ValidationError(
                _("Please give a mobile number or a landline number with its area code.")
            )
        return phone


def _form_page(
    request: HttpRequest,
    notice: Notice,
    form: ObjectionForm | None,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    challenge = captcha.new_challenge() if form is not None else None
    if form is not None and challenge is not None:
        # A new question on every page (a token is used once); what was written stays.
        if form.is_bound:
            form.data = {**dict(form.data.items()), "token": challenge.token, "answer": ""}
        else:
            form.initial["token"] = challenge.token
    context = {
        "notice": notice,
        "form": form,
        "question": challenge.question if challenge else "",
        "error": error,
        "state": services.state(notice, timezone.localdate()),
        "period": _period(notice),
    }
    return _private(render(request, "awards/public_objection.html", context, status=status))


@csrf_exempt
@sensitive_post_parameters("real_name", "phone", "content")
@never_cache
@require_http_methods(["GET", "POST"])
def objection(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(pk)
    today = timezone.localdate()
    if not services.is_open(notice, today):
        try:
            services.require_open(notice, today)
        except DomainError as closed:
            return _form_page(request, notice, None, error=closed.message,
                              status=403 if request.method == "POST" else 200)  # fmt: skip
    items = services.nominees(notice)
    if request.method == "GET":
        return _form_page(request, notice, ObjectionForm(items=items))
    form = ObjectionForm(request.POST, items=items)
    # Refused before the form is read: the page asks again with what was written, unjudged.
    written = ObjectionForm(initial={k: request.POST.get(k, "") for k in KEPT}, items=items)
    address = throttle_address(request)
    try:
        services.check_rate(notice, address)
    except DomainError as refusal:
        return _form_page(request, notice, written, error=refusal.message, status=429)
    try:
        captcha.check(request.POST.get("token", ""), request.POST.get("answer", ""))
    except DomainError as refusal:
        services.count_attempt(notice, address)
        return _form_page(request, notice, written, error=refusal.message, status=400)
    if not form.is_valid():
        return _form_page(request, notice, form, status=400)
    data = form.cleaned_data
    try:
        stored = services.submit_objection(
            notice, item=form.items.get(data["item"]) if data["item"] else None,
            real_name=data["real_name"], phone=data["phone"], content=data["content"],
            today=today,
        )  # fmt: skip
    except DomainError as refusal:
        return _form_page(request, notice, form, error=refusal.message, status=400)
    services.count_attempt(notice, address)
    return _private(
        render(
            request,
            "awards/public_objection_done.html",
            {
                "notice": notice,
                "reference": services.reference(stored),
                "anonymous": stored.anonymous,
            },
        )
    )
