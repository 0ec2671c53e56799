"""Who may see and edit what in the organisation model. Views fetch objects only here.

Out-of-scope objects answer 404, so a liaison cannot even learn that another
unit's person exists; a role that may not use a page at all gets 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from sanhao.accounts.roles import is_office
from sanhao.orgs.models import Person, Post, PostQuerySet, RosterProblems, Unit


def can_read_roster(user: Any) -> bool:
    return user.is_office or user.is_viewer or user.is_liaison


def require_office(user: Any) -> None:
    if not is_office(user):
        raise PermissionDenied


def require_roster_reader(user: Any) -> None:
    if not can_read_roster(user):
        raise PermissionDenied


def units_for_user(user: Any) -> QuerySet[Unit]:
    require_roster_reader(user)
    if user.is_liaison:
        return Unit.objects.filter(pk=user.unit_id)
    return Unit.objects.all()


def get_unit_for_user(user: Any, code: str) -> Unit:
    try:
        return units_for_user(user).select_related("district").get(code=code)
    except Unit.DoesNotExist:
        raise Http404 from None


def get_unit_for_office(user: Any, code: str) -> Unit:
    require_office(user)
    return get_unit_for_user(user, code)


def posts_for_user(user: Any) -> PostQuerySet:
    """The posts a user may read: for a liaison, those of their unit only, whoever holds
    them. Every list of posts goes through here, also the posts of a person in scope: a
    cadre who left the liaison's unit stays in its history, their new post does not show."""
    require_roster_reader(user)
    if user.is_liaison:
        return Post.objects.filter(unit_id=user.unit_id)
    return Post.objects.all()


def people_for_user(user: Any) -> QuerySet[Person]:
    """The people a user may read: for a liaison, whoever held a post in their unit."""
    if user.is_liaison:
        return Person.objects.filter(pk__in=posts_for_user(user).values("person_id"))
    require_roster_reader(user)
    return Person.objects.all()


def get_person_for_user(user: Any, pk: int) -> Person:
    try:
        return people_for_user(user).get(pk=pk)
    except Person.DoesNotExist:
        raise Http404 from None


def get_person_for_office(user: Any, pk: int) -> Person:
    require_office(user)
    return get_person_for_user(user, pk)


def get_post_for_office(user: Any, pk: int) -> Post:
    require_office(user)
    try:
        return Post.objects.select_related("person", "unit").get(pk=pk)
    except Post.DoesNotExist:
        raise Http404 from None


def get_roster_problems_for_office(user: Any, pk: int) -> RosterProblems:
    """The problems of a refused import, to the account that tried it only."""
    require_office(user)
    try:
        return RosterProblems.objects.get(pk=pk, actor_id=user.pk)
    except RosterProblems.DoesNotExist:
        raise Http404 from None
