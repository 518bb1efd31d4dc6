"""A task's trail (办理轨迹): one chronological list of what happened to it in the supervision
cycle (DOMAIN.md §5) — 交办 (the task made and its units assigned), 签收 of the plan by its
units, each progress report's 报送 / 撤回 / 审核通过 / 退回, 延期申请 and their decisions,
办结申请 and their decisions, 销号 and 重新打开 — each with its time, the person by name
(person_label) and what happened. Read only: built from the rows the services wrote and their
history (plans.history gives each object's own ledger; this joins them for one task)."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.history import MINUTE, source_of
from plans.models import (
    Acknowledgement,
    Assignment,
    ClaimState,
    Closure,
    CompletionClaim,
    ExtensionRequest,
    ProgressReport,
    ReportState,
    RequestState,
    Task,
    person_label,
)
from plans.selectors.discussion import task_unit_ids

# What happened, as codes (for a template's class and for tests) in the order of the cycle:
# two entries at the same moment are listed in this order.
KINDS = [
    "assigned", "unit_assigned", "acknowledged",
    "report_submitted", "report_withdrawn", "report_returned", "report_approved",
    "extension_requested", "extension_approved", "extension_rejected",
    "claim_filed", "claim_accepted", "claim_returned",
    "closed", "reopened",
]


@dataclass(frozen=True)
class Event:
    at: datetime.datetime
    kind: str  # one of KINDS
    person: str  # 名字（单位）, or "系统" when no one signed in did it
    what: str  # what happened, in words
    detail: str = ""  # the reason, comment or summary that came with it

    @property
    def time(self) -> str:
        return timezone.localtime(self.at).strftime(MINUTE)


class People:
    """Users by id, named once each (person_label)."""

    def __init__(self, ids):
        ids = {pk for pk in ids if pk is not None}
        users = get_user_model()._base_manager.in_bulk(ids) if ids else {}
        self.names = {pk: person_label(user) for pk, user in users.items()}

    def __call__(self, pk) -> str:
        if pk is None:
            return _("系统")
        return self.names.get(pk) or _("已删除的账号")


def _assignment_events(task: Task, raw: list) -> None:
    created = task.history.filter(history_type="+").order_by("history_date").first()
    raw.append((
        created.history_date if created else task.created_at, "assigned", created.history_user_id if created else None,
        _("任务交办：%(path)s %(title)s") % {"path": task.path, "title": task.title}, "",
    ))
    added = Assignment.history.filter(task_id=task.pk, history_type="+").select_related("unit")
    for row in added.order_by("history_date"):
        unit = row.unit if row.unit_id else None
        raw.append((
            row.history_date, "unit_assigned", row.history_user_id,
            _("交办给 %(unit)s（%(role)s）") % {"unit": unit, "role": row.get_role_display()}, "",
        ))


def _acknowledgement_events(task: Task, raw: list) -> None:
    signed = (
        Acknowledgement.objects.filter(plan_id=task.plan_id, period__isnull=True, unit_id__in=task_unit_ids(task))
        .filter(acknowledged_at__isnull=False).select_related("unit")
    )
    for row in signed:
        raw.append((
            row.acknowledged_at, "acknowledged", row.acknowledged_by_id,
            _("%(unit)s 签收交办任务") % {"unit": row.unit}, "",
        ))


def _report_step(previous: str, state: str) -> tuple[str, str] | None:
    """(kind, words with %(period)s and %(unit)s) of a report's change of state."""
    if previous == ReportState.SUBMITTED and state == ReportState.PENDING:
        return "report_withdrawn", _("撤回进展报告（%(period)s，%(unit)s）")
    if state == ReportState.SUBMITTED:
        return "report_submitted", _("报送进展报告（%(period)s，%(unit)s）")
    if state == ReportState.APPROVED:
        return "report_approved", _("审核通过进展报告（%(period)s，%(unit)s）")
    if state == ReportState.RETURNED:
        return "report_returned", _("退回进展报告（%(period)s，%(unit)s）")
    return None


def _report_events(task: Task, raw: list) -> None:
    """Each change of a report's state in its history: 报送, 撤回, 审核通过, 退回 (with its comment)."""
    rows = ProgressReport.history.filter(task_id=task.pk).order_by("id", "history_date", "history_id")
    rows = rows.select_related("period", "unit")
    before: dict[int, str] = {}
    for row in rows:
        previous = before.get(row.id)
        before[row.id] = row.state
        if row.history_type == "-" or previous is None or previous == row.state:
            continue
        step = _report_step(previous, row.state)
        if step is None:
            continue
        kind, words = step
        what = {"period": row.period.label if row.period_id else "", "unit": row.unit if row.unit_id else ""}
        detail = row.review_comment if row.state == ReportState.RETURNED else ""
        raw.append((row.history_date, kind, row.history_user_id, words % what, detail))


def _extension_events(task: Task, raw: list) -> None:
    for row in ExtensionRequest.objects.filter(task=task).select_related("unit"):
        dates = {"old": row.current_date.isoformat(), "new": row.requested_date.isoformat(), "unit": row.unit}
        raw.append((row.requested_at, "extension_requested", row.requested_by_id,
                    _("%(unit)s 申请延期：%(old)s → %(new)s") % dates, row.reason))
        if row.state == RequestState.APPROVED and row.decided_at:
            raw.append((row.decided_at, "extension_approved", row.decided_by_id,
                        _("批准延期：%(old)s → %(new)s") % dates, row.decision_comment))
        elif row.state == RequestState.REJECTED and row.decided_at:
            raw.append((row.decided_at, "extension_rejected", row.decided_by_id,
                        _("不批准延期：时限仍为 %(old)s") % dates, row.decision_comment))


def _claim_events(task: Task, raw: list) -> None:
    for row in CompletionClaim.objects.filter(task=task).select_related("unit"):
        raw.append((row.claimed_at, "claim_filed", row.claimed_by_id,
                    _("%(unit)s 申请办结") % {"unit": row.unit}, row.summary))
        if row.state == ClaimState.ACCEPTED and row.decided_at:
            raw.append((row.decided_at, "claim_accepted", row.decided_by_id, _("审核通过办结申请，任务已办结"),
                        row.decision_comment))
        elif row.state == ClaimState.RETURNED and row.decided_at:
            raw.append((row.decided_at, "claim_returned", row.decided_by_id, _("退回办结申请"), row.decision_comment))


def _closure_events(task: Task, raw: list) -> None:
    """销号 and 重新打开 from the task's own history (the reason is its change reason)."""
    previous = None
    for row in task.history.order_by("history_date", "history_id"):
        if previous is not None and row.closure != previous:
            if row.closure == Closure.CLOSED:
                raw.append((row.history_date, "closed", row.history_user_id, _("销号"), ""))
            elif row.closure == Closure.OPEN and previous in (Closure.DONE, Closure.CLOSED):
                note = source_of(row.history_change_reason).note
                reason = note.split("：", 1)[1] if "：" in note else note
                raw.append((row.history_date, "reopened", row.history_user_id, _("重新打开"), reason))
        previous = row.closure


def task_timeline(task: Task) -> list[Event]:
    """The task's trail, oldest first."""
    raw: list[tuple] = []
    for collect in (
        _assignment_events, _acknowledgement_events, _report_events, _extension_events, _claim_events,
        _closure_events,
    ):
        collect(task, raw)
    people = People(row[2] for row in raw)
    order = {kind: index for index, kind in enumerate(KINDS)}
    raw.sort(key=lambda row: (row[0], order[row[1]]))
    return [Event(at, kind, people(person), what, detail or "") for at, kind, person, what, detail in raw]
