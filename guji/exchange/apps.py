from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "guji.exchange"
    label = "guji_exchange"
    verbose_name = _("Catalogue exchange")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from guji.exchange import hooks

        hooks.register()
