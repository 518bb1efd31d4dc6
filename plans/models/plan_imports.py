"""Plan documents uploaded in the browser: a draft that keeps the document's text until the
office confirms it as a plan (the parse is made again from the text whenever it is shown)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models.base import Versioned
from plans.models.choices import valid_choice
from plans.models.plans import Plan, office_plan_ids
from plans.models.visibility import sees_everything


class PlanImportState(models.TextChoices):
    DRAFT = "draft", _("待确认")
    APPLIED = "applied", _("已导入")


class PlanImportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The uploader's own drafts, and the imports that made or updated a plan the account
        oversees."""
        if sees_everything(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(Q(uploaded_by=user) | Q(plan_id__in=office_plan_ids(user)))


class PlanImport(Versioned):
    source_name = models.CharField(_("文件名"), max_length=255)
    source_kind = models.CharField(_("文件类型"), max_length=10)
    source_sha256 = models.CharField(_("文件摘要"), max_length=64)
    source_file = models.FileField(
        _("原文件"), upload_to="plan-imports/%Y/%m/", blank=True,
        help_text=_("上传的原始文件，仅可由能查看此导入的人下载。"),
    )
    source_text = models.TextField(_("文件文本"), help_text=_("从文件中读出的文字，解析由此得出。"))
    plan_year = models.PositiveSmallIntegerField(
        _("方案年度"), null=True, blank=True, help_text=_("文件中月日未写年份时采用；留空则从文件读出。"),
    )
    state = models.CharField(_("状态"), max_length=20, choices=PlanImportState.choices, default=PlanImportState.DRAFT)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plan_imports", verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    plan = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="imports", verbose_name=_("行动方案"),
    )
    applied_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    summary = models.JSONField(_("导入结果"), default=list, blank=True)
    corrections = models.JSONField(
        _("更正"), default=dict, blank=True,
        help_text=_("确认前所作的更正（方案信息、单位对应、任务的单位与时限、删除或合并），确认时一并写入。"),
    )
    revises = models.ForeignKey(
        Plan, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("更新的方案"),
        help_text=_("由办公室选定：以此文件更新的已有方案；留空则按文号或标题查找，找不到即新建。"),
    )

    objects = PlanImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("方案文件导入")
        verbose_name_plural = _("方案文件导入")
        ordering = ["-created_at", "-pk"]
        constraints = [valid_choice("state", PlanImportState, name="plans_planimport_state_valid")]

    def __str__(self):
        return self.source_name
