from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CensusConfig(AppConfig):
    name = "census"
    verbose_name = _("Census")

    def holding_timeline(self, holding) -> list:
        """Review rounds and correction requests for guji's holding timeline."""
        from census.timeline import holding_timeline

        return holding_timeline(holding)
