"""Private calendar subscriptions (.ics) of a unit's or a plan's deadlines."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models.plans import Plan, office_plan_ids
from plans.models.units import Membership, Unit
from plans.models.visibility import sees_everything


class CalendarFeedQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)

    def visible_to(self, user):
        """A unit's feeds for the accounts of that unit; a plan's feeds for its office staff."""
        if sees_everything(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        own_unit = Membership.objects.filter(user=user).values("unit_id")
        return self.filter(Q(unit_id__in=own_unit) | Q(plan_id__in=office_plan_ids(user)))


class CalendarFeed(models.Model):
    """A private, revocable calendar subscription (.ics) of a unit's or a plan's task deadlines
    and report due dates. The secret token in its URL is the only key; revoking it ends the feed."""

    token = models.CharField(_("令牌"), max_length=64, unique=True, editable=False)
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feeds", verbose_name=_("单位"),
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feeds",
        verbose_name=_("行动方案"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="calendar_feeds", verbose_name=_("创建人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True, editable=False)
    last_fetched_at = models.DateTimeField(_("最近访问"), null=True, blank=True, editable=False)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, plan__isnull=True) | Q(unit__isnull=True, plan__isnull=False),
                name="plans_calendarfeed_unit_xor_plan",
                violation_error_message=_(
                    "日历订阅须属于一个单位或一个方案，二者取一 (a feed belongs to a unit or a plan, not both)"
                ),
            ),
        ]

    def __str__(self):
        return str(self.unit or self.plan)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
