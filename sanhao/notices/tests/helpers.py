import datetime as dt

from sanhao.accounts.models import AccountRole, User
from sanhao.accounts.services import create_account
from sanhao.checks.tests.helpers import shortfall, spot_check
from sanhao.conftest import PASSWORD
from sanhao.deviations.services import raise_deviation
from sanhao.orgs.models import Post, Unit
from sanhao.records.tests.helpers import add

JUNE_END = dt.date(2026, 6, 28)  # June ends within 5 days; the remedy is due within 3


def a_year_of_things(world) -> dict:
    """Town A holds June's study session, not its supervision; town B holds nothing. A
    remedy of A due 2026-06-30, a deviation of B to be corrected by 2026-07-10."""
    add(world, type="study", period=6, day=dt.date(2026, 6, 12))
    remedy = shortfall(world).remedy
    found = raise_deviation(world.campaign, world.b, found_on=dt.date(2026, 6, 10),
                            problem="乙街道督办事项未落实", correction="限期整改",
                            deadline=dt.date(2026, 7, 10), actor=world.office)  # fmt: skip
    return {"remedy": remedy, "deviation": found}


def with_email(*users, address="{}@example.gov.cn") -> None:
    for user in users:
        User.objects.filter(pk=user.pk).update(email=address.format(user.username))


def liaisons_everywhere(world) -> None:
    """A liaison account for every unit that has none."""
    for unit in Unit.objects.filter(liaisons__isnull=True).order_by("order"):
        create_account(username=f"liaison-{unit.code}", password=PASSWORD,
                       role=AccountRole.LIAISON, unit=unit, actor=world.office)  # fmt: skip


def remedies_and_deviations_everywhere(world) -> None:
    """For every unit without one: a remedy due 2026-06-30 and an overdue deviation."""
    from sanhao.checks.services import add_shortfall

    units = list(Unit.objects.filter(shortfalls__isnull=True).order_by("order"))
    if not units:
        return
    check = spot_check(world, units=units)
    for unit in units:
        post = Post.objects.current().filter(unit=unit).order_by("order")[0]
        add_shortfall(check, post, text="短板", measure="举措", due_on=dt.date(2026, 6, 30),
                      actor=world.office)  # fmt: skip
        raise_deviation(world.campaign, unit, found_on=dt.date(2026, 5, 10), problem="问题",
                        correction="整改", deadline=dt.date(2026, 6, 1), actor=world.office)  # fmt: skip
