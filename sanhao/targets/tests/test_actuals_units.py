"""The year's scheme names each indicator's unit of measure: the import converts by it."""

from __future__ import annotations

import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook

from sanhao.targets.tests.test_actuals_import import actual, problems, upload, workbook


def test_the_schemes_own_units_convert_and_a_header_in_another_unit_is_refused(world):
    """The default scheme reports 开票销售 and 工业投资 in 亿元 and 到账外资 in 万美元."""
    client = world.client_for(world.office)
    url = reverse("targets:actuals_template", kwargs={"pk": world.campaign.pk})
    ws = load_workbook(io.BytesIO(client.get(url).content))["月度实绩"]
    assert [ws["C2"].value, ws["D2"].value] == ["开票销售（亿元）", "到账外资（万美元）"]
    data = workbook([["town-a", "甲镇", "12,300万", "1.5万", "2.5亿"]])
    assert upload(client, world, data).status_code == 302
    assert actual(world, world.a) == Decimal("1.23")  # 12,300 万 = 1.23 亿
    assert actual(world, world.a, "fdi_received") == Decimal("1.5")
    assert actual(world, world.a, "industrial_investment") == Decimal("2.5")
    # A header in another unit of the same currency converts: 5,000 万元 = 0.5 亿元.
    header = ["单位代码*", "单位名称", "开票销售（万元）", "到账外资", "工业投资"]
    assert upload(client, world, workbook([["town-a", "甲镇", "5000", None, None]],
                                          header=header)).status_code == 302  # fmt: skip
    assert actual(world, world.a) == Decimal("0.5")
    # 元 is never turned into 美元: the whole file is refused, nothing saved.
    header = ["单位代码*", "单位名称", "开票销售", "到账外资（万元）", "工业投资"]
    wrong = workbook([["town-a", "甲镇", "9", "1", None]], header=header)
    response = upload(client, world, wrong)
    assert response.status_code == 200
    assert "D（到账外资）列：该列单位为万元，但指标单位为万美元" in problems(response)
    assert (actual(world, world.a), actual(world, world.a, "fdi_received")) == (
        Decimal("0.5"), Decimal("1.5"))  # fmt: skip
