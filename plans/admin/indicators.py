"""Indicators in the admin: the plan's targets as tracked indicators (the office keeps their
owner, baseline and public flag), each with its readings and chart; and the measured values,
entered by the owner unit for an open period (in any unit of the same kind, converted through
plans.services) or corrected by the office."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from plans import services
from plans.admin.common import RefusalsAsMessages, service_refusals
from plans.admin.plans import TargetWrites
from plans.admin.writes import ServiceModelAdmin
from plans.admin.scoping import PlanScopedAdmin
from plans.indicators import STATUS_COLOURS, IndicatorStatus, indicators, status
from plans.measures import plain
from plans.models import IndicatorValue, ReportingPeriod, Target, acting_unit_ids
from plans.permissions import managed_plan_ids, can_enter_indicator_value, is_office
from plans.services.indicators import measured


def _status_badge(code: str):
    return format_html(
        '<span class="indicator-status {}" style="color: {}; font-weight: bold">{}</span>',
        code, STATUS_COLOURS[code], IndicatorStatus(code).label,
    )


def _enterable_targets(user):
    """The active indicators the user may enter values for: their unit's, and every one of the
    plans they are office staff of."""
    if user.is_superuser:
        return Target.objects.filter(is_active=True)
    return Target.objects.filter(
        Q(owner_id__in=acting_unit_ids(user)) | Q(plan_id__in=managed_plan_ids(user)), is_active=True,
    )


# --- indicators ------------------------------------------------------------------------------
@admin.register(Target)
class TargetAdmin(TargetWrites, ServiceModelAdmin, PlanScopedAdmin, admin.ModelAdmin):
    list_display = [
        "indicator", "target_text", "year", "owner", "latest_value", "plan", "task", "is_public", "is_active",
    ]
    list_filter = ["plan", "is_active", "is_public", "comparator", "year"]
    list_select_related = ["plan", "task", "owner"]
    search_fields = ["indicator", "text", "owner__name", "owner__short_name"]
    autocomplete_fields = ["plan", "task", "owner"]
    readonly_fields = ["readings"]
    fieldsets = [
        (None, {"fields": ["plan", "task", "indicator", "comparator", "value", "unit", "year"]}),
        (_("跟踪"), {"fields": ["owner", "baseline", "is_public", "is_active"]}),
        (_("实际值"), {"fields": ["readings"]}),
        (_("来源"), {"fields": ["text", "position"]}),
    ]

    def visible(self, queryset, user):
        return queryset.visible_to(user)

    def get_queryset(self, request):
        latest = IndicatorValue.objects.filter(target=OuterRef("pk")).order_by("-period__start")
        return super().get_queryset(request).annotate(
            latest_amount=Subquery(latest.values("value")[:1]),
            latest_label=Subquery(latest.values("period__label")[:1]),
        )

    @admin.display(description=_("目标"), ordering="value")
    def target_text(self, target):
        return f"{target.comparator} {plain(target.value)}{target.unit}"

    @admin.display(description=_("最新实际值"))
    def latest_value(self, target):
        if target.latest_amount is None:
            return "-"
        return f"{plain(target.latest_amount)}{target.unit}（{target.latest_label}）"

    @admin.display(description=_("各期实际值与趋势"))
    def readings(self, target):
        if target.pk is None:
            return "-"
        periods = list(target.plan.periods.order_by("start"))
        [indicator] = indicators(target.plan, [target], periods)
        add_url = f"{reverse('admin:plans_indicatorvalue_add')}?{urlencode({'target': target.pk})}"
        return render_to_string("admin/plans/target/readings.html", {"indicator": indicator, "add_url": add_url})


# --- values ------------------------------------------------------------------------------------
class IndicatorValueForm(forms.ModelForm):
    """The value is typed as text: "9.2", or with a unit of the same kind, "92000千瓦"."""

    amount = forms.CharField(
        label=_("实际值"), max_length=60,
        help_text=_("按指标的计量单位填写；也可带同类计量单位，如“92000千瓦”，保存时换算。"),
    )

    class Meta:
        model = IndicatorValue
        fields = ["target", "period", "note", "source"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["amount"].initial = plain(self.instance.value)

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("target") or (self.instance.target if self.instance.pk else None)
        period = cleaned.get("period") or (self.instance.period if self.instance.pk else None)
        if target is None or period is None:
            return cleaned
        reason = can_enter_indicator_value(self.request.user, target, period)
        if reason:
            raise ValidationError(reason)
        if not self.instance.pk and IndicatorValue.objects.filter(target=target, period=period).exists():
            raise ValidationError(
                _("该指标本周期已填报，请修改已有记录 (a value for this period exists; change it instead)")
            )
        if "amount" in cleaned:
            try:
                cleaned["measured"] = measured(target, cleaned["amount"], None)
            except ValidationError as error:
                self.add_error("amount", error)
        return cleaned

    def validate_unique(self):
        pass  # checked in clean() with a clearer sentence; the service writes under a lock


@admin.register(IndicatorValue)
class IndicatorValueAdmin(RefusalsAsMessages, PlanScopedAdmin, SimpleHistoryAdmin):
    plan_path = "target__plan"
    form = IndicatorValueForm
    list_display = ["target", "period", "value_text", "status_badge", "owner", "entered_by", "updated_at"]
    list_filter = ["target__plan", "period", "target__owner"]
    list_select_related = ["target__plan", "target__owner", "period", "entered_by"]
    search_fields = ["target__indicator", "note", "source"]
    readonly_fields = ["entered_as", "entered_by", "created_at", "updated_at"]

    def visible(self, queryset, user):
        return queryset.visible_to(user)

    @admin.display(description=_("实际值"), ordering="value")
    def value_text(self, row):
        return f"{plain(row.value)}{row.target.unit}"

    @admin.display(description=_("状态"))
    def status_badge(self, row):
        return _status_badge(status(row.target, row.target.plan, row.value, row.period.end))

    @admin.display(description=_("责任单位"), ordering="target__owner__name")
    def owner(self, row):
        return row.target.owner or "-"

    # who may do what ---------------------------------------------------------------------------
    def has_add_permission(self, request, *args):
        return super(PlanScopedAdmin, self).has_add_permission(request) and _enterable_targets(request.user).exists()

    def has_change_permission(self, request, obj=None):
        if not super(PlanScopedAdmin, self).has_change_permission(request, obj):
            return False
        return obj is None or not can_enter_indicator_value(request.user, obj.target, obj.period)

    def has_delete_permission(self, request, obj=None):
        if not super(PlanScopedAdmin, self).has_delete_permission(request, obj):
            return False
        return obj is None or is_office(request.user, obj.target.plan_id)

    def get_fields(self, request, obj=None):
        editable = ["amount", "note", "source"]
        if obj is None:
            return ["target", "period", *editable]
        return ["target", "period", *editable, "entered_as", "entered_by", "created_at", "updated_at"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["target", "period"] if obj else []
        if obj is not None and not self.has_change_permission(request, obj):
            return [*fixed, "note", "source", *self.readonly_fields]
        return [*fixed, *self.readonly_fields]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """The add form offers the indicators the user enters and the periods they may enter
        for: open ones for a unit, every one for the office."""
        if db_field.name == "target":
            kwargs["queryset"] = _enterable_targets(request.user).select_related("plan")
        if db_field.name == "period":
            periods = ReportingPeriod.objects.select_related("plan").order_by("plan", "-start")
            if not request.user.is_superuser:
                office = Q(plan_id__in=managed_plan_ids(request.user))
                owned = Q(is_open=True, plan_id__in=_enterable_targets(request.user).values("plan_id"))
                periods = periods.filter(office | owned)
            kwargs["queryset"] = periods
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        target = _enterable_targets(request.user).filter(pk=request.GET.get("target") or 0).first()
        if target is not None:
            period = target.plan.periods.filter(is_open=True).order_by("-start").first()
            initial.update(target=target.pk, **({"period": period.pk} if period else {}))
        return initial

    def save_model(self, request, obj, form, change):
        target = obj.target if change else form.cleaned_data["target"]
        period = obj.period if change else form.cleaned_data["period"]
        with service_refusals():  # e.g. someone entered this period's value since the form was checked
            saved = services.indicator_value_save(
                user=request.user, target=target, period=period, value=form.cleaned_data["amount"],
                note=form.cleaned_data.get("note", ""), source=form.cleaned_data.get("source", ""),
            )
        obj.pk, obj.value, obj.version = saved.pk, saved.value, saved.version

    def delete_model(self, request, obj):
        try:
            services.indicator_value_delete(user=request.user, value=obj)
        except PermissionDenied as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
