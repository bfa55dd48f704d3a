from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "guji.api"
    label = "guji_api"
    verbose_name = _("Read API")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from guji.api import schema  # noqa: F401 -- registers the token scheme with the schema
