from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("行动方案")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from plans.roles import ensure_groups_after_migrate

        post_migrate.connect(ensure_groups_after_migrate, sender=self)
