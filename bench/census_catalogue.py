"""Time the citywide registration catalogue (普查登记目录) export at scale.

    GUJI_VAR_DIR=/tmp/bench-var python bench/census_catalogue.py --entries 100000

Fills the configured database (SQLite under GUJI_VAR_DIR, or DATABASE_URL) with registered
holdings spread over 20 institutions unless they are there already, then writes the citywide
catalogue as xlsx and as PDF, each in a fresh process so that its peak RSS is its own, and
prints entries, seconds, entries/s, pages, size and peak RSS. Rows are bulk-inserted without
history: this measures the export, not the register.

The PDF is made as the product makes it: an export job run by ``manage.py run_huey`` with
``--workers`` worker processes, which lay out the catalogue's units (one institution each) in
parallel; ``--baseline`` also lays it out in one process and prints the same-run ratio. The
workers' CPU seconds are printed too: on the shared machine they are steadier than wall time.
Figures and the projection for 100,000 entries: docs/benchmarks.md.
"""

import argparse
import json
import os
import random
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guji.settings")

INSTITUTIONS = 20
BENCH_REGION = "990000"  # not a real province: bench rows never mix with real ones
# A pool of common characters so that font subsets are as varied as a real catalogue's.
POOL = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 3000))
DYNASTIES = ["漢", "晉", "唐", "宋", "元", "明", "清", "南朝宋", "南朝梁"]
EDITIONS = [
    "明萬曆刻本",
    "清乾隆四年（1739）武英殿刻本",
    "明嘉靖三十年（1551）芝城銅活字印本",
    "清抄本",
    "宋刻元明遞修本",
    "清光緒十年（1884）上海同文書局石印本",
]


def _setup() -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)  # a fresh GUJI_VAR_DIR works too


def seed(n: int) -> None:
    from django.db import transaction

    from guji.models import Holding, Institution
    from guji.templatetags.guji import cn_number

    have = Holding.objects.filter(census_number__startswith=BENCH_REGION).count()
    if have >= n:
        print(f"{have} bench entries already there")
        return
    rng = random.Random(1912)
    institutions = []
    for i in range(INSTITUTIONS):
        inst, _ = Institution.objects.get_or_create(
            code=f"{9000 + i:04d}",
            defaults={"name": f"基準測試收藏單位{i + 1:02d}", "region_code": BENCH_REGION},
        )
        institutions.append(inst)
    per = n // INSTITUTIONS
    started = time.perf_counter()
    with transaction.atomic():
        Holding.objects.filter(census_number__startswith=BENCH_REGION).delete()
        for inst in institutions:
            rows = []
            for serial in range(1, per + 1):
                title = "".join(rng.choice(POOL) for _ in range(rng.randint(3, 10)))
                juan = rng.randint(1, 120)
                authors = " ".join(
                    f"（{rng.choice(DYNASTIES)}）{''.join(rng.choice(POOL) for _ in range(2))}撰"
                    for _ in range(rng.randint(1, 3))
                )
                rows.append(
                    Holding(
                        institution=inst,
                        call_number=f"善{serial:06d}",
                        census_number=f"{BENCH_REGION}-{inst.code}-{serial:07d}",
                        title=title,
                        title_juan=f"{title}{cn_number(juan)}卷",
                        authors_text=authors,
                        edition_statement=rng.choice(EDITIONS),
                        volumes=rng.randint(1, 60),
                        extant="存四卷（十六至十九）" if serial % 7 == 0 else "",
                        status=Holding.Status.REGISTERED,
                    )
                )
            Holding.objects.bulk_create(rows, batch_size=2000)
    print(f"seeded {per * INSTITUTIONS} entries in {time.perf_counter() - started:.1f} s")


def run(fmt: str, out: Path) -> dict:
    """The export in this process, without helpers: the xlsx, and the PDF's baseline."""
    from census.exports import Scope, export_catalogue
    from census.models import ExportJob
    from guji.models import Holding

    started = time.perf_counter()
    scope = Scope(ExportJob.Scope.CITY)  # every registered holding: use a database of its own
    result = export_catalogue(scope, fmt, out)
    seconds = time.perf_counter() - started
    return {
        "format": fmt,
        "how": "in one process",
        "entries": result.entries,
        "all_registered": Holding.objects.filter(status="registered").count(),
        "seconds": round(seconds, 1),
        "cpu_s": round(time.process_time(), 1),
        "entries_per_s": round(result.entries / seconds),
        "pages": result.pages,
        "bytes": out.stat().st_size,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
    }


def run_on_workers(workers: int, out: Path) -> dict:
    """The PDF as the product makes it: an export job run by ``manage.py run_huey`` with
    ``workers`` worker processes, which lay out the catalogue's units in parallel."""
    from django.contrib.auth import get_user_model
    from django.core.files.storage import default_storage
    from huey.contrib.djhuey import HUEY

    from census.models import ExportJob
    from census.tasks import build_catalogue

    HUEY.flush()  # nothing left over from an earlier run
    user, _ = get_user_model().objects.get_or_create(username="bench-exporter")
    job = ExportJob.objects.create(
        user=user, scope=ExportJob.Scope.CITY, format="pdf", filename="bench.pdf"
    )
    env = {**os.environ, "GUJI_DEBUG": "false", "GUJI_HUEY_WORKERS": str(workers)}
    consumer = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_huey", "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        started = time.perf_counter()
        build_catalogue(job.pk)
        while True:
            time.sleep(1)
            job.refresh_from_db()
            if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
                break
        seconds = time.perf_counter() - started
    finally:
        consumer.send_signal(signal.SIGINT)  # graceful: the workers are reaped, their CPU counted
        consumer.wait()
    if job.status != ExportJob.Status.DONE:
        raise SystemExit(f"export failed: {job.message}")
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with default_storage.open(job.result.name, "rb") as f, open(out, "wb") as target:
        target.write(f.read())
    return {
        "format": "pdf",
        "how": f"export job on {workers} Huey worker processes",
        "entries": job.total_entries,
        "seconds": round(seconds, 1),
        "entries_per_s": round(job.total_entries / seconds),
        "pages": job.pages,
        "bytes": job.size,
        "worker_cpu_s": round(children.ru_utime + children.ru_stime, 1),
        "peak_rss_mb_of_a_worker": children.ru_maxrss // 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--formats", default="xlsx,pdf")
    parser.add_argument("--workers", type=int, default=2, help="Huey worker processes")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="also lay out the PDF in one process, for the same-run ratio",
    )
    parser.add_argument("--out", type=Path, default=Path("/tmp"))
    parser.add_argument("--run", help=argparse.SUPPRESS)  # child: export one format
    args = parser.parse_args()
    _setup()
    if args.run == "pdf-workers":
        print(json.dumps(run_on_workers(args.workers, args.out / "bench-catalogue.pdf")))
        return
    if args.run:
        print(json.dumps(run(args.run, args.out / f"bench-catalogue-1.{args.run}")))
        return
    seed(args.entries)
    figures = {}
    for fmt in args.formats.split(","):
        runs = ["pdf-workers", *(["pdf"] if args.baseline else [])] if fmt == "pdf" else [fmt]
        for what in runs:
            command = [sys.executable, __file__, "--run", what, "--out", str(args.out)]
            child = subprocess.run(
                [*command, "--workers", str(args.workers)],
                capture_output=True,
                text=True,
                check=True,
            )
            line = child.stdout.strip().splitlines()[-1]
            figures[what] = json.loads(line)
            print(line)
    if "pdf" in figures and "pdf-workers" in figures:
        ratio = figures["pdf-workers"]["seconds"] / figures["pdf"]["seconds"]
        print(f"PDF on {args.workers} workers / in one process: {ratio:.2f}")


if __name__ == "__main__":
    main()
