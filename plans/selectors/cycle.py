"""What the supervision cycle (DOMAIN.md §5) asks of a unit or an office, read for the inbox
(本期待办) and the dashboard (督办看板): 签收 still waiting, the answers to a unit's 延期申请
and 办结申请, the messages that concern a unit (mentions of it, 批示 on its tasks), and the
plan-wide counts the office follows. Each is one query, whatever the number of rows."""
from __future__ import annotations

import datetime

from django.db.models import Count, Min, Q
from django.utils import timezone

from plans.models import (
    Acknowledgement,
    Assignment,
    ClaimState,
    Closure,
    CompletionClaim,
    ExtensionRequest,
    Plan,
    RequestState,
    Task,
    TaskComment,
)

RECENT_DAYS = 30  # answers and messages older than this have left the inbox


def _since(today: datetime.date, days: int = RECENT_DAYS) -> datetime.datetime:
    start = today - datetime.timedelta(days=days)
    return datetime.datetime.combine(start, datetime.time.min, tzinfo=timezone.get_current_timezone())


# --- a unit's inbox -----------------------------------------------------------------------
def waiting_acknowledgements(unit_id: int):
    """What the unit has still to 签收, the earliest due first."""
    return (
        Acknowledgement.objects.waiting().filter(unit_id=unit_id)
        .select_related("plan", "period").order_by("due_on", "assigned_at", "pk")
    )


def answered_extensions(units: set[int], today: datetime.date):
    """The units' 延期申请 still waiting and those decided in the last RECENT_DAYS days."""
    return (
        ExtensionRequest.objects.filter(unit_id__in=units)
        .filter(Q(state=RequestState.PENDING) | Q(decided_at__gte=_since(today)))
        .select_related("task__plan", "deadline", "decided_by__profile", "decided_by__membership__unit")
        .order_by("-decided_at", "-requested_at", "-pk")
    )


def answered_claims(units: set[int], today: datetime.date):
    """The units' 办结申请 still waiting and those decided in the last RECENT_DAYS days."""
    return (
        CompletionClaim.objects.filter(unit_id__in=units)
        .filter(Q(state=ClaimState.SUBMITTED) | Q(decided_at__gte=_since(today)))
        .select_related("task__plan", "decided_by__profile", "decided_by__membership__unit")
        .order_by("-decided_at", "-claimed_at", "-pk")
    )


def messages_for_units(user, units: set[int], today: datetime.date):
    """Recent messages the user may see that concern the units: those mentioning one of them
    and the 批示 on tasks where one of them holds a role; not the user's own."""
    on_their_tasks = Assignment.objects.filter(unit_id__in=units).values("task_id")
    return (
        TaskComment.objects.visible_to(user)
        .filter(created_at__gte=_since(today))
        .filter(Q(mentions__in=units) | Q(is_instruction=True, task_id__in=on_their_tasks))
        .exclude(author=user)
        .distinct()
        .select_related("task__plan", "author__profile", "author__membership__unit", "unit")
        .order_by("-is_instruction", "-created_at", "-pk")
    )


# --- an office's plan ---------------------------------------------------------------------
def plan_acknowledgements_by_unit(plan: Plan, today: datetime.date) -> list[dict]:
    """Per unit of the plan with 签收 waiting: how many, how many past their 时限, and the
    earliest 交办 time (the longest wait)."""
    return list(
        Acknowledgement.objects.waiting().filter(plan=plan).order_by().values("unit_id")
        .annotate(waiting=Count("pk"), late=Count("pk", filter=Q(due_on__lt=today)), first=Min("assigned_at"))
        .order_by("first", "unit_id")
    )


def plan_cycle_counts(plan: Plan) -> dict[str, int]:
    """The plan's pending 延期申请 and 办结申请 and its active tasks 已办结 and 已销号."""
    closures = (
        Task.objects.for_plan(plan).active().tasks().order_by().aggregate(
            done=Count("pk", filter=Q(closure=Closure.DONE)), closed=Count("pk", filter=Q(closure=Closure.CLOSED)),
        )
    )
    return {
        "extensions": ExtensionRequest.objects.filter(task__plan=plan, state=RequestState.PENDING).count(),
        "claims": CompletionClaim.objects.filter(task__plan=plan, state=ClaimState.SUBMITTED).count(),
        **closures,
    }
