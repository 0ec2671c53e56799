import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from sanhao.accounts.models import User
from sanhao.audit.services import verify_chain
from sanhao.campaigns.models import CampaignYear, Phase
from sanhao.demo.world import DEMO_PASSWORD, REAL_NAMES, UNITS, seed_demo
from sanhao.orgs.models import Person, Post, Role, Unit


class _Undo(Exception):
    pass


def snapshot() -> list[tuple[str, ...]]:
    return sorted(
        (p.unit.code, p.person.code, p.person.name, p.title, str(p.start), str(p.end))
        for p in Post.objects.select_related("unit", "person")
    )


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


def test_it_builds_the_13_units_with_10_to_13_current_posts_each(demo):
    assert [(u.code, u.name) for u in Unit.objects.order_by("order")] == [
        (code, name) for code, name, _kind in UNITS
    ]
    for unit in Unit.objects.all():
        current = unit.posts.current()
        assert 10 <= current.count() <= 13, unit
        assert current.filter(role=Role.LEADER).count() == 1
    assert Post.objects.past().filter(role=Role.LEADER).exists()  # some history
    assert not Person.objects.filter(name__in=REAL_NAMES).exists()
    assert CampaignYear.objects.get().phase == Phase.PROCESS
    assert verify_chain().ok


def test_it_makes_one_account_per_role_that_signs_in(demo):
    names = set(User.objects.values_list("username", flat=True))
    judges = {f"judge{n}" for n in range(1, 8)}  # judge1 and the panel's six others
    assert {"office", "viewer"} | judges | {f"liaison-{c}" for c, _n, _k in UNITS} == names
    liaison = User.objects.get(username="liaison-baimi")
    assert liaison.unit.name == "白米镇" and liaison.is_demo
    client = Client()
    response = client.post(reverse("accounts:login"),
                           {"username": "liaison-baimi", "password": DEMO_PASSWORD})  # fmt: skip
    assert response.status_code == 302


def test_it_is_deterministic(db):
    runs = []
    for _ in range(2):
        with pytest.raises(_Undo), transaction.atomic():
            seed_demo()
            runs.append(snapshot())
            raise _Undo
    assert runs[0] == runs[1] and len(runs[0]) > 130


def test_it_reuses_what_is_there(demo, capsys):
    call_command("seed_demo")
    assert "演示数据已存在" in capsys.readouterr().out
    assert Unit.objects.count() == 13


def test_it_refuses_to_run_when_debug_is_off(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")
