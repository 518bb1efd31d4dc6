"""The API's queries for indicators (a plan's quantitative targets) and their values, the loader
of their readings, and the filter on a reading's status."""
from __future__ import annotations

from collections import defaultdict

from plans.indicators import IndicatorStatus, tracked
from plans.models import IndicatorValue, ReportingPeriod, Target


def indicators_for_api(user):
    """Indicators (targets) with their plan (whose dates the status reads) and owner unit."""
    return Target.objects.visible_to(user).select_related("plan", "owner").defer("plan__source_text")


def indicator_values_for_api(user):
    """Values with what their status reads: the target, its plan and the period."""
    return (
        IndicatorValue.objects.visible_to(user)
        .select_related("target__plan", "period", "entered_by__profile", "entered_by__membership__unit")
        .defer("target__plan__source_text")
    )


def attach_readings(targets, today) -> None:
    """Give each target (with its `plan` loaded) `tracked`: a plans.indicators.Indicator with one
    reading per period of its plan that has started by `today`, in time order. Two queries for
    any number of targets and plans: their periods, then their values."""
    targets = list(targets)
    if not targets:
        return
    periods = defaultdict(list)
    found = ReportingPeriod.objects.filter(plan_id__in={target.plan_id for target in targets}, start__lte=today)
    for period in found.order_by("plan_id", "start", "pk").only("id", "plan_id", "label", "start", "end"):
        periods[period.plan_id].append(period)
    shown = [period.pk for rows in periods.values() for period in rows]
    values = {}
    if shown:
        rows = IndicatorValue.objects.filter(target_id__in=[target.pk for target in targets], period_id__in=shown)
        for row in rows.only("id", "target_id", "period_id", "value", "entered_as", "note", "source", "version"):
            values[(row.target_id, row.period_id)] = row
    for target in targets:
        target.tracked = tracked(target, target.plan, periods[target.plan_id], values)


def latest_status(indicator) -> str:
    """The status of an indicator's latest reading; no_value before any period has started."""
    return indicator.latest.status if indicator.latest is not None else IndicatorStatus.NO_VALUE


def indicators_with_status(queryset, status, today):
    """The indicators whose latest reading has `status`. The status is derived in Python
    (plans.indicators): two queries over the indicators filtered so far, whatever their number,
    as tasks_with_light does."""
    targets = list(queryset.order_by())
    attach_readings(targets, today)
    ids = [target.pk for target in targets if latest_status(target.tracked) == status]
    return queryset.filter(pk__in=ids)
