"""签收: what each unit has to acknowledge — its assignments in a plan (交办) and each period's
duty to report — and the acknowledgement itself, with who and when."""
from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from plans.history import current_source
from plans.models import Acknowledgement, Assignment, Closure, Plan, ReportingPeriod, Role
from plans.permissions import can_acknowledge
from plans.services.common import check_version, deny
from plans.services.conflicts import retry_on_conflict


def _responsible_units(tasks) -> list[int]:
    """The units answering for the tasks' responsible roles, a collective through its members."""
    units = []
    assignments = (
        Assignment.objects.filter(task__in=tasks, role=Role.RESPONSIBLE)
        .select_related("unit").prefetch_related("unit__members").order_by("task__position", "position")
    )
    for assignment in assignments:
        members = list(assignment.unit.members.all()) if assignment.unit.is_collective else []
        units.extend(unit.pk for unit in (members or [assignment.unit]))
    return list(dict.fromkeys(units))


def acknowledgements_ensure(*, plan: Plan, period: ReportingPeriod | None = None, user=None) -> list[Acknowledgement]:
    """What each responsible unit has to 签收 and has not been given yet: the plan's
    assignments (period None: after an import or an office's assignment) or the period's duty
    to report (the units with reports in it). Due `plan.acknowledge_days` days from now."""
    if period is None:
        units = _responsible_units(plan.nodes.tasks().active().exclude(closure=Closure.CLOSED))
        have = set(plan.acknowledgements.filter(period__isnull=True).values_list("unit_id", flat=True))
    else:
        units = list(dict.fromkeys(period.reports.order_by("unit_id").values_list("unit_id", flat=True)))
        have = set(period.acknowledgements.values_list("unit_id", flat=True))
    now = timezone.now()
    due = timezone.localdate(now) + datetime.timedelta(days=plan.acknowledge_days)
    missing = [
        Acknowledgement(plan=plan, period=period, unit_id=unit, assigned_at=now, due_on=due)
        for unit in units if unit not in have
    ]
    return bulk_create_with_history(
        missing, Acknowledgement, default_user=user, default_change_reason=current_source(),
    )


@retry_on_conflict
def acknowledge(*, user, acknowledgement: Acknowledgement, expected_version: int | None = None) -> Acknowledgement:
    """签收: the unit's official or leader confirms receipt; who and when are kept."""
    with transaction.atomic():
        row = Acknowledgement.objects.select_for_update(no_key=True).get(pk=acknowledgement.pk)
        check_version(row, expected_version)
        deny(can_acknowledge(user, row))
        row.acknowledged_at, row.acknowledged_by = timezone.now(), user
        row._history_user = user
        row.save()
    return row


