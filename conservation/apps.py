from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConservationConfig(AppConfig):
    name = "conservation"
    verbose_name = _("Conservation")
