from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "guji.reports"
    label = "guji_reports"
    verbose_name = _("Reports and statistics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from guji.reports import hooks

        hooks.register()
