"""Every list as .xlsx: formulas never written, the pages' access checks, no leak of
another unit to a liaison, a number of queries that does not grow with the units."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from sanhao.events.services import add_event
from sanhao.lib import xlsx_export
from sanhao.lib.xlsx import Workbook
from sanhao.orgs.tests.test_query_counts import grow, queries

RISKY = ['=HYPERLINK("http://x","点我")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]

# name → (roles allowed, kwargs from the world)
EXPORTS = {
    "orgs:unit_list_export": ({"office", "liaison_a", "viewer"}, {}),
    "orgs:person_list_export": ({"office", "liaison_a", "viewer"}, {}),
    "targets:district_figures_export": ({"office", "viewer"}, {"pk": "campaign"}),
    "targets:unit_figures_export": ({"office", "liaison_a", "viewer"}, {"pk": "campaign", "code": "A"}),
    "records:grid_export": ({"office", "viewer"}, {"pk": "campaign"}),
    "records:unit_records_export": ({"office", "liaison_a", "viewer"}, {"pk": "campaign", "code": "A"}),
    "checks:list_export": ({"office", "liaison_a", "viewer"}, {"pk": "campaign"}),
    "checks:overdue_export": ({"office", "liaison_a", "viewer"}, {"pk": "campaign"}),
    "events:list_export": ({"office", "liaison_a", "viewer"}, {"pk": "campaign"}),
    "rankings:scores_export": ({"office", "viewer"}, {"pk": "campaign"}),
}  # fmt: skip


def url_of(world, name: str, unit=None) -> str:
    unit = unit or world.a
    values = {"pk": world.campaign.pk, "code": unit.code}
    return reverse(name, kwargs={k: values[k] for k in EXPORTS[name][1]})


def cells(content: bytes) -> list[object]:
    book = Workbook(content)
    return [v for sheet in book.sheet_names for _n, row in book.rows(sheet) for v in row.values()]


def test_it_writes_risky_texts_as_text_never_as_formulas():
    content = xlsx_export.build(
        [xlsx_export.Sheet("表", ["名称", "数"], [[text, 1] for text in RISKY], title_row="标题")]
    )
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    ws = load_workbook(io.BytesIO(content))["表"]
    read = [ws.cell(r, 1) for r in range(3, 3 + len(RISKY))]
    assert [c.value for c in read][:4] == RISKY[:4]
    assert all(c.data_type == "s" for c in read)
    assert all(c.quotePrefix for c in read)
    assert not ws.cell(3, 2).quotePrefix and ws.cell(3, 2).value == 1
    assert "A1:B1" in {str(r) for r in ws.merged_cells.ranges}


def test_it_exports_an_event_note_that_looks_like_a_formula_as_text(world):
    note = '=HYPERLINK("http://evil.example","详情")'
    add_event(world.campaign, world.a, kind="bonus", item="honour", happened_on=dt.date(2026, 3, 1),
              note=note, actor=world.office)  # fmt: skip
    response = world.client_for(world.office).get(url_of(world, "events:list_export"))
    assert response["Content-Type"] == xlsx_export.CONTENT_TYPE
    assert note in cells(response.content)
    ws = load_workbook(io.BytesIO(response.content)).active
    found = [c for row in ws.iter_rows() for c in row if c.value == note]
    assert found and all(c.data_type == "s" for c in found)


@pytest.mark.parametrize("name", sorted(EXPORTS))
@pytest.mark.parametrize("role", ["office", "liaison_a", "viewer", "judge"])
def test_it_lets_only_the_pages_readers_export(world, name, role):
    response = world.client_for(getattr(world, role)).get(url_of(world, name))
    if role in EXPORTS[name][0]:
        assert response.status_code == 200
        assert "attachment" in response["Content-Disposition"]
        cells(response.content)  # a workbook the reader takes
    else:
        assert response.status_code in (403, 404)


@pytest.mark.parametrize(
    "name", sorted(n for n, (roles, _k) in EXPORTS.items() if "liaison_a" in roles)
)
def test_it_never_exports_another_unit_to_a_liaison(world, name):
    add_event(world.campaign, world.b, kind="bonus", item="honour", happened_on=dt.date(2026, 3, 1),
              note="乙街道获表彰", actor=world.office)  # fmt: skip
    client = world.client_for(world.liaison_a)
    if "code" in EXPORTS[name][1]:
        assert client.get(url_of(world, name, world.b)).status_code == 404
    text = " ".join(str(v) for v in cells(client.get(url_of(world, name)).content))
    assert "乙" not in text


@pytest.mark.parametrize(
    "name", ["orgs:unit_list_export", "orgs:person_list_export", "targets:district_figures_export",
             "records:grid_export", "checks:list_export", "events:list_export"],
)  # fmt: skip
def test_it_exports_in_the_same_number_of_queries_for_13_and_40_units(world, name):
    client = world.client_for(world.office)
    grow(world, 13, 2)
    small = queries(client, url_of(world, name))
    grow(world, 40, 2)
    assert queries(client, url_of(world, name)) == small
