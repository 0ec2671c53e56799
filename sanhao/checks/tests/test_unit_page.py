"""A unit's overdue remedies show on its page, to those who read the unit, and no other's."""

import datetime as dt

from django.urls import reverse

from sanhao.checks.tests.helpers import shortfall, spot_check


def test_the_unit_page_lists_its_overdue_remedies_only(world):
    check = spot_check(world)
    shortfall(world, check, post="A1", text="工业投资滞后", measure="倒排节点",
              due_on=dt.date(2026, 6, 30))  # fmt: skip
    shortfall(world, check, post="B1", text="乙街道的短板", measure="乙街道的举措",
              due_on=dt.date(2026, 6, 30))  # fmt: skip
    shortfall(world, check, post="A2", text="未到期的短板", due_on=dt.date(2099, 1, 1))
    body = (
        world.client_for(world.liaison_a)
        .get(reverse("orgs:unit_detail", args=[world.a.code]))
        .content.decode()
    )
    assert "逾期未完成的补短举措" in body
    assert "甲镇长：工业投资滞后——倒排节点（应于 2026-06-30 前完成）" in body
    assert "乙街道的短板" not in body and "未到期的短板" not in body


def test_no_section_without_overdue_remedies(world):
    body = (
        world.client_for(world.office)
        .get(reverse("orgs:unit_detail", args=[world.a.code]))
        .content.decode()
    )
    assert "逾期未完成的补短举措" not in body
