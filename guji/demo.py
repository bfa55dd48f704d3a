"""Demo data: six institutions of an invented city, their staff and about 400 holdings.

The data lives in ``fixtures/demo/`` (its README says what is real and what is invented).
Holdings are generated from a curated list of real works and edition patterns with a fixed
seed, so every run builds the same records; ``holding_specs()`` needs no database.

``load_demo()`` builds the register's part (institutions, users and their roles, holdings as
drafts) and then asks each app for its part through ``guji.registry.demo_parts()``: the census
takes the holdings a spec marks as submitted, returned or registered through its workflow, and
the register grades what ended registered (``grades``, after the census). Everything is written
through the domain functions (``create_holding``, ``grant_role``, ``save_audited`` …), so every row
has history with a user and a reason; each part skips what is already there by natural key.
"""

import csv
import math
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from guji import editions, registry
from guji.cataloguing import parse_statements, parse_title_juan
from guji.chinese import to_simplified, write_number
from guji.history import save_audited
from guji.models import Binding, Grade, Holding, Institution, RoleAssignment, SibuClass, User
from guji.permissions import CENTRE_ROLES, grant_role
from guji.services import create_holding, update_holding

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "demo"
SEED = 1912
REASON = "演示数据载入"
GRADE_REASON = "演示数据载入：定级"


def fixture_rows(name: str) -> list[dict[str, str]]:
    """The rows of ``fixtures/demo/<name>`` (a CSV file), for the apps' demo parts too."""
    with open(FIXTURES / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


_rows = fixture_rows


def cn_number(n: int) -> str:
    """1 → 一, 16 → 十六, 106 → 一百六, 210 → 二百十, 416 → 四百十六 (catalogue style)."""
    return write_number(n, terse=True)


def _era_year(n: int) -> str:
    return "元年" if n == 1 else f"{cn_number(n)}年"


# --- dating an edition statement --------------------------------------------------------------

_DYNASTY_SPANS = {
    "宋": (960, 1279),
    "北宋": (960, 1127),
    "南宋": (1127, 1279),
    "金": (1115, 1234),
    "元": (1271, 1368),
    "明": (1368, 1644),
    "清": (1644, 1911),
    "民国": (1912, 1949),
}
_QUALIFIED = {("明", "末"): (1600, 1644), ("清", "初"): (1644, 1700), ("清", "末"): (1862, 1911)}


@cache
def _reign_spans() -> dict[tuple[str, str], tuple[int, int]]:
    spans: dict[tuple[str, str], tuple[int, int]] = {}
    for r in editions.reigns():
        dynasty = {"北宋": "宋", "南宋": "宋", "南明": "明"}.get(r.dynasty, r.dynasty)
        lo, hi = spans.get((dynasty, r.era), (r.start_year, r.end_year))
        spans[(dynasty, r.era)] = (min(lo, r.start_year), max(hi, r.end_year))
    return spans


def edition_span(statement: str) -> tuple[int, int]:
    """Earliest and latest year an edition statement allows (the year itself when stated)."""
    e = editions.parse(statement)
    if e.year:
        return e.year, e.year
    if e.era:
        lo, hi = _reign_spans()[(e.dynasty, e.era)]
        if e.end_era:
            hi = _reign_spans()[(e.dynasty, e.end_era)][1]
        return lo, hi
    if (e.dynasty, e.qualifier) in _QUALIFIED:
        return _QUALIFIED[(e.dynasty, e.qualifier)]
    return _DYNASTY_SPANS[e.dynasty or "清"]


_SPECIAL_PRINTS = {"套印本", "铜活字印本", "木活字印本", "活字本"}


def suggested_grade(statement: str, *, annotated: bool) -> str:
    """A grade a grader could give, after grading.md §2.5, judged on the latest possible date."""
    lo, hi = edition_span(statement)
    e = editions.parse(statement)
    if lo >= 1912:
        return ""
    if hi <= 1127:
        return Grade.L1A
    if hi <= 1368:
        return Grade.L1B
    if hi <= 1644 and e.edition_type in _SPECIAL_PRINTS:
        return Grade.L1C
    if hi <= 1521:
        return Grade.L2A
    if hi <= 1572:
        return Grade.L2B
    if hi <= 1644:
        return Grade.L3A
    if hi <= 1795:
        notable = annotated or e.publisher in ("內府", "内府", "武英殿")
        notable = notable or e.edition_type in ("影刻本", "套印本")
        return Grade.L2C if notable else Grade.L3B
    return Grade.L3C if annotated or e.edition_type == "稿本" else Grade.L4


# --- the curated data -------------------------------------------------------------------------


@dataclass(frozen=True)
class Work:
    sibu: str
    title_juan: str
    authors: str
    since: int  # no edition before this year
    kind: str  # "" | "fixed" (only the listed editions) | "buddhist"
    editions: tuple[tuple[str, str], ...]  # (statement, series)

    @property
    def juan(self) -> int | None:
        return parse_title_juan(self.title_juan)[1]


@dataclass(frozen=True)
class Template:
    scope: str
    dynasty: str
    eras: tuple[str, ...]
    dated: str  # "year", "era" or ""
    makers: tuple[str, ...]
    type: str
    start: int
    end: int
    weight: float


@dataclass(frozen=True)
class Mark:
    kind: str  # "seal" or "annotation"
    text: str
    until: int  # the owner or annotator could not have had a book printed later


@dataclass
class HoldingSpec:
    institution_code: str
    data: dict
    authors: str
    sibu: str
    binding: str
    status: str = Holding.Status.DRAFT
    grade: str = ""
    review: tuple[str, dict[str, str]] = ("", {})  # a returned entry's comment, field comments


@cache
def works() -> tuple[Work, ...]:
    out = []
    for r in _rows("works.csv"):
        eds = []
        for item in filter(None, r["editions"].split("|")):
            statement, _, series = item.partition("@")
            eds.append((statement, series))
        out.append(
            Work(r["sibu"], r["title_juan"], r["authors"], int(r["since"]), r["kind"], tuple(eds))
        )
    return tuple(out)


@cache
def templates() -> tuple[Template, ...]:
    return tuple(
        Template(
            r["scope"],
            r["dynasty"],
            tuple(r["eras"].split()),
            r["dated"],
            tuple(r["makers"].split()),
            r["type"],
            int(r["from"]),
            int(r["to"]),
            float(r["weight"]),
        )
        for r in _rows("editions.csv")
    )


@cache
def marks() -> tuple[Mark, ...]:
    return tuple(Mark(r["kind"], r["text"], int(r["until"])) for r in _rows("marks.csv"))


def institution_rows() -> list[dict[str, str]]:
    return _rows("institutions.csv")


def user_rows() -> list[dict[str, str]]:
    return _rows("users.csv")


# --- generating holdings ----------------------------------------------------------------------


def _render(t: Template, since: int, rng: random.Random) -> str | None:
    """One edition statement from a template, dated no earlier than ``since``; None if none fits."""
    lo = max(t.start, since)
    if lo > t.end:
        return None
    maker = rng.choice(t.makers) if t.makers else ""
    if t.dynasty == "民國":
        if t.dated != "year":
            return f"民國{maker}{t.type}"
        year = rng.randint(lo, t.end)
        return f"民國{_era_year(year - 1911)}（{year}）{maker}{t.type}"
    if not t.eras:
        return f"{t.dynasty}{maker}{t.type}"
    fitting = []
    for era in t.eras:
        start, end = _reign_spans()[(t.dynasty, to_simplified(era))]
        if max(start, lo) <= min(end, t.end):
            fitting.append((era, max(start, lo), min(end, t.end), start))
    if not fitting:
        return None
    era, first, last, start = rng.choice(fitting)
    if t.dated != "year":
        return f"{t.dynasty}{era}{maker}{t.type}"
    year = rng.randint(first, last)
    return f"{t.dynasty}{era}{_era_year(year - start + 1)}（{year}）{maker}{t.type}"


def _weights(prefs: str) -> list[tuple[str, float]]:
    pairs = [p.split("=") for p in prefs.split()]
    return sorted(((k, float(v)) for k, v in pairs), key=lambda kv: -len(kv[0]))


def _work_weight(work: Work, prefs: list[tuple[str, float]]) -> float:
    for prefix, weight in prefs:
        if work.sibu.startswith(prefix):
            return weight
    return 1.0


def _edition_candidates(
    work: Work, rare_bias: float, rng: random.Random
) -> list[tuple[str, str, float]]:
    """(statement, series, weight): the work's known editions, then plausible generic ones."""
    out = []
    for statement, series in work.editions:
        out.append((statement, series, 10.0))
    if work.kind != "fixed":
        scope = "buddhist" if work.kind == "buddhist" else "general"
        for t in templates():
            if t.scope == scope and (statement := _render(t, work.since, rng)):
                out.append((statement, "", t.weight))
    return [
        (s, series, w * (rare_bias if edition_span(s)[1] <= 1644 else 1.0)) for s, series, w in out
    ]


def _extant(juan: int, rng: random.Random) -> tuple[str, int]:
    """An incomplete copy's 存卷: ``存四卷（十六至十九）``, and how many juan that is."""
    parts, kept = [], 0
    start = rng.randint(1, max(1, juan // 2))
    for _ in range(rng.choice((1, 1, 1, 2))):
        if start > juan:
            break
        length = rng.randint(1, max(1, min(juan - start + 1, juan // 3)))
        end = start + length - 1
        parts.append(cn_number(start) if length == 1 else f"{cn_number(start)}至{cn_number(end)}")
        kept += length
        start = end + 1 + rng.randint(2, max(2, juan // 5))
    return f"存{cn_number(kept)}卷（{'、'.join(parts)}）", kept


def _layout(statement: str, rng: random.Random) -> str:
    hi = edition_span(statement)[1]
    mouth = (
        rng.choice(("黑口", "細黑口", "白口"))
        if hi <= 1572
        else rng.choice(("白口",) * 4 + ("細黑口",))
    )
    small = (
        "小字雙行同，" if rng.random() < 0.5 else f"小字雙行{cn_number(rng.randint(20, 26))}字，"
    )
    return (
        f"半葉{cn_number(rng.randint(8, 13))}行，行{cn_number(rng.randint(17, 26))}字，{small}"
        f"{mouth}，{rng.choice(('四周雙邊', '左右雙邊', '四周單邊'))}，"
        f"{rng.choice(('單魚尾', '雙魚尾', '單黑魚尾', '雙順黑魚尾'))}。"
        f"框高{rng.randint(170, 235) / 10:.1f}釐米，寬{rng.randint(120, 165) / 10:.1f}釐米。"
    )


_REVIEW_COMMENTS = (
    ("版本项年代请据牌记核对。", {"edition_statement": "牌记所署年份与著录不一致。"}),
    ("册数与实物不符，请复核。", {"volumes": "请逐册清点后重填。"}),
    ("请补录钤印。", {"seals": "首叶钤印未著录。"}),
    ("存卷著录不规范。", {"extant": "请按“存N卷（起至止）”著录。"}),
    ("请补充版式。", {"layout": "行款、边栏、版心未著录。"}),
)
_NOTES = (
    "书衣有旧题签。",
    "卷首有牌记。",
    "部分书叶虫蛀，待定损。",
    "首册书衣脱落。",
    "书根墨书书名及册次。",
    "函套为后配。",
)


def _one_holding(
    work: Work, statement: str, series: str, inst: dict[str, str], rng: random.Random
) -> HoldingSpec:
    lo, hi = edition_span(statement)
    juan = work.juan
    if juan:
        volumes = max(1, min(300, math.ceil(juan / rng.choice((1, 2, 2, 3, 4, 4, 5, 6, 8)))))
    else:
        volumes = rng.randint(60, 240) if work.sibu.startswith("C") else rng.randint(2, 12)
    extant = ""
    if juan and juan >= 6 and rng.random() < 0.12:
        extant, kept = _extant(juan, rng)
        volumes = max(1, round(volumes * kept / juan))
    annotations = ""
    possible = [m for m in marks() if m.kind == "annotation" and lo <= m.until]
    if possible and hi <= 1911 and rng.random() < 0.08:
        annotations = rng.choice(possible).text
    seals = []
    if rng.random() < 0.55:
        collectors = [m.text for m in marks() if m.kind == "seal" and lo <= m.until]
        seals = rng.sample(collectors, k=min(len(collectors), rng.choice((0, 1, 1, 2))))
        if rng.random() < 0.85:
            seals.append(inst["seal"])
    e = editions.parse(statement)
    binding = "xianzhuang"
    if work.kind == "buddhist" and e.edition_type in ("刻本", "写本") and rng.random() < 0.6:
        binding = "jingzhe"
    elif hi <= 1572 and rng.random() < 0.3:
        binding = "jinxiangyu"
    data = {
        "title_juan": work.title_juan,
        "edition_statement": statement,
        "series": series,
        "volumes": volumes,
        "cases": math.ceil(volumes / rng.choice((4, 6, 8, 10)))
        if volumes >= 4 and rng.random() < 0.45
        else None,
        "extant": extant,
        "annotations": annotations,
        "seals": "\n".join(seals),
        "layout": _layout(statement, rng)
        if e.edition_type in ("刻本", "影刻本", "翻刻本", "套印本", "铜活字印本", "木活字印本")
        and rng.random() < 0.35
        else "",
        "notes": rng.choice(_NOTES) if rng.random() < 0.08 else "",
    }
    spec = HoldingSpec(
        institution_code=inst["code"],
        data=data,
        authors=work.authors,
        sibu=work.sibu,
        binding=binding,
    )
    draw = rng.random()
    if lo >= 1912 or draw >= 0.48:  # the census registers 古籍 only: 民國 books stay drafts
        return spec
    if draw < 0.42:
        spec.status = Holding.Status.REGISTERED
        annotated = bool(annotations)
        if hi <= 1795 or annotated or e.edition_type == "稿本" or rng.random() < 0.5:
            spec.grade = suggested_grade(statement, annotated=annotated)
    elif draw < 0.46:
        spec.status = Holding.Status.SUBMITTED
    else:
        spec.status = Holding.Status.RETURNED
        spec.review = rng.choice(_REVIEW_COMMENTS)
    return spec


def _showcase(inst: dict[str, str]) -> list[HoldingSpec]:
    """The hand-picked holdings the demo's stories need (a 宋 edition, a 稿本, a 存卷 …)."""
    by_title = {w.title_juan: w for w in works()}
    out = []
    for r in _rows("showcase.csv"):
        if r["institution_code"] != inst["code"]:
            continue
        work = by_title[r["title_juan"]]
        statement, annotations = r["edition_statement"], r["annotations"]
        status = r["status"] or Holding.Status.DRAFT
        data = {
            "title_juan": work.title_juan,
            "edition_statement": statement,
            "series": "",
            "volumes": int(r["volumes"]),
            "cases": int(r["cases"]) if r["cases"] else None,
            "extant": r["extant"],
            "annotations": annotations,
            "seals": "\n".join(filter(None, r["seals"].split("|"))),
            "layout": "",
            "notes": "",
        }
        registered = status == Holding.Status.REGISTERED
        grade = suggested_grade(statement, annotated=bool(annotations)) if registered else ""
        out.append(
            HoldingSpec(
                institution_code=inst["code"],
                data=data,
                authors=work.authors,
                sibu=work.sibu,
                binding=r["binding"],
                status=status,
                grade=r["grade"] or grade,
            )
        )
    return out


def _is_rare(spec: HoldingSpec) -> bool:
    """Shelved as 善本: before 1796, or annotated, or a manuscript (the usual library practice)."""
    statement = spec.data["edition_statement"]
    e = editions.parse(statement)
    return (
        edition_span(statement)[1] <= 1795
        or bool(spec.data["annotations"])
        or e.edition_type == "稿本"
    )


def holding_specs() -> list[HoldingSpec]:
    """The demo holdings, the same on every call: call numbers and shelves included."""
    return [replace(s, data=dict(s.data)) for s in _holding_specs()]


@cache
def _holding_specs() -> tuple[HoldingSpec, ...]:
    rng = random.Random(SEED)
    specs: list[HoldingSpec] = []
    sibu_order = {w.sibu: i for i, w in enumerate(sorted(works(), key=lambda w: w.sibu))}
    for inst in institution_rows():
        prefs = _weights(inst["preferences"])
        pool = [(w, _work_weight(w, prefs)) for w in works()]
        pool = [(w, wt) for w, wt in pool if wt > 0]
        mine = _showcase(inst)
        seen = {(s.data["title_juan"], s.data["edition_statement"]) for s in mine}
        while len(mine) < int(inst["holdings"]):
            work = rng.choices([w for w, _ in pool], [wt for _, wt in pool])[0]
            candidates = _edition_candidates(work, float(inst["rare_bias"]), rng)
            statement, series, _ = rng.choices(candidates, [c[2] for c in candidates])[0]
            if (work.title_juan, statement) in seen and rng.random() < 0.9:
                continue  # a second copy of the same edition happens, but rarely
            seen.add((work.title_juan, statement))
            mine.append(_one_holding(work, statement, series, inst, rng))
        mine.sort(key=lambda s: (not _is_rare(s), sibu_order[s.sibu]))
        numbers: Counter[str] = Counter()
        for spec in mine:
            rare = _is_rare(spec)
            pattern = inst["call_rare"] if rare else inst["call_common"]
            numbers[pattern] += 1
            spec.data["call_number"] = pattern.format(numbers[pattern])
            store = inst["store_rare"] if rare else inst["store_common"]
            spec.data["storage_location"] = (
                f"{store} {rng.randint(1, 24):02d}柜第{rng.randint(1, 6)}层"
                if rare
                else f"{store} {rng.randint(1, 40)}排{rng.randint(1, 8)}架第{rng.randint(1, 7)}层"
            )
        specs.extend(mine)
    return tuple(specs)


# --- loading ----------------------------------------------------------------------------------


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    existing: Counter = field(default_factory=Counter)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # username, password, who
    parts: dict[str, dict[str, int]] = field(default_factory=dict)  # an app's part: what it made

    @property
    def nothing_new(self) -> bool:
        return not any(self.created.values()) and not any(
            any(made.values()) for made in self.parts.values()
        )


_INSTITUTION_FIELDS = (
    "name",
    "short_name",
    "type",
    "region_code",
    "address",
    "contact_person",
    "contact_phone",
    "contact_email",
    "key_protection",
    "key_protection_batch",
    "notes",
)


@transaction.atomic
def load_demo() -> LoadReport:
    """The register's part of the demo city, then each app's part (``registry.demo_parts()``)."""
    report = LoadReport()
    admin = _load_users(report, only_admin=True)
    institutions = _load_institutions(admin, report)
    _load_users(report, admin=admin, institutions=institutions)
    _load_holdings(institutions, report)
    for part in registry.demo_parts():
        report.parts[part.key] = dict(part.load())
    for row in user_rows():
        role = str(RoleAssignment.Role(row["role"]).label)
        if row["institution_code"]:
            role += f" · {institutions[row['institution_code']].short_name}"
        if row["superuser"] == "yes":
            role += " (superuser)"
        report.accounts.append((row["username"], row["password"], f"{row['display_name']}，{role}"))
    return report


def demo_user(username: str) -> User:
    return User.objects.get(username=username)


def demo_admin() -> User:
    """The superuser the demo data is loaded as (the first row of users.csv marked superuser)."""
    return demo_user(next(r["username"] for r in user_rows() if r["superuser"] == "yes"))


def demo_holdings(*, status: str | None = None) -> list[tuple[HoldingSpec, Holding]]:
    """The loaded demo holdings and their specs, in call-number order per institution.

    ``status`` keeps the holdings currently in that state (an app's part picks what it has not
    taken further yet, so running it again adds nothing).
    """
    holdings = Holding.objects.filter(institution__code__in=[r["code"] for r in institution_rows()])
    if status is not None:
        holdings = holdings.filter(status=status)
    by_key = {
        (h.institution.code, h.call_number): h for h in holdings.select_related("institution")
    }
    out = []
    for spec in holding_specs():
        holding = by_key.get((spec.institution_code, spec.data["call_number"]))
        if holding is not None:
            out.append((spec, holding))
    return out


def _load_users(
    report: LoadReport,
    *,
    only_admin: bool = False,
    admin: User | None = None,
    institutions: dict[str, Institution] | None = None,
) -> User:
    for row in user_rows():
        superuser = row["superuser"] == "yes"
        if superuser != only_admin:
            continue
        user = User.objects.filter(username=row["username"]).first()
        if user is not None:
            report.existing["users"] += 1
            if superuser:
                admin = user
            continue
        institution = institutions[row["institution_code"]] if row["institution_code"] else None
        user = User(
            username=row["username"],
            display_name=row["display_name"],
            email=row["email"],
            institution=institution,
            is_superuser=superuser,
            is_staff=superuser,
        )
        user.password = _password_hash(row["password"])
        # The first administrator is recorded as creating itself: nobody else exists yet.
        save_audited(user, by=admin or user, reason=REASON)
        role = row["role"]
        grant_role(
            user,
            role,
            institution=None if role in CENTRE_ROLES else institution,
            by=admin or user,
            reason=REASON,
        )
        report.created["users"] += 1
        if superuser:
            admin = user
    if admin is None:
        raise ValueError("users.csv names no superuser to load the demo data as.")
    return admin


@cache
def _password_hash(password: str) -> str:
    """One hash per demo password: hashing is slow on purpose, and these passwords are public."""
    return make_password(password)


def _load_institutions(admin: User, report: LoadReport) -> dict[str, Institution]:
    out = {}
    for row in institution_rows():
        inst = Institution.objects.filter(code=row["code"]).first()
        if inst is None:
            inst = Institution(code=row["code"], **{f: row[f] for f in _INSTITUTION_FIELDS})
            inst.full_clean()
            save_audited(inst, by=admin, reason=REASON)
            report.created["institutions"] += 1
        else:
            report.existing["institutions"] += 1
        out[row["code"]] = inst
    return out


def _load_holdings(institutions: dict[str, Institution], report: LoadReport) -> None:
    """Every demo holding, as a draft catalogued by its institution's first cataloguer."""
    cataloguers: dict[str, str] = {}
    for row in user_rows():
        if row["role"] == RoleAssignment.Role.CATALOGUER:
            cataloguers.setdefault(row["institution_code"], row["username"])
    users = {u.username: u for u in User.objects.filter(username__in=cataloguers.values())}
    sibu = {c.code: c for c in SibuClass.objects.all()}
    bindings = {b.code: b for b in Binding.objects.all()}
    have = set(
        Holding.objects.filter(institution__in=institutions.values()).values_list(
            "institution__code", "call_number"
        )
    )
    for spec in holding_specs():
        if (spec.institution_code, spec.data["call_number"]) in have:
            report.existing["holdings"] += 1
            continue
        data = {**spec.data, "sibu_class": sibu[spec.sibu], "binding": bindings[spec.binding]}
        create_holding(
            institution=institutions[spec.institution_code],
            data=data,
            statements=parse_statements(spec.authors),
            by=users[cataloguers[spec.institution_code]],
            reason=REASON,
        )
        report.created["holdings"] += 1


def load_grades() -> dict[str, int]:
    """The register's grading of the demo holdings that ended registered (after the census)."""
    admin, graded = demo_admin(), 0
    for spec, holding in demo_holdings(status=Holding.Status.REGISTERED):
        if spec.grade and not holding.grade:
            update_holding(holding, data={"grade": spec.grade}, by=admin, reason=GRADE_REASON)
            graded += 1
    return {"graded": graded}
