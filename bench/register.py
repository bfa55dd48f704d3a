"""Benchmark the holdings register at province scale: 10⁶ holdings across 10³ institutions.

    .venv/bin/python bench/register.py [--db sqlite|postgres|both] [--holdings 1000000]
                                       [--institutions 1000] [--repeat 30] [--keep] [--reuse]

Sets up its own database (SQLite under $GUJI_VAR_DIR or /tmp/bench-var; the PostgreSQL database
``guji_bench`` on 127.0.0.1:5432, created and dropped here), migrates, and builds the register in
two steps: the first 10³ holdings, measured as the baseline, then the rest by a bulk path
(executemany on SQLite, COPY on PostgreSQL) with their responsibility statements and a history
row for every row written. Derived fields are filled by ``guji.services.derive`` itself (the
edition parser caches the few thousand distinct statements). Pages are fetched with Django's test
client as a centre reviewer and as cataloguers of one institution; the table gives p50/p95 in ms,
the number of SQL queries per page, and the ratio to the same page with 10³ holdings.
"""

import argparse
import importlib
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from functools import partial
from operator import attrgetter
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = os.environ.get("GUJI_BENCH_PG_NAME", "guji_bench")  # one per developer
BASELINE_HOLDINGS = 1000
REASON = "基准测试数据批量载入（bench/register.py）"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--holdings", type=int, default=1_000_000)
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch", type=int, default=20_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument(
        "--reuse", action="store_true", help="measure a database kept by --keep, without building"
    )
    args = parser.parse_args()
    if args.db == "both":
        argv = [
            f"--holdings={args.holdings}",
            f"--institutions={args.institutions}",
            f"--repeat={args.repeat}",
            f"--warmup={args.warmup}",
            f"--batch={args.batch}",
            *(["--keep"] if args.keep else []),
            *(["--reuse"] if args.reuse else []),
        ]
        for db in ("sqlite", "postgres"):
            subprocess.run([sys.executable, __file__, "--db", db, *argv], check=True)
        return
    Bench(args).run()


# --- database set-up --------------------------------------------------------------------------


def _prepare_environment(db: str, *, fresh: bool) -> str:
    """Point guji.settings at the benchmark's own database (before Django is imported)."""
    os.environ.setdefault("GUJI_VAR_DIR", "/tmp/bench-var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "guji.settings"
    os.environ["GUJI_DEBUG"] = "false"
    sys.path.insert(0, str(ROOT))
    if db == "sqlite":
        var = Path(os.environ["GUJI_VAR_DIR"])
        var.mkdir(parents=True, exist_ok=True)
        path = var / "bench.sqlite3"
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
        return str(path)
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [PG_NAME]).fetchone()
        if fresh or not exists:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_NAME}")
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    return f"{PG_SERVER}/{PG_NAME}"


def _drop_postgres() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_NAME} WITH (FORCE)")


# --- measuring --------------------------------------------------------------------------------


@dataclass
class Scenario:
    label: str
    who: str
    url: str


@dataclass
class Result:
    p50: float
    p95: float
    cpu: float  # p50 of this process's CPU time: less inflated by other load than wall time
    queries: int
    rows: int
    total_text: str


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


_ROW = re.compile(r'href="/holdings/\d+/(?:\?[^"]*)?"')
_TOTAL = re.compile(r'<span class="muted count">([^<]*?)</span>')


def measure(client, url: str, *, repeat: int, warmup: int) -> Result:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        client.get(url)
    times, cpu, counts = [], [], set()
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            start, cpu_start = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - cpu_start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        counts.add(len(ctx.captured_queries))
    html = response.content.decode()
    total = _TOTAL.search(html)
    return Result(
        p50=statistics.median(times),
        cpu=statistics.median(cpu),
        p95=percentile(times, 0.95),
        queries=max(counts),
        rows=len(_ROW.findall(html)),
        total_text=" ".join(total.group(1).split()) if total else "?",
    )


def bare_select_ms(repeat: int) -> float:
    """The floor: the newest 50 rows of the holdings table by one bare SQL query."""
    from django.db import connection

    sql = (
        "SELECT id, title_juan, authors_text, edition_statement FROM guji_holding "
        "ORDER BY id DESC LIMIT 50"
    )
    times = []
    with connection.cursor() as cursor:
        for _ in range(repeat + 3):
            start = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times[3:])


# --- the benchmark ----------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.db = args.db
        self.target = _prepare_environment(self.db, fresh=not args.reuse)

        import django

        django.setup()

    def run(self) -> None:
        from django.core.management import call_command
        from django.db import connection

        from bench.corpus import Corpus
        from guji.models import Holding

        args = self.args
        print(f"== {self.db}: {self.target}", flush=True)
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrate: {time.perf_counter() - started:.1f} s", flush=True)
        baseline: dict[tuple[str, str], Result] = {}
        existing = Holding.objects.count()
        if args.reuse and existing:
            print(f"reusing {existing:,} holdings: no build, no 10³ baseline", flush=True)
            self._load_people()
        else:
            corpus = Corpus(institutions=args.institutions, holdings=args.holdings)
            self._build_people(corpus)
            first = min(BASELINE_HOLDINGS, args.holdings)
            self._build_holdings(corpus, first, start=0)
            self._analyze()
            print(f"-- measuring with {first:,} holdings (baseline)", flush=True)
            baseline = self._measure_all(corpus)
            started = time.perf_counter()
            self._build_holdings(corpus, args.holdings - first, start=first)
            self._analyze()
            print(f"build of {args.holdings - first:,} more: {time.perf_counter() - started:.0f} s")
        print(f"-- measuring with {Holding.objects.count():,} holdings", flush=True)
        results = self._measure_all(None)
        floor = bare_select_ms(args.repeat)
        self._report(results, baseline, floor)
        connection.close()
        if self.db == "postgres" and not args.keep:
            _drop_postgres()
        elif self.db == "sqlite" and not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.target}{suffix}").unlink(missing_ok=True)

    # --- people and institutions ---------------------------------------------------------------

    def _build_people(self, corpus) -> None:
        from simple_history.utils import bulk_create_with_history

        from guji.models import Institution, RoleAssignment, User
        from guji.permissions import grant_role

        started = time.perf_counter()
        self.loader = User.objects.create_user("bench-loader", display_name="批量载入")
        institutions = [
            Institution(
                code=row.code,
                name=row.name,
                short_name=row.short_name,
                region_code="330000",
                type=row.type,
            )
            for row in corpus.institutions()
        ]
        bulk_create_with_history(
            institutions, Institution, default_user=self.loader, default_change_reason=REASON
        )
        self.institution_ids = list(
            Institution.objects.order_by("code").values_list("id", flat=True)
        )
        # The corpus gives institution 0 the most holdings; index 900 is a small one.
        people = [
            ("bench-reviewer", RoleAssignment.Role.REVIEWER, None),
            ("bench-cat-large", RoleAssignment.Role.CATALOGUER, self.institution_ids[0]),
            (
                "bench-cat-small",
                RoleAssignment.Role.CATALOGUER,
                self.institution_ids[min(900, len(self.institution_ids) - 1)],
            ),
        ]
        for username, role, institution_id in people:
            user = User.objects.create_user(username, password="bench")
            institution = Institution.objects.get(pk=institution_id) if institution_id else None
            grant_role(user, role, institution=institution, by=None, reason=REASON)
        print(
            f"{len(institutions):,} institutions and users: {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        self._load_people()

    def _load_people(self) -> None:
        from guji.models import Institution, User

        self.loader = User.objects.get(username="bench-loader")
        self.institution_ids = list(
            Institution.objects.order_by("code").values_list("id", flat=True)
        )
        self.users = {u.username: u for u in User.objects.filter(username__startswith="bench-")}

    # --- holdings ------------------------------------------------------------------------------

    def _build_holdings(self, corpus, n: int, *, start: int) -> None:
        """Holdings ``start`` … ``start + n - 1``: a worker process makes and derives the rows
        while this one writes them."""
        import multiprocessing

        from django.db import connections, transaction

        from guji.cataloguing import role_names
        from guji.models import Binding, Holding, Responsibility, SibuClass

        if n <= 0:
            return
        started = time.perf_counter()
        models = [Holding, Holding.history.model, Responsibility, Responsibility.history.model]
        first_ids = [
            (m.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
            for m in models
        ]
        size = self.args.batch
        specs = [
            (s, min(size, start + n - s), first_ids[0] + s - start, first_ids[1] + s - start)
            for s in range(start, start + n, size)
        ]
        _WORK.update(
            corpus=corpus,
            institution_ids=self.institution_ids,
            sibu=dict(SibuClass.objects.values_list("code", "id")),
            binding=Binding.objects.get(code="xianzhuang").pk,
            plans={m: _Plan(m) for m in models},
            loader=self.loader.pk,
        )
        role_names()  # cached before the fork, so the worker never opens a connection
        connections.close_all()
        resp_ids, resp_hist_ids = first_ids[2], first_ids[3]
        with multiprocessing.get_context("fork").Pool(1) as pool:
            writer = _Writer(suspend=[m._meta.db_table for m in models] if n > 50_000 else [])
            done = 0
            for holdings, holdings_hist, resps, resps_hist in pool.imap(_prepare, specs):
                plan, hist_plan = _WORK["plans"][Responsibility], _WORK["plans"][models[3]]
                for k, (row, hist) in enumerate(zip(resps, resps_hist, strict=True)):
                    row[plan.id_index] = hist[hist_plan.id_index] = resp_ids + k
                    hist[hist_plan.history_id_index] = resp_hist_ids + k
                resp_ids += len(resps)
                resp_hist_ids += len(resps)
                with transaction.atomic():
                    for model, rows in zip(
                        models, (holdings, holdings_hist, resps, resps_hist), strict=True
                    ):
                        writer.send(_WORK["plans"][model], rows)
                done += len(holdings)
                rate = done / (time.perf_counter() - started)
                print(f"\r  {done:,} of {n:,} holdings ({rate:,.0f}/s)", end="", flush=True)
            print(f"\r  rows written in {time.perf_counter() - started:.1f} s          ")
            writer.restore(first_holding_id=first_ids[0])
            writer.finish(models)
        elapsed = time.perf_counter() - started
        print(f"built {n:,} holdings with history in {elapsed:.1f} s", flush=True)

    def _analyze(self) -> None:
        from django.db import connection

        started = time.perf_counter()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM ANALYZE")
            else:
                cursor.execute("ANALYZE")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(f"analyze: {time.perf_counter() - started:.1f} s", flush=True)

    # --- pages ---------------------------------------------------------------------------------

    def scenarios(self) -> list[Scenario]:
        large = self.institution_ids[0]
        return [
            Scenario("first page", "reviewer", "/holdings/"),
            Scenario("明 + 刻本", "reviewer", "/holdings/?dynasty=明&edition_type=刻本"),
            Scenario("one institution", "reviewer", f"/holdings/?institution={large}"),
            Scenario("page 1000", "reviewer", "/holdings/?page=1000"),
            Scenario("q=史记 (0.4%)", "reviewer", "/holdings/?q=史记"),
            Scenario("q=诗集 (4%)", "reviewer", "/holdings/?q=诗集"),
            Scenario("q=松云 (rare)", "reviewer", "/holdings/?q=松云"),
            Scenario("first page", "cat-large", "/holdings/"),
            Scenario("明 + 刻本", "cat-large", "/holdings/?dynasty=明&edition_type=刻本"),
            Scenario("page 1000", "cat-large", "/holdings/?page=1000"),
            Scenario("q=史记 (0.4%)", "cat-large", "/holdings/?q=史记"),
            Scenario("first page", "cat-small", "/holdings/"),
            Scenario("q=史记 (0.4%)", "cat-small", "/holdings/?q=史记"),
        ]

    def _measure_all(self, corpus) -> dict[tuple[str, str], Result]:
        from django.test import Client

        clients = {}
        for who in ("reviewer", "cat-large", "cat-small"):
            clients[who] = Client()
            clients[who].force_login(self.users[f"bench-{who}"])
        results = {}
        for s in self.scenarios():
            r = measure(clients[s.who], s.url, repeat=self.args.repeat, warmup=self.args.warmup)
            results[(s.who, s.label)] = r
            print(
                f"  {s.who:10} {s.label:16} p50 {r.p50:7.1f} ms  p95 {r.p95:7.1f} ms  "
                f"cpu {r.cpu:6.1f} ms  "
                f"{r.queries} queries  {r.rows} rows  [{r.total_text}]",
                flush=True,
            )
        return results

    def _report(self, results, baseline, floor: float) -> None:
        from django.db import connection

        from guji.models import Holding

        n = Holding.objects.count()
        print()
        print(
            f"### {connection.vendor}: {n:,} holdings, {len(self.institution_ids):,} institutions"
        )
        print(f"bare `SELECT … ORDER BY id DESC LIMIT 50`: {floor:.2f} ms (p50)")
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"load average at the end: {load} (on {os.cpu_count()} cores)")
        print()
        print(
            "| user | page | p50 ms | p95 ms | cpu p50 ms | queries | p50 @10³ | ×10³ "
            "| queries @10³ | × bare SELECT | shown |"
        )
        print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for s in self.scenarios():
            r = results[(s.who, s.label)]
            b = baseline.get((s.who, s.label))
            base = f"{b.p50:.1f} | {r.p50 / b.p50:.2f} | {b.queries}" if b else "— | — | —"
            print(
                f"| {s.who} | {s.label} | {r.p50:.1f} | {r.p95:.1f} | {r.cpu:.1f} | {r.queries} "
                f"| {base} "
                f"| {r.p50 / floor:.0f} | {r.total_text} |"
            )
        print(flush=True)


_WORK: dict = {}  # what the worker needs, set before it is forked


class _Plan:
    """How one table's rows are made from objects: columns, and which values need preparing."""

    PREPARED = {"DateTimeField", "DateField", "TimeField", "DecimalField", "JSONField", "UUIDField"}

    def __init__(self, model) -> None:
        from django.db import connections

        connection = connections["default"]  # the real wrapper, not the thread-local proxy
        fields = model._meta.concrete_fields
        self.table = model._meta.db_table
        self.attnames = [f.attname for f in fields]
        self.columns = [connection.ops.quote_name(f.column) for f in fields]
        self.get = attrgetter(*self.attnames)
        self.preps = [
            (i, partial(f.get_db_prep_save, connection=connection))
            for i, f in enumerate(fields)
            if f.get_internal_type() in self.PREPARED
        ]
        self.id_index = self.attnames.index("id")
        self.history_id_index = (
            self.attnames.index("history_id") if "history_id" in self.attnames else None
        )

    def rows(self, objs) -> list[list]:
        out = []
        for obj in objs:
            row = list(self.get(obj))
            for i, prep in self.preps:
                row[i] = prep(row[i])
            out.append(row)
        return out

    def history_rows(self, source: "_Plan", rows: list[list], dates: list, first_id: int):
        """One '+' history row per row of ``source``; ``dates`` are already prepared."""
        where = {name: i for i, name in enumerate(source.attnames)}
        constants = {
            "history_change_reason": REASON,
            "history_type": "+",
            "history_user_id": _WORK["loader"],
        }
        plan = []  # per column: ("row", index), ("id"/"date", None) or ("const", value)
        for name in self.attnames:
            if name in where:
                plan.append(("row", where[name]))
            elif name in ("history_id", "history_date"):
                plan.append((name, None))
            else:
                plan.append(("const", constants[name]))
        out = []
        for k, (row, date) in enumerate(zip(rows, dates, strict=True)):
            values = {"history_id": first_id + k, "history_date": date}
            out.append(
                [
                    row[arg] if kind == "row" else arg if kind == "const" else values[kind]
                    for kind, arg in plan
                ]
            )
        return out


def _prepare(spec: tuple[int, int, int, int]) -> tuple[list, list, list, list]:
    """In the worker: one batch of holdings, derived, as rows for the four tables.

    Statement ids and their history ids are counted from 0 here; the writer shifts them.
    """
    from django.db.models.base import ModelState

    from guji.cataloguing import parse_statements
    from guji.models import Holding, Responsibility
    from guji.services import derive

    start, n, first_id, first_history_id = spec
    work, plans = _WORK, _WORK["plans"]
    # A copy of a default instance's __dict__ is what Model.__init__ would build, at a
    # fraction of the cost; statements need no model instance at all.
    blank = {k: v for k, v in Holding().__dict__.items() if k != "_state"}
    holdings, statements, statement_holding = [], [], []
    for k, row in enumerate(work["corpus"].holdings(n, start=start)):
        holding = Holding.__new__(Holding)
        holding.__dict__.update(
            blank,
            _state=ModelState(),
            id=first_id + k,
            institution_id=work["institution_ids"][row.institution],
            call_number=row.call_number,
            census_number=row.census_number,
            sibu_class_id=work["sibu"].get(row.sibu_code),
            title_juan=row.title_juan,
            edition_statement=row.edition_statement,
            binding_id=work["binding"],
            volumes=row.volumes,
            status=row.status,
            grade=row.grade,
            created_at=row.created_at,
            updated_at=row.created_at,
        )
        parsed = parse_statements(row.authors)
        derive(holding, parsed)
        holdings.append(holding)
        for seq, st in enumerate(parsed, start=1):
            statements.append(
                SimpleNamespace(
                    id=len(statements),
                    holding_id=holding.id,
                    seq=seq,
                    dynasty=st.dynasty,
                    name=st.name,
                    role=st.role,
                    attributed=st.attributed,
                    supplied=st.supplied,
                    written=st.written,
                )
            )
            statement_holding.append(k)
    h_plan, hh_plan = plans[Holding], plans[Holding.history.model]
    r_plan, rh_plan = plans[Responsibility], plans[Responsibility.history.model]
    h_rows = h_plan.rows(holdings)
    created = [row[h_plan.attnames.index("created_at")] for row in h_rows]
    r_rows = r_plan.rows(statements)
    return (
        h_rows,
        hh_plan.history_rows(h_plan, h_rows, created, first_history_id),
        r_rows,
        rh_plan.history_rows(r_plan, r_rows, [created[k] for k in statement_holding], 0),
    )


class _Writer:
    """Rows straight to the driver: executemany on SQLite, COPY on PostgreSQL.

    A large load first drops the tables' plain indexes and builds them again at the end, as
    bulk loads do (constraint indexes stay, so duplicates are still refused). On SQLite it also
    drops the triggers that keep the search grams (migration 0002) and indexes the new rows' grams
    in one statement at the end: per-row triggers made the load four times slower.
    """

    def __init__(self, *, suspend: list[str]) -> None:
        from django.db import connections

        self.connection = connections["default"]
        self.connection.ensure_connection()
        self.vendor = self.connection.vendor
        self.suspended: list[tuple[str, str]] = []
        self.triggers: list[tuple[str, str]] = []
        with self.connection.cursor() as cursor:
            if self.vendor == "sqlite":
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA cache_size=-400000")
            else:  # generated rows are consistent: skip the per-row foreign-key triggers
                cursor.execute("SET session_replication_role = replica")
                cursor.execute("SET synchronous_commit = off")
            if not suspend:
                return
            if self.vendor == "sqlite":
                marks = ", ".join(["%s"] * len(suspend))
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                    f"AND NOT sql LIKE 'CREATE UNIQUE%%' AND tbl_name IN ({marks})",
                    suspend,
                )
            else:
                cursor.execute(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                    "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                    "WHERE t.relname = ANY(%s) AND NOT x.indisunique",
                    [suspend],
                )
            self.suspended = cursor.fetchall()
            for name, _sql in self.suspended:
                cursor.execute(f"DROP INDEX {self.connection.ops.quote_name(name)}")
            if self.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                    f"AND tbl_name IN ({marks})",
                    suspend,
                )
                self.triggers = cursor.fetchall()
                for name, _sql in self.triggers:
                    cursor.execute(f"DROP TRIGGER {self.connection.ops.quote_name(name)}")

    def restore(self, *, first_holding_id: int) -> None:
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, sql in self.suspended:
                cursor.execute(sql)
            if self.triggers:
                grams = importlib.import_module("guji.migrations.0002_holding_search_grams")
                cursor.execute(
                    f"INSERT INTO {grams.FTS} (rowid, grams) "
                    f"SELECT id, {grams._sqlite_grams('search_key')} FROM guji_holding "
                    "WHERE id >= %s",
                    [first_holding_id],
                )
                for _name, sql in self.triggers:
                    cursor.execute(sql)
        if self.suspended:
            what = f"{len(self.suspended)} indexes" + (
                " and the search grams" if self.triggers else ""
            )
            print(f"  {what} rebuilt in {time.perf_counter() - started:.1f} s")

    def send(self, plan: _Plan, rows: list) -> None:
        cols = ", ".join(plan.columns)
        if self.vendor == "postgresql":
            with (
                self.connection.cursor() as cursor,
                cursor.copy(f"COPY {plan.table} ({cols}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" * len(plan.columns))
            self.connection.connection.executemany(
                f"INSERT INTO {plan.table} ({cols}) VALUES ({marks})", rows
            )

    def finish(self, models: list) -> None:
        from django.core.management.color import no_style

        if self.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                for sql in self.connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
                cursor.execute("SET session_replication_role = DEFAULT")
                cursor.execute("SET synchronous_commit = DEFAULT")


if __name__ == "__main__":
    main()
