"""Reporting in the admin: periods opened and closed by the office, reports filled in by a
unit's officials, submitted by its leader, approved or returned by the office. Every change
goes through plans.services, which checks plans.permissions; this module only decides
which fields and buttons a user sees."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from plans import services
from plans.admin.common import DerivedYesNoFilter, ReadOnlyInline, RefusalsAsMessages, service_refusals
from plans.admin.report_attachments import ReportAttachments
from plans.admin.report_batches import ReportBatchActions
from plans.admin.writes import VERSION_FIELD, ServiceModelAdmin, VersionedForm
from plans.admin.scoping import PlanScopedAdmin, VisibleOr404
from plans.jobs import progress_sheet_or_job
from plans.models import Job, ProgressReport, Reminder, ReportingPeriod, SheetImport, SupportingInput
from plans.permissions import (
    can_add_supporting_input,
    can_edit_report,
    can_review_report,
    can_submit_report,
    can_withdraw_report,
    is_office,
    membership,
)

CONTENT_FIELDS = list(services.REPORT_FIELDS)
SUBMIT, APPROVE, RETURN = "_submit_report", "_approve_report", "_return_report"
WITHDRAW = "_withdraw_report"


# --- periods ------------------------------------------------------------------------------
@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(ServiceModelAdmin, PlanScopedAdmin, admin.ModelAdmin):
    list_display = ["label", "plan", "start", "end", "due_date", "is_open"]
    list_filter = ["plan", "is_open"]
    list_select_related = ["plan"]
    search_fields = ["label", "plan__title"]
    autocomplete_fields = ["plan"]
    actions = ["open_periods", "close_periods", "export_sheet", "export_sheet_with_units"]

    def write(self, request, period, values, expected_version):
        return services.period_save(user=request.user, period=period, expected_version=expected_version, **values)

    def remove(self, request, period, expected_version):
        services.period_delete(user=request.user, period=period, expected_version=expected_version)

    def get_list_display(self, request):
        """A column of sheet links: the plan's sheet, the user's unit's sheet, upload, and for
        the plan's office the period's 佐证材料 as one zip."""
        member = membership(request.user)

        @admin.display(description=_("进展情况表"))
        def sheets(period):
            url = reverse("progress-sheet", args=[period.pk])
            own = (
                format_html(' · <a href="{}?unit={}">{}</a>', url, member.unit_id, _("本单位报送表")) if member else ""
            )
            evidence = (
                format_html(
                    ' · <a href="{}">{}</a>', reverse("period-evidence-zip", args=[period.pk]), _("佐证材料（zip）"),
                )
                if is_office(request.user, period.plan_id) else ""
            )
            return format_html(
                '<a href="{}">{}</a>{} · <a href="{}?period={}">{}</a>{}', url, _("导出全表"), own,
                reverse("sheet-upload"), period.pk, _("上传"), evidence,
            )

        return [*super().get_list_display(request), sheets]

    def _one_period(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("请只选择一个报送周期导出。"), messages.WARNING)
            return None
        return queryset.get()

    def _export(self, request, queryset, unit_sheets: bool):
        """The workbook, or (a large one) the page of the job writing it."""
        period = self._one_period(request, queryset)
        if period is None:
            return None
        answer = progress_sheet_or_job(request.user, period, unit_sheets=unit_sheets)
        return redirect("job-detail", pk=answer.pk) if isinstance(answer, Job) else answer

    @admin.action(description=_("导出进展情况表（Excel）"), permissions=["view"])
    def export_sheet(self, request, queryset):
        return self._export(request, queryset, unit_sheets=False)

    @admin.action(description=_("导出进展情况表（含各单位分表）"), permissions=["view"])
    def export_sheet_with_units(self, request, queryset):
        return self._export(request, queryset, unit_sheets=True)

    @admin.action(description=_("开放填报（生成待填报报告）"), permissions=["change"])
    def open_periods(self, request, queryset):
        created = sum(len(services.period_open(user=request.user, period=period)) for period in queryset)
        self.message_user(
            request, _("已开放填报，新建待填报报告 %(count)d 份。") % {"count": created}, messages.SUCCESS,
        )

    @admin.action(description=_("关闭填报"), permissions=["change"])
    def close_periods(self, request, queryset):
        for period in queryset:
            services.period_close(user=request.user, period=period)
        self.message_user(request, _("已关闭填报。"), messages.SUCCESS)


# --- reports ------------------------------------------------------------------------------
class ReportForm(VersionedForm):
    """Checks the requested step against plans.permissions before anything is saved; carries
    the report's version, so a page saved after someone else changed the report is refused."""

    supporting_text = forms.CharField(
        label=_("本单位配合情况"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("配合单位填写，供牵头单位汇总。"),
    )

    class Meta:
        model = ProgressReport
        fields = CONTENT_FIELDS + ["review_comment"]

    def clean(self):
        cleaned = super().clean()
        user, report, data = self.request.user, self.instance, self.data
        reasons = []
        if set(self.changed_data) & set(CONTENT_FIELDS):
            reasons.append(can_edit_report(user, report))
        if cleaned.get("supporting_text", "").strip():
            reasons.append(can_add_supporting_input(user, report))
        if SUBMIT in data:
            reasons.append(can_submit_report(user, report))
            if not (cleaned.get("progress") or "").strip():
                reasons.append(str(_("请先填写本期进展情况再报送 (fill in the progress before submitting)")))
        if APPROVE in data or RETURN in data:
            reasons.append(can_review_report(user, report))
        if WITHDRAW in data:
            reasons.append(can_withdraw_report(user, report))
        if RETURN in data and not (cleaned.get("review_comment") or "").strip():
            self.add_error("review_comment", _("退回时请填写审核意见 (a comment is required to return a report)"))
        for reason in filter(None, reasons):
            raise ValidationError(reason)
        return cleaned


class SupportingInputInline(ReadOnlyInline, admin.TabularInline):
    model = SupportingInput
    fields = ["unit", "text", "author", "updated_at"]
    readonly_fields = fields


class LateFilter(DerivedYesNoFilter):
    title = _("逾期未报")
    parameter_name = "late"

    def matching(self, today):
        return ProgressReport.objects.late(today).values("pk")


class FilledFilter(DerivedYesNoFilter):
    """已填写 (本期进展情况 written, what a submission needs) apart from empty reports: a
    leader picks the filled ones to submit together."""

    title = _("已填写进展情况")
    parameter_name = "filled"

    def matching(self, today):
        return ProgressReport.objects.exclude(progress="").values("pk")


@admin.register(ProgressReport)
class ProgressReportAdmin(
    ReportAttachments, ReportBatchActions, RefusalsAsMessages, PlanScopedAdmin, SimpleHistoryAdmin,
):
    plan_path = "period__plan"
    form = ReportForm
    change_form_template = "admin/plans/progressreport/change_form.html"
    # ?_facets would count every sidebar choice over all the reports (a million on a province)
    show_facets = admin.ShowFacets.NEVER
    list_display = ["task", "unit", "period", "status", "percent", "state", "late", "submitted_at"]
    list_filter = ["state", FilledFilter, LateFilter, "status", "period__plan", "period", "unit"]
    list_select_related = ["task", "unit", "period__plan"]
    search_fields = ["task__title", "task__path", "unit__name", "unit__short_name"]
    inlines = [SupportingInputInline]
    actions = ["batch_submit", "batch_approve", "batch_return"]
    fieldsets = [
        (None, {"fields": ["task", "unit", "period", "state", VERSION_FIELD]}),
        (_("进展情况"), {"fields": ["status", "percent", "progress", "problems", "next_steps"]}),
        (_("配合单位"), {"fields": ["supporting_text"]}),
        (_("审核"), {"fields": ["review_comment", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at"]}),
        (_("记录"), {"fields": ["created_at", "updated_at"]}),
    ]
    always_readonly = [
        "task", "unit", "period", "state", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at",
        "created_at", "updated_at",
    ]

    def visible(self, queryset, user):
        return queryset.visible_to(user)

    def get_queryset(self, request):
        return super().get_queryset(request).with_late(timezone.localdate())

    @admin.display(description=_("逾期未报"), boolean=True, ordering="is_late")
    def late(self, report):
        return report.is_late

    # who may do what ---------------------------------------------------------------------
    def has_add_permission(self, request):
        return False  # reports are created when the office opens a period

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def _steps(self, request, report) -> dict[str, bool]:
        user = request.user
        return {
            "edit": not can_edit_report(user, report),
            "submit": not can_submit_report(user, report),
            "review": not can_review_report(user, report),
            "support": not can_add_supporting_input(user, report),
            "withdraw": not can_withdraw_report(user, report),
        }

    def has_change_permission(self, request, obj=None):
        if not super(PlanScopedAdmin, self).has_change_permission(request, obj):
            return False
        return obj is None or any(self._steps(request, obj).values())

    def get_readonly_fields(self, request, obj=None):
        steps = self._steps(request, obj) if obj else {}
        readonly = list(self.always_readonly)
        if not steps.get("edit"):
            readonly += CONTENT_FIELDS
        if not steps.get("review"):
            readonly.append("review_comment")
        return readonly

    def get_fieldsets(self, request, obj=None):
        steps = self._steps(request, obj) if obj else {}
        if steps.get("support"):
            return self.fieldsets
        return [fieldset for fieldset in self.fieldsets if "supporting_text" not in fieldset[1]["fields"]]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update({f"can_{step}": allowed for step, allowed in self._steps(request, obj).items()})
            context.update(submit_name=SUBMIT, approve_name=APPROVE, return_name=RETURN, withdraw_name=WITHDRAW)
            context.update(self.attachment_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """Office staff opening a submitted report mark it opened (office_opened_at): from
        then on its unit can no longer withdraw it. Only a page read (GET), of a report the
        user may see; it leaves the report's version as it was."""
        if request.method == "GET":
            report = self.get_object(request, unquote(object_id))
            if report is not None:
                services.report_mark_opened(user=request.user, report=report)
        elif request.method == "POST":  # the 佐证材料 section's own form (ReportAttachments)
            report = self.get_object(request, unquote(object_id))
            answered = report and self.attachment_post(request, report)
            if answered:
                return answered
        return super().change_view(request, object_id, form_url, extra_context)

    # saving through the services ------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        """The form's steps in order, each through its service; the first is refused if the
        report changed since the page was filled (its version)."""
        user, data, cleaned = request.user, request.POST, form.cleaned_data
        expected = [cleaned.get(VERSION_FIELD)]

        def version():
            return expected.pop() if expected else None

        with service_refusals():
            content = {name: cleaned[name] for name in CONTENT_FIELDS if name in form.changed_data}
            if content:
                services.report_update(user=user, report=obj, expected_version=version(), **content)
            if cleaned.get("supporting_text", "").strip():
                services.supporting_input_save(user=user, report=obj, text=cleaned["supporting_text"])
            comment = cleaned.get("review_comment") or ""
            if SUBMIT in data:
                services.report_submit(user=user, report=obj, expected_version=version())
            elif APPROVE in data:
                services.report_approve(user=user, report=obj, comment=comment, expected_version=version())
            elif RETURN in data:
                services.report_return(user=user, report=obj, comment=comment, expected_version=version())
            elif WITHDRAW in data:
                services.report_withdraw(user=user, report=obj, expected_version=version())

    def response_change(self, request, obj):
        done = {
            SUBMIT: _("报告已报送，等待督办审核。"),
            APPROVE: _("报告已审核通过并锁定。"),
            RETURN: _("报告已退回，单位将看到审核意见。"),
            WITHDRAW: _("已撤回报送，报告回到待填报，可修改后重新报送。"),
        }
        for name, message in done.items():
            if name in request.POST:
                self.message_user(request, message, messages.SUCCESS)
                return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)


# --- returned sheets --------------------------------------------------------------------------
@admin.register(SheetImport)
class SheetImportAdmin(VisibleOr404, admin.ModelAdmin):
    """Uploaded progress sheets: a read-only record; the preview page confirms them."""

    list_display = ["file_name", "period", "uploaded_by", "state", "applied_count", "created_at", "preview"]
    list_filter = ["state", "period__plan"]
    list_select_related = ["period__plan", "uploaded_by"]
    search_fields = ["file_name", "uploaded_by__username"]
    readonly_fields = [
        "preview", "period", "uploaded_by", "file_name", "size", "sha256", "state", "applied_count", "created_at",
        "applied_at",
    ]
    exclude = ["content", "changes", "problems"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user).defer("content", "changes", "problems")

    @admin.display(description=_("预览与确认"))
    def preview(self, sheet_import):
        return format_html('<a href="{}">{}</a>', reverse("sheet-import", args=[sheet_import.pk]), _("查看变更和问题"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


# --- reminders ----------------------------------------------------------------------------
@admin.register(Reminder)
class ReminderAdmin(VisibleOr404, admin.ModelAdmin):
    """What send_reminders sent: read-only, a record of who was chased and when."""

    list_display = ["sent_on", "unit", "rule", "subject", "recipients"]
    list_filter = ["rule", "sent_on"]
    list_select_related = ["unit"]
    search_fields = ["unit__name", "unit__short_name", "subject"]
    date_hierarchy = "sent_on"
    readonly_fields = ["unit", "rule", "sent_on", "recipients", "subject", "body", "sent_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
