"""Benchmark of a leaf-photograph upload: a 10000×10000 PNG through the real upload view.

    .venv/bin/python bench/photo_upload.py [--side 10000] [--baseline-side 1000]

A fresh SQLite database and media folder are made in a temporary GUJI_VAR_DIR. The PNGs are
written there first, by this parent process, so that making them is not measured. Each upload
is then measured in a child process of its own (its peak RSS, ru_maxrss, is its own): the
child signs a cataloguer in with Django's test client, posts one small photograph to load
every module (warm-up), then posts the measured file to ``census:photo_upload`` and reports

* the request's wall-clock time (the view verifies the file, stores the original and queues
  the derivatives for the Huey worker, which is not running here);
* the web process's memory growth over the request: peak RSS (ru_maxrss) after minus before,
  current RSS after minus before, and tracemalloc's peak of Python allocations.

The baseline is the same upload of a --baseline-side square PNG in the same run; the table gives
the ratio. Afterwards each child makes the derivatives as the worker would and reports that
time and peak RSS too (the worker's cost, for information). Goal (issue 9): the 10000×10000
upload returns in under 2 s and the web process grows by less than 100 MB.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TARGET_SECONDS, TARGET_MB = 2.0, 100


def make_png(path: Path, side: int) -> None:
    """A leaf-like PNG: paper shading with dark strokes scattered like printed characters."""
    import random

    from PIL import Image, ImageDraw

    rng = random.Random(side)
    paper = Image.linear_gradient("L").resize((side, side)).point(lambda v: 200 + v // 8)
    draw = ImageDraw.Draw(paper)
    stroke = max(side // 1000, 1)
    for _ in range(side * side // 500):  # about one stroke per 500 pixels
        x, y = rng.randrange(side), rng.randrange(side)
        dx, dy = rng.choice(((8, 0), (0, 8), (6, 6), (6, -6)))
        draw.line(
            [(x, y), (x + dx * stroke, y + dy * stroke)], fill=rng.randrange(20, 90), width=stroke
        )
    rgb = Image.merge(
        "RGB", (paper, paper.point(lambda v: v * 19 // 20), paper.point(lambda v: v * 7 // 8))
    )
    rgb.save(path, "PNG", compress_level=9)


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def child(path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guji.settings")
    import io
    import tracemalloc

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from PIL import Image

    from census.models import LeafPhoto
    from guji.files import images
    from guji.models import RoleAssignment
    from tests.factories import make_holding, make_institution, make_user

    setup_test_environment()
    n = os.getpid() % 10000  # each child adds its own institution to the one database
    institution = make_institution(code=f"{n:04d}", name=f"书影基准馆{n}")
    cataloguer = make_user(RoleAssignment.Role.CATALOGUER, institution, username=f"photo-bench-{n}")
    client = Client()
    client.force_login(cataloguer)

    def upload(holding, name: str, data: bytes):
        url = reverse("census:photo_upload", args=[holding.pk])
        files = {"photos": SimpleUploadedFile(name, data), "kind": "first_leaf"}
        return client.post(url, files)

    small = io.BytesIO()
    Image.new("RGB", (400, 300), (200, 180, 150)).save(small, "PNG")
    warm = upload(make_holding(institution), "warm.png", small.getvalue())
    assert warm.status_code == 302, warm.status_code

    data = path.read_bytes()
    holding = make_holding(institution)
    rss_before, peak_before = _rss_mb(), _peak_mb()
    tracemalloc.start()
    started = time.perf_counter()
    response = upload(holding, path.name, data)
    seconds = time.perf_counter() - started
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after, peak_after = _rss_mb(), _peak_mb()
    photo = LeafPhoto.objects.filter(holding=holding).first()
    result = {
        "status": response.status_code,
        "stored": photo is not None,
        "seconds": seconds,
        "peak_growth_mb": peak_after - peak_before,
        "rss_growth_mb": rss_after - rss_before,
        "traced_peak_mb": traced_peak / 2**20,
        "file_mb": len(data) / 2**20,
    }
    if photo is not None:  # what the worker then does (its own cost, for information)
        from django.core.files.storage import default_storage

        result["derivative_in_request"] = default_storage.exists(photo.thumbnail)
        started = time.perf_counter()
        images.make_derivatives(photo.original)
        result["worker_seconds"] = time.perf_counter() - started
        result["worker_peak_mb"] = _peak_mb()
    print(json.dumps(result))


def run(var: Path, path: Path) -> dict:
    env = {**os.environ, "GUJI_VAR_DIR": str(var), "GUJI_HUEY_IMMEDIATE": "false"}
    env.pop("DATABASE_URL", None)
    out = subprocess.run(
        [PYTHON, __file__, "--child", str(path)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if out.returncode:
        sys.exit(f"the measurement of {path.name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=10000)
    parser.add_argument("--baseline-side", type=int, default=1000)
    parser.add_argument("--child", type=Path)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="guji-photo-bench-") as tmp:
        var = Path(tmp)
        env = {**os.environ, "GUJI_VAR_DIR": str(var)}
        env.pop("DATABASE_URL", None)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], env=env, cwd=ROOT, check=True)
        results = {}
        for label, side in (("baseline", args.baseline_side), ("large", args.side)):
            path = var / f"leaf-{side}.png"
            make_png(path, side)
            results[label] = {"side": side, **run(var, path)}
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    header = (
        f"{'upload':>12} {'file MB':>8} {'status':>6} {'request s':>10} {'peak +MB':>9} "
        f"{'RSS +MB':>8} {'traced MB':>10} {'worker s':>9} {'worker peak MB':>15}"
    )
    print(header)
    for r in results.values():
        print(
            f"{r['side']:>5}×{r['side']:<6} {r['file_mb']:>8.1f} {r['status']:>6} "
            f"{r['seconds']:>10.3f} {r['peak_growth_mb']:>9.1f} {r['rss_growth_mb']:>8.1f} "
            f"{r['traced_peak_mb']:>10.1f} {r.get('worker_seconds', 0):>9.2f} "
            f"{r.get('worker_peak_mb', 0):>15.0f}"
        )
    base, large = results["baseline"], results["large"]
    ratio = large["seconds"] / base["seconds"] if base["seconds"] else float("inf")
    print(f"request time ratio (large / baseline): {ratio:.1f}x")
    print(f"derivative made in the request: {large.get('derivative_in_request')}")
    ok_time = large["seconds"] < TARGET_SECONDS
    ok_mem = large["peak_growth_mb"] < TARGET_MB
    print(
        f"goal: under {TARGET_SECONDS:.0f} s: {'met' if ok_time else 'NOT met'}; "
        f"under {TARGET_MB} MB growth: {'met' if ok_mem else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
