from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from guji import registry


def _after_migrate(sender, **kwargs) -> None:
    from guji.permissions import sync_role_groups
    from guji.vocabularies import sync_vocabularies

    # Sent once per app: each run sees that app's new permissions; all of it is idempotent.
    sync_role_groups()
    if sender.name == "guji":
        sync_vocabularies()


class GujiConfig(AppConfig):
    name = "guji"
    verbose_name = _("Register")

    def ready(self) -> None:
        post_migrate.connect(_after_migrate, dispatch_uid="guji.after_migrate")
        registry.register_demo(
            registry.DemoPart(key="grades", load=_demo_grades, after=("census",))
        )
        from guji.accounts import connect_login_signals

        connect_login_signals()
        from guji import bulk

        bulk.register()


def _demo_grades() -> dict[str, int]:
    from guji.demo import load_grades

    return load_grades()
