"""Office pages under load: the production stack on loopback (`make bench`).

gunicorn (3 sync workers, as docs/operations.md deploys it) with DEBUG off and
PostgreSQL, the demo district loaded, an office account signed in through the real
login form; wrk (Debian's package `wrk`) sends 50 concurrent connections to each page
for a bounded time. Beside the pages, the same stack's bare page (bench/web_urls.py)
is measured in the same run. Targets: >= 300 requests/s and p99 < 300 ms for the unit
list and a unit page. Only loopback addresses are used.

    .venv/bin/python bench/web.py [--seconds 10] [--units 13]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PAGES = [
    ("bare page (floor)", "/bench/bare/", None),
    ("unit list /units/", "/units/", (300, 300)),
    ("unit page /units/baimi/", "/units/baimi/", (300, 300)),
    ("people /people/", "/people/", None),
    ("home /", "/", None),
]
PASSWORD = "bench-" + secrets.token_urlsafe(12)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(args: list[str], env: dict[str, str], **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, text=True, **kw)


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
    )


def login(base: str) -> str:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    data = urllib.parse.urlencode(
        {"username": "bench-office", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(base + "/accounts/login/", data=data)
    request.add_header("Referer", base + "/accounts/login/")
    opener.open(request).read()
    cookies = {c.name: c.value for c in jar}
    assert "sessionid" in cookies, "the login failed"
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def wrk(url: str, cookie: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s",
         "-H", f"Cookie: {cookie}", url],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip

    def ms(label: str) -> float:
        match = re.search(rf"^\s+{label}%?\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert match, out
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    assert rate, out
    return {
        "rps": float(rate.group(1)),
        "p50": ms("50"),
        "p99": ms("99"),
        "bad": float(non2xx.group(1)) if non2xx else 0.0,
        "socket_errors": 1.0 if errors else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("bench/web.py needs wrk: apt-get install wrk", file=sys.stderr)
        return 2
    db = f"sanhao_bench_web_{os.getpid()}"
    psql(f"CREATE DATABASE {db}")
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": f"{ROOT}:{ROOT / 'bench'}",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
        "DEBUG": "1",
        "SANHAO_PASSWORD": PASSWORD,
    }
    server = None
    try:
        run([PY, "manage.py", "migrate", "-v0"], env)
        run([PY, "manage.py", "seed_demo"], env, capture_output=True)
        run([PY, "manage.py", "create_account", "bench-office", "--role", "office"], env,
            capture_output=True)  # fmt: skip
        production = {
            **env,
            "DEBUG": "0",
            "DJANGO_SETTINGS_MODULE": "web_settings",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "AUDIT_KEY": secrets.token_urlsafe(40),
            "BALLOT_CODE_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "SECURE_HSTS_SECONDS": "0",
            "LOGIN_THROTTLE": "1",
            "LOG_LEVEL": "ERROR",
        }
        production.pop("SANHAO_PASSWORD")
        run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], production)
        server = subprocess.Popen(
            [str(Path(PY).parent / "gunicorn"), "sanhao.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.workers), "--log-level", "error"],
            cwd=ROOT, env=production,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/accounts/login/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        cookie = login(base)
        results = []
        for label, path, target in PAGES:
            wrk(base + path, cookie, 2, args.connections)  # warm up every worker
            figures = wrk(base + path, cookie, args.seconds, args.connections)
            results.append((label, figures, target))
        floor = results[0][1]["rps"]
        print(f"\nOffice pages, gunicorn {args.workers} sync workers + PostgreSQL, DEBUG off, "
              f"{args.connections} concurrent, {args.seconds} s each (wrk)")  # fmt: skip
        print(f"{'page':<26}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'of bare':>9}  target")
        failed = False
        for label, f, target in results:
            verdict = ""
            if target is not None:
                ok = f["rps"] >= target[0] and f["p99"] < target[1]
                failed |= not ok
                verdict = f"≥{target[0]}/s, p99<{target[1]} ms: {'ok' if ok else 'MISSED'}"
            if f["bad"] or f["socket_errors"]:
                verdict += f"  ({int(f['bad'])} non-2xx, socket errors)"
                failed = True
            print(f"{label:<26}{f['rps']:>9.0f}{f['p50']:>9.1f}{f['p99']:>9.1f}"
                  f"{f['rps'] / floor:>9.2f}  {verdict}")  # fmt: skip
        return 1 if failed else 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


if __name__ == "__main__":
    sys.exit(main())
