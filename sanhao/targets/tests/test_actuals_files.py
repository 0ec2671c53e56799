"""The Excel corpus through the actuals upload: files saved by openpyxl, LibreOffice and
WPS import the same figures; hostile and malformed files are refused with a message,
nothing is saved, and the memory of the worst stays bounded (tracemalloc's peak)."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sanhao.jobs.models import Job
from sanhao.lib.tests import hostile
from sanhao.orgs import services as org_services
from sanhao.orgs.models import Unit
from sanhao.targets.models import Figure
from sanhao.targets.services import current_figures

CORPUS = Path(__file__).resolve().parents[2] / "lib" / "tests" / "corpus"
MEMORY_BOUND = 40 * 1024 * 1024  # bytes of Python heap at the peak of one refused upload


def post(world, data: bytes, name: str = "实绩.xlsx", month: int = 10, **options):
    url = reverse("targets:actuals_import", kwargs={"pk": world.campaign.pk})
    return world.client_for(world.office).post(
        url, {"month": str(month), "file": SimpleUploadedFile(name, data)}, **options
    )


@pytest.fixture
def four_units(world):
    # The corpus says each column's unit in its header (开票销售（万元）…): a scheme that
    # names no unit of measure leaves it to the header.
    import re

    from sanhao.rankings.services import current_scheme, save_scheme_version

    source = re.sub(r'^unit = "[^"]*".*$', "", current_scheme(world.campaign).source, flags=re.M)
    save_scheme_version(world.campaign, source, reason="表头单位", actor=world.office)
    for code, name in (("town-c", "丙镇"), ("town-d", "丁镇")):
        org_services.create_unit(world.district, code=code, name=name, kind=Unit.Kind.TOWN,
                                 actor=world.office)  # fmt: skip
    return world


@pytest.mark.parametrize("saver", ["openpyxl", "libreoffice", "wps"])
def test_it_imports_the_same_figures_whoever_saved_the_file(four_units, saver):
    world = four_units
    response = post(world, (CORPUS / f"{saver}.xlsx").read_bytes())
    assert response.status_code == 302, response.context and [
        str(p) for p in response.context["report"].problems
    ]
    saved = {
        (unit, indicator): format(value.normalize(), "f")
        for (unit, indicator, _kind, _m), value in current_figures(world.campaign).items()
    }
    codes = {u.pk: u.code for u in Unit.objects.all()}
    assert {(codes[u], i): v for (u, i), v in saved.items()} == {
        ("town-a", "sales"): "1234.5",
        ("town-a", "fdi_received"): "1234",
        ("town-a", "industrial_investment"): "28.57",
        ("town-b", "sales"): "12000",  # 1.2亿 in a column of 万元
        ("town-b", "fdi_received"): "12.3",  # 12.3万 in 万元
        ("town-b", "industrial_investment"): "28.57",  # 0.2857 formatted as a percentage
        ("town-d", "sales"): "1234.5",
        ("town-d", "industrial_investment"): "12",
    }  # town-c reported nothing: —, - and /


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (hostile.renamed_xls, "旧版 Excel 文件"),
        (hostile.renamed_csv, "CSV"),
        (hostile.zip_bomb, "解压后超过 32 MB"),
        (hostile.entity_bomb, "DTD"),
        (lambda: hostile.many_rows(100_000), "超过 10000 行"),
        (lambda: b"", ""),
    ],
    ids=["xls", "csv", "zip-bomb", "entity-bomb", "100000-rows", "empty"],
)
def test_it_refuses_a_malformed_file_with_its_message_and_saves_nothing(
    world, make, words, settings, tmp_path
):
    """A file larger than IMPORT_JOB_BYTES is refused by its import job, whose page (the
    redirect followed) shows the same message."""
    settings.MEDIA_ROOT = tmp_path  # where an import job keeps its upload
    data = make()
    tracemalloc.start()
    try:
        response = post(world, data, follow=True)
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200
    body = response.content.decode()
    assert words in body
    assert 'role="alert"' in body or "errorlist" in body
    assert Figure.objects.count() == 0
    assert Job.objects.filter(kind="import").exists() == (len(data) > settings.IMPORT_JOB_BYTES)
    assert peak < MEMORY_BOUND + 2 * len(data), f"peak {peak / 1e6:.1f} MB"
