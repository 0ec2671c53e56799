"""The demo's spot checks: several units, remedies done, open and overdue."""

import datetime as dt

from sanhao.checks.demo import seed_checks
from sanhao.checks.models import Remedy, RemedyUpdate, SpotCheck
from sanhao.checks.services import overdue_remedies
from sanhao.orgs.models import Unit
from sanhao.orgs.tests.test_query_counts import grow


def test_it_seeds_two_spot_checks_with_remedies_done_open_and_overdue(world):
    grow(world, 13, 3)
    seed_checks(world.campaign, list(Unit.objects.order_by("order")), world.office)
    assert SpotCheck.objects.count() == 2
    assert Remedy.objects.values("shortfall__unit").distinct().count() >= 8
    done = RemedyUpdate.objects.filter(status="done").count()
    overdue = overdue_remedies(world.campaign, today=dt.date(2026, 11, 30))
    assert done >= 3 and len(overdue) >= 3
    assert Remedy.objects.count() - done - len(overdue) >= 1  # open, not yet due
