"""The month's actuals import at scale on SQLite (`make bench`).

A district of N units, each with a plan; a file of N rows (one per unit, three
indicators), read, checked and written end to end through
`sanhao.targets.imports.import_actuals` (every unit's figures through
`targets.services.enter_figures`, one transaction); then the same file again (nothing
changes, nothing is written). Target: 10,000 rows in under 5 s.

    .venv/bin/python bench/actuals_import_bench.py [--rows 10000]

The SQLite database is a fresh temporary file (override with BENCH_DATABASE_URL, e.g.
a PostgreSQL database that is dropped and created again).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REFERENCE = 5.0  # seconds for 10,000 rows (issue 7)


def setup(folder: str) -> None:
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3"
    )
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanhao.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup(folder)
        run(args.rows)


def run(n: int) -> None:
    from django.utils import timezone

    from sanhao.accounts.models import AccountRole
    from sanhao.accounts.services import create_account
    from sanhao.campaigns.services import open_campaign_year
    from sanhao.lib.tests.hostile import actuals_rows, workbook
    from sanhao.orgs import services
    from sanhao.orgs.models import Unit
    from sanhao.targets.imports import import_actuals
    from sanhao.targets.models import Figure

    office = create_account(username="bench-office", password="bench-password-42",
                            role=AccountRole.OFFICE, actor=None)  # fmt: skip
    district = services.create_district("基准区", actor=office)
    Unit.objects.bulk_create(
        [Unit(district=district, code=f"U{i + 1:05d}", name=f"第{i + 1}镇", kind=Unit.Kind.TOWN,
              order=i) for i in range(n)],
        batch_size=1000,
    )  # fmt: skip
    year = open_campaign_year(district, timezone.localdate().year, actor=office)
    data = workbook(actuals_rows(n))
    print(f"actuals import: {n} rows, {len(data) / 1e6:.1f} MB file")
    started = time.perf_counter()
    report = import_actuals(data, year=year, month=10, actor=office)
    first = time.perf_counter() - started
    assert report.ok, [str(p) for p in report.problems[:5]]
    assert Figure.objects.count() == report.changed == 3 * n, report.changed
    started = time.perf_counter()
    again = import_actuals(data, year=year, month=10, actor=office)
    second = time.perf_counter() - started
    assert again.ok and again.changed == 0
    scaled = first * 10_000 / n
    verdict = "ok" if scaled < REFERENCE else "SLOWER THAN THE REFERENCE"
    print(f"  first import   {first:6.2f} s  ({report.changed} figures written)")
    print(f"  same file      {second:6.2f} s  (nothing written)")
    print(f"  reference      {REFERENCE:6.2f} s  for 10,000 rows: {verdict}")
    if scaled >= REFERENCE:
        sys.exit(1)


if __name__ == "__main__":
    main()
