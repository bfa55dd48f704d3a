from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProtectionConfig(AppConfig):
    name = "guji.protection"
    label = "protection"
    verbose_name = _("Graded protection")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from guji.protection import hooks

        hooks.register()
