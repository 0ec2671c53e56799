"""The voting pages under load and under faults: the production stack on loopback.

gunicorn with DEBUG off and real keys from `secrets`, a fresh PostgreSQL database of its
own, Redis (a database number of its own, flushed before each run and at the end) for the
guard's counters, the demo district and open ballot sessions of its 13 leaders with codes
issued by `services.issue_codes` (bench/ballots_prepare.py). Then:

1. **load**: locust (FastHttpUser, headless, bounded in time) with N concurrent voters,
   each with codes of its own, voting without pause: GET the session page, POST the code,
   POST the ballot. Ballots/s, p50 and p99 of the whole vote and of the final POST,
   errors, and the database's count of ballots, receipts and consumed codes against the
   receipts answered. For each gunicorn configuration given; the best is kept.
2. **ceiling**: the same stack's bare insert (bench/web_urls.py `/bench/insert/`, one row
   in a transaction per POST) under the same users: ballots/s over inserts/s.
3. **kill -9**: threads that retry (bench/ballots_client.py) vote while the gunicorn
   master and workers are killed with SIGKILL and started again; every code is retried
   until answered "accepted" or "already used". Then every accepted receipt must be in
   the database, and ballots = receipts = consumed codes = the codes answered.
4. **PostgreSQL stopped**: the same while PostgreSQL is stopped with `-m immediate` and
   started again, gunicorn staying up. PostgreSQL is started again whatever happens.
5. **SQLite**: load and kill -9 again against a file SQLite database (WAL, synchronous=FULL).

Exits 1 when an exactly-once or durability check fails, 2 when it cannot run. Only
loopback addresses are used; every run is bounded in time.

    .venv/bin/python bench/ballots_load.py [--seconds 40] [--users 300]
        [--configs sync:3,gthread:2x8,gthread:4x4] [--skip-sqlite] [--skip-faults]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ballots_client import run_voters, wait_voters

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
BIN = Path(PY).parent
PG_CLUSTER = ("15", "main")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_average() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            db,
            "-qtA",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.strip()


def pg_running() -> bool:
    out = subprocess.run(
        ["pg_lsclusters", "--no-header", *PG_CLUSTER], capture_output=True, text=True
    ).stdout
    return " online" in out


def pg_ctl(action: str, *extra: str) -> None:
    subprocess.run(["pg_ctlcluster", *PG_CLUSTER, action, *extra], check=True, timeout=120)


def ensure_pg_running() -> None:
    """Other engineers' tests use this PostgreSQL: start it again if it is down."""
    for _ in range(3):
        if pg_running():
            return
        with contextlib.suppress(subprocess.SubprocessError):
            pg_ctl("start")
        time.sleep(1)
    if not pg_running():
        print("!! PostgreSQL is not running and did not start: start it by hand", file=sys.stderr)


def pick_redis_db() -> int:
    """A Redis database number nobody uses (empty), from the top down."""
    for n in range(15, 1, -1):
        out = subprocess.run(["redis-cli", "-n", str(n), "dbsize"], capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip() == "0":
            return n
    raise SystemExit("no empty Redis database between 2 and 15")


def flush_redis(n: int) -> None:
    subprocess.run(["redis-cli", "-n", str(n), "flushdb"], capture_output=True, check=False)


@dataclass(frozen=True)
class Config:
    kind: str  # sync or gthread
    workers: int
    threads: int = 1

    @classmethod
    def parse(cls, text: str) -> Config:
        kind, _, size = text.partition(":")
        workers, _, threads = size.partition("x")
        return cls(kind, int(workers), int(threads or 1))

    def __str__(self) -> str:
        if self.kind == "gthread":
            return f"{self.workers} gthread workers × {self.threads} threads"
        return f"{self.workers} sync workers"


class Server:
    """gunicorn on loopback; `kill9` kills the master and every worker with SIGKILL."""

    def __init__(self, env: dict[str, str], port: int, config: Config, log: Path) -> None:
        self.env, self.port, self.config, self.log = env, port, config, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        started = time.monotonic()
        args = [
            str(BIN / "gunicorn"),
            "sanhao.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.config.workers),
            "--worker-class",
            self.config.kind,
            "--log-level",
            "error",
            "--backlog",
            "2048",
            "--timeout",
            "60",
        ]
        if self.config.kind == "gthread":
            args += ["--threads", str(self.config.threads)]
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.proc.returncode}); see {self.log}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/vote/", timeout=2) as r:
                    if r.status == 200:
                        return time.monotonic() - started
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def _family(self) -> list[psutil.Process]:
        if self.proc is None:
            return []
        try:
            master = psutil.Process(self.proc.pid)
            return [*master.children(recursive=True), master]
        except psutil.NoSuchProcess:
            return []

    def kill9(self) -> int:
        family = self._family()
        for p in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.send_signal(signal.SIGKILL)
        psutil.wait_procs(family, timeout=10)
        if self.proc is not None:
            self.proc.wait(timeout=10)
        self.proc = None
        return len(family)

    def stop(self) -> None:
        if self.proc is None:
            return
        family = self._family()
        self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=30)
        for p in family:
            with contextlib.suppress(psutil.NoSuchProcess):
                p.kill()
        psutil.wait_procs(family, timeout=10)
        self.proc = None


@dataclass
class Stack:
    """One database behind the production settings: its environments and sessions."""

    name: str
    database_url: str
    keys: dict[str, str]
    redis_db: int
    work: Path
    pg_db: str | None = None
    sessions: dict[str, Any] | None = None

    def base_env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": f"redis://127.0.0.1:6379/{self.redis_db}",
            **self.keys,
        }

    def setup_env(self) -> dict[str, str]:
        return {**self.base_env(), "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "sanhao.settings"}

    def production_env(self) -> dict[str, str]:
        return {
            **self.base_env(),
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "web_settings",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "ERROR",
        }

    @property
    def codes_file(self) -> Path:
        return self.work / f"codes-{self.name}.json"

    def prepare(self, specs: list[str]) -> None:
        env = self.setup_env()
        subprocess.run(
            [PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=600
        )
        subprocess.run(
            [PY, "bench/ballots_prepare.py", "prepare", str(self.codes_file), *specs],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=600,
        )
        self.sessions = json.loads(self.codes_file.read_text())["sessions"]

    def verify(self, session: str, answers: dict[str, Any]) -> dict[str, Any]:
        assert self.sessions is not None
        path = self.work / f"answers-{self.name}-{session}.json"
        path.write_text(json.dumps(answers))
        out = subprocess.run(
            [
                PY,
                "bench/ballots_prepare.py",
                "verify",
                str(self.sessions[session]["pk"]),
                str(path),
            ],
            cwd=ROOT,
            env=self.setup_env(),
            check=True,
            timeout=300,
            capture_output=True,
            text=True,
        ).stdout
        return json.loads(out.strip().splitlines()[-1])


def locust(
    stack: Stack,
    port: int,
    session: str,
    *,
    users: int,
    seconds: int,
    ramp: int,
    processes: int,
    mode: str = "vote",
) -> dict[str, Any]:
    """One headless locust run; its figures after the ramp (--reset-stats), and the
    receipts its voters were given over the whole run."""
    out = stack.work / f"locust-{stack.name}-{session}-{mode}"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    env = {
        **os.environ,
        "BENCH_CODES": str(stack.codes_file),
        "BENCH_SESSION": session,
        "BENCH_USERS": str(users),
        "BENCH_PROCESSES": str(processes),
        "BENCH_OUT": str(out),
        "BENCH_MODE": mode,
    }
    args = [
        str(BIN / "locust"),
        "-f",
        str(ROOT / "bench" / "ballots_locustfile.py"),
        "--headless",
        "-u",
        str(users),
        "-r",
        str(max(1, users // max(1, ramp))),
        "-t",
        f"{seconds + ramp}s",
        "--reset-stats",
        "--stop-timeout",
        "30",
        "--csv",
        str(out / "stats"),
        "--only-summary",
        "--loglevel",
        "ERROR",
        "--host",
        f"http://127.0.0.1:{port}",
    ]
    if processes > 1:
        args += ["--processes", str(processes)]
    with (out / "locust.log").open("w") as log:
        # A session of its own, so that its worker processes (--processes) die with it.
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
        try:
            proc.wait(timeout=seconds + ramp + 120)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
    rows = {}
    with (out / "stats_stats.csv").open() as f:
        for row in csv.DictReader(f):
            rows[row["Name"]] = row
    receipts: list[str] = []
    exhausted = 0
    for part in out.glob("receipts-*.json"):
        data = json.loads(part.read_text())
        receipts += data["receipts"]
        exhausted += data["exhausted"]

    def figures(name: str) -> dict[str, float]:
        row = rows.get(name)
        if row is None:
            return {"rps": 0.0, "p50": 0.0, "p99": 0.0, "n": 0, "failures": 0}
        return {
            "rps": float(row["Requests/s"]),
            "p50": float(row["50%"]),
            "p99": float(row["99%"]),
            "n": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
        }

    names = ["GET session page", "POST code", "POST ballot", "vote (3 requests)", "POST insert"]
    result = {name: figures(name) for name in names}
    result["errors"] = sum(int(r["Failure Count"]) for n, r in rows.items() if n != "Aggregated")
    result["receipts"] = receipts
    result["exhausted"] = exhausted
    return result


def check_load(label: str, db: dict[str, Any], problems: list[str]) -> None:
    """Accepted = stored = receipts = consumed codes, every receipt given kept, once."""
    ok = (
        db["accepted"] == db["stored"] == db["receipts"] == db["consumed"]
        and db["accepted_receipts_missing"] == 0
        and db["accepted_receipts_twice"] == 0
    )
    if not ok:
        problems.append(f"{label}: {db}")


def check_fault(label: str, answers: Any, db: dict[str, Any], problems: list[str]) -> None:
    """Every accepted receipt kept; ballots = receipts = consumed = the codes answered."""
    answered = len(answers.accepted_codes) + len(answers.used_codes)
    ok = (
        db["accepted_receipts_missing"] == 0
        and db["accepted_receipts_twice"] == 0
        and db["stored"] == db["receipts"] == db["consumed"] == answered
        and db["answered_codes_not_consumed"] == 0
        and db["consumed_codes_not_answered"] == 0
        and not answers.used_first_try
        and not answers.unanswered
    )
    if not ok:
        problems.append(
            f"{label}: {db}, answered {answered}, used at first try "
            f"{len(answers.used_first_try)}, unanswered {len(answers.unanswered)}"
        )


def fault_run(
    stack: Stack,
    server: Server,
    session: str,
    fault: str,
    *,
    users: int,
    seconds: int,
    at: float,
    problems: list[str],
) -> dict[str, Any]:
    """Retrying voters for `seconds`; `at` seconds in, the fault ("kill9" or "pgstop")."""
    assert stack.sessions is not None
    s = stack.sessions[session]
    flush_redis(stack.redis_db)
    answers, started = run_voters(
        server.port, s["pk"], list(s["codes"]), s["ballot"], users=users, seconds=seconds
    )
    info: dict[str, Any] = {}
    try:
        time.sleep(at)
        fault_at = time.monotonic()
        if fault == "kill9":
            info["killed"] = server.kill9()
            info["restart_s"] = server.start()
        else:
            try:
                pg_ctl("stop", "-m", "immediate")
                time.sleep(3)
            finally:
                pg_ctl("start")
            info["pg_down_s"] = time.monotonic() - fault_at
        info["fault_at"] = fault_at - started
    finally:
        ensure_pg_running()
        wait_voters(seconds + 60)
    ended = time.monotonic()
    db = stack.verify(
        session,
        {
            "receipts": answers.receipts,
            "accepted_codes": answers.accepted_codes,
            "used_codes": answers.used_codes,
        },
    )
    check_fault(f"{stack.name} {fault}", answers, db, problems)
    times = sorted(answers.answered_at)  # the longest time without any answer: the outage
    lat = sorted(answers.latencies)
    info.update(
        {
            "db": db,
            "answered": len(answers.accepted_codes) + len(answers.used_codes),
            "accepted": len(answers.accepted_codes),
            "used_after_retry": len(answers.used_codes),
            "used_first_try": len(answers.used_first_try),
            "unanswered": len(answers.unanswered),
            "retries": answers.retries,
            "rate": len(answers.answered_at) / max(1e-9, ended - started),
            "gap_s": max((b - a for a, b in pairwise(times)), default=0.0),
            "p50": lat[len(lat) // 2] * 1000 if lat else 0.0,
            "p99": lat[int(len(lat) * 0.99)] * 1000 if lat else 0.0,
        }
    )
    return info


def cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    out = {}
    for p in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            t = p.cpu_times()
            out[p.pid] = t.user + t.system
    return out


def pg_backends(db: str | None) -> list[psutil.Process]:
    """The PostgreSQL backends serving this run's database (their title names it)."""
    if db is None:
        return []
    found = []
    for p in psutil.process_iter(["username", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if p.info["username"] == "postgres" and f" {db} " in " ".join(p.info["cmdline"]):
                found.append(p)
    return found


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def warm(port: int, workers: int) -> None:
    """Every worker answers a few pages before the clock starts (its first request imports
    the URL configuration and every app's views)."""

    def get(_k: int) -> None:
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"http://127.0.0.1:{port}/vote/", timeout=10) as r,
        ):
            r.read()

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(get, range(40 * workers)))


def timed_locust(
    stack: Stack, server: Server, session: str, args: argparse.Namespace, **kw: Any
) -> dict[str, Any]:
    """A locust run and the CPU seconds spent by gunicorn, locust and PostgreSQL during it."""
    wait_quiet(args)
    backends = pg_backends(stack.pg_db)
    g0, p0, l0 = cpu_seconds(server._family()), cpu_seconds(backends), children_cpu()
    s0 = psutil.cpu_times()
    started = time.monotonic()
    result = locust(stack, server.port, session, processes=args.processes, ramp=args.ramp, **kw)
    wall = time.monotonic() - started
    g1 = cpu_seconds(server._family())
    p1 = cpu_seconds(pg_backends(stack.pg_db))
    s1 = psutil.cpu_times()
    cpu = {
        "wall": wall,
        "gunicorn": sum(v - g0.get(k, 0.0) for k, v in g1.items()),
        "locust": children_cpu() - l0,
        "postgres": sum(v - p0.get(k, 0.0) for k, v in p1.items()),
    }
    busy = sum(s1) - sum(s0) - (s1.idle - s0.idle) - (s1.iowait - s0.iowait)
    # What everything else on the machine took meanwhile (other engineers' tests, the
    # kernel, Redis), as a share of the two cores.
    cpu["others"] = max(0.0, busy - cpu["gunicorn"] - cpu["locust"] - cpu["postgres"])
    result["cpu"] = cpu
    return result


def wait_quiet(args: argparse.Namespace) -> None:
    """Wait (at most --quiet-wait seconds) until the other processes leave the cores
    mostly idle: other engineers share this machine."""
    deadline = time.monotonic() + args.quiet_wait
    while True:
        busy = psutil.cpu_percent(interval=2)
        if busy <= args.quiet_cpu or time.monotonic() > deadline:
            print(f"    cores {busy:.0f}% busy before the run", flush=True)
            return


def measure(
    stack: Stack,
    config: Config,
    session: str,
    args: argparse.Namespace,
    *,
    users: int,
    seconds: int,
    ceiling: bool,
    problems: list[str],
    ceiling_session: str = "",
) -> dict[str, Any]:
    port = free_port()
    server = Server(stack.production_env(), port, config, stack.work / f"gunicorn-{stack.name}.log")
    out: dict[str, Any] = {"config": str(config)}
    try:
        server.start()
        warm(port, config.workers)
        flush_redis(stack.redis_db)
        out["load_before"] = load_average()
        print(f"  {stack.name}, {config}: votes, load average {out['load_before']}", flush=True)
        vote = timed_locust(stack, server, session, args, users=users, seconds=seconds)
        out["vote"] = vote
        if ceiling:
            print(f"  {stack.name}, {config}: inserts, load average {load_average()}", flush=True)
            out["insert"] = timed_locust(
                stack, server, ceiling_session, args, users=users, seconds=seconds, mode="insert"
            )
    finally:
        server.stop()
    db = stack.verify(session, {"receipts": vote["receipts"]})
    out["db"] = db
    if ceiling:
        out["inserted"] = stack.verify(ceiling_session, {"receipts": []})["receipts"]
    if vote["exhausted"]:
        problems.append(f"{stack.name} {config}: {vote['exhausted']} voters ran out of codes")
    check_load(f"{stack.name} load, {config}", db, problems)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=40, help="measured seconds per run")
    parser.add_argument("--ramp", type=int, default=5, help="seconds to start the users")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument(
        "--configs",
        default="sync:3,gthread:2x8,gthread:4x4",
        help="gunicorn configurations to measure, e.g. sync:3,gthread:2x4",
    )
    parser.add_argument("--processes", type=int, default=1, help="locust processes")
    parser.add_argument("--codes-per-user", type=int, default=80)
    parser.add_argument("--fault-users", type=int, default=100)
    parser.add_argument("--fault-seconds", type=int, default=24)
    parser.add_argument("--sqlite-users", type=int, default=300)
    parser.add_argument("--sqlite-seconds", type=int, default=20)
    parser.add_argument(
        "--quiet-cpu",
        type=float,
        default=25.0,
        help="wait until the cores are at most this % busy before a run",
    )
    parser.add_argument("--quiet-wait", type=int, default=180, help="but at most this many seconds")
    parser.add_argument("--skip-faults", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--skip-ceiling", action="store_true")
    args = parser.parse_args()
    for tool in ("psql", "pg_ctlcluster", "pg_lsclusters", "redis-cli"):
        if shutil.which(tool) is None:
            print(f"bench/ballots_load.py needs {tool}", file=sys.stderr)
            return 2
    if not pg_running():
        print("PostgreSQL 15/main is not running", file=sys.stderr)
        return 2
    configs = [Config.parse(c) for c in args.configs.split(",")]
    keys = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_KEY": secrets.token_urlsafe(40),
        "BALLOT_CODE_KEY": secrets.token_urlsafe(40),
    }
    redis_db = pick_redis_db()
    work = Path(tempfile.mkdtemp(prefix="sanhao-ballots-load-"))
    db_name = f"sanhao_bench_ballots_{os.getpid()}"
    problems: list[str] = []
    report: dict[str, Any] = {"load_start": load_average(), "redis_db": redis_db}
    print(
        f"load average at start: {report['load_start']}; work folder {work}; Redis db {redis_db}",
        flush=True,
    )
    fault_codes = args.fault_users * 120
    load_codes = args.users * args.codes_per_user
    try:
        subprocess.run(
            [PY, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env={**os.environ, "DEBUG": "0", **keys},
            check=True,
            timeout=300,
        )
        psql(f"CREATE DATABASE {db_name}")
        pg = Stack(
            "postgresql",
            f"postgres://postgres@127.0.0.1:5432/{db_name}",
            keys,
            redis_db,
            work,
            pg_db=db_name,
        )
        try:
            specs = [f"load{k}:{load_codes}" for k in range(len(configs))]
            specs += [f"ceiling{k}:1" for k in range(len(configs))]
            specs += [f"kill9:{fault_codes}", f"pgstop:{fault_codes}"]
            print("preparing PostgreSQL (migrate, demo district, sessions, codes)", flush=True)
            pg.prepare(specs)
            runs = [
                measure(
                    pg,
                    config,
                    f"load{k}",
                    args,
                    users=args.users,
                    seconds=args.seconds,
                    ceiling=not args.skip_ceiling,
                    problems=problems,
                    ceiling_session=f"ceiling{k}",
                )
                for k, config in enumerate(configs)
            ]
            best = max(runs, key=lambda r: r["vote"]["POST ballot"]["rps"])
            report["pg_runs"] = runs
            report["pg_best"] = best
            best_config = configs[runs.index(best)]
            if not args.skip_faults:
                for fault, session in (("kill9", "kill9"), ("pgstop", "pgstop")):
                    print(
                        f"  postgresql, {best_config}: {fault}, load average {load_average()}",
                        flush=True,
                    )
                    server = Server(
                        pg.production_env(),
                        free_port(),
                        best_config,
                        work / "gunicorn-postgresql.log",
                    )
                    try:
                        server.start()
                        report[f"pg_{fault}"] = fault_run(
                            pg,
                            server,
                            session,
                            fault,
                            users=args.fault_users,
                            seconds=args.fault_seconds,
                            at=args.fault_seconds / 3,
                            problems=problems,
                        )
                    finally:
                        server.stop()
        finally:
            ensure_pg_running()
            with contextlib.suppress(subprocess.SubprocessError):
                psql(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        if not args.skip_sqlite:
            lite = Stack("sqlite", f"sqlite:///{work / 'bench.sqlite3'}", keys, redis_db, work)
            print("preparing SQLite", flush=True)
            lite_codes = args.sqlite_users * args.codes_per_user
            lite.prepare([f"load:{lite_codes}", "ceiling:1", f"kill9:{fault_codes}"])
            report["sqlite"] = measure(
                lite,
                best_config,
                "load",
                args,
                users=args.sqlite_users,
                seconds=args.sqlite_seconds,
                ceiling=not args.skip_ceiling,
                problems=problems,
                ceiling_session="ceiling",
            )
            if not args.skip_faults:
                print(f"  sqlite, {best_config}: kill9, load average {load_average()}", flush=True)
                server = Server(
                    lite.production_env(), free_port(), best_config, work / "gunicorn-sqlite.log"
                )
                try:
                    server.start()
                    report["sqlite_kill9"] = fault_run(
                        lite,
                        server,
                        "kill9",
                        "kill9",
                        users=args.fault_users,
                        seconds=args.fault_seconds,
                        at=args.fault_seconds / 3,
                        problems=problems,
                    )
                finally:
                    server.stop()
    finally:
        ensure_pg_running()
        flush_redis(redis_db)
    report["load_end"] = load_average()
    print_report(report, args, problems)
    (work / "report.json").write_text(json.dumps(report, default=str, indent=1))
    # The plain codes, the answers and the SQLite file go; the logs and figures stay.
    for pattern in ("codes-*.json", "answers-*.json", "bench.sqlite3*"):
        for path in work.glob(pattern):
            path.unlink()
    print(f"\nfigures as JSON: {work / 'report.json'}")
    return 1 if problems else 0


def print_report(report: dict[str, Any], args: argparse.Namespace, problems: list[str]) -> None:
    def strip(run: dict[str, Any]) -> None:
        run["vote"].pop("receipts", None)

    print(
        f"\nThe voting pages, production stack on loopback, {args.users} voters without "
        f"pause, {args.seconds} s measured after a {args.ramp} s ramp"
    )
    print(f"load average: {report['load_start']} at start, {report['load_end']} at the end")
    rows = [("PostgreSQL " + r["config"], r) for r in report.get("pg_runs", [])]
    if "sqlite" in report:
        rows.append(("SQLite " + report["sqlite"]["config"], report["sqlite"]))
    head = (
        f"{'stack':<44}{'ballots/s':>10}{'vote p50':>10}{'p99':>8}{'POST p50':>10}"
        f"{'p99':>8}{'errors':>8}  accepted/stored/receipts/consumed   inserts/s  ratio"
    )
    print(head)
    for label, r in rows:
        strip(r)
        v, b, db = r["vote"]["vote (3 requests)"], r["vote"]["POST ballot"], r["db"]
        ins = r.get("insert", {}).get("POST insert", {}).get("rps", 0.0)
        ratio = f"{b['rps'] / ins:.2f}" if ins else "—"
        print(
            f"{label:<44}{b['rps']:>10.0f}{v['p50']:>10.0f}{v['p99']:>8.0f}{b['p50']:>10.0f}"
            f"{b['p99']:>8.0f}{r['vote']['errors']:>8}  "
            f"{db['accepted']}/{db['stored']}/{db['receipts']}/{db['consumed']}"
            f"{'':<8}{ins:>9.0f}  {ratio}"
        )
    print(
        "\nCPU ms per ballot and per insert; ours, others: share of the 2 cores used by this"
        " stack and by everything else during the run"
    )
    print(
        f"{'':<44}{'gunicorn':>10}{'locust':>8}{'postgres':>10}"
        f"{'ours':>6}{'others':>8}   {'gunicorn':>10}{'locust':>8}{'postgres':>10}{'ours':>6}"
        f"{'others':>8}"
    )
    for label, r in rows:
        cells = []
        for part, n in (("vote", r["db"]["accepted"]), ("insert", r.get("inserted", 0))):
            cpu = r.get(part, {}).get("cpu")
            if not cpu or not n:
                cells.append(f"{'—':>42}")
                continue
            used = (cpu["gunicorn"] + cpu["locust"] + cpu["postgres"]) / cpu["wall"] / 2
            others = cpu["others"] / cpu["wall"] / 2
            cells.append(
                f"{cpu['gunicorn'] / n * 1000:>10.2f}{cpu['locust'] / n * 1000:>8.2f}"
                f"{cpu['postgres'] / n * 1000:>10.2f}{used:>6.0%}{others:>8.0%}"
            )
        print(f"{label:<44}{cells[0]}   {cells[1]}")
    if "pg_best" in report:
        best = report["pg_best"]
        b = best["vote"]["POST ballot"]
        v = best["vote"]["vote (3 requests)"]
        ok = b["rps"] >= 500 and b["p99"] < 500
        print(
            f"kept: {best['config']}; targets ≥ 500 ballots/s and p99 < 500 ms: "
            f"{'met' if ok else 'MISSED'} ({b['rps']:.0f}/s, final POST p99 {b['p99']:.0f} ms, "
            f"whole vote p99 {v['p99']:.0f} ms)"
        )
    faults = [(k, report[k]) for k in ("pg_kill9", "pg_pgstop", "sqlite_kill9") if k in report]
    if faults:
        print(
            f"\n{'fault':<30}{'down s':>7}{'votes/s':>9}{'gap s':>7}{'retries':>9}{'accepted':>10}"
            f"{'used*':>7}{'stored':>8}{'receipts':>9}{'consumed':>9}{'missing':>9}"
            f"{'unanswered':>11}"
        )
        names = {
            "pg_kill9": "PostgreSQL, kill -9 gunicorn",
            "pg_pgstop": "PostgreSQL stopped -m immediate",
            "sqlite_kill9": "SQLite, kill -9 gunicorn",
        }
        for key, f in faults:
            db = f["db"]
            print(
                f"{names[key]:<30}{f.get('restart_s', f.get('pg_down_s', 0.0)):>7.1f}"
                f"{f['rate']:>9.0f}{f['gap_s']:>7.1f}{f['retries']:>9}"
                f"{f['accepted']:>10}{f['used_after_retry']:>7}{db['stored']:>8}"
                f"{db['receipts']:>9}{db['consumed']:>9}{db['accepted_receipts_missing']:>9}"
                f"{f['unanswered']:>11}"
            )
        print(
            "down: seconds from the kill to gunicorn answering again, or PostgreSQL stopped "
            "and started; gap: the longest time without any answer; used*: answered 'already "
            "used' on a retry (an earlier attempt was stored, its answer lost)"
        )
    if problems:
        print("\nCHECKS FAILED:")
        for p in problems:
            print("  " + p)
    else:
        print("\nexactly-once and durability checks: all passed")


if __name__ == "__main__":
    sys.exit(main())
