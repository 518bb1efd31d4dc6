"""Work that outlasts a request (后台任务): a large workbook export, a sheet check, a plan
document's parsing, a scheduled reminder run. Each job is a row any app host can read: its
state, its progress and, when it made a file, where the file is kept. The row is also the
job's guard: `key` is unique, so a job asked for twice (a scheduled run started by two
schedulers, a request repeated) exists once, and a retried job sees that its work is done."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models.choices import valid_choice
from plans.models.visibility import sees_everything


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class JobKind(models.TextChoices):
    EXPORT = "export", _("导出进展情况表")
    SHEET_CHECK = "sheet_check", _("检查上传的进展情况表")
    PLAN_PARSE = "plan_parse", _("解析方案文件")
    REMINDERS = "reminders", _("发送催报")
    OPEN_PERIODS = "open_periods", _("按日期开放报送周期")
    CLEANUP = "cleanup", _("清理过期文件")


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person's own jobs; every job for a superuser (scheduled runs have no person)."""
        if sees_everything(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(created_by=user)


class Job(models.Model):
    kind = models.CharField(_("类型"), max_length=20, choices=JobKind.choices)
    key = models.CharField(
        _("运行键"), max_length=200, unique=True,
        help_text=_("同一工作只运行一次：计划任务为“名称:时段”，其余为随机值。"),
    )
    params = models.JSONField(_("参数"), default=dict, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    done = models.PositiveIntegerField(_("已完成"), default=0)
    total = models.PositiveIntegerField(_("总数"), default=0)
    message = models.TextField(_("说明"), blank=True, help_text=_("失败原因或结果摘要。"))
    result = models.CharField(_("结果文件"), max_length=300, blank=True, help_text=_("存储中的文件名。"))
    filename = models.CharField(_("下载文件名"), max_length=255, blank=True)
    outcome = models.JSONField(
        _("结果"), default=dict, blank=True, help_text=_("任务做出的记录（如检查后的上传），页面据此链接过去。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="jobs",
        verbose_name=_("发起人"),
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    notified_at = models.DateTimeField(_("通知时间"), null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("后台任务")
        verbose_name_plural = _("后台任务")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "finished_at"], name="plans_job_state_finished")]
        constraints = [
            valid_choice("state", JobState, name="plans_job_state_valid"),
            valid_choice("kind", JobKind, name="plans_job_kind_valid"),
            models.CheckConstraint(
                condition=Q(done__lte=models.F("total")) | Q(total=0), name="plans_job_done_within_total",
                violation_error_message=_("已完成的数量不能超过总数 (done cannot exceed the total)"),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)

    @property
    def file_ready(self) -> bool:
        """Done, with a file to download."""
        return self.state == JobState.DONE and bool(self.result)
