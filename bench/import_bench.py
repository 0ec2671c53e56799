"""The roster import at scale on PostgreSQL (`make bench`).

A roster of N rows is N people and their N posts (and N/100 units), filled into the
template as a clerk would, read, checked and imported into an empty organisation;
then the same file is imported again (nothing changes, nothing is written). Targets:
10,000 rows in under 5 s, the time linear in the rows.

Then the memory of the worst uploads the form accepts (2 MB): the largest roster the
reader takes (20,000 rows a sheet), the same with a problem in every cell, and a zip
bomb. Each runs in a process of its own: the peak resident memory before the import
(Django, the file) and during it, and, in a second run, the peak of the Python heap
that tracemalloc sees. Target: under 200 MB for each.

    .venv/bin/python bench/import_bench.py [--sizes 1000,5000,10000]

The database `sanhao_bench_import` on the local PostgreSQL is created afresh (override
with BENCH_DATABASE_URL).
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/sanhao_bench_import"
)
UPLOAD_LIMIT = 2 * 1024 * 1024  # ROSTER_MAX_KB's default


def psql(sql: str) -> None:
    server, _slash, _name = DATABASE_URL.rpartition("/")
    subprocess.run(
        ["psql", f"{server}/postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql], check=True
    )


def setup(*, fresh: bool = True) -> None:
    if fresh:
        name = DATABASE_URL.rpartition("/")[2]
        psql(f"DROP DATABASE IF EXISTS {name}")
        psql(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = DATABASE_URL
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sanhao.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if fresh:
        call_command("migrate", verbosity=0)


def roster(n: int, *, bad: bool = False) -> bytes:
    """The template filled with n people and n posts; `bad`: every cell is wrong."""
    from openpyxl import Workbook

    from sanhao.orgs.roster import COLUMNS, PEOPLE, POSTS, UNITS

    book = Workbook(write_only=True)
    units = max(1, n // 100)
    sheets = {
        UNITS: (
            [f"u{i}", f"第{i}镇", "镇", i] for i in range(units)
        ),
        PEOPLE: (
            [f"P{i:06d}", f"干部{i}", "男" if i % 2 else "女", f"19{60 + i % 40}-{1 + i % 12:02d}",
             "大学本科", f"20{i % 20:02d}-07"]
            for i in range(n)
        ),
        POSTS: (
            [f"P{i:06d}", f"u{i % units}", "班长" if i < units else "班副",
             "党委书记" if i < units else f"党委委员{i}", "2021-10", None, i % 20]
            for i in range(n)
        ),
    }  # fmt: skip
    if bad:
        sheets = {
            UNITS: ([f"坏 {i}", "", "乡镇", "x"] for i in range(n)),
            PEOPLE: ([f"坏 {i}", "", "?", "2021-13", "小学", "20211"] for i in range(n)),
            POSTS: ([f"坏 {i}", "坏 单位", "主任", "", "2021.1", "x", "-1"] for i in range(n)),
        }
    for sheet, rows in sheets.items():
        ws = book.create_sheet(sheet)
        ws.append([header for header, _key, _required in COLUMNS[sheet]])
        for row in rows:
            ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def bomb() -> bytes:
    """1.9 MB that unpack to 2 GB: a sheet of spaces."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b" " * (1024 * 1024)
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for _ in range(1900):
                sheet.write(chunk)
    return out.getvalue()


def empty_organisation() -> None:
    from sanhao.orgs.models import Person, Post, Unit

    Post.objects.all().delete()
    Person.objects.all().delete()
    Unit.objects.all().delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000,10000")
    parser.add_argument("--memory", nargs=2, metavar=("CASE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory:
        measure(args.memory[0], Path(args.memory[1]))
        return
    setup()
    from sanhao.accounts.models import AccountRole
    from sanhao.accounts.services import create_account
    from sanhao.orgs import services
    from sanhao.orgs.roster import import_roster

    office = create_account(
        username="bench-office", password="bench-password-42", role=AccountRole.OFFICE, actor=None
    )
    district = services.create_district("基准区", actor=office)

    print("Roster import on PostgreSQL (rows = people rows = post rows)")
    print(f"{'rows':>7} {'file KB':>8} {'import s':>9} {'µs/row':>7} {'again s':>8}  result")
    timings = []
    for n in [int(s) for s in args.sizes.split(",")]:
        empty_organisation()
        data = roster(n)
        start = time.perf_counter()
        report = import_roster(data, district=district, actor=office)
        first = time.perf_counter() - start
        assert report.ok, [str(p) for p in report.problems[:5]]
        start = time.perf_counter()
        again = import_roster(data, district=district, actor=office)
        second = time.perf_counter() - start
        assert again.ok and not again.changed
        created = sum(c.created for c in report.counts.values())
        timings.append((n, first))
        print(f"{n:>7} {len(data) // 1024:>8} {first:>9.2f} {first / n * 1e6:>7.0f} "
              f"{second:>8.2f}  {created} rows created, then nothing changed")  # fmt: skip
    if len(timings) > 1:
        (n0, t0), (n1, t1) = timings[0], timings[-1]
        print(f"time per row at {n1} rows / at {n0} rows: {(t1 / n1) / (t0 / n0):.2f} "
              "(1 = linear)")  # fmt: skip

    print()
    print("Memory of the worst uploads the form accepts, each in a process of its own")
    print(f"{'upload':<40} {'KB':>6} {'before':>8} {'peak':>8} {'import':>7} "
          f"{'heap peak':>10}  result")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for case in CASES:
            path = Path(folder) / f"{case}.xlsx"
            path.write_bytes(worst_upload(case))  # made here: the child only imports it
            subprocess.run([sys.executable, __file__, "--memory", case, str(path)], check=True)
    empty_organisation()


def worst_upload(case: str) -> bytes:
    from sanhao.orgs.roster import LIMITS

    if case == "valid":
        return roster(LIMITS.rows)
    if case == "wrong":
        return roster(LIMITS.rows, bad=True)
    return bomb()


CASES = {
    "valid": "20,000 valid rows a sheet",
    "wrong": "20,000 rows a sheet, every cell wrong",
    "bomb": "zip bomb (2 GB unpacked)",
}


def peak_resident_mb() -> float:
    """The process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024


def measure(case: str, path: Path) -> None:
    """One worst upload, imported twice: resident memory, then tracemalloc's heap."""
    setup(fresh=False)
    from sanhao.accounts.models import User
    from sanhao.orgs.models import District
    from sanhao.orgs.roster import import_roster

    office, district = User.objects.get(username="bench-office"), District.objects.get()
    empty_organisation()
    data = path.read_bytes()
    assert len(data) <= UPLOAD_LIMIT, f"{case}: {len(data)} bytes, more than an upload"
    before = peak_resident_mb()
    start = time.perf_counter()
    report = import_roster(data, district=district, actor=office)
    elapsed = time.perf_counter() - start
    peak = peak_resident_mb()
    empty_organisation()
    tracemalloc.start()
    import_roster(data, district=district, actor=office)
    heap = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    empty_organisation()
    outcome = "imported" if report.ok else f"{len(report.problems):,} problems"
    print(f"{CASES[case]:<40} {len(data) // 1024:>6} {before:>5.0f} MB {peak:>5.0f} MB "
          f"{elapsed:>5.1f} s {heap:>7.1f} MB  {outcome}")  # fmt: skip


if __name__ == "__main__":
    main()
