"""One rule says who acts as the office; every place that asks gets the same answer."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from sanhao.accounts.models import User
from sanhao.accounts.roles import is_office
from sanhao.campaigns.services import advance_phase
from sanhao.lib.errors import DomainError
from sanhao.orgs.access import require_office


def test_is_office_for_every_kind_of_user(world):
    assert is_office(world.office)
    for other in (world.liaison_a, world.judge, world.viewer, AnonymousUser(), None):
        assert not is_office(other)
    User.objects.filter(pk=world.office.pk).update(is_active=False)
    world.office.refresh_from_db()
    assert not is_office(world.office)


@pytest.mark.parametrize("who", ["liaison_a", "judge", "viewer"])
def test_views_and_services_refuse_alike(world, who):
    user = getattr(world, who)
    with pytest.raises(PermissionDenied):
        require_office(user)
    with pytest.raises(DomainError):
        advance_phase(world.campaign, to="process", actor=user)
    with pytest.raises(PermissionDenied):
        require_office(AnonymousUser())
