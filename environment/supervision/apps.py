from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "environment.supervision"
    label = "supervision"
    verbose_name = _("Storage supervision")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from environment.supervision import hooks

        hooks.register()
