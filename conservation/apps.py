from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _after_migrate(sender, **kwargs) -> None:
    if sender.name == "conservation":
        from conservation.vocabularies import sync

        sync()


# The repair base's actions (codenames declared on RepairPlan.Meta.permissions). "repair" is also
# granted per plan to the conservators assigned to it (services._sync_grants, by whoever may
# "plan").
ACTIONS = {
    "assess": "conservation.assess_damage",
    "plan": "conservation.plan_repair",
    "approve_plan": "conservation.approve_repair_plan",
    "repair": "conservation.work_on_plan",
    "accept_repair": "conservation.accept_repair",
    "materials": "conservation.manage_materials",
}
ROLES = {
    "conservator": ("assess", "plan", "accept_repair", "materials"),
    "centre_admin": tuple(ACTIONS),
}


class ConservationConfig(AppConfig):
    name = "conservation"
    verbose_name = _("Conservation")

    def ready(self) -> None:
        from conservation import hooks
        from guji.permissions import register_actions

        register_actions(ACTIONS, ROLES, granted_by={"repair": "plan"})
        post_migrate.connect(_after_migrate, dispatch_uid="conservation.after_migrate")
        hooks.register()
