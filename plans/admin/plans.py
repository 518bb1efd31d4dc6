"""Plans: their metadata, issuers and overall targets, and the plan-wide actions (periods,
publishing)."""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from plans import services
from plans.admin.common import changelist_url
from plans.admin.scoping import PlanScopedAdmin, PlanScopedInline
from plans.admin.writes import ServiceInline, ServiceModelAdmin
from plans.models import NodeKind, Plan, PlanIssuer, Section, Target, Task


class TargetWrites:
    """Targets of a plan or task, wherever the admin edits them."""

    def write(self, request, target, values, expected_version):
        return services.target_save(user=request.user, target=target, **values)

    def remove(self, request, target, expected_version):
        services.target_delete(user=request.user, target=target)


class PlanIssuerInline(ServiceInline, PlanScopedInline, admin.TabularInline):
    parent_plan_path = ""
    model = PlanIssuer
    extra = 0
    ordering = ["position"]
    autocomplete_fields = ["unit"]

    def write(self, request, issuer, values, expected_version):
        return services.plan_issuer_save(user=request.user, issuer=issuer, **values)

    def remove(self, request, issuer, expected_version):
        services.plan_issuer_delete(user=request.user, issuer=issuer)


class PlanTargetInline(TargetWrites, ServiceInline, PlanScopedInline, admin.TabularInline):
    """The plan's overall targets (目标); a task's own targets are shown under the task."""

    parent_plan_path = ""

    model = Target
    fk_name = "plan"
    exclude = ["task"]
    extra = 0
    ordering = ["position"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(task__isnull=True)


@admin.register(Plan)
class PlanAdmin(ServiceModelAdmin, PlanScopedAdmin, SimpleHistoryAdmin):
    plan_path = ""
    list_display = [
        "title", "doc_number", "jurisdiction", "plan_year", "coordinator", "section_count", "task_count", "running",
    ]
    list_filter = ["plan_year", "jurisdiction", "reporting_frequency"]
    list_select_related = ["coordinator"]
    search_fields = ["title", "key", "doc_number"]
    autocomplete_fields = ["coordinator", "office_staff"]
    readonly_fields = [
        "source_name", "source_sha256", "source_text", "created_at", "updated_at", "is_published", "published_at",
        "public_page",
    ]
    fieldsets = [
        (None, {"fields": ["title", "key", "doc_number", "jurisdiction", "plan_year", "issued_on", "coordinator"]}),
        (_("督办"), {"fields": ["office_staff"]}),
        (_("公开发布"), {"fields": ["is_published", "published_at", "public_page"]}),
        (_("实施期"), {"fields": ["period_start", "period_end", "valid_until"]}),
        (
            _("报送要求"),
            {
                "fields": [
                    "reporting_frequency", "reporting_month", "reporting_day", "reporting_rule_text", "holiday_shift",
                ],
            },
        ),
        (_("督办流程"), {"fields": ["acknowledge_days", "allow_late_extensions"]}),
        (_("来源"), {"classes": ["collapse"], "fields": ["source_name", "source_sha256", "source_text"]}),
        (_("记录"), {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [PlanIssuerInline, PlanTargetInline]
    actions = ["generate_periods", "publish", "withdraw"]

    @admin.display(description=_("执行情况"), ordering="period_end")
    def running(self, plan):
        if plan.ended_on:
            return _("历史记录（%(end)s 已到期）") % {"end": date_format(plan.ended_on, "Y-m-d")}
        return _("执行中")

    def get_readonly_fields(self, request, obj=None):
        """方案标识 is how a revised document finds its plan again: shown, never typed."""
        return [*self.readonly_fields, "key"] if obj else self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj:
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [field for field in options["fields"] if field != "key"]}), *rest]

    def write(self, request, plan, values, expected_version):
        return services.plan_save(user=request.user, plan=plan, **values)

    def remove(self, request, plan, expected_version):
        services.plan_delete(user=request.user, plan=plan)

    @admin.action(description=_("按报送要求生成报送周期"), permissions=["change"])
    def generate_periods(self, request, queryset):
        created = 0
        for plan in queryset:
            try:
                created += len(services.periods_generate(user=request.user, plan=plan))
            except PermissionDenied as refusal:
                self.message_user(request, f"{plan}: {refusal}", messages.ERROR)
        self.message_user(request, _("新建报送周期 %(count)d 个。") % {"count": created}, messages.SUCCESS)

    def _set_published(self, request, queryset, published: bool) -> list[Plan]:
        """Publish or withdraw each chosen plan the user manages; the others are named."""
        done, refused = [], []
        for plan in queryset:
            try:
                done.append(services.plan_publish(user=request.user, plan=plan, published=published))
            except PermissionDenied:
                refused.append(str(plan))
        if refused:
            self.message_user(request, _("无权发布或撤回：%(plans)s") % {"plans": "、".join(refused)}, messages.ERROR)
        return done

    @admin.action(description=_("公开发布（无需登录即可查看公开进展页面）"), permissions=["change"])
    def publish(self, request, queryset):
        for plan in self._set_published(request, queryset, True):
            url = request.build_absolute_uri(reverse("public-plan", args=[plan.pk]))
            self.message_user(
                request, format_html(_("《{}》已公开发布：<a href=\"{}\">{}</a>"), plan, url, url), messages.SUCCESS,
            )

    @admin.action(description=_("撤回公开发布"), permissions=["change"])
    def withdraw(self, request, queryset):
        for plan in self._set_published(request, queryset, False):
            self.message_user(
                request, _("《%(title)s》已撤回公开，公开页面不再可访问。") % {"title": plan}, messages.SUCCESS,
            )

    @admin.display(description=_("公开页面"))
    def public_page(self, plan):
        if not plan.pk or not plan.is_published:
            return _("未公开发布。在方案列表中选中本方案，执行“公开发布”。")
        url = reverse("public-plan", args=[plan.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    def get_queryset(self, request):
        # ordered explicitly: a grouped query drops Meta.ordering, and the autocomplete pages it
        return super().get_queryset(request).annotate(
            section_total=Count("nodes", filter=Q(nodes__kind=NodeKind.SECTION)),
            task_total=Count("nodes", filter=Q(nodes__kind=NodeKind.TASK)),
        ).order_by(*Plan._meta.ordering)

    @admin.display(description=_("章节"), ordering="section_total")
    def section_count(self, plan):
        return format_html('<a href="{}">{}</a>', changelist_url(Section, plan__id__exact=plan.pk), plan.section_total)

    @admin.display(description=_("任务"), ordering="task_total")
    def task_count(self, plan):
        return format_html('<a href="{}">{}</a>', changelist_url(Task, plan__id__exact=plan.pk), plan.task_total)

