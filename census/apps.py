from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CensusConfig(AppConfig):
    name = "census"
    verbose_name = _("Census")

    def ready(self) -> None:
        from census import hooks

        hooks.register()
