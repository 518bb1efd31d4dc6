"""登录尝试: the failed logins that count toward the limits (plans/login_limits.py), for
superusers only. Deleting a row unlocks that account at that address at once (also:
`manage.py axes_reset_username NAME`). Replaces django-axes' own admin (AXES_ENABLE_ADMIN
off), whose English columns judge a lock by one limit."""
from axes.models import AccessAttempt
from django.contrib import admin
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.admin.access import SuperuserOnlyAdmin
from plans.login_limits import ACCOUNT_LIMIT, ADDRESS_LIMIT

AccessAttempt._meta.verbose_name = _("登录尝试")
AccessAttempt._meta.verbose_name_plural = _("登录尝试")


@admin.register(AccessAttempt)
class LoginAttemptAdmin(SuperuserOnlyAdmin):
    list_display = ["account", "address", "failures", "last_failure", "locked"]
    search_fields = ["username", "ip_address"]
    fields = readonly_fields = ["account", "address", "failures", "last_failure", "locked", "browser"]
    ordering = ["-attempt_time"]

    def has_add_permission(self, request, *args):
        return False  # axes records attempts; nobody makes them up

    def has_change_permission(self, request, obj=None):
        return False  # a record: view it, or delete it to unlock

    def get_queryset(self, request):
        same_address = (
            AccessAttempt.objects.filter(ip_address=OuterRef("ip_address")).order_by()
            .values("ip_address").annotate(total=Sum("failures_since_start")).values("total")
        )
        return super().get_queryset(request).annotate(address_failures=Subquery(same_address))

    @admin.display(description=_("账号"), ordering="username")
    def account(self, attempt):
        return attempt.username

    @admin.display(description=_("地址"), ordering="ip_address")
    def address(self, attempt):
        return attempt.ip_address

    @admin.display(description=_("失败次数"), ordering="failures_since_start")
    def failures(self, attempt):
        return attempt.failures_since_start

    @admin.display(description=_("最近一次"), ordering="attempt_time")
    def last_failure(self, attempt):
        return attempt.attempt_time

    @admin.display(description=_("浏览器"))
    def browser(self, attempt):
        return attempt.user_agent

    @admin.display(description=_("已锁定"), boolean=True)
    def locked(self, attempt):
        """Locked while the last failure is within the cool-off and either limit is reached."""
        from django.conf import settings

        recent = attempt.attempt_time >= timezone.now() - settings.AXES_COOLOFF_TIME
        return recent and (
            attempt.failures_since_start >= ACCOUNT_LIMIT or (attempt.address_failures or 0) >= ADDRESS_LIMIT
        )
