"""The fixed vocabularies of the domain (TextChoices), and the database check that a choice
field holds one of its choices."""
from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DEPARTMENT = "department", _("政府部门")
    LOCAL_GOVERNMENT = "local_government", _("地方政府")
    CENTRAL_BRANCH = "central_branch", _("中央驻地机构")
    PARTY = "party", _("党委机构")
    ENTERPRISE = "enterprise", _("企业")
    MEDIA = "media", _("媒体")
    COLLECTIVE = "collective", _("集合单位")
    OTHER = "other", _("其他")


class Role(models.TextChoices):
    RESPONSIBLE = "responsible", _("责任单位")
    SUPPORTING = "supporting", _("配合单位")
    IMPLEMENTING = "implementing", _("负责落实")


class NodeKind(models.TextChoices):
    SECTION = "section", _("章节")
    TASK = "task", _("任务")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    ON_TRACK = "on_track", _("序时推进")
    AHEAD = "ahead", _("超序时推进")
    BEHIND = "behind", _("进度滞后")
    COMPLETED = "completed", _("已完成")
    SUSPENDED = "suspended", _("已调整/暂缓")


class Closure(models.TextChoices):
    """Where a task stands in 办结/销号 (DOMAIN.md §5)."""

    OPEN = "open", _("办理中")
    CLAIMED = "claimed", _("办结申请中")
    DONE = "done", _("已办结")
    CLOSED = "closed", _("已销号")


class DeadlineKind(models.TextChoices):
    DUE = "due", _("完成时限")
    START = "start", _("开始时间")
    PERIOD_END = "period_end", _("期间截止")
    RECURRING = "recurring", _("定期")


class Comparator(models.TextChoices):
    LTE = "≤", _("不高于 ≤")
    GTE = "≥", _("不低于 ≥")
    APPROX = "≈", _("约 ≈")
    EQ = "=", _("达到 =")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    HALF_YEARLY = "half-yearly", _("每半年")
    YEARLY = "yearly", _("每年")


class HolidayShift(models.TextChoices):
    NEXT = "next", _("顺延至下一个工作日")
    PREVIOUS = "previous", _("提前至上一个工作日")
    NONE = "none", _("不调整")


class ReportState(models.TextChoices):
    PENDING = "pending", _("待填报")
    SUBMITTED = "submitted", _("已报送")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


def _in_choices(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{f"{field}__in": choices.values})


def valid_choice(field: str, choices: type[models.TextChoices], *, name: str) -> models.CheckConstraint:
    """The database's check that a choice field holds one of its choices. Like every check
    constraint here it has a sentence (the field's own validation usually speaks first), so
    that no form or API answer shows a constraint's name."""
    return models.CheckConstraint(
        condition=_in_choices(field, choices), name=name,
        violation_error_message=_("所选的值不在可选范围内 (the value is not one of the choices)"),
    )
