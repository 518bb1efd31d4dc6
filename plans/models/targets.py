"""A plan's quantitative targets, tracked as indicators (指标)."""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models.choices import Comparator, valid_choice
from plans.models.plans import Plan
from plans.models.tasks import Task
from plans.models.units import Unit
from plans.models.visibility import acting_unit_ids, sees_everything


class TargetManager(models.Manager):
    def get_by_natural_key(self, plan_key, position):
        return self.get(plan__key=plan_key, position=position)


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Indicators of the tasks the user may see, the plan-level goals of the plans the
        user may see (TaskQuerySet.visible_to, PlanQuerySet.visible_to), and the indicators
        the user's unit owns."""
        if sees_everything(user):
            return self
        tasks = Task.objects.visible_to(user).values("pk")
        plans = Plan.objects.visible_to(user).values("pk")
        visible = Q(task__isnull=False, task_id__in=tasks) | Q(task__isnull=True, plan_id__in=plans)
        units = acting_unit_ids(user)
        if units:
            visible |= Q(owner_id__in=units)
        return self.filter(visible)


class Target(models.Model):
    """A quantitative target of a plan, tracked as an indicator (指标): its owner unit enters
    the measured value for every reporting period (IndicatorValue)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets", verbose_name=_("行动方案"))
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, null=True, blank=True, related_name="targets",
        verbose_name=_("任务"), help_text=_("为空表示方案总体目标。"),
    )
    owner = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="owned_targets",
        verbose_name=_("责任单位"),
        help_text=_("填报实际值的单位：任务的牵头单位；方案总体目标为牵头督办单位。"),
    )
    indicator = models.CharField(_("指标"), max_length=200)
    comparator = models.CharField(_("比较"), max_length=2, choices=Comparator.choices)
    value = models.DecimalField(_("目标值"), max_digits=24, decimal_places=6)
    unit = models.CharField(_("计量单位"), max_length=30, blank=True, help_text=_("如“微克/立方米”“万千瓦”“万亿元”。"))
    year = models.PositiveSmallIntegerField(_("目标年份"), null=True, blank=True)
    baseline = models.DecimalField(
        _("基期值"), max_digits=24, decimal_places=6, null=True, blank=True,
        help_text=_("实施期开始时的数值，用于计算序时目标；为空时，越高越好的指标从0起算，越低越好的指标只看是否达标。"),
    )
    is_public = models.BooleanField(
        _("公开"), default=True, help_text=_("方案公开发布后，是否在公开页面显示本指标及其实际值。"),
    )
    is_active = models.BooleanField(
        _("有效"), default=True, help_text=_("修订稿删去但已有实际值的指标保留为无效，以保存填报记录。"),
    )
    text = models.CharField(_("原文"), max_length=500)
    position = models.PositiveIntegerField(_("顺序"), default=0, help_text=_("在方案全部目标中的顺序。"))

    objects = TargetManager.from_queryset(TargetQuerySet)()

    class Meta:
        verbose_name = _("量化指标")
        verbose_name_plural = _("量化指标")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "position"], name="plans_target_unique_position"),
            valid_choice("comparator", Comparator, name="plans_target_comparator_valid"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.comparator} {self.value.normalize():f}{self.unit}"

    def natural_key(self):
        return self.plan.natural_key() + (self.position,)

    natural_key.dependencies = ["plans.plan", "plans.task", "plans.unit"]
