from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from sanhao.accounts.models import AccountRole, User
from sanhao.audit.services import record
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Unit


@transaction.atomic
def create_account(
    *,
    username: str,
    password: str,
    role: str,
    unit: Unit | None = None,
    full_name: str = "",
    is_demo: bool = False,
    actor: Any,
) -> User:
    if User.objects.filter(username=username).exists():
        raise DomainError(_("The account %(name)s already exists.") % {"name": username})
    if (role == AccountRole.LIAISON) != (unit is not None):
        raise DomainError(_("A liaison account needs exactly one unit; other accounts none."))
    user = User(
        username=username,
        role=role,
        unit=unit,
        first_name=full_name,
        is_demo=is_demo,
        # The office manages data in the Django admin too.
        is_staff=role == AccountRole.OFFICE,
        is_superuser=role == AccountRole.OFFICE,
    )
    user.set_password(password)
    user.save()
    record(
        "accounts.user.create",
        actor=actor,
        obj=user,
        data={"username": username, "role": role, "unit": unit.code if unit else None},
    )
    return user
