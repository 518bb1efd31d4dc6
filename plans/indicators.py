"""Indicators (量化指标): the status of a measured value against its target, the 序时 value
expected by the end of a period, the trend of the values so far, and the geometry of the
inline SVG chart (actual against target, with the trend) that the dashboard and the public
page draw. Pure functions of a target, its plan's dates and its values, plus one loader."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.measures import plain
from plans.models import Comparator, IndicatorValue, Plan, ReportingPeriod, Target

APPROX_TOLERANCE = Decimal("0.05")  # ≈ (约、接近、左右) is met within 5 % of the target


class IndicatorStatus(models.TextChoices):
    MET = "met", _("已达标")
    ON_COURSE = "on_course", _("符合序时")
    OFF_COURSE = "off_course", _("滞后序时")
    NO_VALUE = "no_value", _("未填报")


STATUS_COLOURS = {
    IndicatorStatus.MET: "#3c9a4f",
    IndicatorStatus.ON_COURSE: "#2f7ebc",
    IndicatorStatus.OFF_COURSE: "#c62828",
    IndicatorStatus.NO_VALUE: "#9e9e9e",
}


# --- the target's span and direction ---------------------------------------------------------
def span(target: Target, plan: Plan) -> tuple[datetime.date, datetime.date]:
    """From the plan's start (else 1 January of its year) to the end of the target year (else
    the plan's end, else the end of its year)."""
    start = plan.period_start or datetime.date(plan.plan_year, 1, 1)
    if target.year:
        end = datetime.date(target.year, 12, 31)
    else:
        end = plan.period_end or datetime.date(plan.plan_year, 12, 31)
    return start, max(end, start)


def elapsed_share(target: Target, plan: Plan, on: datetime.date) -> Decimal:
    """序时: the share of the target's span elapsed by `on`, 0–1."""
    start, end = span(target, plan)
    if end <= start or on >= end:
        return Decimal(1)
    if on <= start:
        return Decimal(0)
    return Decimal((on - start).days) / Decimal((end - start).days)


def rising(target: Target) -> bool:
    """Whether more is better: ≥ and = (reach a number); ≈ unless it starts above the target."""
    if target.comparator == Comparator.LTE:
        return False
    if target.comparator == Comparator.APPROX and target.baseline is not None:
        return target.baseline <= target.value
    return True


def expected(target: Target, plan: Plan, on: datetime.date) -> Decimal | None:
    """The 序时 value due by `on`: the straight path from the baseline (0 when a rising
    target has none) to the target over its span. A falling target without a baseline has no
    path: it is only met or not (None)."""
    if rising(target):
        base = target.baseline if target.baseline is not None else Decimal(0)
    elif target.baseline is None:
        return None
    else:
        base = target.baseline
    return base + (target.value - base) * elapsed_share(target, plan, on)


def is_met(target: Target, value: Decimal) -> bool:
    tolerance = abs(target.value) * APPROX_TOLERANCE if target.comparator == Comparator.APPROX else Decimal(0)
    if rising(target):
        return value >= target.value - tolerance
    return value <= target.value + tolerance


def status(target: Target, plan: Plan, value: Decimal | None, on: datetime.date) -> str:
    """met / on course / off course of a value measured by `on` (a period's end): met when the
    comparator holds; on course when at least the 序时 value (at most, for a falling target);
    off course otherwise, and always once the target year is over unmet."""
    if value is None:
        return IndicatorStatus.NO_VALUE
    if is_met(target, value):
        return IndicatorStatus.MET
    due = expected(target, plan, on)
    if due is None or elapsed_share(target, plan, on) >= 1:
        return IndicatorStatus.OFF_COURSE
    on_course = value >= due if rising(target) else value <= due
    return IndicatorStatus.ON_COURSE if on_course else IndicatorStatus.OFF_COURSE


def trend(points: list[tuple[datetime.date, Decimal]], until: datetime.date) -> Decimal | None:
    """The least-squares line through the values so far, read at `until` (None with fewer than
    two values on different days)."""
    if len(points) < 2:
        return None
    xs = [Decimal(day.toordinal()) for day, _value in points]
    ys = [value for _day, value in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if not spread:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread
    return mean_y + slope * (Decimal(until.toordinal()) - mean_x)


# --- one indicator over the plan's periods ---------------------------------------------------
@dataclass(frozen=True)
class Reading:
    """An indicator in one period: the value (None when not entered) and its status."""

    period: ReportingPeriod
    value: IndicatorValue | None
    expected: Decimal | None
    status: str

    @property
    def status_label(self) -> str:
        return str(IndicatorStatus(self.status).label)

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def value_text(self) -> str:
        return plain(self.value.value) if self.value else ""

    @property
    def expected_text(self) -> str:
        return plain(round_for_display(self.expected))


def round_for_display(value: Decimal | None) -> Decimal | None:
    """Two decimals at most: a 序时 value is a guide, not a measurement."""
    return None if value is None else value.quantize(Decimal("0.01")).normalize()


@dataclass
class Indicator:
    target: Target
    readings: list[Reading] = field(default_factory=list)  # one per period, in time order
    projected: Decimal | None = None  # the trend read at the end of the target year

    @property
    def latest(self) -> Reading | None:
        """The latest period with a value, else the latest period."""
        with_value = [reading for reading in self.readings if reading.value is not None]
        return (with_value or self.readings or [None])[-1]

    @property
    def target_text(self) -> str:
        return f"{self.target.comparator} {plain(self.target.value)}{self.target.unit}"

    @property
    def projected_text(self) -> str:
        return plain(round_for_display(self.projected))

    def chart(self) -> IndicatorChart:
        return indicator_chart(self)


def indicators(
    plan: Plan, targets, periods: list[ReportingPeriod], *, up_to: ReportingPeriod | None = None, value_fields=None,
) -> list[Indicator]:
    """Each target with a reading per period (up to and including `up_to`), its values read
    in one query (only `value_fields` of them, when given). `targets` is a list or queryset of
    the plan's targets."""
    targets = list(targets)
    shown = [period for period in periods if up_to is None or period.start <= up_to.start]
    # the values of these targets (of the plan, when there are none: a page's query count
    # does not depend on whether a plan has targets), kept for the periods asked for
    rows = IndicatorValue.objects.filter(target__plan_id=plan.pk)
    if targets:
        rows = rows.filter(target__in=[t.pk for t in targets])
    if up_to is not None:
        rows = rows.filter(period__start__lte=up_to.start)
    if value_fields is not None:
        rows = rows.only(*value_fields)
    wanted_targets, wanted_periods = {t.pk for t in targets}, {p.pk for p in shown}
    values = {
        (row.target_id, row.period_id): row for row in rows
        if row.target_id in wanted_targets and row.period_id in wanted_periods
    }
    return [tracked(target, plan, shown, values) for target in targets]


def tracked(target: Target, plan: Plan, periods: list[ReportingPeriod], values: dict) -> Indicator:
    """One target with a reading per period, from `values` {(target id, period id): row}, and
    the trend of its values read at the end of its span."""
    readings = []
    for period in periods:
        value = values.get((target.pk, period.pk))
        amount = value.value if value else None
        readings.append(
            Reading(period, value, expected(target, plan, period.end), status(target, plan, amount, period.end))
        )
    points = [(reading.period.end, reading.value.value) for reading in readings if reading.value is not None]
    return Indicator(target, readings, trend(points, span(target, plan)[1]))


# --- the chart ---------------------------------------------------------------------------------
CHART_WIDTH, CHART_HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 36


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    label: str
    value: str
    status: str
    colour: str


@dataclass(frozen=True)
class ChartLine:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class IndicatorChart:
    title: str
    unit: str
    points: list[ChartPoint]
    target_y: float
    target_label: str
    path: ChartLine | None  # 序时 path from the baseline to the target
    trend: ChartLine | None  # from the first value along the trend to the end of the span
    ticks: list[tuple[float, str]]  # y-axis labels
    start_label: str
    end_label: str
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    left: int = LEFT
    top: int = TOP
    right_edge: int = CHART_WIDTH - RIGHT
    bottom_edge: int = CHART_HEIGHT - BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x},{point.y}" for point in self.points)


def indicator_chart(indicator: Indicator) -> IndicatorChart:
    """Time across (the target's span), value up; the target as a level line, the 序时 path
    dashed, the actual values as a line of dots coloured by status and the trend dotted."""
    target, plan = indicator.target, indicator.target.plan
    start, end = span(target, plan)
    with_values = [reading for reading in indicator.readings if reading.value is not None]
    numbers = [target.value, *(reading.value.value for reading in with_values)]
    if target.baseline is not None:
        numbers.append(target.baseline)
    if indicator.projected is not None:
        numbers.append(indicator.projected)
    low, high = min(Decimal(0), *numbers), max(numbers)
    if high == low:
        high = low + 1
    high += (high - low) * Decimal("0.1")
    days = max((end - start).days, 1)

    def x(day: datetime.date) -> float:
        share = min(max((day - start).days / days, 0), 1)
        return round(LEFT + share * (CHART_WIDTH - LEFT - RIGHT), 1)

    def y(value: Decimal) -> float:
        share = float((value - low) / (high - low))
        return round(TOP + (1 - share) * (CHART_HEIGHT - TOP - BOTTOM), 1)

    points = [
        ChartPoint(x(r.period.end), y(r.value.value), r.period.label, r.value_text, r.status_label, r.colour)
        for r in with_values
    ]
    path = None
    if expected(target, plan, start) is not None:
        path = ChartLine(x(start), y(expected(target, plan, start)), x(end), y(target.value))
    trend_line = None
    if indicator.projected is not None and with_values:
        first = with_values[0]
        reading_points = [(r.period.end, r.value.value) for r in with_values]
        at_first = trend(reading_points, first.period.end)
        trend_line = ChartLine(x(first.period.end), y(at_first), x(end), y(indicator.projected))
    ticks = [(y(value), plain(round_for_display(value))) for value in sorted({low, target.value})]
    return IndicatorChart(
        title=target.indicator,
        unit=target.unit,
        points=points,
        target_y=y(target.value),
        target_label=indicator.target_text,
        path=path,
        trend=trend_line,
        ticks=ticks,
        start_label=start.isoformat(),
        end_label=end.isoformat(),
    )
