"""Evidence files (佐证材料) attached to a progress report, a supporting unit's input, an
extension request or a completion claim. Internal only: kept in the "attachments" storage
(never under a public URL) and downloaded through a view that applies the owner's rules."""
from __future__ import annotations

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.models.reporting import ProgressReport, SupportingInput
from plans.models.tasks import OfVisibleTasks, Task
from plans.models.workflow import CompletionClaim, ExtensionRequest

OWNER_FIELDS = ("report", "supporting_input", "extension", "claim")


def attachment_storage():
    """The storage of evidence files: STORAGES["attachments"] (local files under MEDIA_ROOT by
    default; an S3-compatible store by setting, see README)."""
    return storages["attachments"]


def attachment_path(instance, filename):
    """Stored under a random name (the Chinese name is kept in `name`): evidence/年/月/<hex>."""
    import uuid

    return timezone.now().strftime("evidence/%Y/%m/") + uuid.uuid4().hex


class AttachmentQuerySet(OfVisibleTasks):
    """Seen by whoever sees the task."""


class Attachment(models.Model):
    """One evidence file of exactly one owner (report, supporting input, extension request or
    completion claim); `task` is the owner's task, kept for visibility and the period zip."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("任务"))
    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments",
        verbose_name=_("进展报告"),
    )
    supporting_input = models.ForeignKey(
        SupportingInput, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments",
        verbose_name=_("配合情况"),
    )
    extension = models.ForeignKey(
        ExtensionRequest, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments",
        verbose_name=_("延期申请"),
    )
    claim = models.ForeignKey(
        CompletionClaim, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments",
        verbose_name=_("办结申请"),
    )
    file = models.FileField(_("文件"), storage=attachment_storage, upload_to=attachment_path, max_length=200)
    name = models.CharField(_("文件名"), max_length=255)
    kind = models.CharField(_("文件类型"), max_length=10, help_text=_("按文件内容识别，如 pdf、docx、jpg。"))
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attachments", verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)

    objects = AttachmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(report__isnull=False, supporting_input__isnull=True, extension__isnull=True, claim__isnull=True)
                    | Q(report__isnull=True, supporting_input__isnull=False, extension__isnull=True, claim__isnull=True)
                    | Q(report__isnull=True, supporting_input__isnull=True, extension__isnull=False, claim__isnull=True)
                    | Q(report__isnull=True, supporting_input__isnull=True, extension__isnull=True, claim__isnull=False)
                ),
                name="plans_attachment_one_owner",
                violation_error_message=_("附件须属于且只属于一个对象 (an attachment has exactly one owner)"),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def owner(self):
        for field in OWNER_FIELDS:
            if getattr(self, f"{field}_id") is not None:
                return getattr(self, field)
        return None
