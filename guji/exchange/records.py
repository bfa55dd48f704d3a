"""One reading of a holding for every exchange format (MARC 21, CNMARC, Dublin Core).

The formats differ in where they put things, not in what a holding says: ``describe`` reads a
holding once into a ``Description`` (plain strings, in catalogue order) and each writer maps it.
The mapping is documented in docs/exchange.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import translation

from guji import editions
from guji.chinese import write_number
from guji.models import Grade, Holding, Responsibility

# 抄本, 稿本 and 写本 are manuscripts (MARC 21 leader/06 "t"), everything else printed text.
MANUSCRIPT_TYPES = ("抄", "稿本", "写本", "寫本")


@dataclass(frozen=True)
class Person:
    name: str
    dynasty: str  # as catalogued, without brackets: 汉
    role: str  # 著作方式: 撰, 注 …; 题撰 for an attributed author
    supplied: bool  # supplied by the cataloguer (written in ［ ］ in the catalogue)


@dataclass(frozen=True)
class Description:
    pk: int
    identifier: str  # the census number when allocated, else "guji-<pk>"
    census_number: str
    title: str
    juan: str  # 一百三十卷, the count after the title; empty for 不分卷 or unknown
    title_juan: str
    responsibility: str  # the catalogue form of all statements: （漢）司馬遷撰
    people: tuple[Person, ...]
    edition_statement: str
    edition_type: str
    publisher: str  # the maker or place the statement names before the type (武英殿)
    date_text: str  # 清乾隆四年（1739）
    year: int | None
    extent: str  # 24册
    cases: int | None
    extent_note: str
    binding: str
    layout: str
    series: str
    extant: str
    annotations: str
    seals: tuple[str, ...]
    notes: str
    sibu: str  # 史部·正史类·方志
    grade_code: str
    grade: str  # 一级甲等
    call_number: str
    institution: str
    institution_code: str
    region_code: str
    manuscript: bool
    created: datetime
    modified: datetime
    warnings: tuple[str, ...] = field(default=())


def for_exchange(holdings: QuerySet[Holding]) -> QuerySet[Holding]:
    """The holdings with what ``describe`` reads, in a fixed number of queries."""
    return holdings.select_related("institution", "sibu_class", "binding").prefetch_related(
        Prefetch("responsibilities", queryset=Responsibility.objects.order_by("seq", "id"))
    )


def grade_text(code: str) -> str:
    """一级甲等 for "1A": the Chinese the grade's label carries in brackets."""
    if not code:
        return ""
    with translation.override(None):
        label = str(Grade(code).label)
    found = re.search(r"\(([^,)]+)", label)
    return found.group(1) if found else label


def date_text(holding: Holding) -> str:
    """清乾隆四年（1739）, from the edition as read; empty when undated."""
    era = ""
    if holding.edition_era:
        n = holding.edition_era_year
        era = holding.edition_era + (("元" if n == 1 else write_number(n)) + "年" if n else "")
    text = f"{holding.edition_dynasty}{era}"
    if holding.edition_year is not None:
        text += f"（{holding.edition_year}）" if text else str(holding.edition_year)
    return text


def _people(rows: Iterable[Responsibility]) -> tuple[Person, ...]:
    rows = [r for r in rows if r.name]
    people: list[Person] = []
    for i, r in enumerate(rows):
        # an empty role is shared with the next statement: （清）王念孫、王引之撰
        role = r.role or next((later.role for later in rows[i + 1 :] if later.role), "")
        people.append(
            Person(
                name=r.name,
                dynasty=r.dynasty,
                role=("题" + role) if r.attributed else role,
                supplied=r.supplied,
            )
        )
    return tuple(people)


def describe(holding: Holding) -> Description:
    title = holding.title or holding.title_juan
    juan = ""
    if holding.title_juan.startswith(title):
        juan = holding.title_juan[len(title) :].strip()
    edition_type = holding.edition_type
    volumes = f"{holding.volumes}{holding.volume_unit}"
    return Description(
        pk=holding.pk,
        identifier=holding.census_number or f"guji-{holding.pk}",
        census_number=holding.census_number,
        title=title,
        juan=juan,
        title_juan=holding.title_juan,
        responsibility=holding.authors_text,
        people=_people(holding.responsibilities.all()),
        edition_statement=holding.edition_statement,
        edition_type=edition_type,
        publisher=editions.parse(holding.edition_statement or "").publisher or "",
        date_text=date_text(holding),
        year=holding.edition_year,
        extent=volumes,
        cases=holding.cases,
        extent_note=holding.extent_note,
        binding=holding.binding.name if holding.binding_id else "",
        layout=holding.layout,
        series=holding.series,
        extant=holding.extant,
        annotations=holding.annotations,
        seals=tuple(line.strip() for line in holding.seals.splitlines() if line.strip()),
        notes=holding.notes,
        sibu=_sibu(holding),
        grade_code=holding.grade,
        grade=grade_text(holding.grade),
        call_number=holding.call_number,
        institution=holding.institution.name,
        institution_code=holding.institution.code,
        region_code=holding.institution.region_code,
        manuscript=any(t in edition_type for t in MANUSCRIPT_TYPES),
        created=holding.created_at,
        modified=holding.updated_at,
    )


def _sibu(holding: Holding) -> str:
    if not holding.sibu_class_id:
        return ""
    text = str(holding.sibu_class)
    return f"{text}·{holding.sibu_subdivision}" if holding.sibu_subdivision else text


def full_extent(d: Description) -> str:
    """24册（4函）1夾: the extent as one statement."""
    text = d.extent
    if d.cases:
        text += f"（{d.cases}函）"
    return f"{text} {d.extent_note}".strip() if d.extent_note else text
