from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("行动方案")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_migrate

        from django.contrib.auth import get_user_model

        from simple_history.signals import pre_create_historical_record

        from plans.history import record_source
        from plans.models import person_label
        from plans.roles import ensure_groups_after_migrate

        # People are named by name and unit everywhere an account is shown (the admin's
        # related fields, history rows, exports): "张伟（市发改委）", not the login name.
        get_user_model().__str__ = person_label

        post_migrate.connect(ensure_groups_after_migrate, sender=self)
        # The jobs' runners (plans/jobs.py and the kinds it is told of) exist in every process,
        # the web's too: with no broker, a job runs in the process that asked for it.
        import plans.import_jobs  # noqa: F401
        import plans.jobs  # noqa: F401
        # Each history row records where the change came from (admin, API, a page, a command).
        pre_create_historical_record.connect(record_source, dispatch_uid="plans.history.record_source")
