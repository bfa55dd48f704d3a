from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _after_migrate(sender, **kwargs) -> None:
    if sender.name == "conservation":
        from conservation.vocabularies import sync

        sync()


class ConservationConfig(AppConfig):
    name = "conservation"
    verbose_name = _("Conservation")

    def ready(self) -> None:
        from conservation import hooks

        post_migrate.connect(_after_migrate, dispatch_uid="conservation.after_migrate")
        hooks.register()
