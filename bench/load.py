"""Guji under load, run as it is deployed: gunicorn, PostgreSQL, Huey workers on Redis, on loopback.

    .venv/bin/python bench/load.py [--users 50] [--duration 60] [--workers 5] [--keep]

Builds a fresh PostgreSQL database with the demo city (DATABASE_URL's server, database
``guji_load``), starts Redis (a private instance on a free port, no persistence), the Huey
worker and gunicorn, then drives them with locust (bench/locustfile.py): cataloguers list,
filter, search, open records and timelines and submit drafts; reviewers work the queue and
accept entries. First a baseline in the same run: the same number of users fetching the login
page alone (the whole middleware stack, no data). Prints requests/s, p50/p95/p99 and the error
rate of each phase, and the ratio of the mix to the baseline. Every process it starts is
stopped at the end; traffic goes only to 127.0.0.1; the run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
BIN = ROOT / ".venv" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"nothing answered on 127.0.0.1:{port} within {timeout} s")


def manage(env: dict, *args: str, capture: bool = False) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        capture_output=capture,
    )
    return done.stdout if capture else ""


IDS_SCRIPT = """
import json
from guji.models import Holding, RoleAssignment
from guji.permissions import institutions_where
from guji.models import User
out = {"cataloguers": [], "holdings": {}, "drafts": {}, "submitted": []}
for username in ("cataloguer", "cataloguer2", "manager"):
    user = User.objects.get(username=username)
    ids = list(Holding.objects.filter(institution__in=institutions_where(user, "catalogue"))
               .values_list("id", flat=True)[:300])
    out["cataloguers"].append(username)
    out["holdings"][username] = ids
    out["drafts"][username] = list(Holding.objects.filter(
        institution__in=institutions_where(user, "catalogue"), status="draft")
        .values_list("id", flat=True))
out["submitted"] = list(Holding.objects.filter(status="submitted").values_list("id", flat=True))
print(json.dumps(out))
"""


def locust(
    host: str,
    users: int,
    seconds: int,
    out: Path,
    locustfile: Path,
    env: dict,
    *,
    steady: bool = False,
) -> dict:
    """One locust run; with ``steady`` the users wait for each other after logging in and the
    figures start once all are in (GUJI_LOAD_STEADY): they leave out the first minute's 50
    logins (PBKDF2, ~0.4 s of CPU each). That run lasts 30 s longer, for the logins."""
    if steady:
        env = {**env, "GUJI_LOAD_STEADY": str(users)}
        seconds += 30
    prefix = out / (locustfile.stem + ("_steady" if steady else ""))
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(locustfile),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(max(1, users // 5)),
            "-t",
            f"{seconds}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "5",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    per_name = {
        r["Name"]: (int(r["Request Count"]), int(r["Failure Count"]), r["95%"])
        for r in rows
        if r["Name"] != "Aggregated"
    }
    n = int(total["Request Count"])
    failures_file = Path(f"{prefix}_failures.csv")
    failures = (
        list(csv.DictReader(failures_file.open(encoding="utf-8"))) if failures_file.exists() else []
    )
    return {
        "failure_kinds": [
            f"{f['Method']} {f['Name']}: {f['Error'][:200]} ×{f['Occurrences']}" for f in failures
        ],
        "requests": n,
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "error_rate": int(total["Failure Count"]) / n if n else 0.0,
        "by_name": per_name,
    }


BASELINE = """
from locust import HttpUser, between, task


class Visitor(HttpUser):
    wait_time = between(0.5, 2.0)

    @task
    def login_page(self):
        self.client.get("/login/", name="login page")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds of the mixed load")
    parser.add_argument("--baseline-duration", type=int, default=20)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "GUJI_LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/guji_load"
        ),
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("bench/load.py runs the deployed configuration: give a PostgreSQL URL.")

    import psycopg

    dbname = args.database_url.rsplit("/", 1)[1]
    server = args.database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{dbname}"')

    scratch = Path(tempfile.mkdtemp(prefix="guji-load-"))
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "GUJI_VAR_DIR": str(scratch / "var"),
        "GUJI_DEBUG": "false",
        "GUJI_DB_CONN_MAX_AGE": "60",
        "GUJI_LOG_LEVEL": "ERROR",
        # 50 simulated people share one address: the per-address throttle is not under test.
        "GUJI_LOGIN_FAILURES_PER_ADDRESS": "100000",
    }
    processes: list[subprocess.Popen] = []
    try:
        started = time.monotonic()
        manage(env, "migrate", "--verbosity", "0")
        manage(env, "load_demo")
        print(f"database ready in {time.monotonic() - started:.0f} s", flush=True)
        if shutil.which("redis-server"):
            redis_port = free_port()
            processes.append(
                subprocess.Popen(
                    [
                        "redis-server",
                        "--port",
                        str(redis_port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                    ],
                    stdout=subprocess.DEVNULL,
                )
            )
            wait_for(redis_port)
            env["HUEY_REDIS_URL"] = f"redis://127.0.0.1:{redis_port}/0"
            queue = "Redis"
        else:
            queue = "SQLite (redis-server not installed)"
        processes.append(
            subprocess.Popen(
                [PY, "manage.py", "run_huey"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        port = free_port()
        processes.append(
            subprocess.Popen(
                [
                    str(BIN / "gunicorn"),
                    "guji.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    str(args.workers),
                    "--threads",
                    str(args.threads),
                    "--timeout",
                    "60",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=env,
            )
        )
        wait_for(port)
        host = f"http://127.0.0.1:{port}"
        ids = scratch / "ids.json"
        printed = manage(env, "shell", "-v", "0", "-c", IDS_SCRIPT, capture=True)
        ids.write_text(printed.strip().splitlines()[-1], encoding="utf-8")
        locust_env = {**env, "GUJI_LOAD_IDS": str(ids)}
        baseline_file = scratch / "baseline.py"
        baseline_file.write_text(BASELINE, encoding="utf-8")

        load_before = os.getloadavg()
        base = locust(host, args.users, args.baseline_duration, scratch, baseline_file, locust_env)
        mix = locust(
            host, args.users, args.duration, scratch, ROOT / "bench" / "locustfile.py", locust_env
        )
        steady = locust(
            host,
            args.users,
            args.duration,
            scratch,
            ROOT / "bench" / "locustfile.py",
            locust_env,
            steady=True,
        )
        load_after = os.getloadavg()
    finally:
        for process in reversed(processes):
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if not args.keep:
            with psycopg.connect(server, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        shutil.rmtree(scratch, ignore_errors=True)

    print(
        f"\nGuji under load: {args.users} users, gunicorn {args.workers}×{args.threads}, "
        f"PostgreSQL, Huey on {queue}; {os.cpu_count()} cores; "
        f"load average {load_before[0]:.1f} before, {load_after[0]:.1f} after"
    )
    print(
        f"{'phase':<28}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'errors':>8}"
    )
    phases = (
        ("baseline: login page", base),
        ("mix: the census at work", mix),
        ("mix, after the logins", steady),
    )
    for label, r in phases:
        print(
            f"{label:<28}{r['requests']:>9}{r['rps']:>8.1f}{r['p50']:>8.0f}{r['p95']:>8.0f}"
            f"{r['p99']:>8.0f}{r['error_rate']:>8.2%}"
        )
    print("\nper request kind (mix): count, failures, p95 ms")
    for name, (n, failures, p95) in sorted(mix["by_name"].items()):
        print(f"  {name:<24}{n:>7}{failures:>6}{p95:>8}")
    for label, r in phases:
        for kind in r["failure_kinds"]:
            print(f"  failed in {label}: {kind}")
    ratio = mix["p95"] / base["p95"] if base["p95"] else float("nan")
    print(f"\np95 of the mix / p95 of the baseline: {ratio:.2f}")
    goal = mix["failures"] == 0 and mix["p95"] < 300
    print(f"goal (no errors, p95 < 300 ms at {args.users} users): {'met' if goal else 'NOT met'}")
    goal = steady["failures"] == 0 and steady["p95"] < 300
    print("the same once everyone is logged in: " + ("met" if goal else "NOT met"))
    print(
        json.dumps(
            {
                label: {k: v for k, v in r.items() if k not in ("by_name", "failure_kinds")}
                for label, r in (("baseline", base), ("mix", mix), ("steady", steady))
            }
        )
    )
    sys.exit(0)


if __name__ == "__main__":
    main()
