import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from sanhao.deviations.services import raise_deviation

FOUND = dt.date(2026, 6, 10)


def deviation(world, unit=None, **kwargs):
    values = {"found_on": FOUND, "problem": "督办事项未落实", "correction": "限期整改到位",
              "deadline": dt.date(2026, 7, 10), "actor": world.office}  # fmt: skip
    values.update(kwargs)
    return raise_deviation(world.campaign, unit or world.a, **values)


def pdf(name="整改报告.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n%%EOF\n", content_type="application/pdf")
