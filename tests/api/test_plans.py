"""/api/plans/: the plan, its reporting schedule, section tree and targets; visibility."""
import datetime
from decimal import Decimal

from plans.models import Frequency
from tests.api.conftest import count_queries
from tests.factories import (
    PlanFactory,
    PlanIssuerFactory,
    SectionFactory,
    TargetFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)


def _plan_url(plan):
    return f"/api/plans/{plan.pk}/"


def test_plan_has_the_contract_fields(world, as_actor):
    body = as_actor("office").get(_plan_url(world.task_t.plan)).json()
    assert set(body) == {
        "id", "title", "doc_number", "jurisdiction", "plan_year", "issued_on", "period_start", "period_end",
        "valid_until", "reporting", "acknowledge_days", "allow_late_extensions", "coordinator", "issuers", "sections",
        "targets", "progress",
    }


def test_plan_reporting_schedule(api, db):
    plan = PlanFactory(
        reporting_frequency=Frequency.QUARTERLY, reporting_month=3, reporting_day=23,
        reporting_rule_text="每季度最后一月的23日前", period_start=datetime.date(2016, 1, 1),
    )
    body = api(UserFactory(is_superuser=True)).get(_plan_url(plan)).json()
    assert body["reporting"] == {"frequency": "quarterly", "month": 3, "day": 23, "text": "每季度最后一月的23日前"}
    assert (body["acknowledge_days"], body["allow_late_extensions"]) == (3, False)
    assert body["period_start"] == "2016-01-01"


def test_plan_issuers_in_document_order(api, db):
    plan = PlanFactory()
    first, second = UnitFactory(), UnitFactory()
    PlanIssuerFactory(plan=plan, unit=second, position=0)
    PlanIssuerFactory(plan=plan, unit=first, position=1)
    assert api(UserFactory(is_superuser=True)).get(_plan_url(plan)).json()["issuers"] == [second.pk, first.pk]


def test_plan_sections_form_a_nested_tree(api, db):
    plan = PlanFactory()
    top = SectionFactory(plan=plan, label="三、", path="三、", title="主要任务", position=0)
    sub = SectionFactory(plan=plan, parent=top, label="(一)", path="三、(一)", title="燃煤烟气治理", level=2, position=1)
    TaskFactory(plan=plan, parent=sub, position=2)
    sections = api(UserFactory(is_superuser=True)).get(_plan_url(plan)).json()["sections"]
    one_open_task = {
        "tasks": 1, "completed": 0, "completed_percent": 0, "reported": 0, "average_percent": None,
        "average_based_on": 0, "average_out_of": 1, "coverage_percent": 0,
    }
    assert sections == [{
        "id": top.pk, "label": "三、", "path": "三、", "title": "主要任务", "level": 1, "parent": None,
        "progress": one_open_task,
        "children": [{
            "id": sub.pk, "label": "(一)", "path": "三、(一)", "title": "燃煤烟气治理", "level": 2, "parent": top.pk,
            "progress": one_open_task, "children": [],
        }],
    }]


def test_plan_target_value_is_an_exact_string(api, db):
    plan = PlanFactory()
    task = TaskFactory(plan=plan)
    TargetFactory(plan=plan, task=task, indicator="营业收入", comparator="≈", value=Decimal("2.8"), unit="万亿元", year=2025)
    targets = api(UserFactory(is_superuser=True)).get(_plan_url(plan)).json()["targets"]
    assert targets == [{"indicator": "营业收入", "comparator": "≈", "value": "2.8", "unit": "万亿元", "year": 2025, "task": task.pk}]


def test_unit_account_sees_the_plans_it_holds_a_role_in(world, as_actor):
    other = PlanFactory()
    ids = {row["id"] for row in as_actor("official_b").get("/api/plans/").json()["results"]}
    assert ids == {world.task_t.plan_id}
    assert other.pk not in ids


def test_office_of_another_plan_gets_404(world, as_actor):
    assert as_actor("other_office").get(_plan_url(world.task_t.plan)).status_code == 404


def test_filter_plans_by_year(api, db):
    PlanFactory(plan_year=2016)
    fujian = PlanFactory(plan_year=2024)
    response = api(UserFactory(is_superuser=True)).get("/api/plans/?plan_year=2024")
    assert [row["id"] for row in response.json()["results"]] == [fujian.pk]


def test_plan_list_runs_the_same_queries_for_3_and_12_rows(api, db):
    office = UserFactory()
    for _ in range(12):
        plan = PlanFactory()
        plan.office_staff.add(office)
        PlanIssuerFactory(plan=plan)
        SectionFactory(plan=plan)
        TargetFactory(plan=plan)
    client = api(office)
    assert count_queries(client, "/api/plans/?page_size=3") == count_queries(client, "/api/plans/?page_size=12")
