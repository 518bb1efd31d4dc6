"""/api/indicators/ and /api/indicator-values/: indicators (a plan's quantitative targets) and
their measured values per period: reads, visibility, unit conversion, the rules and versions."""
import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest

from plans.models import Comparator, IndicatorValue, ReportingPeriod, Target, Task
from tests.api.conftest import count_queries
from tests.factories import (
    PlanFactory,
    ReportingPeriodFactory,
    TargetFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)
from tests.test_permissions import ACTORS

OWNER_ONLY = "只有指标的责任单位才能填报实际值"


@dataclass
class Indicators:
    solar: Target  # on task T, owned by unit A (T's lead)
    export: Target  # on task B, owned by unit B, in 亿美元
    goal: Target  # plan-level goal, owned by the office's unit
    elsewhere: Target  # a target of another plan
    open_period: ReportingPeriod  # 2016-07-01 … 09-30, open
    closed_period: ReportingPeriod  # 2016-04-01 … 06-30, closed
    other_period: ReportingPeriod  # of another plan


@pytest.fixture
def ind(world):
    plan = world.task_t.plan
    solar = TargetFactory(
        plan=plan, task=world.task_t, owner=world.report_a.unit, indicator="光伏发电规模", comparator=Comparator.GTE,
        value=Decimal(15), unit="万千瓦", year=2016, text="光伏发电规模达到15万千瓦以上",
    )
    export = TargetFactory(
        plan=plan, task=world.task_b, owner=world.report_b.unit, indicator="短期出口信用保险承保规模",
        comparator=Comparator.GTE, value=Decimal(250), unit="亿美元", year=2016, text="不低于250亿美元",
    )
    goal = TargetFactory(
        plan=plan, task=None, owner=UnitFactory(name="鹤壁市大气污染防治联席会议办公室"), indicator="环境空气质量优良天数",
        comparator=Comparator.GTE, value=Decimal(190), unit="天", year=2016, text="优良天数不低于190天",
    )
    elsewhere = TargetFactory(plan=world.users["other_office"].office_plans.get())
    closed = ReportingPeriodFactory(
        plan=plan, label="2016Q2", start=datetime.date(2016, 4, 1), end=datetime.date(2016, 6, 30),
        due_date=datetime.date(2016, 6, 23),
    )
    other_period = ReportingPeriodFactory(plan=elsewhere.plan)
    return Indicators(solar, export, goal, elsewhere, world.report_a.period, closed, other_period)


def _post(client, target, period, value, **extra):
    return client.post("/api/indicator-values/", {"target": target.pk, "period": period.pk, "value": value, **extra}, format="json")


def _value(target, period):
    return IndicatorValue.objects.filter(target=target, period=period).first()


def _sequence(days_elapsed: int, days: int, target: Decimal) -> str:
    """The 序时 value by hand: the target times the elapsed share of its year, two decimals."""
    return f"{(target * days_elapsed / days).quantize(Decimal('0.01')).normalize():f}"


# --- indicators: reads ------------------------------------------------------------------------
def test_indicator_detail_has_the_contract_fields(world, ind, as_actor):
    body = as_actor("official_a").get(f"/api/indicators/{ind.solar.pk}/").json()
    assert set(body) == {
        "id", "plan", "task", "owner", "indicator", "comparator", "value", "unit", "year", "baseline", "is_active",
        "text", "latest", "projected", "readings",
    }
    unit_a = world.report_a.unit
    assert (body["plan"], body["task"], body["owner"]) == (ind.solar.plan_id, world.task_t.pk, {"id": unit_a.pk, "name": unit_a.name})
    assert (body["comparator"], body["value"], body["unit"], body["year"], body["baseline"]) == ("≥", "15", "万千瓦", 2016, None)
    # every period of the plan that has started, in time order, entered or not
    assert [reading["period_label"] for reading in body["readings"]] == ["2016Q2", ind.open_period.label]
    assert {reading["status"] for reading in body["readings"]} == {"no_value"}
    assert body["latest"]["period"] == ind.open_period.pk and body["latest"]["status"] == "no_value"


def test_indicator_list_rows_have_latest_but_no_readings(world, ind, as_actor):
    rows = as_actor("office").get("/api/indicators/").json()["results"]
    assert rows and all("readings" not in row and "latest" in row for row in rows)


def test_plan_level_goal_has_no_task_and_the_offices_unit_as_owner(ind, as_actor):
    body = as_actor("office").get(f"/api/indicators/{ind.goal.pk}/").json()
    assert body["task"] is None
    assert body["owner"] == {"id": ind.goal.owner_id, "name": "鹤壁市大气污染防治联席会议办公室"}


def test_target_and_baseline_are_exact_decimal_strings(world, as_actor):
    target = TargetFactory(
        plan=world.task_t.plan, task=None, indicator="营业收入", comparator=Comparator.EQ, value=Decimal("2.8"),
        unit="万亿元", year=2025, baseline=Decimal("1.234567"), text="营业收入达2.8万亿元",
    )
    body = as_actor("office").get(f"/api/indicators/{target.pk}/").json()
    assert (body["value"], body["baseline"], body["unit"]) == ("2.8", "1.234567", "万亿元")


def test_indicator_of_a_plan_without_a_started_period_has_no_latest(api, db):
    plan = PlanFactory()
    target = TargetFactory(plan=plan)
    ReportingPeriodFactory(plan=plan, start=datetime.date(2999, 1, 1), end=datetime.date(2999, 3, 31), due_date=datetime.date(2999, 3, 23))
    body = api(UserFactory(is_superuser=True)).get(f"/api/indicators/{target.pk}/").json()
    assert (body["latest"], body["readings"]) == (None, [])


# --- visibility -------------------------------------------------------------------------------
def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize("actor", ACTORS)
def test_indicator_list_is_what_visible_to_allows(world, ind, as_actor, actor):
    expected = set(Target.objects.visible_to(world.users[actor]).values_list("pk", flat=True))
    assert _ids(as_actor(actor).get("/api/indicators/?page_size=100")) == expected


def test_unit_sees_its_tasks_indicators_and_its_plans_goals_only(world, ind, as_actor):
    assert _ids(as_actor("official_a").get("/api/indicators/")) == {ind.solar.pk, ind.goal.pk}
    assert _ids(as_actor("official_b").get("/api/indicators/")) == {ind.export.pk, ind.goal.pk}
    assert _ids(as_actor("other_office").get("/api/indicators/")) == {ind.elsewhere.pk}
    assert as_actor("official_b").get(f"/api/indicators/{ind.solar.pk}/").status_code == 404


@pytest.mark.parametrize("actor", ACTORS)
def test_value_list_is_what_visible_to_allows(world, ind, as_actor, actor):
    for target in (ind.solar, ind.export, ind.goal):
        _post(as_actor("office"), target, ind.open_period, "1")
    _post(as_actor("other_office"), ind.elsewhere, ind.other_period, "1")
    assert IndicatorValue.objects.count() == 4
    expected = set(IndicatorValue.objects.visible_to(world.users[actor]).values_list("pk", flat=True))
    assert _ids(as_actor(actor).get("/api/indicator-values/")) == expected


def test_value_of_an_invisible_indicator_is_404(world, ind, as_actor):
    created = _post(as_actor("official_a"), ind.solar, ind.open_period, "3").json()
    assert as_actor("official_b").get(f"/api/indicator-values/{created['id']}/").status_code == 404
    assert as_actor("official_b").patch(f"/api/indicator-values/{created['id']}/", {"note": "x", "version": 1}).status_code == 404


# --- filters ----------------------------------------------------------------------------------
def test_indicator_filters(world, ind, as_actor):
    client = as_actor("office")
    plan = world.task_t.plan_id
    assert _ids(client.get(f"/api/indicators/?plan={plan}")) == {ind.solar.pk, ind.export.pk, ind.goal.pk}
    assert _ids(client.get(f"/api/indicators/?task={world.task_b.pk}")) == {ind.export.pk}
    assert _ids(client.get(f"/api/indicators/?owner={world.report_a.unit_id}")) == {ind.solar.pk}
    assert _ids(client.get("/api/indicators/?plan_level=true")) == {ind.goal.pk}
    Target.objects.filter(pk=ind.export.pk).update(is_active=False)
    assert _ids(client.get("/api/indicators/?active=false")) == {ind.export.pk}
    assert client.get("/api/indicators/?owner=abc").status_code == 400


def test_indicator_status_filter_follows_the_latest_reading(world, ind, as_actor):
    client = as_actor("office")
    assert _post(client, ind.solar, ind.open_period, "15").status_code == 201  # met
    assert _post(client, ind.export, ind.open_period, "1").status_code == 201  # far behind
    assert _ids(client.get("/api/indicators/?status=met")) == {ind.solar.pk}
    assert _ids(client.get("/api/indicators/?status=off_course")) == {ind.export.pk}
    assert _ids(client.get(f"/api/indicators/?status=no_value&plan={world.task_t.plan_id}")) == {ind.goal.pk}
    assert client.get("/api/indicators/?status=done").status_code == 400


def test_value_filters(world, ind, as_actor):
    client = as_actor("office")
    solar_q3 = _post(client, ind.solar, ind.open_period, "3").json()["id"]
    solar_q2 = _post(client, ind.solar, ind.closed_period, "2").json()["id"]
    export_q3 = _post(client, ind.export, ind.open_period, "3").json()["id"]
    assert _ids(client.get(f"/api/indicator-values/?target={ind.solar.pk}")) == {solar_q3, solar_q2}
    assert _ids(client.get(f"/api/indicator-values/?period={ind.closed_period.pk}")) == {solar_q2}
    assert _ids(client.get(f"/api/indicator-values/?owner={world.report_b.unit_id}")) == {export_q3}
    assert _ids(client.get(f"/api/indicator-values/?plan={world.task_t.plan_id}")) == {solar_q3, solar_q2, export_q3}
    assert _ids(client.get(f"/api/indicator-values/?plan={ind.elsewhere.plan_id}")) == set()


# --- entering values --------------------------------------------------------------------------
def test_owner_official_enters_a_value_in_an_open_period_and_reads_its_status(world, ind, as_actor):
    client = as_actor("official_a")
    response = _post(client, ind.solar, ind.open_period, "9", note="已并网项目合计", source="市发改委统计")
    assert response.status_code == 201, response.content
    assert response["ETag"] == '"1"'
    body = response.json()
    # by 2016-09-30, 273 of the target year's 365 days have passed: 15 × 273/365 ≈ 11.22 is due
    due = _sequence((datetime.date(2016, 9, 30) - datetime.date(2016, 1, 1)).days, 365, Decimal(15))
    assert due == "11.22"
    assert (body["value"], body["unit"], body["entered_as"], body["expected"], body["status"]) == ("9", "万千瓦", "9万千瓦", due, "off_course")
    assert (body["note"], body["source"], body["entered_by"], body["version"]) == ("已并网项目合计", "市发改委统计", "official_a", 1)
    row = _value(ind.solar, ind.open_period)
    assert (row.value, row.entered_by) == (Decimal(9), world.users["official_a"])

    response = client.patch(f"/api/indicator-values/{row.pk}/", {"value": 12}, HTTP_IF_MATCH='"1"', format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"], response["ETag"]) == ("on_course", 2, '"2"')

    detail = client.get(f"/api/indicators/{ind.solar.pk}/").json()
    assert detail["latest"] == {
        "period": ind.open_period.pk, "period_label": ind.open_period.label, "value": "12", "expected": due, "status": "on_course",
    }
    assert detail["readings"][-1]["value_id"] == row.pk and detail["readings"][-1]["note"] == "已并网项目合计"


def test_another_units_official_is_refused_with_the_rules_sentence(world, ind, as_actor):
    response = _post(as_actor("official_s"), ind.solar, ind.open_period, "9")  # S supports T, sees the indicator
    assert response.status_code == 403
    assert OWNER_ONLY in response.json()["detail"]
    assert not IndicatorValue.objects.exists()


def test_indicator_of_a_task_the_unit_does_not_see_is_400_on_target(world, ind, as_actor):
    response = _post(as_actor("official_b"), ind.solar, ind.open_period, "9")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["target"]
    assert not IndicatorValue.objects.exists()


def test_period_of_another_plan_is_400_on_period(world, ind, as_actor, api):
    response = _post(as_actor("office"), ind.solar, ind.other_period, "9")  # a period the office does not see
    assert response.status_code == 400 and list(response.json()["errors"]) == ["period"]
    response = _post(api(UserFactory(is_superuser=True)), ind.solar, ind.other_period, "9")  # sees both
    assert response.status_code == 400
    assert "不属于该指标所在的方案" in response.json()["errors"]["period"][0]
    assert not IndicatorValue.objects.exists()


def test_owner_cannot_enter_a_closed_periods_value_but_the_office_corrects_it(world, ind, as_actor):
    response = _post(as_actor("official_a"), ind.solar, ind.closed_period, "5")
    assert response.status_code == 403 and "未开放填报" in response.json()["detail"]
    office = as_actor("office")
    created = _post(office, ind.solar, ind.closed_period, "5")
    assert created.status_code == 201
    corrected = office.patch(f"/api/indicator-values/{created.json()['id']}/", {"value": "5.5", "version": 1}, format="json")
    assert corrected.status_code == 200
    assert _value(ind.solar, ind.closed_period).value == Decimal("5.5")
    # and the owner cannot change it now that it is closed
    refused = as_actor("official_a").patch(f"/api/indicator-values/{created.json()['id']}/", {"note": "补充", "version": 2}, format="json")
    assert refused.status_code == 403 and "未开放填报" in refused.json()["detail"]


def test_a_second_value_for_the_same_period_is_409(world, ind, as_actor):
    client = as_actor("official_a")
    assert _post(client, ind.solar, ind.open_period, "9").status_code == 201
    response = _post(client, ind.solar, ind.open_period, "10")
    assert response.status_code == 409
    assert "请修改该记录" in response.json()["detail"]
    assert _value(ind.solar, ind.open_period).value == Decimal(9)


# --- units of measurement ---------------------------------------------------------------------
WIND, CREDIT = "风电装机规模", "短期出口信用保险承保规模"
HEBI_DRC, FUJIAN_COMMERCE = "鹤壁市发展和改革委员会", "福建省商务厅"


def _open_period(target):
    return ReportingPeriod.objects.get(plan=target.plan, is_open=True)


@pytest.mark.parametrize("typed", ["1.2万千瓦", "12000千瓦", "1.2", 1.2])
def test_a_value_in_another_unit_of_the_same_kind_is_stored_in_the_targets_unit(seed, unit_account, api, typed):
    wind = Target.objects.get(indicator=WIND)
    assert wind.unit == "万千瓦"
    response = _post(api(unit_account(HEBI_DRC)), wind, _open_period(wind), typed)
    assert response.status_code == 201, response.content
    row = _value(wind, _open_period(wind))
    assert row.value == Decimal("1.2")
    assert response.json()["value"] == "1.2" and response.json()["unit"] == "万千瓦"
    assert row.entered_as == (typed if isinstance(typed, str) and not typed[-1].isdigit() else "1.2万千瓦")


def test_a_number_with_a_separate_unit_field_is_converted(seed, unit_account, api):
    wind = Target.objects.get(indicator=WIND)
    response = _post(api(unit_account(HEBI_DRC)), wind, _open_period(wind), 12000, unit="千瓦")
    assert response.status_code == 201, response.content
    assert (response.json()["value"], response.json()["entered_as"]) == ("1.2", "12000千瓦")


def test_a_value_in_another_currency_is_400_with_the_sentence_and_nothing_is_stored(seed, unit_account, api):
    credit = Target.objects.get(indicator=CREDIT)
    assert credit.unit == "亿美元"
    client = api(unit_account(FUJIAN_COMMERCE))
    response = _post(client, credit, _open_period(credit), "5亿元")
    assert response.status_code == 400
    message = response.json()["errors"]["value"][0]
    assert "亿元" in message and "亿美元" in message and "不能换算" in message
    assert message in response.json()["detail"]
    response = _post(client, credit, _open_period(credit), "5", unit="亿元")  # the unit given on its own
    assert response.status_code == 400 and "不能换算" in response.json()["errors"]["unit"][0]
    assert not IndicatorValue.objects.filter(target=credit, period=_open_period(credit)).exists()  # the demo fills closed periods only


def test_a_conversion_losing_precision_is_400_on_value(seed, unit_account, api):
    wind = Target.objects.get(indicator=WIND)
    response = _post(api(unit_account(HEBI_DRC)), wind, _open_period(wind), "0.001瓦")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["value"]
    assert not IndicatorValue.objects.filter(target=wind, period=_open_period(wind)).exists()


@pytest.mark.parametrize("value", ["很多", "", True, None, [1], {"value": 1}, "1\x00"])
def test_a_value_that_is_not_a_number_is_400_on_value(world, ind, as_actor, value):
    response = _post(as_actor("official_a"), ind.solar, ind.open_period, value)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["value"]
    assert not IndicatorValue.objects.exists()


def test_unknown_or_read_only_fields_are_400(world, ind, as_actor):
    response = _post(as_actor("official_a"), ind.solar, ind.open_period, "9", status="met")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["status"]


def test_patching_the_note_keeps_the_value_as_typed(seed, unit_account, api):
    wind = Target.objects.get(indicator=WIND)
    client = api(unit_account(HEBI_DRC))
    created = _post(client, wind, _open_period(wind), "12000千瓦").json()
    response = client.patch(f"/api/indicator-values/{created['id']}/", {"note": "含分散式风电", "version": 1}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["entered_as"], response.json()["value"], response.json()["note"]) == ("12000千瓦", "1.2", "含分散式风电")


def test_a_unit_without_a_value_in_a_patch_is_400(world, ind, as_actor):
    created = _post(as_actor("official_a"), ind.solar, ind.open_period, "9").json()
    response = as_actor("official_a").patch(f"/api/indicator-values/{created['id']}/", {"unit": "千瓦", "version": 1}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["unit"]


# --- versions ---------------------------------------------------------------------------------
@pytest.fixture
def entered(world, ind, as_actor):
    """Unit A's value of the solar indicator for the open period, then changed once (version 2)."""
    client = as_actor("official_a")
    created = _post(client, ind.solar, ind.open_period, "9").json()
    assert client.patch(f"/api/indicator-values/{created['id']}/", {"value": "10", "version": 1}, format="json").status_code == 200
    return IndicatorValue.objects.get(pk=created["id"])


def test_stale_if_match_is_412_and_changes_nothing(entered, as_actor):
    response = as_actor("official_a").patch(f"/api/indicator-values/{entered.pk}/", {"value": "11"}, HTTP_IF_MATCH='"1"', format="json")
    assert response.status_code == 412
    assert IndicatorValue.objects.get(pk=entered.pk).value == Decimal(10)


def test_stale_body_version_is_409(entered, as_actor):
    response = as_actor("official_a").patch(f"/api/indicator-values/{entered.pk}/", {"value": "11", "version": 1}, format="json")
    assert response.status_code == 409
    assert IndicatorValue.objects.get(pk=entered.pk).value == Decimal(10)


def test_patch_without_a_version_is_400_on_version(entered, as_actor):
    response = as_actor("official_a").patch(f"/api/indicator-values/{entered.pk}/", {"value": "11"}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["version"]


def test_detail_sends_the_version_as_etag(entered, as_actor):
    response = as_actor("office").get(f"/api/indicator-values/{entered.pk}/")
    assert response["ETag"] == '"2"'
    assert response.json()["status"] in {"met", "on_course", "off_course"} and response.json()["expected"]


def test_delete_needs_the_current_version_and_the_rules(entered, as_actor):
    url = f"/api/indicator-values/{entered.pk}/"
    assert as_actor("official_a").delete(url).status_code == 400
    assert as_actor("official_a").delete(url, HTTP_IF_MATCH='"1"').status_code == 412
    refused = as_actor("official_s").delete(url, HTTP_IF_MATCH='"2"')
    assert refused.status_code == 403 and OWNER_ONLY in refused.json()["detail"]
    assert as_actor("official_a").delete(url, HTTP_IF_MATCH='"2"').status_code == 204
    assert not IndicatorValue.objects.filter(pk=entered.pk).exists()


def test_values_cannot_be_replaced_with_put(entered, as_actor):
    response = as_actor("official_a").put(f"/api/indicator-values/{entered.pk}/", {"value": "1", "version": 2}, format="json")
    assert response.status_code == 405


def test_indicators_are_read_only(ind, as_actor):
    assert as_actor("office").post("/api/indicators/", {"indicator": "x"}, format="json").status_code == 405
    assert as_actor("office").patch(f"/api/indicators/{ind.solar.pk}/", {"value": "1"}, format="json").status_code == 405


# --- queries ----------------------------------------------------------------------------------
def _indicators_in_plans(office, count):
    """`count` indicators over several plans, each plan with two periods and a value for each."""
    for n in range(count):
        plan = PlanFactory()
        plan.office_staff.add(office)
        task = TaskFactory(plan=plan)
        target = TargetFactory(plan=plan, task=task if n % 2 else None, owner=UnitFactory())
        for quarter in (1, 2):
            period = ReportingPeriodFactory(
                plan=plan, label=f"2016Q{quarter}", start=datetime.date(2016, 3 * quarter - 2, 1),
                end=datetime.date(2016, 3 * quarter, 28), due_date=datetime.date(2016, 3 * quarter, 23),
            )
            IndicatorValue.objects.create(target=target, period=period, value=Decimal(60 + n), entered_as=f"{60 + n}微克/立方米")


@pytest.mark.parametrize("actor", ["office", "official_a"])
def test_indicator_and_value_lists_run_the_same_queries_for_3_and_12_rows(world, as_actor, actor):
    _indicators_in_plans(world.users["office"], 12)
    if actor == "official_a":  # a unit account: give its unit a role in every plan (tasks of plan-level goals)
        from tests.factories import AssignmentFactory

        for task in Task.objects.filter(plan__office_staff=world.users["office"]).exclude(pk__in=[world.task_t.pk, world.task_b.pk]):
            AssignmentFactory(task=task, unit=world.report_a.unit)
    client = as_actor(actor)
    assert Target.objects.visible_to(world.users[actor]).count() >= 12
    for url in ("/api/indicators/", "/api/indicator-values/"):
        assert count_queries(client, f"{url}?page_size=3") == count_queries(client, f"{url}?page_size=12"), url


@pytest.mark.parametrize("value", ["1e999999", "1E5万千瓦", "9" * 50])
def test_exponent_notation_and_endless_digits_are_400_on_value(world, ind, as_actor, value):
    """"1e999999" was read as 1 with the unit "e999999"."""
    response = _post(as_actor("official_a"), ind.solar, ind.open_period, value)
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == ["value"]
    assert "科学计数法" in response.json()["errors"]["value"][0] or "位数过多" in response.json()["errors"]["value"][0]
    assert not IndicatorValue.objects.exists()
