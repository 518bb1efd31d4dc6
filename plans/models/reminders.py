"""The record of reminder e-mails (催报) sent to units."""
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models.choices import valid_choice
from plans.models.plans import Plan, office_plan_ids
from plans.models.units import Unit
from plans.models.visibility import acting_unit_ids, sees_everything


class ReminderRule(models.TextChoices):
    REPORT_DUE_7 = "report_due_7", _("报告7天后到期")
    REPORT_DUE_3 = "report_due_3", _("报告3天后到期")
    REPORT_DUE_1 = "report_due_1", _("报告1天后到期")
    REPORT_LATE = "report_late", _("报告逾期未报")
    TASK_DUE_SOON = "task_due_soon", _("任务临期")
    TASK_OVERDUE = "task_overdue", _("任务超期未完成")
    ACK_LATE = "ack_late", _("超时未签收")


class ReminderQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A unit's accounts: the reminders sent to the units they act for. Office staff: the
        reminders whose every plan they oversee (a reminder naming another plan's tasks stays
        with that plan's office)."""
        if sees_everything(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        mine = Q(unit_id__in=acting_unit_ids(user))
        overseen = Q(plans__in=office_plan_ids(user)) & ~Q(pk__in=Reminder.plans.through.objects.exclude(
            plan_id__in=office_plan_ids(user)).values("reminder_id"))
        return self.filter(pk__in=self.model.objects.filter(mine | overseen).values("pk"))


class Reminder(models.Model):
    """One reminder e-mail (催报) sent to a unit: at most one per unit, rule and day."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reminders", verbose_name=_("单位"))
    rule = models.CharField(_("提醒规则"), max_length=20, choices=ReminderRule.choices)
    sent_on = models.DateField(_("发送日期"))
    recipients = models.TextField(_("收件人"), blank=True)
    subject = models.CharField(_("主题"), max_length=300)
    body = models.TextField(_("内容"))
    sent_at = models.DateTimeField(_("发送时间"), default=timezone.now, editable=False)
    plans = models.ManyToManyField(
        Plan, related_name="reminders", blank=True, verbose_name=_("涉及方案"),
        help_text=_("提醒内容涉及的方案：只有这些方案的督办人员能看到本记录。"),
    )

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("催报记录")
        verbose_name_plural = _("催报记录")
        ordering = ["-sent_on", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "rule", "sent_on"], name="plans_reminder_once_per_day"),
            valid_choice("rule", ReminderRule, name="plans_reminder_rule_valid"),
        ]

    def __str__(self):
        return f"{self.sent_on} {self.unit} {self.get_rule_display()}"
