from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _default_thresholds(sender, **kwargs) -> None:
    """GB/T 30227 defaults when the table is empty (a new database, or one flushed by a test):
    the data migration loads them once; edits made since are never overwritten."""
    if sender.name != "environment":
        return
    from environment.models import Threshold
    from environment.thresholds import load_defaults

    if not Threshold.objects.exists():
        load_defaults(Threshold)


class EnvironmentConfig(AppConfig):
    name = "environment"
    verbose_name = _("Storage environment")

    def ready(self) -> None:
        post_migrate.connect(_default_thresholds, dispatch_uid="environment.thresholds")
        from environment import hooks

        hooks.register()
