"""Who may read which notices: everyone signed in reads their own (another person's
notice answers 404); the office reads what was sent to everyone."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from sanhao.accounts.roles import is_office
from sanhao.notices.models import Notice


def notices_for_user(user: Any) -> QuerySet[Notice]:
    return Notice.objects.filter(recipient_id=user.pk)


def get_notice_for_user(user: Any, notice_pk: Any) -> Notice:
    try:
        return notices_for_user(user).get(pk=int(notice_pk))
    except (Notice.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def require_sent_reader(user: Any) -> None:
    if not is_office(user):
        raise PermissionDenied
