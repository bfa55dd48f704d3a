"""Process CPU per page for the pages people use most, as a reviewer and as a cataloguer.

    GUJI_VAR_DIR=/tmp/perf-var .venv/bin/python bench/page_cpu.py [--repeat 30] [--warmup 3]
                                                                  [--compare /path/to/other/tree]

Runs on the demo city already loaded in ``$GUJI_VAR_DIR`` (``migrate`` then ``load_demo``),
with DEBUG off. Each page is fetched through Django's test client, ``time.process_time`` around
each request; the table gives the CPU p50 and min of ``--repeat`` requests after ``--warmup``
warm-ups, the SQL queries per page, and the ratio of the p50 to the same run's baseline (the
login page, fetched anonymously). ``--compare`` runs the same pages from another source tree
(e.g. an export of ``main``) against the same database in the same run, before this tree's.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = "baseline: login page (anonymous)"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guji.settings")
    os.environ["GUJI_DEBUG"] = "false"
    sys.path.insert(0, os.getcwd())
    import django

    django.setup()


def long_history(versions: int) -> None:
    """Edit one of the cataloguer's drafts until it has ``versions`` versions (once)."""
    _django()
    from guji.cataloguing import parse_statements
    from guji.models import Holding, User
    from guji.permissions import scope_filter
    from guji.services import update_holding

    user = User.objects.get(username="cataloguer")
    mine = Holding.objects.filter(scope_filter(user, "catalogue", "institution"))
    holding = mine.filter(status="draft").order_by("pk").first()
    done = holding.history.count()
    for i in range(done, versions):
        update_holding(
            holding,
            data={"volumes": 1 + i % 7},
            statements=parse_statements(f"（清）某{i}撰"),
            by=user,
            reason=f"bench/page_cpu.py 第{i}次修改",
        )
        holding.refresh_from_db()


def measure(repeat: int, warmup: int) -> dict:
    _django()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from guji.models import Holding, User

    def pages_for(username: str) -> dict[str, str]:
        user = User.objects.get(username=username)
        from guji.permissions import scope_filter

        # the visible holding with the most versions: the longest timeline
        visible = Holding.objects.filter(scope_filter(user, "view", "institution"))
        top = (
            Holding.history.filter(id__in=visible.values("pk"))
            .values("id")
            .annotate(n=Count("history_id"))
            .order_by("-n", "id")
            .first()
        )
        holding = Holding.objects.get(pk=top["id"])
        lst = reverse("holding_list")
        return {
            "home": reverse("home"),
            "list, first page": lst,
            "list, q=史记": lst + "?q=史记",
            "list, sorted by title": lst + "?sort=title",
            "holding detail": reverse("holding_detail", args=[holding.pk]),
            "holding timeline": reverse("holding_timeline", args=[holding.pk]),
            "help": reverse("help"),
        }

    def run(client: Client, url: str) -> tuple[list[float], int]:
        cpus = []
        for i in range(warmup + repeat):
            c0 = time.process_time()
            response = client.get(url)
            cpu = (time.process_time() - c0) * 1000
            assert response.status_code == 200, (url, response.status_code)
            if i >= warmup:
                cpus.append(cpu)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return cpus, len(queries)

    out: dict[str, dict] = {}
    cpus, n = run(Client(), reverse("login"))
    out[BASELINE] = {"p50": statistics.median(cpus), "min": min(cpus), "q": n}
    for username in ("reviewer", "cataloguer"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for label, url in pages_for(username).items():
            cpus, n = run(client, url)
            figures = {"p50": statistics.median(cpus), "min": min(cpus), "q": n}
            out[f"{username} | {label}"] = figures
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--compare", help="another source tree to measure first (e.g. main)")
    parser.add_argument(
        "--versions", type=int, default=200, help="versions of the holding whose timeline is shown"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        long_history(args.versions)
        return
    if args.child:
        print(json.dumps(measure(args.repeat, args.warmup)))
        return
    setup = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--setup",
        f"--versions={args.versions}",
    ]
    subprocess.run(setup, cwd=ROOT, check=True)
    trees = [("before", Path(args.compare).resolve())] if args.compare else []
    trees.append(("after" if args.compare else "this tree", ROOT))
    results = {}
    for name, tree in trees:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child"]
        cmd += [f"--repeat={args.repeat}", f"--warmup={args.warmup}"]
        done = subprocess.run(cmd, cwd=tree, capture_output=True, text=True, check=False)
        if done.returncode:
            sys.exit(done.stderr)
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
    print(
        f"{time.strftime('%Y-%m-%d %H:%M %Z')}, load average "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg())
        + f", {args.repeat} requests after {args.warmup} warm-ups; cpu in ms (process_time)"
    )
    header = "| page |"
    for name in results:
        header += f" {name} p50 | {name} min | {name} queries | {name} ÷ baseline |"
    print(header)
    print("|---|" + "---:|" * 4 * len(results))
    for label in results[trees[-1][0]]:
        row = f"| {label} |"
        for figures in results.values():
            f = figures.get(label)
            base = figures[BASELINE]["p50"]
            if f is None:
                row += " — | — | — | — |"
            else:
                row += f" {f['p50']:.1f} | {f['min']:.1f} | {f['q']} | {f['p50'] / base:.1f} |"
        print(row)


if __name__ == "__main__":
    main()
