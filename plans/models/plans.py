"""Action plans (行动方案), who issued them and who oversees them (督办)."""
from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plans.models.choices import Frequency, HolidayShift, valid_choice
from plans.models.units import Unit
from plans.models.visibility import acting_unit_ids, sees_everything


def office_plan_ids(user):
    """The plans a user is office staff (督办) of, as a subquery. The visibility filters use
    subqueries, never joins, so rows are not repeated and need no DISTINCT."""
    return Plan.office_staff.through.objects.filter(user=user).values("plan_id")


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Office staff: their plans; unit accounts: plans where their unit holds a role."""
        if sees_everything(user):
            return self
        if not getattr(user, "is_authenticated", False):
            return self.none()
        # Assignment belongs to the task tree, whose module imports this one: it is reached
        # through the app registry rather than imported
        assignments = apps.get_model("plans", "Assignment").objects
        assigned = assignments.filter(unit__in=acting_unit_ids(user)).values("task__plan_id")
        return self.filter(Q(pk__in=office_plan_ids(user)) | Q(pk__in=assigned))

    def running(self, today):
        """Plans that have not ended by `today` (Plan.ended_on is None): 实施期止, else 有效期至,
        not passed, or no end date at all."""
        return self.filter(
            Q(period_end__gte=today)
            | Q(period_end__isnull=True, valid_until__gte=today)
            | Q(period_end__isnull=True, valid_until__isnull=True)
        )


class PlanManager(models.Manager.from_queryset(PlanQuerySet)):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class Plan(models.Model):
    coordinator = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="coordinated_plans",
        verbose_name=_("牵头督办单位"), help_text=_("接收进展报送的办公室。"),
    )
    issuers = models.ManyToManyField(
        Unit, through="PlanIssuer", related_name="issued_plans", blank=True, verbose_name=_("印发单位"),
    )
    office_staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="office_plans", blank=True, verbose_name=_("督办人员"),
        help_text=_("可查看本方案全部内容、审核报告、编辑任务和开关报送周期的账号。"),
    )
    key = models.CharField(
        _("方案标识"), max_length=300, unique=True,
        help_text=_("文号，无文号时为标题；重新导入修订稿时据此找到原方案。"),
    )
    title = models.CharField(_("方案名称"), max_length=300)
    doc_number = models.CharField(_("文号"), max_length=100, blank=True)
    jurisdiction = models.CharField(_("行政区"), max_length=50, blank=True)
    plan_year = models.PositiveSmallIntegerField(_("方案年度"))
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    period_start = models.DateField(_("实施期起"), null=True, blank=True)
    period_end = models.DateField(_("实施期止"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    reporting_frequency = models.CharField(
        _("报送频率"), max_length=20, choices=Frequency.choices, default=Frequency.QUARTERLY,
    )
    reporting_month = models.PositiveSmallIntegerField(
        _("报送月份"), default=3,
        help_text=_("自每个报送周期起始月算起的第几个月：季度最后一月为3，季度结束后次月为4。"),
    )
    reporting_day = models.PositiveSmallIntegerField(
        _("报送日"), null=True, blank=True, help_text=_("该月的第几日；留空表示月末。"),
    )
    reporting_rule_text = models.CharField(
        _("报送要求原文"), max_length=200, blank=True, help_text=_("如“每季度最后一月的23日前”。"),
    )
    holiday_shift = models.CharField(
        _("节假日顺延"), max_length=10, choices=HolidayShift.choices, default=HolidayShift.NEXT,
    )
    acknowledge_days = models.PositiveSmallIntegerField(
        _("签收时限（天）"), default=3, help_text=_("任务交办或报送周期开放后，单位须在几天内签收；逾期签收计入考评。"),
    )
    allow_late_extensions = models.BooleanField(
        _("允许逾期申请延期"), default=False, help_text=_("默认时限已过的任务不能再申请延期。"),
    )
    is_published = models.BooleanField(
        _("公开发布"), default=False,
        help_text=_("发布后任何人无需登录即可查看本方案的公开进展页面（只含标为公开的字段）。"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    source_name = models.CharField(_("来源文件"), max_length=255, blank=True)
    source_sha256 = models.CharField(_("来源文件摘要"), max_length=64, blank=True)
    source_text = models.TextField(_("来源文件全文"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now, editable=False)

    objects = PlanManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("行动方案")
        verbose_name_plural = _("行动方案")
        ordering = ["-plan_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(period_end__isnull=True) | Q(period_start__isnull=True)
                    | Q(period_end__gte=models.F("period_start"))
                ),
                name="plans_plan_period_ordered",
                violation_error_message=_("实施期止不能早于实施期起 (the plan period ends before it starts)"),
            ),
            valid_choice("reporting_frequency", Frequency, name="plans_plan_frequency_valid"),
            models.CheckConstraint(
                condition=Q(reporting_month__gte=1, reporting_month__lte=12), name="plans_plan_reporting_month_range",
                violation_error_message=_("报送月份应在 1 至 12 之间 (the reporting month is 1 to 12)"),
            ),
            models.CheckConstraint(
                condition=Q(reporting_day__isnull=True) | Q(reporting_day__gte=1, reporting_day__lte=31),
                name="plans_plan_reporting_day_range",
                violation_error_message=_("报送日应在 1 至 31 之间 (the reporting day is 1 to 31)"),
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False),
                name="plans_plan_published_at_if_published",
                violation_error_message=_("已公开的方案须有公开时间 (a published plan needs its publication time)"),
            ),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.key,)

    natural_key.dependencies = ["plans.unit"]

    @property
    def ended_on(self):
        """The day the plan ran to (实施期止, else 有效期至), if that day has passed: a plan kept
        as a historical record, labelled as such; None for a plan still running or undated."""
        end = self.period_end or self.valid_until
        return end if end is not None and end < timezone.localdate() else None

    def save(self, *args, **kwargs):
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)


class PlanIssuerManager(models.Manager):
    def get_by_natural_key(self, plan_key, position):
        return self.get(plan__key=plan_key, position=position)


class PlanIssuer(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="issuer_links", verbose_name=_("行动方案"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="issuer_links", verbose_name=_("单位"))
    position = models.PositiveSmallIntegerField(_("顺序"))

    objects = PlanIssuerManager()

    class Meta:
        verbose_name = _("印发单位")
        verbose_name_plural = _("印发单位")
        ordering = ["plan", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="plans_planissuer_unique_unit"),
            models.UniqueConstraint(fields=["plan", "position"], name="plans_planissuer_unique_position"),
        ]

    def __str__(self):
        return str(self.unit)

    def natural_key(self):
        return self.plan.natural_key() + (self.position,)

    natural_key.dependencies = ["plans.plan"]
