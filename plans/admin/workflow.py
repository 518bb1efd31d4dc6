"""The supervision cycle's own pages (DOMAIN.md §5): 签收 (a unit's list of what it has to
acknowledge, signed from the list), 延期申请 and 办结申请 (filed from the task's page,
plans.admin.task_actions; decided here by the office). Rows are read through `visible_to`
(units their own, the office its plans'); every step goes through its service, which checks
plans.permissions again, and a refusal is shown as the service's sentence with nothing changed.
The groups (plans.roles) grant no permissions on these models: who may open what follows
the rules here."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans import services
from plans.admin.scoping import VisibleOr404
from plans.admin.writes import VERSION_FIELD, ServiceModelAdmin
from plans.models import Acknowledgement, Attachment, CompletionClaim, ExtensionRequest, person_label
from plans.permissions import (
    can_acknowledge,
    can_decide_claim,
    can_decide_extension,
    is_office_anywhere,
    membership,
)
from plans.services import StaleVersion

PERSON_PATHS = ("profile", "membership__unit")  # what person_label reads, fetched with the row


def people_related(*fields: str) -> list[str]:
    return [f"{name}__{hop}" for name in fields for hop in PERSON_PATHS]


def refusal_text(refusal) -> str:
    return " ".join(getattr(refusal, "messages", [str(refusal)]))


class WorkflowAdmin(VisibleOr404):
    """What the three pages share: the rows `visible_to` the user, opened by office staff and
    unit accounts (and superusers), never added or deleted here."""

    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def _works_here(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and (
            user.is_superuser or is_office_anywhere(user) or membership(user) is not None
        )

    def has_module_permission(self, request):
        return self._works_here(request)

    def has_view_permission(self, request, obj=None):
        return self._works_here(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- 签收 -------------------------------------------------------------------------------------
class WaitingFilter(admin.SimpleListFilter):
    title = gettext_lazy("未签收")
    parameter_name = "waiting"

    def lookups(self, request, model_admin):
        return [("yes", gettext_lazy("是")), ("no", gettext_lazy("否"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.waiting()
        if self.value() == "no":
            return queryset.filter(acknowledged_at__isnull=False)
        return queryset


@admin.register(Acknowledgement)
class AcknowledgementAdmin(WorkflowAdmin, admin.ModelAdmin):
    """签收: read-only rows; a unit's official or leader signs with the row's button or the
    action on several rows (all or none)."""

    list_display = [
        "unit", "plan", "what", "assigned_at", "due_on", "signed", "waiting_days", "late",
    ]
    list_filter = [WaitingFilter, "plan", "unit"]
    list_select_related = ["unit", "plan", "period", "acknowledged_by", *people_related("acknowledged_by")]
    search_fields = ["unit__name", "unit__short_name", "plan__title"]
    actions = ["acknowledge_selected"]
    fields = ["plan", "period", "unit", "assigned_at", "due_on", "acknowledged_at", "acknowledged_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_acknowledge_permission(self, request) -> bool:
        return membership(request.user) is not None

    @admin.display(description=gettext_lazy("交办/周期"))
    def what(self, row):
        return row.period.label if row.period_id else _("任务交办")

    @admin.display(description=gettext_lazy("签收时间/签收人"), ordering="acknowledged_at")
    def signed(self, row):
        if row.acknowledged_at is None:
            return "-"
        when = timezone.localtime(row.acknowledged_at).strftime("%Y-%m-%d %H:%M")
        return format_html("{}<br>{}", when, person_label(row.acknowledged_by))

    @admin.display(description=gettext_lazy("等待天数"))
    def waiting_days(self, row):
        return row.days_waiting()

    @admin.display(description=gettext_lazy("逾期"), boolean=True)
    def late(self, row):
        return row.is_late

    def get_list_display(self, request):
        """A column of 签收 buttons, one on each row the user may sign: it posts the list's own
        form (with its CSRF token) to the row's acknowledge URL, with the row's version."""
        user = request.user

        @admin.display(description=_("签收"))
        def sign(row):
            if can_acknowledge(user, row):
                return ""
            url = reverse("admin:plans_acknowledgement_acknowledge", args=[row.pk])
            return format_html(
                '<button type="submit" class="button ack-button" formaction="{}" name="{}" value="{}">{}</button>',
                url, VERSION_FIELD, row.version, _("签收"),
            )

        return [*super().get_list_display(request), sign]

    def get_urls(self):
        view = self.admin_site.admin_view(self.acknowledge_view)
        return [path("<path:object_id>/acknowledge/", view, name="plans_acknowledgement_acknowledge"),
                *super().get_urls()]

    def acknowledge_view(self, request, object_id):
        """The row button: POST with the version the list showed."""
        row = self.get_queryset(request).filter(pk=unquote(object_id)).first()
        if row is None:
            raise Http404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        version = request.POST.get(VERSION_FIELD, "")
        if not version.isdigit():
            self.message_user(request, _("页面已过期，请刷新后重试 (the page is out of date)"), messages.ERROR)
        else:
            try:
                services.acknowledge(user=request.user, acknowledgement=row, expected_version=int(version))
            except (PermissionDenied, ValidationError, StaleVersion) as refusal:
                self.message_user(request, refusal_text(refusal), messages.ERROR)
            else:
                self.message_user(request, _("已签收：%(row)s") % {"row": row}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:plans_acknowledgement_changelist"))

    @admin.action(description=gettext_lazy("签收所选事项"), permissions=["acknowledge"])
    def acknowledge_selected(self, request, queryset):
        rows = list(queryset.select_related("unit", "plan", "period").order_by("pk"))
        for row in rows:
            if reason := can_acknowledge(request.user, row):
                self.message_user(request, f"{row}：{reason}", messages.ERROR)
                return
        try:
            with transaction.atomic():  # all chosen rows or none
                for row in rows:
                    services.acknowledge(user=request.user, acknowledgement=row)
        except (PermissionDenied, ValidationError, StaleVersion) as refusal:
            self.message_user(request, refusal_text(refusal), messages.ERROR)
            return
        self.message_user(request, _("已签收 %(count)d 项。") % {"count": len(rows)}, messages.SUCCESS)


# --- decisions: 延期申请 and 办结申请 ------------------------------------------------------------
class DecisionForm(forms.ModelForm):
    """The office's comment and which button was pressed; the rule is checked before saving.
    (WritesThroughServices adds the version field.)"""

    def clean(self):
        cleaned = super().clean()
        admin_page, data = self.admin_page, self.data
        if admin_page.accept_name not in data and admin_page.reject_name not in data:
            raise ValidationError(_("请点击“%(accept)s”或“%(reject)s” (choose a decision)") % {
                "accept": admin_page.accept_label, "reject": admin_page.reject_label,
            })
        if reason := admin_page.rule(self.request.user, self.instance):
            raise ValidationError(reason)
        if admin_page.reject_name in data and not (cleaned.get("decision_comment") or "").strip():
            self.add_error("decision_comment", admin_page.comment_required)
        return cleaned


class DecisionAdmin(ServiceModelAdmin, WorkflowAdmin, admin.ModelAdmin):
    """A request the office decides on its page: two buttons, a comment (required to refuse).
    Its save is the decision's service (`write`); nothing is added or deleted here."""

    form = DecisionForm
    change_form_template = "admin/plans/workflow_decision.html"
    accept_name, reject_name = "_accept", "_reject"
    accept_label = reject_label = comment_required = done_accept = done_reject = ""
    evidence_owner = ""  # the Attachment field naming this kind of request
    list_per_page = 50

    def rule(self, user, row) -> str:
        raise NotImplementedError

    def accept(self, request, row, comment, version):
        raise NotImplementedError

    def reject(self, request, row, comment, version):
        raise NotImplementedError

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return is_office_anywhere(request.user)
        return not self.rule(request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        editable = {"decision_comment"} if obj is not None and not self.rule(request.user, obj) else set()
        return [name for name in self.shown_fields if name not in editable]

    def get_fields(self, request, obj=None):
        decide = obj is not None and not self.rule(request.user, obj)
        return [*self.shown_fields, VERSION_FIELD] if decide else list(self.shown_fields)

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": self.get_fields(request, obj)})]  # the version field only where deciding

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request, form.admin_page = request, self
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        decide = obj is not None and not self.rule(request.user, obj)
        evidence = (
            Attachment.objects.filter(**{self.evidence_owner: obj}).select_related("uploaded_by__profile")
            if obj is not None else []
        )
        context.update(
            evidence=[
                {"attachment": row, "url": reverse("attachment-download", args=[row.pk]),
                 "uploader": person_label(row.uploaded_by)} for row in evidence
            ],
            can_decide=decide, accept_name=self.accept_name, reject_name=self.reject_name,
            accept_label=self.accept_label, reject_label=self.reject_label,
            show_save=False, show_save_and_continue=False, show_save_and_add_another=False, show_delete=False,
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def write(self, request, obj, values, expected_version):
        comment = values.get("decision_comment", obj.decision_comment) or ""
        decide = self.accept if self.accept_name in request.POST else self.reject
        return decide(request, obj, comment, expected_version)

    def remove(self, request, obj, expected_version):
        raise PermissionDenied  # never offered: has_delete_permission is False

    def response_change(self, request, obj):
        done = self.done_accept if self.accept_name in request.POST else self.done_reject
        self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(request.path)

    @admin.display(description=gettext_lazy("申请人"))
    def applicant(self, row):
        return person_label(self.applicant_of(row))

    @admin.display(description=gettext_lazy("审批人"), empty_value="-")
    def decider(self, row):
        return person_label(row.decided_by) if row.decided_by_id else None

    def applicant_of(self, row):
        raise NotImplementedError


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(DecisionAdmin):
    evidence_owner = "extension"
    list_display = ["task", "unit", "dates", "state", "applicant", "requested_at", "decider", "decided_at"]
    list_filter = ["state", "task__plan", "unit"]
    list_select_related = [
        "task", "unit", "requested_by", "decided_by", *people_related("requested_by", "decided_by"),
    ]
    search_fields = ["task__title", "task__path", "unit__name", "unit__short_name", "reason"]
    shown_fields = [
        "task", "deadline", "unit", "dates", "deadline_now", "reason", "state", "applicant", "requested_at",
        "decision_comment", "decider", "decided_at",
    ]
    fields = shown_fields
    accept_name, reject_name = "_approve_extension", "_reject_extension"
    accept_label, reject_label = gettext_lazy("批准"), gettext_lazy("不批准")
    comment_required = gettext_lazy("不批准时请填写审批意见 (a comment is required to reject)")
    done_accept = gettext_lazy("已批准延期，时限已改为申请的日期。")
    done_reject = gettext_lazy("已不批准延期申请，时限不变。")

    def rule(self, user, row):
        return can_decide_extension(user, row)

    def applicant_of(self, row):
        return row.requested_by

    def accept(self, request, row, comment, version):
        return services.extension_approve(user=request.user, request=row, comment=comment, expected_version=version)

    def reject(self, request, row, comment, version):
        return services.extension_reject(user=request.user, request=row, comment=comment, expected_version=version)

    @admin.display(description=gettext_lazy("申请时的时限 → 申请延至"))
    def dates(self, row):
        return f"{row.current_date.isoformat()} → {row.requested_date.isoformat()}"

    @admin.display(description=gettext_lazy("现在的时限"))
    def deadline_now(self, row):
        deadline = row.deadline
        if deadline.original_date:
            return _("%(date)s（原定 %(original)s，已延期 %(count)d 次）") % {
                "date": deadline.date, "original": deadline.original_date.isoformat(), "count": deadline.extensions,
            }
        return deadline.date.isoformat() if deadline.date else deadline.text


@admin.register(CompletionClaim)
class CompletionClaimAdmin(DecisionAdmin):
    evidence_owner = "claim"
    list_display = ["task", "unit", "state", "applicant", "claimed_at", "decider", "decided_at"]
    list_filter = ["state", "task__plan", "unit"]
    list_select_related = ["task", "unit", "claimed_by", "decided_by", *people_related("claimed_by", "decided_by")]
    search_fields = ["task__title", "task__path", "unit__name", "unit__short_name", "summary"]
    shown_fields = [
        "task", "unit", "summary", "report", "state", "applicant", "claimed_at", "decision_comment", "decider",
        "decided_at",
    ]
    fields = shown_fields
    accept_name, reject_name = "_accept_claim", "_return_claim"
    accept_label, reject_label = gettext_lazy("办结"), gettext_lazy("退回")
    comment_required = gettext_lazy("退回时请填写审核意见 (a comment is required to return a claim)")
    done_accept = gettext_lazy("已办结：任务标为已完成，可以销号。")
    done_reject = gettext_lazy("办结申请已退回，任务回到办理中。")

    def rule(self, user, row):
        return can_decide_claim(user, row)

    def applicant_of(self, row):
        return row.claimed_by

    def accept(self, request, row, comment, version):
        return services.claim_accept(user=request.user, claim=row, comment=comment, expected_version=version)

    def reject(self, request, row, comment, version):
        return services.claim_return(user=request.user, claim=row, comment=comment, expected_version=version)
