"""Production settings come from the environment and pass Django's deployment check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-not-for-real-use-" + "Zq8#pL2@vN5$wX7&" * 2,
    "AUDIT_KEY": "a" * 20 + "-audit-key-not-for-real-use",
    "BALLOT_CODE_KEY": "b" * 20 + "-ballot-code-key-not-for-real-use",
    "ALLOWED_HOSTS": "sanhao.example.org",
    "DATABASE_URL": "sqlite:////tmp/sanhao-deploy-check.sqlite3",
}


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    unset = (
        "DEBUG",
        "SECRET_KEY",
        "AUDIT_KEY",
        "BALLOT_CODE_KEY",
        "DATABASE_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    )
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**base, **env},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_it_passes_the_deployment_check_with_production_variables():
    result = run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_a_secret_key_in_production():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run(["check"], env)
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_it_defaults_to_debug_off_when_the_variable_is_unset():
    env = {k: v for k, v in PRODUCTION.items() if k != "DEBUG"}
    result = run(["shell", "-c", "from django.conf import settings; print(settings.DEBUG)"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False"
    bare = run(["check"], {})  # nothing set at all: no development key, it refuses to start
    assert bare.returncode != 0 and "SECRET_KEY must be set" in bare.stderr


def test_it_refuses_to_start_without_an_audit_key_in_production():
    env = {k: v for k, v in PRODUCTION.items() if k != "AUDIT_KEY"}
    result = run(["check"], env)
    assert result.returncode != 0 and "AUDIT_KEY must be set" in result.stderr
    same = run(["check"], {**PRODUCTION, "AUDIT_KEY": PRODUCTION["SECRET_KEY"]})
    assert same.returncode != 0 and "AUDIT_KEY must differ" in same.stderr
    for weak in ("a", "dev-only-audit-key", "x" * 31):
        result = run(["check"], {**PRODUCTION, "AUDIT_KEY": weak})
        assert result.returncode != 0 and "at least 32 random characters" in result.stderr


def test_it_refuses_to_start_without_its_own_ballot_code_key_in_production():
    env = {k: v for k, v in PRODUCTION.items() if k != "BALLOT_CODE_KEY"}
    assert "BALLOT_CODE_KEY must be set" in run(["check"], env).stderr
    for weak in ("x" * 31, PRODUCTION["SECRET_KEY"], PRODUCTION["AUDIT_KEY"]):
        result = run(["check"], {**PRODUCTION, "BALLOT_CODE_KEY": weak})
        assert result.returncode != 0 and "BALLOT_CODE_KEY must be set" in result.stderr


def test_it_lists_every_setting_it_reads_in_env_example():
    source = (ROOT / "sanhao" / "settings.py").read_text()
    import re

    read = set(re.findall(r'env_(?:str|bool|int|list)\("([A-Z_]+)"', source))
    example = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*([A-Z_]+)=", example, flags=re.M))
    assert read == listed, {"not in .env.example": read - listed, "not read": listed - read}
