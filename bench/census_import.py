"""Benchmark of the census spreadsheet import: a 100,000-row .xlsx, dry run and real import.

    .venv/bin/python bench/census_import.py [--rows 100000] [--backends sqlite,postgresql]

For each database it migrates a fresh one (SQLite in a temporary GUJI_VAR_DIR; PostgreSQL in
``guji_imports_bench``, created and dropped here through psycopg, server from
GUJI_BENCH_PG, default postgres://postgres@127.0.0.1:5432), then times three measurements,
each in its own child process so that its peak RSS (ru_maxrss) is its own:

* baseline — pandas + calamine read of the file and ``bulk_create`` of bare Holding rows:
  no validation, no derived fields, no history, no responsibility statements;
* dry run — ``census.imports.import_spreadsheet(dry_run=True)``: read, check every row,
  compare with the register, write nothing;
* import — the same call writing: holdings and statements with history, in one transaction.

Each measurement imports into an institution of its own, so none sees another's rows. Times
cover the work only (Django start-up and migrations are outside); "cpu s" is the child's own
CPU time, which other load on the machine inflates less than the wall-clock seconds.
Targets (issue 4): the real import at most 3x the baseline, under 60 s, peak RSS under 1.5 GB.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_SERVER = os.environ.get("GUJI_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_NAME = "guji_imports_bench"
TARGET_RATIO, TARGET_SECONDS, TARGET_RSS_MB = 3.0, 60.0, 1536

WORKS = [
    ("史記一百三十卷", "（漢）司馬遷撰 （南朝宋）裴駰集解 （唐）司馬貞索隱"),
    ("漢書一百卷", "（漢）班固撰 （唐）顏師古注"),
    ("後漢書一百二十卷", "（南朝宋）范曄撰 （唐）李賢注"),
    ("資治通鑑二百九十四卷", "（宋）司馬光撰 （元）胡三省音注"),
    ("周易本義四卷", "（宋）朱熹撰"),
    ("四書章句集注二十六卷", "（宋）朱熹撰"),
    ("文選六十卷", "（南朝梁）蕭統輯 （唐）李善注"),
    ("杜工部集二十卷", "（唐）杜甫撰"),
    ("說文解字十五卷", "（漢）許慎撰"),
    ("［萬曆］金華府志三十卷", "（明）王懋德 （明）陸鳳儀纂修"),
    ("墨子十五卷", ""),
    ("通書類聚尅擇大全□□卷", ""),
    ("太平御覽一千卷", "（宋）李昉等輯"),
    ("古文觀止十二卷", "（清）吳楚材 （清）吳調侯選"),
    ("紅樓夢不分卷", "（清）曹霑撰"),
]
EDITIONS = (
    [f"清乾隆{n}年（{1735 + n}）刻本" for n in range(1, 61)]
    + [f"清光緒{n}年（{1874 + n}）上海同文書局石印本" for n in range(1, 35)]
    + [f"明嘉靖{n}年（{1521 + n}）刻本" for n in range(1, 46)]
    + ["明萬曆刻本", "清抄本", "稿本", "宋刻元明遞修本", "清刻本 清某某批校", "民國鉛印本"]
)
NUMERALS = "一二三四五六七八九"


def chinese(n: int) -> str:
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else NUMERALS[tens - 1] if tens else "") + ("十" if tens else "")
    return text + (NUMERALS[ones - 1] if ones else "")


def make_file(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guji.settings")
    import django

    django.setup()  # for census.imports.COLUMNS; no database is opened
    from census.imports import COLUMNS

    rng = random.Random(4)
    classes = ["史部·纪传类", "史部·编年类", "经部·易类", "子部·儒家类", "集部·别集类", "S02", ""]
    bindings = ["线装", "线装", "线装", "包背装", "蝴蝶装", ""]
    wb = Workbook(write_only=True)
    sheet = wb.create_sheet("普查登记")
    sheet.append([c.header for c in COLUMNS])
    for n in range(rows):
        title_juan, authors = rng.choice(WORKS)
        volumes = rng.randint(1, 48)
        values = {
            "call_number": f"善{n:07d}",
            "sibu_class": rng.choice(classes),
            "title_juan": title_juan,
            "authors": authors,
            "edition_statement": rng.choice(EDITIONS),
            "layout": "半叶十行，行二十字，白口，四周双边" if n % 3 else "",
            "binding": rng.choice(bindings),
            "series": "",
            "annotations": "清某某批校" if n % 17 == 0 else "",
            "seals": "某某藏書" if n % 5 == 0 else "",
            "extant": "存四卷（一至四）" if n % 23 == 0 else "",
            "volumes": chinese(volumes) if n % 2 else volumes,
            "cases": rng.randint(1, 6) if n % 4 == 0 else "",
            "notes": "",
            "storage_location": f"书库{n % 7 + 1}-{n % 120:03d}",
        }
        sheet.append([values[c.key] for c in COLUMNS])
    wb.save(path)


# --- child: one measurement -------------------------------------------------------------------


def child(mode: str, path: Path, code: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guji.settings")
    import django

    django.setup()
    from django.utils import translation

    from guji.models import Holding, Institution, RoleAssignment, User
    from guji.permissions import grant_role

    translation.activate("zh-hans")
    institution = Institution.objects.create(name=f"基准{code}", code=code, region_code="330000")
    user = User.objects.create_user(username=f"bench{code}")
    grant_role(
        user, RoleAssignment.Role.CATALOGUER, institution=institution, by=None, reason="基准"
    )

    start, cpu_start = time.perf_counter(), time.process_time()
    if mode == "baseline":
        import pandas as pd

        frame = pd.read_excel(
            path, engine="calamine", header=None, dtype=str, keep_default_na=False
        )
        rows = frame.values.tolist()[1:]
        del frame
        holdings = [
            Holding(
                institution=institution,
                call_number=r[0],
                title_juan=r[2],
                title=r[2],
                edition_statement=r[4],
                volumes=int(r[11]) if r[11].isdigit() else 1,
            )
            for r in rows
        ]
        Holding.objects.bulk_create(holdings, batch_size=2000)
        count, outcome = len(holdings), "baseline"
    else:
        from census.imports import import_spreadsheet

        report = import_spreadsheet(
            path, institution=institution, by=user, dry_run=(mode == "dry_run")
        )
        assert not report.problems, report.problems[:5]
        count, outcome = report.total_rows, report.outcome
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    written = Holding.objects.filter(institution=institution).count()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "mode": mode,
                "rows": count,
                "seconds": seconds,
                "cpu": cpu,
                "rss_mb": peak_mb,
                "outcome": outcome,
                "written": written,
            }
        )
    )


# --- parent -----------------------------------------------------------------------------------


def run_child(mode: str, path: Path, code: str, env: dict) -> dict:
    out = subprocess.run(
        [PYTHON, __file__, "--child", mode, "--file", str(path), "--code", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(f"{mode} failed:\n{out.stderr[-4000:]}")
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


def bench_backend(backend: str, path: Path, scratch: Path) -> list[dict]:
    env = {
        **os.environ,
        "GUJI_VAR_DIR": str(scratch / f"var-{backend}"),
        "GUJI_LOG_LEVEL": "ERROR",
        "GUJI_DEBUG": "false",  # as deployed: no query log in memory
    }
    env.pop("DATABASE_URL", None)
    if backend == "postgresql":
        pg(f"DROP DATABASE IF EXISTS {PG_NAME}")
        pg(f"CREATE DATABASE {PG_NAME}")
        env["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    try:
        migrate(env)
        return [
            run_child(mode, path, code, env)
            for mode, code in (("baseline", "9001"), ("dry_run", "9002"), ("import", "9003"))
        ]
    finally:
        if backend == "postgresql":
            pg(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--child", choices=["baseline", "dry_run", "import"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--code")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file, args.code)
        return

    with tempfile.TemporaryDirectory(prefix="guji-bench-import-") as tmp:
        scratch = Path(tmp)
        path = scratch / "census.xlsx"
        start = time.perf_counter()
        make_file(path, args.rows)
        size_mb = path.stat().st_size / 2**20
        print(
            f"file: {args.rows:,} rows, {size_mb:.1f} MB, written in "
            f"{time.perf_counter() - start:.1f} s"
        )
        failed = False
        for backend in args.backends.split(","):
            results = bench_backend(backend, path, scratch)
            base = results[0]["seconds"]
            print(f"\n{backend}")
            print(
                f"  {'measurement':<10} {'seconds':>8} {'cpu s':>7} {'rows/s':>9} {'peak RSS':>9} "
                f"{'x baseline':>10}  {'written':>8}"
            )
            for r in results:
                print(
                    f"  {r['mode']:<10} {r['seconds']:8.1f} {r['cpu']:7.1f} "
                    f"{r['rows'] / r['seconds']:9,.0f} "
                    f"{r['rss_mb']:7.0f}MB {r['seconds'] / base:10.2f}  {r['written']:8,}"
                )
            real = results[2]
            checks = {
                f"import <= {TARGET_RATIO:g}x baseline": real["seconds"] <= TARGET_RATIO * base,
                f"import < {TARGET_SECONDS:g} s": real["seconds"] < TARGET_SECONDS,
                f"peak RSS < {TARGET_RSS_MB} MB": max(r["rss_mb"] for r in results) < TARGET_RSS_MB,
                "import wrote every row": real["written"] == args.rows,
                "dry run wrote nothing": results[1]["written"] == 0,
            }
            for name, ok in checks.items():
                print(f"  {'ok  ' if ok else 'FAIL'} {name}")
                failed |= not ok
        sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
