"""Benchmark of readings: ingest from logger files beside a bare COPY/executemany, then the room
page over a year of 1-minute readings.

    .venv/bin/python bench/readings.py [--readings 10000000] [--files 100]
                                       [--backends sqlite,postgresql] [--repeat 30]

For each database a fresh one is migrated (SQLite in a temporary GUJI_VAR_DIR; PostgreSQL in
``guji_readings_bench`` on GUJI_BENCH_PG, default postgres://postgres@127.0.0.1:5432, created
and dropped here). Then, each in its own child process:

* files — ``--files`` generic-CSV logger files holding ``--readings`` readings in all (one
  sensor per file, one reading a minute), written to a temporary folder;
* parse — environment.loggers.parse of every file (reported; the same for both paths);
* baseline — the parsed readings turned into bare tuples and written with COPY (PostgreSQL) or
  executemany (SQLite) into the readings table: no sorting, no duplicate check, no excursions,
  no roll-ups;
* ingest — environment.ingest.ingest_file for each file into a second set of sensors: the
  same rows plus sorting, duplicate handling, partitions, excursions and daily roll-ups.

Target (issue 12): ingest ≤ 1.5 × baseline (wall clock; the CPU-seconds ratio is printed too,
since other load on a shared machine inflates wall-clock time far more than CPU time).
Then a room whose sensor holds a year of 1-minute
readings (525,600, written by ingest_file) is opened ``--repeat`` times through Django's test
client — the room page (30 days), the chart data for a year (daily roll-ups) and for 7 days (raw
readings): p95 ≤ 150 ms for each.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_SERVER = os.environ.get("GUJI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "guji_readings_bench"
TARGET_RATIO, TARGET_P95_MS = 1.5, 150.0


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guji.settings")
    import django

    django.setup()
    try:
        import environment.loggers
        import environment.metrics  # noqa: F401
    except ImportError:  # the parser branch has not landed here yet: use the tests' stand-ins
        from tests.environment import standins

        standins.install()


def make_files(folder: Path, readings: int, files: int) -> None:
    import numpy as np

    per = readings // files
    start = np.datetime64("2024-01-01T00:00:00")
    for f in range(files):
        rng = np.random.default_rng(f)
        minutes = np.arange(per)
        t = 19 + 1.5 * np.sin(minutes / 1440 * 2 * np.pi) + rng.normal(0, 0.1, per)
        rh = 52 + 4 * np.sin(minutes / 1440 * 2 * np.pi + 1) + rng.normal(0, 0.5, per)
        # a few excursions: RH above 60 for two hours every ten days
        rh[(minutes % 14400) < 120] += 10
        times = np.datetime_as_string(start + minutes.astype("timedelta64[m]"), unit="s")
        with (folder / f"logger{f:04d}.csv").open("w") as out:
            out.write("time,temperature_c,rh\n")
            for a, b, c in zip(times, t, rh, strict=True):
                out.write(f"{a}+08:00,{b:.2f},{c:.1f}\n")


# --- children ---------------------------------------------------------------------------------


def _sensors(prefix: str, n: int):
    from environment.models import Room, Sensor
    from guji.models import Institution

    institution, _ = Institution.objects.get_or_create(
        code="9999", defaults={"name": "基准馆", "region_code": "330000"}
    )
    room, _ = Room.objects.get_or_create(
        code=f"bench-{prefix}", defaults={"institution": institution, "name": f"基准{prefix}"}
    )
    return [
        Sensor.objects.get_or_create(code=f"{prefix}-{i:04d}", defaults={"room": room})[0]
        for i in range(n)
    ]


def child_ingest(mode: str, folder: Path) -> dict:
    _setup()
    from django.db import connection, transaction

    from environment import bulk, loggers, partitions
    from environment.ingest import ingest_file
    from environment.models import Ingest

    paths = sorted(folder.glob("*.csv"))
    sensors = _sensors(mode, len(paths))
    parse_s = work_s = cpu = 0.0
    count = 0
    for sensor, path in zip(sensors, paths, strict=True):
        t0 = time.perf_counter()
        parsed = loggers.parse(path.read_bytes(), path.name)
        parse_s += time.perf_counter() - t0
        t0, c0 = time.perf_counter(), time.process_time()
        if mode == "baseline":
            rows = [
                (sensor.pk, r.time, r.temperature_c, r.rh, r.lux, r.uv, r.co2)
                for r in parsed.readings
            ]
            with transaction.atomic():
                partitions.ensure_partitions(partitions.months_between(rows[0][1], rows[-1][1]))
                count += bulk.write_readings(rows, skip_existing=False)
        else:
            result = ingest_file(
                sensor, parsed, user=None, reason="基准", source=Ingest.Source.COMMAND
            )
            count += result.written
        work_s += time.perf_counter() - t0
        cpu += time.process_time() - c0
    connection.close()
    return {
        "mode": mode,
        "readings": count,
        "parse_s": parse_s,
        "seconds": work_s,
        "cpu": cpu,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child_pages(repeat: int) -> dict:
    _setup()
    from datetime import timedelta

    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from environment.ingest import Batch, BatchReading, ingest_file
    from environment.models import Ingest
    from guji.models import User

    (sensor,) = _sensors("page", 1)
    room = sensor.room
    end = timezone.now().replace(second=0, microsecond=0)
    start = end - timedelta(days=365)
    if not sensor.ingests.exists():
        import math

        n = 365 * 1440
        readings = [
            BatchReading(
                start + timedelta(minutes=i),
                19 + 1.5 * math.sin(i / 1440 * 2 * math.pi),
                52 + 4 * math.sin(i / 1440 * 2 * math.pi + 1),
            )
            for i in range(n)
        ]
        t0 = time.perf_counter()
        ingest_file(sensor, Batch(readings), user=None, reason="基准", source=Ingest.Source.DEMO)
        print(
            f"year of 1-minute readings ingested in {time.perf_counter() - t0:.1f} s",
            file=sys.stderr,
        )
    user = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        "bench", password="x"
    )
    client = Client()
    client.force_login(user)
    today = timezone.localdate()
    data = reverse("environment:room_data", args=[room.pk])
    year, week = today - timedelta(days=364), today - timedelta(days=6)
    targets = {
        "room page (30 days)": room.get_absolute_url(),
        "chart data, 365 days (roll-ups)": f"{data}?start={year}&end={today}",
        "chart data, 7 days (raw)": f"{data}?start={week}&end={today}",
    }
    out = {}
    for label, url in targets.items():
        times, cpus = [], []
        for _ in range(repeat + 2):
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            cpus.append((time.process_time() - c0) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        times, cpus = sorted(times[2:]), sorted(cpus[2:])  # the first two warm caches
        p95 = min(len(times) - 1, round(0.95 * len(times)) - 1)
        out[label] = {
            "median_ms": statistics.median(times),
            "p95_ms": times[p95],
            "cpu_median_ms": statistics.median(cpus),
            "cpu_p95_ms": cpus[p95],
        }
        print(
            f"  {label}: this process's CPU per request median {out[label]['cpu_median_ms']:.1f}"
            f" ms, p95 {out[label]['cpu_p95_ms']:.1f} ms (the database server's not counted)",
            file=sys.stderr,
        )
    return out


# --- parent -----------------------------------------------------------------------------------


def run(args: list[str], env: dict) -> dict:
    out = subprocess.run(
        [PYTHON, __file__, *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode != 0:
        sys.exit(f"{args} failed:\n{out.stderr[-4000:]}")
    sys.stderr.write(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


def migrate(env: dict) -> None:
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        env=env,
        cwd=ROOT,
        check=True,
    )


def pg(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--readings", type=int, default=10_000_000)
    parser.add_argument("--files", type=int, default=100)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--child")
    parser.add_argument("--folder")
    args = parser.parse_args()
    if args.child == "pages":
        print(json.dumps(child_pages(args.repeat)))
        return
    if args.child:
        print(json.dumps(child_ingest(args.child, Path(args.folder))))
        return

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        t0 = time.perf_counter()
        make_files(folder, args.readings, args.files)
        print(
            f"{args.readings:,} readings in {args.files} files written in "
            f"{time.perf_counter() - t0:.0f} s"
        )
        for backend in args.backends.split(","):
            env = {**os.environ, "GUJI_VAR_DIR": str(Path(tmp) / backend)}
            if backend == "postgresql":
                pg(f"DROP DATABASE IF EXISTS {PG_NAME}")
                pg(f"CREATE DATABASE {PG_NAME}")
                env["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
            else:
                env.pop("DATABASE_URL", None)
            try:
                migrate(env)
                base = run(["--child", "baseline", "--folder", str(folder)], env)
                ingest = run(["--child", "ingest", "--folder", str(folder)], env)
                ratio = ingest["seconds"] / base["seconds"]
                cpu_ratio = ingest["cpu"] / base["cpu"]
                print(f"\n[{backend}] {base['readings']:,} readings")
                for r in (base, ingest):
                    print(
                        f"  {r['mode']:<9} {r['seconds']:8.1f} s  (cpu {r['cpu']:.1f} s, "
                        f"parse {r['parse_s']:.1f} s, peak RSS {r['rss_mb']:.0f} MB)"
                    )
                verdict = "met" if ratio <= TARGET_RATIO else "MISSED"
                print(
                    f"  ratio ingest/baseline {ratio:.2f} (target ≤ {TARGET_RATIO}: {verdict}); "
                    f"in CPU seconds {cpu_ratio:.2f}"
                )
                pages = run(["--child", "pages", "--repeat", str(args.repeat)], env)
                for label, p in pages.items():
                    ok = "met" if p["p95_ms"] <= TARGET_P95_MS else "MISSED"
                    print(
                        f"  {label:<34} median {p['median_ms']:6.1f} ms  "
                        f"p95 {p['p95_ms']:6.1f} ms ({ok})"
                    )
            finally:
                if backend == "postgresql":
                    pg(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
