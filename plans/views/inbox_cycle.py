"""The supervision cycle's part of 本期待办 (plans.views.inbox), above the reports: what waits
for the unit's 签收 (signed from here, one post per row to services.acknowledge), the office's
answers to the unit's 延期申请 and 办结申请, and the messages that concern the unit (mentions of
it, 批示 on its tasks). A fixed number of queries."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plans import services
from plans.models import (
    Acknowledgement,
    ClaimState,
    CompletionClaim,
    ExtensionRequest,
    RequestState,
    TaskComment,
    Unit,
)
from plans.permissions import can_acknowledge
from plans.selectors.cycle import answered_claims, answered_extensions, messages_for_units, waiting_acknowledgements


def admin_url(name: str, *args) -> str:
    """The admin page's URL, or "" while that page is not there."""
    try:
        return reverse(f"admin:{name}", args=args)
    except NoReverseMatch:
        return ""


def waiting_text(days: int) -> str:
    if days <= 0:
        return _("今日交办")
    return ngettext("已等待%(days)d天", "已等待%(days)d天", days) % {"days": days}


@dataclass(frozen=True)
class AcknowledgementRow:
    acknowledgement: Acknowledgement
    today: datetime.date
    can_sign: bool

    @property
    def what(self) -> str:
        row = self.acknowledgement
        return row.period.label if row.period_id else _("任务交办")

    @property
    def days_waiting(self) -> int:
        return self.acknowledgement.days_waiting(self.today)

    @property
    def waiting(self) -> str:
        return waiting_text(self.days_waiting)

    @property
    def is_late(self) -> bool:
        return self.today > self.acknowledgement.due_on


@dataclass(frozen=True)
class AnswerRow:
    """A 延期申请 or 办结申请 of the unit and where it stands."""

    kind: str  # 延期申请 / 办结申请
    row: ExtensionRequest | CompletionClaim
    summary: str  # what was asked
    url: str

    @property
    def state(self) -> str:
        return self.row.get_state_display()

    @property
    def is_pending(self) -> bool:
        return self.row.state in (RequestState.PENDING, ClaimState.SUBMITTED)

    @property
    def is_refused(self) -> bool:
        return self.row.state in (RequestState.REJECTED, ClaimState.RETURNED)

    @property
    def when(self) -> datetime.datetime:
        """When it was decided, else when it was filed."""
        row = self.row
        return row.decided_at or getattr(row, "requested_at", None) or row.claimed_at

    @property
    def decided_by(self) -> str:
        return str(self.row.decided_by) if self.row.decided_by_id else ""


@dataclass(frozen=True)
class MessageRow:
    comment: TaskComment
    mentions_us: bool
    url: str


@dataclass(frozen=True)
class CycleInbox:
    acknowledgements: list[AcknowledgementRow]
    answers: list[AnswerRow]
    messages: list[MessageRow]


def extension_row(request: ExtensionRequest) -> AnswerRow:
    summary = _("%(old)s 延至 %(new)s") % {
        "old": request.current_date.isoformat(), "new": request.requested_date.isoformat(),
    }
    return AnswerRow(_("延期申请"), request, summary, admin_url("plans_extensionrequest_change", request.pk))


def claim_row(claim: CompletionClaim) -> AnswerRow:
    return AnswerRow(_("办结申请"), claim, claim.summary, admin_url("plans_completionclaim_change", claim.pk))


def cycle_inbox(user, unit: Unit, acting: set[int], today: datetime.date) -> CycleInbox:
    acknowledgements = [
        AcknowledgementRow(row, today, can_sign=not can_acknowledge(user, row))
        for row in waiting_acknowledgements(unit.pk)
    ]
    answers = [extension_row(row) for row in answered_extensions(acting, today)]
    answers += [claim_row(row) for row in answered_claims(acting, today)]
    answers.sort(key=lambda answer: answer.when, reverse=True)
    answers.sort(key=lambda answer: not answer.is_pending)  # waiting first, then the latest answers
    comments = list(messages_for_units(user, acting, today).prefetch_related("mentions"))
    rows = [
        MessageRow(
            comment, any(mentioned.pk in acting for mentioned in comment.mentions.all()),
            admin_url("plans_taskcomment_thread", comment.task_id),
        )
        for comment in comments
    ]
    return CycleInbox(acknowledgements, answers, rows)


def acknowledge_post(request):
    """签收 one row of the inbox, with the version the page showed."""
    value = request.POST.get("acknowledge", "")
    row = (
        Acknowledgement.objects.visible_to(request.user).filter(pk=value).first() if value.isdigit() else None
    )
    if row is None:
        messages.error(request, _("所选签收事项不存在或您无权查看 (no such acknowledgement, or not yours to see)"))
        return redirect("inbox")
    version = request.POST.get("version", "")
    try:
        services.acknowledge(
            user=request.user, acknowledgement=row, expected_version=int(version) if version.isdigit() else None,
        )
    except (PermissionDenied, ValidationError, services.StaleVersion) as refusal:
        messages.error(request, " ".join(getattr(refusal, "messages", [str(refusal)])))
    else:
        messages.success(request, _("已签收：%(what)s (acknowledged)") % {"what": row})
    return redirect("inbox")
