"""The demo: 白米镇's liaison finds the reminders of the demo's day; the deviations."""

import pytest
from django.core.management import call_command

from sanhao.demo.world import FIGURES_TO
from sanhao.deviations.models import Deviation
from sanhao.deviations.services import overdue_deviations, status_of
from sanhao.notices.models import Notice


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def test_the_demo_has_deviations_and_the_reminders_of_its_day(demo):
    statuses = sorted(status_of(d) for d in Deviation.objects.all())
    assert statuses == ["closed", "open", "open"]
    overdue = overdue_deviations([Deviation.objects.first().year], today=FIGURES_TO)
    assert [d.unit.code for d in overdue] == ["baimi"]
    kinds = set(Notice.objects.filter(recipient__username="liaison-baimi",
                                      for_date=FIGURES_TO).values_list("kind", flat=True))  # fmt: skip
    assert kinds == {"record_missing", "remedy_overdue", "deviation_overdue"}
    assert Notice.objects.values("recipient").distinct().count() == 13
