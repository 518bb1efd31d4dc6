"""The readings of indicators for the API: shared by the serializers (each indicator shows its
latest reading) and the filters (?status= filters on it)."""
from __future__ import annotations

from collections import defaultdict

from plans.indicators import tracked
from plans.models import IndicatorValue, ReportingPeriod


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
