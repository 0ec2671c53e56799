"""Pages of the notices: one's own reminders with the buttons to mark them read, and the
office's list of what was sent. Both read a page of rows in a fixed number of queries."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from sanhao.accounts.http import AuthenticatedRequest
from sanhao.accounts.roles import is_office
from sanhao.notices import access, services
from sanhao.notices.forms import SentFilterForm
from sanhao.notices.models import Notice
from sanhao.orgs.models import Unit

PER_PAGE = 50
SENT_PER_PAGE = 100


@login_required
@require_GET
def notice_list(request: AuthenticatedRequest) -> HttpResponse:
    rows = access.notices_for_user(request.user).order_by("-for_date", "-id")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "notices/list.html",
                  {"page": page, "office": is_office(request.user)})  # fmt: skip


@login_required
@require_POST
def mark_read(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    if request.POST.get("all"):
        count = services.mark_read(user)
    elif request.POST.get("notice"):
        count = services.mark_read(user, [access.get_notice_for_user(user, request.POST["notice"])])
    else:
        messages.error(request, _("Choose a reminder to mark as read."))
        return redirect("notices:list")
    if count:
        messages.success(request, ngettext("%(n)s reminder marked as read.",
                                           "%(n)s reminders marked as read.", count) % {"n": count})  # fmt: skip
    return redirect("notices:list")


@login_required
@require_GET
def sent(request: AuthenticatedRequest) -> HttpResponse:
    access.require_sent_reader(request.user)
    units = Unit.objects.order_by("order", "code")
    form = SentFilterForm(request.GET or None, units=units)
    rows = Notice.objects.select_related("recipient", "unit").order_by("-for_date", "-id")
    if form.is_valid():
        data = form.cleaned_data
        if data["day"]:
            rows = rows.filter(for_date=data["day"])
        if data["kind"]:
            rows = rows.filter(kind=data["kind"])
        if data["unit"]:
            rows = rows.filter(unit=data["unit"])
    else:
        rows = rows.none() if request.GET else rows
    page = Paginator(rows, SENT_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "notices/sent.html",
                  {"form": form, "page": page, "query": query.urlencode(),
                   "email": services.email_configured()})  # fmt: skip
