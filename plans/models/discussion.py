"""What people write on a task besides reports: its comment thread with leaders' 批示, and the
people each unit names for a task (责任领导, 联系人)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.models.base import Versioned
from plans.models.choices import valid_choice
from plans.models.tasks import Assignment, OfVisibleTasks, Task
from plans.models.units import Unit


class TaskCommentQuerySet(OfVisibleTasks):
    """Seen by whoever sees the task."""


class TaskComment(models.Model):
    """A message in a task's thread. A leader's (a unit leader's or the office's) may be a 批示:
    marked and pinned at the top. Mentioned units see it in their inbox."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments", verbose_name=_("任务"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="task_comments", verbose_name=_("发言人"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("所在单位"),
        help_text=_("发言时所在的单位；督办人员为空。"),
    )
    text = models.TextField(_("内容"))
    is_instruction = models.BooleanField(_("领导批示"), default=False)
    mentions = models.ManyToManyField(Unit, blank=True, related_name="mentioned_in", verbose_name=_("提及单位"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = TaskCommentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("任务留言")
        verbose_name_plural = _("任务留言")
        ordering = ["-is_instruction", "created_at", "pk"]

    def __str__(self):
        return self.text[:40]


class PersonKind(models.TextChoices):
    LEADER = "leader", _("责任领导")
    CONTACT = "contact", _("联系人")


class AssignmentPerson(Versioned):
    """A person a unit names for its part in a task: an account of the unit, or someone
    without an account (name, position, phone written in)."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="people", verbose_name=_("任务分工"),
    )
    kind = models.CharField(_("身份"), max_length=20, choices=PersonKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("账号"), help_text=_("本单位的账号；无账号的人员留空并填写姓名。"),
    )
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    position = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("责任人")
        verbose_name_plural = _("责任人")
        ordering = ["assignment", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "kind"], name="plans_assignmentperson_unique_kind"),
            valid_choice("kind", PersonKind, name="plans_assignmentperson_kind_valid"),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="plans_assignmentperson_named",
                violation_error_message=_("请选择账号或填写姓名 (choose an account or write a name)"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.display_name}"

    def _profile(self):
        return getattr(self.user, "profile", None) if self.user_id else None

    @property
    def display_name(self) -> str:
        """The account's name (its profile, else its login) or the name written in."""
        if self.user_id:
            profile = self._profile()
            return profile.name if profile is not None else self.user.get_username()
        return self.name

    @property
    def display_position(self) -> str:
        profile = self._profile()
        return self.position or (profile.position if profile is not None else "")

    @property
    def display_phone(self) -> str:
        profile = self._profile()
        return self.phone or (profile.phone if profile is not None else "")
