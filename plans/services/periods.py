"""Reporting periods: generated from the plan's reporting rule, opened (with their pending
reports) and closed by the office."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from plans.history import current_source
from plans.models import (
    Assignment,
    Closure,
    Plan,
    ProgressReport,
    ReportingPeriod,
    Role,
)
from plans.permissions import (
    can_manage_plan,
)
from plans.periods import nominal_due_date, shift_to_working_day, spans
from plans.services.acknowledgements import acknowledgements_ensure
from plans.services.common import check_version, delete_row, deny, refuse_unknown, write_row
from plans.services.conflicts import retry_on_conflict


@retry_on_conflict
def periods_generate(*, user, plan: Plan) -> list[ReportingPeriod]:
    """Create the reporting periods of the plan's schedule over its span (period_start..
    period_end, else its plan year) that do not exist yet; due dates follow the reporting
    rule and move off public holidays as the plan says. Existing periods are left as they
    are (the office may have edited them). Returns the periods created. Office staff only
    (`user` None: the set-up commands)."""
    if user is not None:
        deny(can_manage_plan(user, plan))
    first = plan.period_start or datetime.date(plan.plan_year, 1, 1)
    last = plan.period_end or datetime.date(plan.plan_year, 12, 31)
    if last < first:
        raise ValidationError(_("实施期止早于实施期起 (the plan period ends before it starts)"))
    with transaction.atomic():
        existing = set(plan.periods.values_list("label", flat=True))
        created = [
            ReportingPeriod.objects.create(
                plan=plan, label=span.label, start=span.start, end=span.end,
                due_date=shift_to_working_day(
                    nominal_due_date(span.start, plan.reporting_month, plan.reporting_day), plan.holiday_shift
                ),
            )
            for span in spans(plan.reporting_frequency, first, last)
            if span.label not in existing
        ]
    return created


def reports_ensure(*, period: ReportingPeriod, user=None) -> list[ProgressReport]:
    """A pending report for every (active task not 销号, responsible unit) of the period's plan
    that has none yet. A collective responsible unit reports through each of its members. Their
    history names `user` (who opened the period) and where it was done."""
    tasks = period.plan.nodes.tasks().active().exclude(closure=Closure.CLOSED).prefetch_related(
        Prefetch("assignments", Assignment.objects.filter(role=Role.RESPONSIBLE).select_related("unit")),
        "assignments__unit__members",
    )
    wanted = []
    for task in tasks:
        for assignment in task.assignments.all():
            members = list(assignment.unit.members.all()) if assignment.unit.is_collective else []
            wanted.extend((task.pk, unit.pk) for unit in (members or [assignment.unit]))
    have = set(period.reports.values_list("task_id", "unit_id"))
    missing = [
        ProgressReport(task_id=task, unit_id=unit, period=period)
        for task, unit in dict.fromkeys(wanted) if (task, unit) not in have
    ]
    return bulk_create_with_history(
        missing, ProgressReport, default_user=user, default_change_reason=current_source(),
    )


def _period_set_open(user, period: ReportingPeriod, is_open: bool, expected_version: int | None) -> ReportingPeriod:
    deny(can_manage_plan(user, period.plan_id))
    locked = ReportingPeriod.objects.select_for_update(no_key=True).get(pk=period.pk)
    check_version(locked, expected_version)
    if locked.is_open != is_open:
        locked.is_open = is_open
        locked.save(update_fields=["is_open", "version"])
    period.is_open, period.version = locked.is_open, locked.version
    return period


@retry_on_conflict
def period_open(*, user, period: ReportingPeriod, expected_version: int | None = None) -> list[ProgressReport]:
    """Open a period for reporting and create its pending reports and what each unit has to
签收 for it; returns the reports created."""
    with transaction.atomic():
        _period_set_open(user, period, True, expected_version)
        created = reports_ensure(period=period, user=user)
        acknowledgements_ensure(plan=period.plan, period=period, user=user)
        return created


def periods_open_due(*, today: datetime.date) -> list[ReportingPeriod]:
    """Open, on their start date, the periods nobody opened yet (scheduled hourly): a period
    whose dates include today, closed and without any report. One the office opened and then
    closed has reports and stays closed. Each is opened like the office would (pending
    reports, 签收); returns the periods opened."""
    due = (
        ReportingPeriod.objects.filter(is_open=False, start__lte=today, due_date__gte=today)
        .exclude(reports__isnull=False)
        .select_related("plan")
        .order_by("pk")
    )
    opened = []
    for period in due:
        with transaction.atomic():
            locked = ReportingPeriod.objects.select_for_update(no_key=True).get(pk=period.pk)
            if locked.is_open or locked.reports.exists():
                continue
            locked.is_open = True
            locked.save(update_fields=["is_open", "version"])
            reports_ensure(period=locked)
            acknowledgements_ensure(plan=locked.plan, period=locked, user=None)
        opened.append(locked)
    return opened


@retry_on_conflict
def period_close(*, user, period: ReportingPeriod, expected_version: int | None = None) -> ReportingPeriod:
    with transaction.atomic():
        return _period_set_open(user, period, False, expected_version)


PERIOD_FIELDS = ("plan", "label", "start", "end", "due_date", "is_open")


def _manages_period_plan(user):
    return lambda period: can_manage_plan(user, period.plan_id)


@retry_on_conflict
def period_save(*, user, period: ReportingPeriod, expected_version: int | None = None, **values) -> ReportingPeriod:
    """Add a reporting period or change one (office staff of its plan). Opening it here
    creates its pending reports, as period_open does."""
    refuse_unknown(values, PERIOD_FIELDS)
    was_open = bool(period.pk) and ReportingPeriod.objects.filter(pk=period.pk, is_open=True).exists()
    with transaction.atomic():
        saved = write_row(period, user, values, permit=_manages_period_plan(user), expected_version=expected_version)
        if saved.is_open and not was_open:
            reports_ensure(period=saved, user=user)
            acknowledgements_ensure(plan=saved.plan, period=saved, user=user)
    return saved


@retry_on_conflict
def period_delete(*, user, period: ReportingPeriod, expected_version: int | None = None) -> None:
    """Remove a reporting period with its reports (office staff of its plan)."""
    with transaction.atomic():
        delete_row(period, user, permit=_manages_period_plan(user), expected_version=expected_version)
