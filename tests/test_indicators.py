"""Indicators: measurement units converted exactly or refused, the status of a value against
its target (met / on course / off course by 序时), the trend, the chart geometry, the entry
service's rules, and targets kept (with their values) when a plan is imported again."""
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans import services
from plans.importers import parse_lines
from plans.indicators import IndicatorStatus, elapsed_share, expected, indicators, status, trend
from plans.measures import convert, measure, parse_quantity
from plans.models import Comparator, IndicatorValue, MemberRole, Target
from tests.factories import (
    IndicatorValueFactory,
    MembershipFactory,
    OpenPeriodFactory,
    PlanFactory,
    ReportingPeriodFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
)

D = Decimal


# --- measurement units ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "value, given, unit, stored",
    [
        ("12000", "千瓦", "万千瓦", "1.2"),
        ("1.2", "万千瓦", "万千瓦", "1.2"),
        ("0.1", "万千瓦", "千瓦", "1000"),
        ("2800", "亿元", "万亿元", "0.28"),
        ("25000000000", "美元", "亿美元", "250"),
        ("3", "万家", "家", "30000"),
        ("190", "日", "天", "190"),
        ("0.067", "毫克/立方米", "微克/立方米", "67"),
        ("65", "％", "%", "65"),
        ("1", "GW", "万千瓦", "100"),
    ],
)
def test_a_value_in_another_unit_of_the_same_kind_is_converted_exactly(value, given, unit, stored):
    assert convert(D(value), given, unit) == D(stored)


@pytest.mark.parametrize(
    "given, unit",
    [("亿元", "亿美元"), ("%", "个百分点"), ("家", "个"), ("万千瓦", "万千瓦时"), ("天", "%"), ("吨", "万千瓦")],
)
def test_a_value_in_a_unit_of_another_kind_is_refused_with_both_units_named(given, unit):
    with pytest.raises(ValidationError) as refused:
        convert(D("5"), given, unit)

    message = refused.value.messages[0]
    assert given in message and unit in message and "不能换算" in message


def test_a_conversion_that_would_lose_digits_is_refused_not_rounded():
    with pytest.raises(ValidationError, match="超出可保存的精度"):
        convert(D("1"), "元", "万亿元")  # 0.000000000001 万亿元


def test_typed_quantities_are_read_with_full_width_forms_spaces_and_separators():
    assert parse_quantity("６５％") == (D("65"), "%")
    assert parse_quantity("2.8 万亿元") == (D("2.8"), "万亿元")
    assert parse_quantity("1,200千瓦") == (D("1200"), "千瓦")
    assert parse_quantity("67") == (D("67"), "")
    with pytest.raises(ValidationError, match="不是数值"):
        parse_quantity("约七十")


def test_a_unit_outside_the_table_still_converts_with_a_chinese_multiplier():
    assert measure("万辆").kind == measure("辆").kind
    assert convert(D("1.5"), "万辆", "辆") == D("15000")


# --- status against the target -----------------------------------------------------------------
def _plan(**kwargs):
    return (PlanFactory if kwargs.pop("saved", False) else PlanFactory.build)(plan_year=2016, period_start=datetime.date(2016, 1, 1), period_end=datetime.date(2016, 12, 31), **kwargs)


def test_elapsed_share_runs_from_the_plan_start_to_the_end_of_the_target_year():
    plan = _plan()
    target = TargetFactory.build(plan=plan, position=0, year=2016)

    assert elapsed_share(target, plan, datetime.date(2016, 1, 1)) == 0
    assert elapsed_share(target, plan, datetime.date(2016, 12, 31)) == 1
    half = elapsed_share(target, plan, datetime.date(2016, 7, 1))
    assert D("0.49") < half < D("0.51")


def test_a_rising_target_is_on_course_when_at_its_path_and_off_course_below_it():
    plan = _plan()
    target = TargetFactory.build(plan=plan, position=0, comparator=Comparator.GTE, value=D("190"), unit="天", year=2016)
    mid = datetime.date(2016, 6, 30)
    due = expected(target, plan, mid)

    assert D("94") < due < D("96")  # about half of 190 days by the end of June
    assert status(target, plan, due + 1, mid) == IndicatorStatus.ON_COURSE
    assert status(target, plan, due - 1, mid) == IndicatorStatus.OFF_COURSE
    assert status(target, plan, D("190"), mid) == IndicatorStatus.MET
    assert status(target, plan, None, mid) == IndicatorStatus.NO_VALUE


def test_a_rising_target_with_a_baseline_starts_its_path_there():
    plan = _plan()
    target = TargetFactory.build(plan=plan, position=0, comparator=Comparator.GTE, value=D("15"), baseline=D("5"), year=2016)

    assert expected(target, plan, datetime.date(2016, 1, 1)) == D("5")
    assert expected(target, plan, datetime.date(2016, 12, 31)) == D("15")


def test_a_falling_target_is_met_at_or_below_it_and_follows_its_path_from_a_baseline():
    plan = _plan()
    capped = TargetFactory.build(plan=plan, position=0, comparator=Comparator.LTE, value=D("67"), year=2016)
    mid = datetime.date(2016, 6, 30)

    assert status(capped, plan, D("67"), mid) == IndicatorStatus.MET
    assert status(capped, plan, D("70"), mid) == IndicatorStatus.OFF_COURSE  # no baseline: no path to be on

    falling = TargetFactory.build(plan=plan, position=0, comparator=Comparator.LTE, value=D("67"), baseline=D("87"), year=2016)
    due = expected(falling, plan, mid)
    assert D("76") < due < D("78")
    assert status(falling, plan, due - 1, mid) == IndicatorStatus.ON_COURSE
    assert status(falling, plan, due + 1, mid) == IndicatorStatus.OFF_COURSE


def test_approximately_is_met_within_five_percent_and_an_unmet_target_is_off_course_once_its_year_is_over():
    plan = _plan()
    wind = TargetFactory.build(plan=plan, position=0, comparator=Comparator.APPROX, value=D("10"), unit="万千瓦", year=2016)

    assert status(wind, plan, D("9.5"), datetime.date(2016, 9, 30)) == IndicatorStatus.MET
    assert status(wind, plan, D("9.4"), datetime.date(2016, 9, 30)) == IndicatorStatus.ON_COURSE
    assert status(wind, plan, D("9.4"), datetime.date(2016, 12, 31)) == IndicatorStatus.OFF_COURSE


def test_the_trend_is_the_least_squares_line_read_at_a_later_day():
    days = [datetime.date(2016, 3, 31), datetime.date(2016, 6, 30), datetime.date(2016, 9, 30)]
    points = [(day, D(value)) for day, value in zip(days, ["2", "4", "6"])]
    at_end = trend(points, datetime.date(2016, 12, 31))

    assert D("7.9") < at_end < D("8.1")  # the same step again by the next quarter's end
    assert trend(points[:1], datetime.date(2016, 12, 31)) is None


@pytest.mark.django_db
def test_indicators_give_a_reading_per_period_and_a_chart_with_the_target_line():
    plan = _plan(saved=True)
    target = TargetFactory(plan=plan, comparator=Comparator.GTE, value=D("190"), unit="天", year=2016)
    q1 = ReportingPeriodFactory(plan=plan, label="2016Q1", start=datetime.date(2016, 1, 1), end=datetime.date(2016, 3, 31))
    q2 = ReportingPeriodFactory(plan=plan, label="2016Q2", start=datetime.date(2016, 4, 1), end=datetime.date(2016, 6, 30))
    q3 = ReportingPeriodFactory(plan=plan, label="2016Q3", start=datetime.date(2016, 7, 1), end=datetime.date(2016, 9, 30))
    IndicatorValueFactory(target=target, period=q1, value=D("40"))
    IndicatorValueFactory(target=target, period=q2, value=D("100"))

    [indicator] = indicators(plan, [target], [q1, q2, q3], up_to=q2)

    assert [reading.period for reading in indicator.readings] == [q1, q2]
    assert [reading.status for reading in indicator.readings] == [
        status(target, plan, D("40"), q1.end), status(target, plan, D("100"), q2.end),
    ]
    assert indicator.projected > D("190")  # 60 more every quarter
    chart = indicator.chart()
    assert len(chart.points) == 2
    assert chart.points[0].x < chart.points[1].x and chart.points[0].y > chart.points[1].y  # rising: drawn upwards
    assert chart.trend is not None and chart.path is not None
    assert min(point.y for point in chart.points) > chart.target_y  # both values below the target line


# --- entering values -----------------------------------------------------------------------------
@pytest.fixture
def wind(db):
    owner = UnitFactory(name="鹤壁市发展和改革委员会")
    target = TargetFactory(owner=owner, indicator="风电装机规模", comparator=Comparator.APPROX, value=D("10"), unit="万千瓦", year=2016)
    official = UserFactory()
    MembershipFactory(user=official, unit=owner, role=MemberRole.OFFICIAL)
    return target, official


def test_the_owner_enters_a_value_in_another_unit_and_it_is_stored_in_the_targets_unit(wind):
    target, official = wind
    period = OpenPeriodFactory(plan=target.plan)

    row = services.indicator_value_save(user=official, target=target, period=period, value="92000千瓦", note="新并网两座风电场", source="市发改委统计")

    assert row.value == D("9.2") and row.entered_as == "92000千瓦"
    assert row.history.first().history_user == official
    corrected = services.indicator_value_save(user=official, target=target, period=period, value="9.6", expected_version=row.version)
    assert corrected.pk == row.pk and corrected.value == D("9.6") and corrected.version == row.version + 1


def test_a_refused_unit_leaves_the_stored_value_as_it_was(wind):
    target, official = wind
    period = OpenPeriodFactory(plan=target.plan)
    services.indicator_value_save(user=official, target=target, period=period, value="9")

    with pytest.raises(ValidationError, match="亿元"):
        services.indicator_value_save(user=official, target=target, period=period, value="5亿元")

    assert IndicatorValue.objects.get(target=target, period=period).value == D("9")


@pytest.mark.django_db
def test_only_the_owner_in_an_open_period_or_the_office_enter_values(wind):
    target, official = wind
    closed = ReportingPeriodFactory(plan=target.plan, is_open=False)
    other = UserFactory()
    MembershipFactory(user=other, unit=UnitFactory(), role=MemberRole.OFFICIAL)
    office = UserFactory()
    target.plan.office_staff.add(office)

    with pytest.raises(PermissionDenied, match="责任单位"):
        services.indicator_value_save(user=other, target=target, period=OpenPeriodFactory(plan=target.plan), value="9")
    with pytest.raises(PermissionDenied, match="未开放"):
        services.indicator_value_save(user=official, target=target, period=closed, value="9")
    with pytest.raises(PermissionDenied, match="不属于"):
        services.indicator_value_save(user=office, target=target, period=OpenPeriodFactory(), value="9")

    assert services.indicator_value_save(user=office, target=target, period=closed, value="9").value == D("9")
    assert IndicatorValue.objects.count() == 1


def test_a_stale_version_is_refused(wind):
    target, official = wind
    period = OpenPeriodFactory(plan=target.plan)
    row = services.indicator_value_save(user=official, target=target, period=period, value="9")
    services.indicator_value_save(user=official, target=target, period=period, value="9.1", expected_version=row.version)

    with pytest.raises(services.StaleVersion):
        services.indicator_value_save(user=official, target=target, period=period, value="9.3", expected_version=row.version)
    assert IndicatorValue.objects.get(pk=row.pk).value == D("9.1")


# --- import keeps indicators and their values ------------------------------------------------------
PLAN_TEXT = """鹤壁市2016年度测试实施方案
一、主要任务
1.发展风电。争取风电装机规模接近10万千瓦。
责任单位:市发改委。
2.推进清扫。我市市区主次干道机械化清扫率达到90%以上。
责任单位:市住建局。
"""


@pytest.mark.django_db
def test_targets_get_their_tasks_lead_as_owner_and_keep_their_values_when_the_plan_is_imported_again():
    parsed = parse_lines(PLAN_TEXT.splitlines(), source_name="test.txt")
    services.plan_import(parsed=parsed, source_text=PLAN_TEXT, source_name="test.txt")
    wind_target = Target.objects.get(indicator__contains="风电")
    assert wind_target.owner.name == wind_target.task.assignments.get(is_lead=True).unit.name
    value = IndicatorValueFactory(target=wind_target, period=ReportingPeriodFactory(plan=wind_target.plan), value=D("8"))

    revised = PLAN_TEXT.replace("接近10万千瓦", "接近12万千瓦").replace("2.推进清扫。我市市区主次干道机械化清扫率达到90%以上。\n责任单位:市住建局。\n", "")
    services.plan_import(parsed=parse_lines(revised.splitlines(), source_name="test.txt"), source_text=revised, source_name="test.txt")

    wind_target.refresh_from_db()
    assert wind_target.value == D("12") and wind_target.is_active
    assert IndicatorValue.objects.get(pk=value.pk).value == D("8")
    assert not Target.objects.filter(indicator__contains="清扫").exists()  # gone and had no values


def test_a_correction_changes_only_what_it_gives(wind):
    target, official = wind
    period = OpenPeriodFactory(plan=target.plan)
    row = services.indicator_value_save(user=official, target=target, period=period, value="92000千瓦", note="初报", source="市发改委")

    noted = services.indicator_value_save(user=official, target=target, period=period, note="更正说明", expected_version=row.version)

    assert (noted.value, noted.entered_as, noted.note, noted.source) == (D("9.2"), "92000千瓦", "更正说明", "市发改委")
    with pytest.raises(ValidationError, match="同时填写数值"):
        services.indicator_value_save(user=official, target=target, period=period, unit="千瓦")
    with pytest.raises(ValidationError, match="请填写数值"):
        services.indicator_value_save(user=official, target=target, period=OpenPeriodFactory(plan=target.plan), note="只有说明")
    assert IndicatorValue.objects.count() == 1
