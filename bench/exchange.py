"""Time catalogue exchange: a full OAI-PMH harvest and the largest list export.

    GUJI_VAR_DIR=/tmp/bench-exchange .venv/bin/python bench/exchange.py --holdings 20000

Migrates the configured database (SQLite under GUJI_VAR_DIR, or DATABASE_URL) and fills it with
registered holdings (two responsibility statements each) unless they are there already, then
harvests the whole repository page by page through ``guji.exchange.oai.respond`` (no HTTP) and
writes the list export's largest file (GUJI_EXPORT_INLINE_ROWS holdings) as MARC 21. The baseline
in the same run is the harvest of identifiers only (ListIdentifiers), which reads the same
rows without describing them; the table gives records/s and the ratio to it.
"""

import argparse
import os
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guji.settings")

BENCH_REGION = "990000"  # not a real province: bench rows never mix with real ones
INSTITUTIONS = 10
POOL = "".join(chr(c) for c in range(0x4E00, 0x4E00 + 3000))
EDITIONS = ["明萬曆刻本", "清乾隆四年（1739）武英殿刻本", "清抄本", "宋刻元明遞修本"]


def seed(n: int) -> None:
    from django.db import transaction

    from guji.models import Holding, Institution, Responsibility

    have = Holding.objects.filter(census_number__startswith=BENCH_REGION).count()
    if have >= n:
        print(f"{have} bench holdings already there")
        return
    rng = random.Random(1912)
    started = time.perf_counter()
    with transaction.atomic():
        Holding.objects.filter(census_number__startswith=BENCH_REGION).delete()
        per = n // INSTITUTIONS
        for i in range(INSTITUTIONS):
            inst, _ = Institution.objects.get_or_create(
                code=f"{9000 + i:04d}",
                defaults={"name": f"基準測試收藏單位{i + 1:02d}", "region_code": BENCH_REGION},
            )
            rows = []
            for serial in range(1, per + 1):
                title = "".join(rng.choice(POOL) for _ in range(rng.randint(3, 10)))
                rows.append(
                    Holding(
                        institution=inst,
                        call_number=f"善{serial:06d}",
                        census_number=f"{BENCH_REGION}-{inst.code}-{serial:07d}",
                        title=title,
                        title_juan=f"{title}十卷",
                        authors_text="（清）某甲撰 （清）某乙注",
                        edition_statement=rng.choice(EDITIONS),
                        volumes=rng.randint(1, 60),
                        seals="某氏藏書\n某某之印",
                        status=Holding.Status.REGISTERED,
                    )
                )
            made = Holding.objects.bulk_create(rows, batch_size=2000)
            Responsibility.objects.bulk_create(
                [
                    Responsibility(holding=h, seq=s, dynasty="清", name=name, role=role)
                    for h in made
                    for s, (name, role) in enumerate((("某甲", "撰"), ("某乙", "注")), 1)
                ],
                batch_size=4000,
            )
    print(f"seeded {n} holdings in {time.perf_counter() - started:.1f} s")


def harvest(verb: str, prefix: str) -> tuple[int, float, int]:
    """(records, seconds, pages) of a whole harvest, following the resumption tokens."""
    import xml.etree.ElementTree as ET

    from django.http import QueryDict

    from guji.exchange import oai

    ns = {"o": oai.OAI_NS}
    tag = "o:record" if verb == "ListRecords" else "o:header"
    params = QueryDict(mutable=True)
    params.update({"verb": verb, "metadataPrefix": prefix})
    records = pages = 0
    started = time.perf_counter()
    while True:
        root = ET.fromstring(oai.respond(params, base_url="http://bench/oai/"))
        listing = root.find(f"o:{verb}", ns)
        records += len(listing.findall(tag, ns))
        pages += 1
        token = listing.find("o:resumptionToken", ns)
        if token is None or not token.text:
            return records, time.perf_counter() - started, pages
        params = QueryDict(mutable=True)
        params.update({"verb": verb, "resumptionToken": token.text})


def list_export() -> tuple[int, float, int]:
    from django.conf import settings

    from guji.exchange import marc
    from guji.exchange.records import describe, for_exchange
    from guji.models import Holding

    started = time.perf_counter()
    ids = list(
        Holding.objects.filter(census_number__startswith=BENCH_REGION).values_list("pk", flat=True)[
            : settings.GUJI_EXPORT_INLINE_ROWS
        ]
    )
    rows = for_exchange(Holding.objects.filter(pk__in=ids))
    data = marc.write_binary([describe(h) for h in rows], marc.MARC21)
    return len(ids), time.perf_counter() - started, len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holdings", type=int, default=20000)
    args = parser.parse_args()

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    seed(args.holdings)

    def row(label: str, n: int, seconds: float, ratio: str) -> None:
        print(f"{label:<34} {n:>8} {seconds:>7.1f} {n / seconds:>10.0f} {ratio:>6}")

    print(f"{'run':<34} {'records':>8} {'s':>7} {'records/s':>10} {'ratio':>6}")
    base_n, base_s, pages = harvest("ListIdentifiers", "oai_dc")
    row("baseline: ListIdentifiers", base_n, base_s, "1.00")
    for prefix in ("oai_dc", "marc21"):
        n, s, _pages = harvest("ListRecords", prefix)
        row(f"ListRecords {prefix}", n, s, f"{(s / n) / (base_s / base_n):.2f}")
    n, s, size = list_export()
    row(f"list export, MARC 21 ({size} bytes)", n, s, "")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{pages} pages; load average {os.getloadavg()[0]:.1f}; peak RSS {rss} MB")


if __name__ == "__main__":
    main()
