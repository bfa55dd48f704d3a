"""The census's section of the period report: each campaign under way in the period, its
progress per institution against the estimates (the campaign page's figures, citywide)."""

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from census.dashboard import STATES, progress_of_participations
from census.models import Campaign, CensusEntry, Participation
from guji.models import Holding
from guji.reports.tables import Column, Table, share


def campaign_table(campaign: Campaign, period, scope) -> Table:
    participations = list(
        scope.filter(Participation.objects.filter(campaign=campaign))
        .select_related("institution")
        .order_by("institution__code")
    )
    rows, totals = progress_of_participations(campaign, participations)
    accepted = dict(
        scope.filter(CensusEntry.objects.filter(campaign=campaign))
        .filter(accepted_at__gte=period.start_at, accepted_at__lt=period.end_at)
        .order_by()
        .values_list("institution_id")
        .annotate(n=Count("id"))
    )
    labels = dict(Holding.Status.choices)

    def cells(row) -> list:
        return [
            row.estimate,
            *(row.counts.get(s, 0) for s in STATES),
            row.total,
            accepted.get(row.institution.pk, 0) if row.institution else sum(accepted.values()),
            share(row.counts.get(Holding.Status.REGISTERED, 0), row.estimate),
        ]

    table = Table(
        key=f"census_campaign_{campaign.pk}",
        title=_("Census progress: %(name)s") % {"name": campaign.name},
        columns=[
            Column(_("Institution"), "text"),
            Column(_("Estimate"), "int"),
            *(Column(str(labels[s]), "int") for s in STATES),
            Column(_("Records"), "int"),
            Column(_("Registered in the period"), "int"),
            Column(_("Registered of estimate"), "pct"),
        ],
        rows=[[r.institution.name, *cells(r)] for r in rows],
        totals=[_("Total"), *cells(totals)],
        chart=(0, 2),
        note=_("%(start)s to %(end)s; records by their state when the report was compiled.")
        % {"start": campaign.starts_on, "end": campaign.ends_on},
    )
    return table


def report_section(period, scope) -> list[Table]:
    campaigns = Campaign.objects.filter(
        Q(starts_on__lt=period.end) & Q(ends_on__gte=period.start)
    ).order_by("starts_on", "pk")
    return [campaign_table(c, period, scope) for c in campaigns]
