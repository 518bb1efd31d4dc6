"""Several reports at once from the report list: 批量报送 for a unit's leader, 批量审核通过 and
批量退回 for the office. Each action shows a confirmation page listing the selected reports
(and, for a return, a required 审核意见), then runs one batch service: all or nothing, a
refusal names the report and nothing changes."""
from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans import services
from plans.models import MemberRole
from plans.permissions import can_review_report, can_submit_report, is_office_anywhere, membership
from plans.services import StaleVersion

CONFIRM = "post"  # the field Django's own confirmation pages (delete_selected) post
COMMENT = "batch_comment"
CONFIRM_TEMPLATE = "admin/plans/progressreport/batch_confirm.html"


def posted_versions(data, reports) -> dict[int, int]:
    """{report id: version} as the confirmation page showed them (version_<id> fields); a
    report without one is not checked."""
    versions = {}
    for report in reports:
        value = data.get(f"version_{report.pk}", "")
        if value.isdigit():
            versions[report.pk] = int(value)
    return versions


def submit_refusal(user, report) -> str:
    """Why report_submit would refuse the report ("" if it would not)."""
    if reason := can_submit_report(user, report):
        return reason
    return "" if report.progress.strip() else _("请先填写本期进展情况再报送 (fill in the progress before submitting)")


class ReportBatchActions:
    """Mixin for the ProgressReport admin: the three batch actions and their permissions."""

    def has_batch_submit_permission(self, request) -> bool:
        member = membership(request.user)
        return member is not None and member.role == MemberRole.LEADER

    def has_batch_review_permission(self, request) -> bool:
        return is_office_anywhere(request.user)

    def _batch(self, request, queryset, *, title, rule, run, done, comment_shown=True, comment_required=False):
        """The confirmation page on the first post; the batch service on the confirmed one."""
        reports = list(queryset.select_related("task", "unit", "period__plan").order_by("pk"))
        comment = request.POST.get(COMMENT, "")
        error = ""
        if CONFIRM in request.POST:
            if comment_required and not comment.strip():
                error = _("退回时请填写审核意见 (a comment is required to return a report)")
            else:
                try:
                    run(reports, comment, posted_versions(request.POST, reports))
                except (PermissionDenied, ValidationError, StaleVersion) as refusal:
                    reason = " ".join(getattr(refusal, "messages", [str(refusal)]))
                    self.message_user(request, reason, messages.ERROR)
                    return None
                self.message_user(request, done % {"count": len(reports)}, messages.SUCCESS)
                return None
        rows = [(report, rule(request.user, report)) for report in reports]
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "rows": rows,
            "refused": any(reason for _report, reason in rows),
            "action": request.POST.get("action", ""),
            "confirm_name": CONFIRM,
            "comment_name": COMMENT,
            "comment": comment,
            "comment_shown": comment_shown,
            "comment_required": comment_required,
            "error": error,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, CONFIRM_TEMPLATE, context)

    @admin.action(description=gettext_lazy("批量报送所选报告"), permissions=["batch_submit"])
    def batch_submit(self, request, queryset):
        return self._batch(
            request, queryset, title=_("确认报送以下报告"), rule=submit_refusal,
            run=lambda reports, _comment, versions: services.reports_submit(
                user=request.user, reports=reports, expected_versions=versions,
            ),
            done=_("已报送 %(count)d 份报告，等待督办审核。"), comment_shown=False,
        )

    @admin.action(description=gettext_lazy("批量审核通过所选报告"), permissions=["batch_review"])
    def batch_approve(self, request, queryset):
        return self._batch(
            request, queryset, title=_("确认审核通过以下报告"), rule=can_review_report,
            run=lambda reports, comment, versions: services.reports_approve(
                user=request.user, reports=reports, comment=comment, expected_versions=versions,
            ),
            done=_("已审核通过 %(count)d 份报告。"),
        )

    @admin.action(description=gettext_lazy("批量退回所选报告"), permissions=["batch_review"])
    def batch_return(self, request, queryset):
        return self._batch(
            request, queryset, title=_("确认退回以下报告"), rule=can_review_report, comment_required=True,
            run=lambda reports, comment, versions: services.reports_return(
                user=request.user, reports=reports, comment=comment, expected_versions=versions,
            ),
            done=_("已退回 %(count)d 份报告，单位将看到审核意见。"),
        )
