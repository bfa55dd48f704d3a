"""Benchmark the citywide annual report on a province-size register.

    .venv/bin/python bench/report.py [--db sqlite|postgres] [--holdings 1000000]
                                     [--institutions 1000] [--rooms 1000] [--baseline 10000]

Builds two registers in their own databases (SQLite files under $GUJI_VAR_DIR or /tmp/bench-var;
the PostgreSQL database ``guji_bench_report``), each in a child process, with guji.files.bulk:
``--holdings`` holdings over ``--institutions`` institutions (60 % registered in one campaign,
with their census entries; grades, dynasties, edition types and 四部 classes spread as a
register has them), 5 % of them assessed for damage, repair plans and a year of repair logs,
``--rooms`` rooms with one sensor each and a year of daily roll-ups, excursions, inspections
with findings and corrective actions, and precious-list entries. Then a fresh child process
compiles the annual report (tables, PDF, workbook) exactly as the background job does, and
prints its wall time and peak RSS, and the ratio to the same report over ``--baseline``
holdings (same institutions and rooms). Goal: under 2 minutes and under 1 GB at 10⁶ holdings.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = os.environ.get("GUJI_BENCH_REPORT_PG_NAME", "guji_bench_report")
YEAR = 2026


def _environment(db: str, holdings: int, *, fresh: bool) -> str:
    os.environ.setdefault("GUJI_VAR_DIR", "/tmp/bench-var")
    var = Path(os.environ["GUJI_VAR_DIR"])
    var.mkdir(parents=True, exist_ok=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "guji.settings"
    os.environ["GUJI_DEBUG"] = "false"
    os.environ["GUJI_MEDIA_ROOT"] = str(var / f"report-media-{holdings}")
    sys.path.insert(0, str(ROOT))
    if db == "sqlite":
        path = var / f"bench-report-{holdings}.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return str(path)
    import psycopg

    name = f"{PG_NAME}_{holdings}"
    if fresh:
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{name}"
    return os.environ["DATABASE_URL"]


# --- building -------------------------------------------------------------------------------


def build(args) -> dict:
    _environment(args.db, args.holdings, fresh=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        counts = _build(args)
    if connection.vendor == "sqlite":
        connection.cursor().execute("ANALYZE")
    else:
        connection.cursor().execute("ANALYZE")
    counts["build_s"] = round(time.perf_counter() - started, 1)
    return counts


def _build(args) -> dict:
    from census.models import Campaign, CensusEntry, Participation
    from conservation.models import (
        HoldingDamage,
        MaterialBatch,
        RepairLog,
        RepairPlan,
    )
    from environment.models import DailyRollup, Excursion, Room, Sensor
    from environment.supervision.models import CorrectiveAction, Finding, Inspection
    from guji.files.bulk import insert_raw, insert_rows
    from guji.models import (
        EditionType,
        Grade,
        Holding,
        Institution,
        RoleAssignment,
        SibuClass,
        User,
    )
    from guji.permissions import grant_role
    from guji.protection.checklist import Requirement, Result
    from guji.protection.models import Listing, PreciousList

    rng = random.Random(20261201)
    n_inst, n_hold, n_rooms = args.institutions, args.holdings, args.rooms
    admin = User.objects.create_user("bench-admin", display_name="报告基准")
    grant_role(admin, RoleAssignment.Role.CENTRE_ADMIN, by=None, reason="基准测试")
    conservator = User.objects.create_user("bench-conservator")
    keys = ["", "", "", "", "municipal", "provincial", "national"]
    inst_ids = insert_rows(
        Institution,
        ["name", "short_name", "code", "region_code", "key_protection"],
        (
            (f"基准收藏单位{i:04d}", f"基准{i:04d}", f"{i:04d}", "330000", rng.choice(keys))
            for i in range(n_inst)
        ),
    )
    dynasties = ["宋", "元", "明", "明", "清", "清", "清", "清", "民国", ""]
    types = [*EditionType.objects.values_list("name", flat=True)[:12], ""]
    sibu = [*SibuClass.objects.filter(level=2).values_list("pk", flat=True), None]
    grades = [g.value for g in Grade] + ["4", "4", "4", ""]
    statuses = ["registered"] * 6 + ["submitted", "returned", "draft", "draft"]

    def holdings():
        for i in range(n_hold):
            inst = inst_ids[int((i * 7919) % n_inst)]
            yield (
                inst,
                f"B{i:07d}",
                "史記一百三十卷",
                "史記",
                rng.choice(dynasties),
                rng.choice(types),
                rng.choice(sibu),
                rng.choice(grades),
                rng.choice(statuses),
                rng.randint(1, 40),
            )

    fields = [
        "institution_id",
        "call_number",
        "title_juan",
        "title",
        "edition_dynasty",
        "edition_type",
        "sibu_class_id",
        "grade",
        "status",
        "volumes",
    ]
    holding_ids = insert_rows(Holding, fields, holdings(), batch_size=20_000)
    campaign = Campaign.objects.create(
        name="基准普查", starts_on=date(YEAR - 1, 1, 1), ends_on=date(YEAR, 12, 31)
    )
    insert_rows(
        Participation,
        ["campaign_id", "institution_id", "estimated_holdings"],
        ((campaign.pk, i, n_hold // n_inst + 50) for i in inst_ids),
    )
    accepted = datetime(YEAR, 6, 1, tzinfo=UTC)
    entries = Holding.objects.exclude(status="draft").order_by().values_list("pk", "institution_id")
    insert_rows(
        CensusEntry,
        ["holding_id", "institution_id", "campaign_id", "submitted_at", "accepted_at"],
        ((pk, inst, campaign.pk, accepted, accepted) for pk, inst in entries.iterator()),
        batch_size=20_000,
    )
    damaged = rng.sample(holding_ids, max(1, n_hold // 20))
    level_names = {1: "一级破损", 2: "二级破损", 3: "三级破损", 4: "四级破损", 5: "五级破损"}
    levels = [rng.choice([1, 2, 3, 4, 5, None]) for _ in damaged]
    insert_raw(  # its primary key is the holding's: insert_rows reserves ids, so not that
        HoldingDamage._meta.db_table,
        ["holding_id", "level", "level_name", "assessed_on"],
        [
            (h, lv, level_names.get(lv, ""), date(YEAR, 3, 1).isoformat())
            for h, lv in zip(damaged, levels, strict=True)
        ],
    )
    inst_of = dict(Holding.objects.filter(pk__in=damaged[:2000]).values_list("pk", "institution"))
    plan_ids = insert_rows(
        RepairPlan,
        [
            "holding_id",
            "institution_id",
            "condition_summary",
            "goals",
            "estimated_hours",
            "status",
            "planned_by_id",
        ],
        ((h, inst_of[h], "虫蛀", "补破", 40, "approved", admin.pk) for h in damaged[:2000]),
    )
    batch = MaterialBatch.objects.create(
        kind="paper",
        name="竹纸",
        batch_code="B-1",
        received_on=date(YEAR, 1, 2),
        quantity=1000,
        remaining=500,
        unit="张",
    )
    log_ids = insert_rows(
        RepairLog,
        ["plan_id", "worked_on", "conservator_id", "volume_count", "leaf_count", "hours"],
        (
            (p, date(YEAR, 1, 1) + timedelta(days=rng.randrange(365)), conservator.pk, 1, 12, 6)
            for p in plan_ids
            for _ in range(5)
        ),
    )
    through = RepairLog.materials.through
    insert_rows(through, ["repairlog_id", "materialbatch_id"], ((i, batch.pk) for i in log_ids))
    room_inst = [inst_ids[i % n_inst] for i in range(n_rooms)]
    room_ids = insert_rows(
        Room,
        ["institution_id", "code", "name"],
        ((inst, f"r{i:04d}", f"库房{i:04d}") for i, inst in enumerate(room_inst)),
    )
    sensor_ids = insert_rows(
        Sensor,
        ["room_id", "code", "measures"],
        ((r, f"s{i:05d}", ["temperature_c", "rh"]) for i, r in enumerate(room_ids)),
    )
    days = [date(YEAR, 1, 1) + timedelta(days=d) for d in range(365)]
    insert_rows(
        DailyRollup,
        [
            "sensor_id",
            "day",
            "count",
            "t_min",
            "t_max",
            "t_mean",
            "rh_min",
            "rh_max",
            "rh_mean",
            "seconds",
            "seconds_measured",
            "seconds_in_range",
            "pi_rate",
            "mold",
        ],
        (
            (s, d, 24, 16.0, 20.0, 18.0, 45.0, 55.0, 50.0, 86400, 86400, 86400 * 0.9, 1800, 0.0)
            for s in sensor_ids
            for d in days
        ),
        batch_size=20_000,
    )
    when = datetime(YEAR, 7, 1, tzinfo=UTC)
    insert_rows(
        Excursion,
        ["room_id", "sensor_id", "parameter", "start", "end", "peak", "limit"],
        ((r, s, "rh", when, when, 70, 60) for r, s in zip(room_ids, sensor_ids, strict=True)),
    )
    inspection_ids = insert_rows(
        Inspection,
        ["institution_id", "date", "inspectors"],
        ((i, date(YEAR, 5, 1), "督导组") for i in inst_ids[: n_inst // 2]),
    )
    requirements = [r.value for r in Requirement][:5]
    insert_rows(
        Finding,
        ["inspection_id", "requirement", "result"],
        ((i, req, rng.choice(Result.values)) for i in inspection_ids for req in requirements),
    )
    insert_rows(
        CorrectiveAction,
        ["inspection_id", "requirement", "description", "owner", "due_date"],
        ((i, requirements[0], "整改", "馆长", date(YEAR, 9, 1)) for i in inspection_ids),
    )
    precious = PreciousList.objects.create(
        level="national", name="国家珍贵古籍名录", batch=1, year=2008, issued_by="国务院"
    )
    insert_rows(
        Listing,
        ["precious_list_id", "number", "holding_id"],
        ((precious.pk, n + 1, h) for n, h in enumerate(holding_ids[: max(1, n_hold // 200)])),
    )
    return {"holdings": n_hold, "institutions": n_inst, "rooms": n_rooms, "rollups": 365 * n_rooms}


# --- measuring ------------------------------------------------------------------------------


def measure(args) -> dict:
    _environment(args.db, args.holdings, fresh=False)
    import django

    django.setup()
    from guji.models import User
    from guji.reports.models import Report
    from guji.reports.services import compile_report

    admin = User.objects.get(username="bench-admin")
    Report.objects.filter(status="draft").delete()
    report = Report(year=YEAR)
    report.save()
    phases: list[tuple[str, float]] = []
    last = [time.perf_counter()]

    def progress(done, total, phase):
        now = time.perf_counter()
        phases.append((phase, now))
        last[0] = now

    started = time.perf_counter()
    compile_report(report, by=admin, progress=progress)
    wall = time.perf_counter() - started
    steps = [
        (phases[i][0], round(phases[i + 1][1] - phases[i][1], 1)) for i in range(len(phases) - 1)
    ]
    pdf = report.pdf.size
    rows = sum(len(t["rows"]) for s in report.tables for t in s["tables"])
    return {
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "steps": steps,
        "pdf_kb": pdf // 1024,
        "xlsx_kb": report.xlsx.size // 1024,
        "table_rows": rows,
    }


def child(mode: str, args, holdings: int) -> dict:
    argv = [
        sys.executable,
        __file__,
        f"--child={mode}",
        f"--db={args.db}",
        f"--holdings={holdings}",
        f"--institutions={args.institutions}",
        f"--rooms={args.rooms}",
    ]
    out = subprocess.run(argv, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--holdings", type=int, default=1_000_000)
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=1000)
    parser.add_argument("--baseline", type=int, default=10_000)
    parser.add_argument("--child", choices=["build", "measure"])
    args = parser.parse_args()
    if args.child:
        result = build(args) if args.child == "build" else measure(args)
        print(json.dumps(result, ensure_ascii=False))
        return
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    results = {}
    for size in (args.baseline, args.holdings):
        built = child("build", args, size)
        print(f"built {size:,} holdings in {built['build_s']} s", flush=True)
        results[size] = child("measure", args, size)
        print(f"{size:>9,} holdings: {json.dumps(results[size], ensure_ascii=False)}", flush=True)
    base, full = results[args.baseline], results[args.holdings]
    wall_ratio = full["wall_s"] / max(base["wall_s"], 0.1)
    rss_ratio = full["peak_rss_mb"] / max(base["peak_rss_mb"], 1)
    print(
        f"\n{args.db}: annual report over {args.holdings:,} holdings, {args.institutions:,} "
        f"institutions, {args.rooms:,} rooms × 365 roll-ups\n"
        f"  wall {full['wall_s']} s (goal < 120 s), peak RSS {full['peak_rss_mb']} MB "
        f"(goal < 1024 MB)\n"
        f"  baseline ({args.baseline:,} holdings): wall {base['wall_s']} s, "
        f"peak RSS {base['peak_rss_mb']} MB; ratio wall {wall_ratio:.2f}×, RSS {rss_ratio:.2f}×\n"
        f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
