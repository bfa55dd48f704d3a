from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _default_thresholds(sender, **kwargs) -> None:
    """GB/T 30227 defaults when the table is empty (a new database, or one flushed by a test):
    the data migration loads them once; edits made since are never overwritten."""
    if sender.name != "environment":
        return
    import importlib

    from environment.models import Threshold

    if Threshold.objects.exists():
        return
    loader = importlib.import_module("environment.migrations.0003_default_thresholds")
    loader.load(_Apps(), None)


class _Apps:
    """The migration's ``apps`` argument, answered with the current models."""

    @staticmethod
    def get_model(app_label, name):
        from django.apps import apps

        return apps.get_model(app_label, name)


class EnvironmentConfig(AppConfig):
    name = "environment"
    verbose_name = _("Storage environment")

    def ready(self) -> None:
        post_migrate.connect(_default_thresholds, dispatch_uid="environment.thresholds")
        from environment import hooks

        hooks.register()
