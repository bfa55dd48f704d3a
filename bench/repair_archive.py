"""Benchmark of the repair archive: one plan with 120 photographs of 12 megapixels.

    .venv/bin/python bench/repair_archive.py [--photos 120] [--keep DIR]

In a temporary GUJI_VAR_DIR (SQLite) it migrates, then, each in its own child process so that
its peak RSS (ru_maxrss) is its own:

* setup — a holding, an approved plan with two logged sessions, and ``--photos`` 12-megapixel
  JPEGs (4000×3000, half "before", half "after", paired by leaf) added through
  ``conservation.images.add_images``; then the derivatives the worker would make, timed apart;
* baseline — open every preview the archive embeds and decode it with Pillow, one at a time:
  the least any archive of these photographs must do;
* archive — ``manage.py repair_archive PLAN -o FILE.pdf``: the text part, the photographs in
  parts of eight pairs, joined.

Times are of the work in each child (Django start-up and migrations outside); "cpu s" is the
child's own CPU time, less inflated by other load. Targets (issue 11): the archive under 60 s,
peak RSS under 1 GB.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGET_SECONDS, TARGET_RSS_MB = 60.0, 1024

SETUP = r"""
import io, json, sys, time
from decimal import Decimal
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw
from conservation.demo import leaf_image
from conservation.images import add_images, make_derivatives
from conservation.services import add_log, approve_plan, create_plan
from guji.models import RoleAssignment
from tests.factories import make_holding, make_user

n = int(sys.argv[1])
wang = make_user(RoleAssignment.Role.CONSERVATOR, username="bench_wang")
boss = make_user(RoleAssignment.Role.CENTRE_ADMIN, username="bench_boss")
holding = make_holding(title_juan="重修政和經史證類備用本草三十卷", volumes=8)
plan = create_plan(holding, data={"condition_summary": "虫蛀、缺损", "goals": "补破",
    "estimated_hours": Decimal(80)}, operations=[], conservators=[wang], by=wang)
plan = approve_plan(plan, by=boss)
for day in (1, 2):
    add_log(plan, data={"worked_on": f"2026-05-0{day}", "hours": Decimal(4), "leaf_count": 30},
            operations=[], materials=[], by=wang)

def photo(leaf, repaired):
    small = Image.open(io.BytesIO(leaf_image(leaf, repaired=repaired, size=(1000, 750))))
    big = small.resize((4000, 3000), Image.Resampling.BICUBIC)
    ImageDraw.Draw(big).text((20, 20), f"{leaf}-{repaired}", fill=(0, 0, 0))
    out = io.BytesIO()
    big.save(out, "JPEG", quality=90)
    return SimpleUploadedFile(f"1-{leaf}.jpg", out.getvalue())

t0 = time.perf_counter()
size = 0
for kind, repaired in (("before", False), ("after", True)):
    for leaf in range(1, n // 2 + 1):
        f = photo(leaf, repaired)
        size += f.size
        add_images(plan, uploads=[f], kind=kind, by=wang)
upload_s = time.perf_counter() - t0
t0 = time.perf_counter()
for image in plan.images.all():
    make_derivatives(image.original)
derivative_s = time.perf_counter() - t0
import resource
print(json.dumps({"plan": plan.pk, "photos": plan.images.count(), "mb": size / 2**20,
                  "upload_s": upload_s, "derivatives_s": derivative_s,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

BASELINE = r"""
import json, resource, sys, time
import django
django.setup()
from PIL import Image
from django.core.files.storage import default_storage
from conservation.images import variant_name
from conservation.models import RepairPlan

plan = RepairPlan.objects.get(pk=int(sys.argv[1]))
t0, c0 = time.perf_counter(), time.process_time()
for image in plan.images.all():
    with default_storage.open(variant_name(image, "preview"), "rb") as f:
        Image.open(f).load()
print(json.dumps({"s": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

ARCHIVE = r"""
import json, resource, sys, time
from pathlib import Path
import django
django.setup()
from conservation.archive import build_archive
from conservation.models import RepairPlan

plan = RepairPlan.objects.get(pk=int(sys.argv[1]))
t0, c0 = time.perf_counter(), time.process_time()
result = build_archive(plan, Path(sys.argv[2]))
print(json.dumps({"s": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                  "pages": result.pages, "pairs": result.pairs,
                  "missing_glyphs": len(result.missing_glyphs),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(code: str, *args: str, env: dict) -> tuple[dict, float]:
    """Run ``code`` in a fresh interpreter; its JSON output and its own peak RSS in MB (the
    child reports its ru_maxrss itself: RUSAGE_CHILDREN would mix all children's)."""
    out = subprocess.run(
        [PYTHON, "-c", code, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if out.returncode:
        sys.exit(out.stderr)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    return result, result["rss"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=120)
    parser.add_argument("--keep", help="keep the archive PDF in this directory")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "GUJI_VAR_DIR": tmp, "DJANGO_SETTINGS_MODULE": "guji.settings",
               "PYTHONPATH": str(ROOT)}  # fmt: skip
        env.pop("DATABASE_URL", None)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        setup, setup_rss = child(SETUP, str(args.photos), env=env)
        plan = str(setup["plan"])
        baseline, _ = child(BASELINE, plan, env=env)
        out = Path(args.keep or tmp) / "repair-archive.pdf"
        archive, archive_rss = child(ARCHIVE, plan, str(out), env=env)
        size = out.stat().st_size / 2**20
    print(
        f"photos: {setup['photos']} of 12 Mpx ({setup['mb']:.0f} MB of JPEG), uploaded in "
        f"{setup['upload_s']:.1f} s; worker derivatives {setup['derivatives_s']:.1f} s "
        f"(setup peak RSS {setup_rss:.0f} MB)"
    )
    print(
        f"baseline (decode every preview once): {baseline['s']:.1f} s, {baseline['cpu']:.1f} cpu s"
    )
    print(
        f"archive: {archive['s']:.1f} s, {archive['cpu']:.1f} cpu s, {archive['pages']} pages, "
        f"{archive['pairs']} pairs, {size:.1f} MB PDF, peak RSS {archive_rss:.0f} MB, "
        f"missing glyphs {archive['missing_glyphs']}"
    )
    print(
        f"ratio archive/baseline: {archive['s'] / baseline['s']:.1f}x wall, "
        f"{archive['cpu'] / max(baseline['cpu'], 1e-6):.1f}x cpu"
    )
    ok = archive["s"] < TARGET_SECONDS and archive_rss < TARGET_RSS_MB
    print(f"targets (< {TARGET_SECONDS:.0f} s, < {TARGET_RSS_MB} MB): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
