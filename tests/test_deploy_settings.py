"""Production settings, checked the way an operator checks them: `manage.py check --deploy`."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
ISSUE_ID = re.compile(r"\((\w+\.[CEIW]\d{3})\)")


def run_manage(*args: str, env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    # The caller's environment without Guji's and Django's knobs (the browser tests set
    # DJANGO_ALLOW_ASYNC_UNSAFE for their session), so the defaults are what is tested.
    dropped = ("GUJI_", "DJANGO_", "DATABASE_URL", "HUEY_")
    base = {k: v for k, v in os.environ.items() if not k.startswith(dropped)}
    base.update({"GUJI_VAR_DIR": str(tmp_path)}, **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=base,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        "GUJI_ENV": "production",
        "GUJI_SECRET_KEY": secrets.token_urlsafe(60),
        "GUJI_ALLOWED_HOSTS": "guji.example.org",
    }
    env.update(overrides)
    return env


def test_check_deploy_reports_no_issues_with_production_settings(tmp_path):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(), tmp_path=tmp_path
    )

    output = result.stdout + result.stderr
    assert set(ISSUE_ID.findall(output)) == set(), output
    assert result.returncode == 0, output
    # The one silenced check is HSTS preloading, which the domain's owner opts into (README).
    assert "System check identified no issues (1 silenced)." in output


def test_opting_into_hsts_preload_leaves_nothing_silenced(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=production_env(GUJI_HSTS_PRELOAD="true"),
        tmp_path=tmp_path,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output


@pytest.mark.parametrize("variable", ["GUJI_SECRET_KEY", "GUJI_ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_required_variable(tmp_path, variable):
    env = production_env()
    del env[variable]

    result = run_manage("check", env=env, tmp_path=tmp_path)

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured:"), result.stderr
    assert variable in last_line
