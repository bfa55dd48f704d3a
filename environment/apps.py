from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EnvironmentConfig(AppConfig):
    name = "environment"
    verbose_name = _("Storage environment")

    def ready(self) -> None:
        from environment import hooks

        hooks.register()
