"""The supervision cycle on a task's page: 申请延期 and 申请办结 (the lead unit's leader), 销号
and 重新打开 (the office), each a small form page of its own; the buttons show only when
plans.permissions allows the step, the service checks it again, and a refusal shows the
service's sentence with nothing changed. The page also shows the task's trail (plans.timeline)
and leaves the block `task_discussion` for the task's comment thread."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans import services
from plans.admin.report_attachments import ACCEPT, FILES_FIELD
from plans.admin.writes import VERSION_FIELD
from plans.models import ClaimState, CompletionClaim, Deadline, DeadlineKind, ExtensionRequest, RequestState
from plans.permissions import (
    can_claim_completion,
    can_close_task,
    can_reopen_task,
    can_request_extension,
)
from plans.services import StaleVersion
from plans.timeline import task_timeline

FORM_TEMPLATE = "admin/plans/workflow_form.html"
TEXT = forms.Textarea(attrs={"rows": 4, "class": "vLargeTextField"})


def extendable(user, task, today) -> list[Deadline]:
    """The task's dated 完成时限 the user may ask to move."""
    dated = task.deadlines.filter(kind=DeadlineKind.DUE, date__isnull=False).order_by("position")
    found = []
    for deadline in dated:
        deadline.task = task
        if not can_request_extension(user, deadline, today):
            found.append(deadline)
    return found


class MultipleFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (the widget sends a list); their content is checked by the
    evidence service, not here."""

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return super().clean(data, initial)


def evidence_field():
    """佐证材料 chosen with the request or claim (optional, several at once)."""
    return MultipleFileField(
        label=gettext_lazy("佐证材料"), required=False,
        widget=MultipleFiles(attrs={"accept": ACCEPT}),
        help_text=gettext_lazy("可多选。接受 PDF、OFD、Word、Excel、WPS、JPG、PNG、ZIP。"),
    )


def with_evidence(request, filed):
    """Run `filed` (the step's service, returning its request or claim) and keep the files
    chosen with it, in one transaction: a refused file leaves neither the step nor any file."""
    uploads = request.FILES.getlist(FILES_FIELD)
    with transaction.atomic():
        owner = filed()
        if uploads:
            services.attachments_add(user=request.user, owner=owner, uploads=uploads)
    return owner


class DeadlineChoice(forms.ModelChoiceField):
    def label_from_instance(self, deadline):
        return f"{deadline.date.isoformat()}（{deadline.text}）" if deadline.text else deadline.date.isoformat()


class ExtensionForm(forms.Form):
    deadline = DeadlineChoice(label=gettext_lazy("延期的时限"), queryset=Deadline.objects.none(), empty_label=None)
    requested_date = forms.DateField(label=gettext_lazy("申请延至"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=gettext_lazy("延期理由"), widget=TEXT)
    evidence = evidence_field()

    def __init__(self, *args, deadlines=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].queryset = Deadline.objects.filter(pk__in=[d.pk for d in deadlines]).order_by(
            "position"
        )


class ClaimForm(forms.Form):
    summary = forms.CharField(label=gettext_lazy("办结情况"), widget=TEXT)
    evidence = evidence_field()


class CloseForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class ReopenForm(CloseForm):
    reason = forms.CharField(label=gettext_lazy("重新打开的理由"), widget=TEXT)


def add_refusal(form, refusal) -> None:
    """The service's sentence on the form: on its field where it names one the form has."""
    if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
        for name, errors in refusal.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, " ".join(getattr(refusal, "messages", [str(refusal)])))


class TaskWorkflowActions:
    """Mixin for the TaskAdmin: the four step pages and what the change page shows of the cycle."""

    def get_urls(self):
        def route(suffix, view):
            return path(
                f"<path:object_id>/{suffix}/", self.admin_site.admin_view(view), name=f"plans_task_{suffix}",
            )

        return [
            route("extension", self.extension_view), route("claim", self.claim_view),
            route("close", self.close_view), route("reopen", self.reopen_view), *super().get_urls(),
        ]

    # what the change page shows -------------------------------------------------------------
    def workflow_steps(self, request, task) -> dict[str, bool]:
        user = request.user
        return {
            "can_request_extension": bool(extendable(user, task, timezone.localdate())),
            "can_claim": not can_claim_completion(user, task),
            "can_close": not can_close_task(user, task),
            "can_reopen": not can_reopen_task(user, task),
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.workflow_steps(request, obj))
            context.update(
                timeline=task_timeline(obj),
                open_extensions=ExtensionRequest.objects.filter(task=obj, state=RequestState.PENDING)
                .select_related("deadline"),
                open_claims=CompletionClaim.objects.filter(task=obj, state=ClaimState.SUBMITTED),
                deadline_rows=obj.deadlines.order_by("position"),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # the step pages -------------------------------------------------------------------------
    def _task_or_404(self, request, object_id):
        task = self.get_queryset(request).filter(pk=unquote(object_id)).first()
        if task is None:
            raise Http404
        return task

    def _back(self, task):
        return HttpResponseRedirect(reverse("admin:plans_task_change", args=[task.pk]))

    def _refused(self, request, task, reason):
        self.message_user(request, reason, messages.ERROR)
        return self._back(task)

    def _step(self, request, task, form, *, title, button, run, done, intro=""):
        """The form page on GET (or with its errors); on a valid POST the service, then back to the task."""
        if request.method == "POST" and form.is_valid():
            try:
                run(form.cleaned_data)
            except (PermissionDenied, ValidationError, StaleVersion) as refusal:
                add_refusal(form, refusal)
            else:
                self.message_user(request, done, messages.SUCCESS)
                return self._back(task)
        context = {
            **self.admin_site.each_context(request),
            "title": title, "opts": self.model._meta, "original": task, "form": form, "button": button,
            "intro": intro,
        }
        return TemplateResponse(request, FORM_TEMPLATE, context)

    def extension_view(self, request, object_id):
        task = self._task_or_404(request, object_id)
        deadlines = extendable(request.user, task, timezone.localdate())
        if not deadlines:
            reasons = [can_request_extension(request.user, d, timezone.localdate())
                       for d in task.deadlines.filter(kind=DeadlineKind.DUE, date__isnull=False)]
            return self._refused(request, task, reasons[0] if reasons else _(
                "只能对有日期的完成时限申请延期 (only a dated completion deadline can be extended)"))
        form = ExtensionForm(request.POST or None, request.FILES or None, deadlines=deadlines)
        return self._step(
            request, task, form, title=_("申请延期"), button=_("提交延期申请"),
            run=lambda data: with_evidence(request, lambda: services.extension_request(
                user=request.user, deadline=data["deadline"], requested_date=data["requested_date"],
                reason=data["reason"],
            )),
            done=_("延期申请已提交，等待督办审批。"),
            intro=_("原时限在批准前不变；批准后时限改为申请的日期，并保留原定日期。"),
        )

    def claim_view(self, request, object_id):
        task = self._task_or_404(request, object_id)
        if reason := can_claim_completion(request.user, task):
            return self._refused(request, task, reason)
        return self._step(
            request, task, ClaimForm(request.POST or None, request.FILES or None), title=_("申请办结"),
            button=_("提交办结申请"),
            run=lambda data: with_evidence(
                request, lambda: services.completion_claim(user=request.user, task=task, summary=data["summary"]),
            ),
            done=_("办结申请已提交，等待督办审核。"),
        )

    def close_view(self, request, object_id):
        task = self._task_or_404(request, object_id)
        if reason := can_close_task(request.user, task):
            return self._refused(request, task, reason)
        form = CloseForm(request.POST or None, initial={VERSION_FIELD: task.version})
        return self._step(
            request, task, form, title=_("销号"), button=_("确认销号"),
            run=lambda data: services.task_close(user=request.user, task=task, expected_version=data[VERSION_FIELD]),
            done=_("任务已销号，不再需要报送。"),
            intro=_("销号后任务锁定，不再需要报送；如有需要可重新打开。"),
        )

    def reopen_view(self, request, object_id):
        task = self._task_or_404(request, object_id)
        if reason := can_reopen_task(request.user, task):
            return self._refused(request, task, reason)
        form = ReopenForm(request.POST or None, initial={VERSION_FIELD: task.version})
        return self._step(
            request, task, form, title=_("重新打开"), button=_("确认重新打开"),
            run=lambda data: services.task_reopen(
                user=request.user, task=task, reason=data["reason"], expected_version=data[VERSION_FIELD],
            ),
            done=_("任务已重新打开，回到办理中。"),
        )
