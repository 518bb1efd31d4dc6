"""Returned progress sheets (进展情况表) uploaded for a period, with their preview and outcome."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models.choices import valid_choice
from plans.models.plans import office_plan_ids
from plans.models.reporting import ReportingPeriod
from plans.models.visibility import sees_everything


class SheetImportState(models.TextChoices):
    PREVIEWED = "previewed", _("待确认")
    APPLIED = "applied", _("已导入")
    REFUSED = "refused", _("未通过检查")


class JSONArrayLength(models.Func):
    """How many items a JSON array column holds, counted by the database (the list of uploads
    gives each preview's size without reading it)."""

    function = "JSON_ARRAY_LENGTH"
    output_field = models.IntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra_context)


class SheetImportQuerySet(models.QuerySet):
    def with_counts(self):
        """Without the preview's bodies, with `change_count` and `problem_count`."""
        return self.defer("changes", "problems").annotate(
            change_count=JSONArrayLength("changes"), problem_count=JSONArrayLength("problems"),
        )

    def visible_to(self, user):
        """The uploader's own uploads, and every upload of the plans an office account oversees."""
        if sees_everything(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(uploaded_by=user) | Q(period__plan_id__in=office_plan_ids(user)))


class SheetImport(models.Model):
    """A returned progress sheet (进展情况表) uploaded for a period: kept with the preview of
    what it changes, and, once confirmed, what it did."""

    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="sheet_imports", verbose_name=_("报送周期"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sheet_imports", verbose_name=_("上传人"),
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    content = models.BinaryField(_("文件内容"), editable=False)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    size = models.PositiveIntegerField(_("文件大小（字节）"))
    state = models.CharField(
        _("状态"), max_length=20, choices=SheetImportState.choices, default=SheetImportState.PREVIEWED,
    )
    changes = models.JSONField(_("变更"), default=list, blank=True, help_text=_("预览时算出的每份报告的修改。"))
    problems = models.JSONField(_("问题"), default=list, blank=True, help_text=_("检查发现的问题，含工作表、行和列。"))
    applied_count = models.PositiveIntegerField(_("已导入报告数"), default=0)
    created_at = models.DateTimeField(_("上传时间"), default=timezone.now, editable=False)
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    objects = SheetImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("填报表导入")
        verbose_name_plural = _("填报表导入")
        ordering = ["-created_at"]
        constraints = [
            valid_choice("state", SheetImportState, name="plans_sheetimport_state_valid"),
            models.CheckConstraint(
                condition=Q(state=SheetImportState.APPLIED, applied_at__isnull=False)
                | (~Q(state=SheetImportState.APPLIED) & Q(applied_at__isnull=True)),
                name="plans_sheetimport_applied_at_iff_applied",
                violation_error_message=_(
                    "已应用的回表须有应用时间，其他的不能有 (an applied sheet has an application time, others none)"
                ),
            ),
        ]

    def __str__(self):
        return f"{self.file_name} · {self.period.label}"
