"""The changelists' sidebar filters offer only the plans, periods and units of the plans the
account sees: an office account its plans', a unit account the plans its unit works on; a
superuser every row."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.contrib.auth import get_user_model
from django.urls import reverse

from plans.models import MemberRole, ProgressReport, Role, UnitKind
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.factories import (
    AssignmentFactory,
    DeadlineFactory,
    IndicatorValueFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    SectionFactory,
    SheetImportFactory,
    TargetFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Every name of plan 甲 (and of its second plan 丙, overseen by the same office) holds 甲 or 丙,
# every name of plan 乙 holds 乙, so a choice of the wrong plan shows by its name.
OURS = ("甲", "丙")
THEIRS = "乙"


def plan_world(mark, *, coordinator):
    """A plan with two periods, a section, a task assigned to a unit and to a collective whose
    member reports, a deadline, an indicator of the task (owned by the unit) and a plan-level
    goal (owned by the coordinator), their values and a report of each reporting unit."""
    plan = PlanFactory(title=f"{mark}方案", coordinator=coordinator)
    first = ReportingPeriodFactory(plan=plan, label=f"{mark}一期")
    ReportingPeriodFactory(plan=plan, label=f"{mark}二期")
    section = SectionFactory(plan=plan, title=f"{mark}章节")
    task = TaskFactory(plan=plan, parent=section, title=f"{mark}任务")
    unit = UnitFactory(name=f"{mark}单位")
    collective = UnitFactory(name=f"{mark}各县区", kind=UnitKind.COLLECTIVE)
    member = UnitFactory(name=f"{mark}县政府", kind=UnitKind.LOCAL_GOVERNMENT)
    collective.members.add(member)
    AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=collective, role=Role.RESPONSIBLE)
    DeadlineFactory(task=task)
    ProgressReport.objects.create(task=task, unit=unit, period=first)
    ProgressReport.objects.create(task=task, unit=member, period=first)
    IndicatorValueFactory(target=TargetFactory(plan=plan, task=task, owner=unit, indicator=f"{mark}指标"), period=first)
    IndicatorValueFactory(target=TargetFactory(plan=plan, owner=coordinator, indicator=f"{mark}总目标"), period=first)
    SheetImportFactory(period=first)
    return {"plan": plan, "unit": unit, "member": member, "coordinator": coordinator, "period": first}


@pytest.fixture
def world():
    groups = groups_ensure()
    ours = plan_world("甲", coordinator=UnitFactory(name="甲督查室"))
    second = plan_world("丙", coordinator=UnitFactory(name="丙督查室"))
    theirs = plan_world("乙", coordinator=UnitFactory(name="乙督查室"))
    office = UserFactory(username="office")
    office.groups.add(groups[OFFICE_GROUP])
    ours["plan"].office_staff.add(office)
    second["plan"].office_staff.add(office)
    other_office = UserFactory(username="other-office")
    other_office.groups.add(groups[OFFICE_GROUP])
    theirs["plan"].office_staff.add(other_office)
    # the official's unit works on 甲 and 丙 (a task of each), never on 乙
    official = MembershipFactory(unit=ours["unit"], role=MemberRole.OFFICIAL).user
    official.groups.add(groups[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    AssignmentFactory(task=TaskFactory(plan=second["plan"], title="丙配合任务"), unit=ours["unit"], role=Role.SUPPORTING)
    superuser = get_user_model().objects.create_superuser("root", password="pw")
    return {"ours": ours, "second": second, "theirs": theirs, "office": office, "official": official,
            "superuser": superuser}


def sidebar(client, user, model, **params) -> dict[str, list[str]]:
    """The sidebar's choices of a changelist, by filter parameter (without 全部 and 空值)."""
    client.force_login(user)
    response = client.get(reverse(f"admin:plans_{model}_changelist"), params)
    assert response.status_code == 200
    changelist = response.context["cl"]
    choices = {}
    for spec in changelist.filter_specs:
        name = getattr(spec, "field_path", None) or spec.parameter_name
        shown = [str(choice["display"]) for choice in spec.choices(changelist)]
        choices[name] = [display for display in shown if display not in ("全部", "空值", "All", "Empty")]
    return choices


# (changelist, filter, names of plan 甲 it must offer); plan 丙's counterparts are expected too
RELATED_FILTERS = [
    ("progressreport", "period__plan", ["甲方案"]),
    ("progressreport", "period", ["甲方案 甲一期", "甲方案 甲二期"]),
    ("progressreport", "unit", ["甲单位", "甲县政府"]),
    ("task", "plan", ["甲方案"]),
    ("section", "plan", ["甲方案"]),
    ("reportingperiod", "plan", ["甲方案"]),
    ("assignment", "task__plan", ["甲方案"]),
    ("deadline", "task__plan", ["甲方案"]),
    ("target", "plan", ["甲方案"]),
    ("indicatorvalue", "target__plan", ["甲方案"]),
    ("indicatorvalue", "period", ["甲方案 甲一期", "甲方案 甲二期"]),
    ("indicatorvalue", "target__owner", ["甲单位", "甲督查室"]),
    ("sheetimport", "period__plan", ["甲方案"]),
]


@pytest.mark.parametrize(("model", "path", "expected"), RELATED_FILTERS)
def test_office_sidebar_offers_only_its_plans_rows(client, world, model, path, expected):
    choices = sidebar(client, world["office"], model)
    assert path in choices, f"{model} has no {path} filter"
    offered = choices[path]
    for name in expected:
        assert name in offered
        assert name.replace("甲", "丙") in offered
    assert not [name for name in offered if THEIRS in name]


@pytest.mark.parametrize(("model", "path", "expected"), RELATED_FILTERS)
def test_superuser_sidebar_offers_every_plans_rows(client, world, model, path, expected):
    offered = sidebar(client, world["superuser"], model)[path]
    for name in expected:
        assert name in offered
        assert name.replace("甲", "乙") in offered


@pytest.mark.parametrize(("model", "path", "expected"), [
    (model, path, expected) for model, path, expected in RELATED_FILTERS
    # a unit account reads no periods' and assignments' lists, and has no sheet imports of its own
    if model in ("progressreport", "task", "section", "indicatorvalue")
])
def test_unit_account_sidebar_offers_only_its_plans_rows(client, world, model, path, expected):
    offered = sidebar(client, world["official"], model).get(path, [])
    assert not [name for name in offered if THEIRS in name]
    if path in ("period__plan", "plan", "target__plan", "period"):
        for name in expected:
            assert name in offered


def test_unit_account_sidebar_offers_the_units_of_its_plans(client, world):
    offered = sidebar(client, world["official"], "progressreport")["unit"]
    assert {"甲单位", "甲县政府"} <= set(offered)
    assert not [name for name in offered if THEIRS in name]


TASK_FILTERS = ["assignments__unit__id__exact", "period", "section"]


def test_task_filters_of_a_chosen_plan_offer_its_units_periods_and_sections(client, world):
    choices = sidebar(client, world["office"], "task", plan__id__exact=world["ours"]["plan"].pk)
    assert {"甲单位", "甲各县区"} <= set(choices["assignments__unit__id__exact"])
    assert choices["period"] and all("甲" in name for name in choices["period"])
    assert [name for name in choices["section"] if "甲章节" in name]


@pytest.mark.parametrize("who", ["office", "official"])
def test_task_filters_of_a_plan_not_seen_offer_nothing_of_it(client, world, who):
    """A plan named in the address that the account does not see lends the sidebar none of its rows."""
    choices = sidebar(client, world[who], "task", plan__id__exact=world["theirs"]["plan"].pk)
    for name in TASK_FILTERS + ["level__exact"]:
        assert not [shown for shown in choices.get(name, []) if THEIRS in shown]
    assert "level__exact" not in choices or set(choices["level__exact"]) <= {"1", "2", "3", "4"}


@pytest.mark.parametrize("who", ["office", "official"])
def test_task_filters_of_a_unit_or_section_not_seen_offer_nothing_of_it(client, world, who):
    theirs = world["theirs"]
    section = theirs["plan"].nodes.get(title="乙章节")
    for params in ({"assignments__unit__id__exact": theirs["unit"].pk}, {"section": section.pk},
                   {"period": theirs["period"].pk}):
        choices = sidebar(client, world[who], "task", **params)
        assert not [shown for name in TASK_FILTERS for shown in choices.get(name, []) if THEIRS in shown], params


def test_superuser_task_filters_of_any_plan(client, world):
    choices = sidebar(client, world["superuser"], "task", plan__id__exact=world["theirs"]["plan"].pk)
    assert {"乙单位", "乙各县区"} <= set(choices["assignments__unit__id__exact"])
    assert choices["period"] and all("乙" in name for name in choices["period"])
    assert [name for name in choices["section"] if "乙章节" in name]


@pytest.mark.parametrize("who", ["office", "official", "superuser"])
def test_report_sidebar_reads_its_units_without_the_reports(client, world, who):
    """A province has a million reports: the unit choices come from the assignments, the
    collectives, the plans and the indicators, never from a scan of the reports."""
    client.force_login(world[who])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:plans_progressreport_changelist"))
    assert response.status_code == 200
    unit_queries = [query["sql"] for query in queries if query["sql"].startswith('SELECT "plans_unit"."id"')]
    assert unit_queries
    assert not [sql for sql in unit_queries if "plans_progressreport" in sql]


def test_the_report_sidebar_never_counts_its_choices_over_every_report(client, world):
    """?_facets (Django's counts beside each choice) would count all the reports once per
    choice; the reports list never offers them."""
    client.force_login(world["office"])
    response = client.get(reverse("admin:plans_progressreport_changelist"), {"_facets": "1"})

    assert response.status_code == 200
    assert response.context["cl"].add_facets is False
