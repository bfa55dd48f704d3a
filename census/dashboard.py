"""A campaign's progress: per institution, records by state against the estimate, and the queue.

A record counts toward a campaign once its census entry belongs to it; while the campaign is
open, a participating institution's drafts (never submitted, so no entry yet) count too.
Four queries, whatever the number of institutions.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum
from django.utils import timezone

from census.models import Campaign, CensusEntry, Participation
from census.review import AGE_BUCKETS, AgeBucket, bucket_filters
from guji.models import Holding, Institution, User
from guji.permissions import scope_filter

STATES = (
    Holding.Status.REGISTERED,
    Holding.Status.SUBMITTED,
    Holding.Status.RETURNED,
    Holding.Status.DRAFT,
)


@dataclass
class Segment:
    status: str
    label: str
    count: int
    percent: float  # of the row's scale, for the bar
    start: float = 0.0  # where the segment begins, in percent of the scale

    @property
    def width(self) -> str:
        """The SVG width in the bar's 0–100 units, never localised (no decimal comma)."""
        return f"{self.percent:.2f}"

    @property
    def x(self) -> str:
        return f"{self.start:.2f}"


@dataclass
class Row:
    institution: Institution | None  # None for the totals row
    estimate: int
    counts: dict[str, int]
    queue: dict[str, int]
    segments: list[Segment] = field(default_factory=list)
    estimate_percent: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def registered_percent(self) -> int:
        registered = self.counts.get(Holding.Status.REGISTERED, 0)
        return round(100 * registered / self.estimate) if self.estimate else 0

    @property
    def queue_total(self) -> int:
        return sum(self.queue.values())

    @property
    def estimate_x(self) -> str:
        return f"{self.estimate_percent:.2f}"

    def queue_cells(self) -> list[tuple[AgeBucket, int]]:
        return [(b, self.queue.get(b.key, 0)) for b in AGE_BUCKETS]


def campaign_progress(campaign: Campaign, user: User) -> tuple[list[Row], Row]:
    """One row per participating institution the user may see, and the totals row."""
    participations = list(
        Participation.objects.filter(scope_filter(user, "view", "institution"), campaign=campaign)
        .select_related("institution")
        .order_by("institution__code")
    )
    return progress_of_participations(campaign, participations)


def progress_of_participations(campaign: Campaign, participations: list) -> tuple[list[Row], Row]:
    """The rows of ``participations`` (of ``campaign``, with their institutions) and totals."""
    ids = [p.institution_id for p in participations]
    counts: dict[int, dict[str, int]] = {i: {} for i in ids}
    in_campaign = (
        Holding.objects.filter(institution_id__in=ids, census_entry__campaign=campaign)
        .order_by()
        .values_list("institution_id", "status")
        .annotate(n=Count("id"))
    )
    for institution_id, status, n in in_campaign:
        counts[institution_id][status] = n
    if campaign.is_open:
        drafts = (
            Holding.objects.filter(institution_id__in=ids, status=Holding.Status.DRAFT)
            .order_by()
            .values_list("institution_id")
            .annotate(n=Count("id"))
        )
        for institution_id, n in drafts:
            counts[institution_id][Holding.Status.DRAFT] = (
                counts[institution_id].get(Holding.Status.DRAFT, 0) + n
            )
    queue: dict[int, dict[str, int]] = {i: {} for i in ids}
    buckets = {key: Count("id", filter=q) for key, q in bucket_filters(now=timezone.now()).items()}
    waiting = (
        CensusEntry.objects.filter(
            institution_id__in=ids, campaign=campaign, holding__status=Holding.Status.SUBMITTED
        )
        .order_by()
        .values("institution_id")
        .annotate(**buckets)
    )
    for row in waiting:
        queue[row["institution_id"]] = {b.key: row[b.key] for b in AGE_BUCKETS}

    rows = [
        Row(p.institution, p.estimated_holdings, counts[p.institution_id], queue[p.institution_id])
        for p in participations
    ]
    totals = Row(
        None,
        sum(r.estimate for r in rows),
        {s: sum(r.counts.get(s, 0) for r in rows) for s in STATES},
        {b.key: sum(r.queue.get(b.key, 0) for r in rows) for b in AGE_BUCKETS},
    )
    for row in [*rows, totals]:  # each bar is the institution's own progress to its estimate
        _bars(row, max(1, row.estimate, row.total))
    return rows, totals


def _bars(row: Row, scale: int) -> None:
    labels = dict(Holding.Status.choices)
    row.segments = [
        Segment(s, labels[s], row.counts.get(s, 0), 100 * row.counts.get(s, 0) / scale)
        for s in STATES
        if row.counts.get(s, 0)
    ]
    start = 0.0
    for segment in row.segments:
        segment.start = start
        start += segment.percent
    row.estimate_percent = 100 * row.estimate / scale


def campaigns_visible_to(user: User):
    """Campaigns with at least one participating institution the user may see."""
    visible = Participation.objects.filter(scope_filter(user, "view", "institution"))
    return Campaign.objects.filter(pk__in=visible.values("campaign_id"))


def campaign_summaries(campaigns, user: User) -> dict[int, dict[str, int]]:
    """Institutions, estimate and registered records per campaign, in two queries."""
    ids = [c.pk for c in campaigns]
    scope = scope_filter(user, "view", "institution")
    out = {i: {"institutions": 0, "estimate": 0, "registered": 0, "waiting": 0} for i in ids}
    for campaign_id, n, estimate in (
        Participation.objects.filter(scope, campaign_id__in=ids)
        .order_by()
        .values_list("campaign_id")
        .annotate(n=Count("id"), estimate=Sum("estimated_holdings"))
    ):
        out[campaign_id].update(institutions=n, estimate=estimate or 0)
    for campaign_id, registered, waiting in (
        CensusEntry.objects.filter(scope, campaign_id__in=ids)
        .order_by()
        .values_list("campaign_id")
        .annotate(
            registered=Count("id", filter=Q(holding__status=Holding.Status.REGISTERED)),
            waiting=Count("id", filter=Q(holding__status=Holding.Status.SUBMITTED)),
        )
    ):
        out[campaign_id].update(registered=registered, waiting=waiting)
    return out
