"""Roll-ups say what they are based on: an average percent from 1 approved report among N active
tasks is shown with its coverage "1/N" (dashboard, API, public page), a section with no task
below it shows no percentage (not 0%), and the public page says 数据截至 and names the issuing
organ (the issuers in document order, else the coordinator as such)."""
import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from plans.models import Plan, ReportState
from tests.factories import (
    PlanFactory,
    PlanIssuerFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    SectionFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

N = 6  # active tasks, one with an approved report
APPROVED_AT = datetime.datetime(2016, 9, 25, 2, 30, tzinfo=datetime.UTC)


@pytest.fixture
def plan():
    """A plan: section 一、 holds N active tasks (one approved at 80%, the others unreported) and
    a retired task; section 二、 holds no task."""
    plan = PlanFactory(period_start=datetime.date(2016, 1, 1), period_end=datetime.date(2016, 12, 31))
    period = ReportingPeriodFactory(plan=plan, label="2016Q3", is_open=True)
    full = SectionFactory(plan=plan, path="一、", label="一、", title="有任务的章节", level=1, position=0)
    SectionFactory(plan=plan, path="二、", label="二、", title="没有任务的章节", level=1, position=100)
    tasks = [TaskFactory(plan=plan, parent=full, position=1 + index, level=2) for index in range(N)]
    TaskFactory(plan=plan, parent=full, position=50, level=2, is_active=False)  # retired: not counted
    ProgressReportFactory(task=tasks[0], period=period, state=ReportState.APPROVED, percent=80, reviewed_at=APPROVED_AT)
    ProgressReportFactory(task=tasks[1], period=period, state=ReportState.SUBMITTED, percent=10)  # not approved yet
    return plan


def _publish(plan):
    Plan.objects.filter(pk=plan.pk).update(is_published=True, published_at=datetime.datetime(2016, 10, 1, tzinfo=datetime.UTC))


def _cells(html: str, row_class: str) -> list[list[str]]:
    """The text of each cell of each table row of that class."""
    rows = re.findall(rf'<tr class="{row_class}">(.*?)</tr>', html, re.S)
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)] for row in rows]


# --- the dashboard ---------------------------------------------------------------------------------
def test_dashboard_shows_the_average_with_its_coverage_and_no_percentage_for_an_empty_section(client, plan):
    user = UserFactory()
    plan.office_staff.add(user)
    client.force_login(user)

    html = client.get("/admin/dashboard/", {"plan": plan.pk}).content.decode()

    sections = _cells(html, "section")
    assert sections == [
        ["一、 有任务的章节", str(N), "0", "0%", f"80%（基于 1/{N} 项任务）"],
        ["二、 没有任务的章节", "0", "0", "-", "-"],  # no task: no percentage, not 0%
    ]
    assert _cells(html, "plan-total") == [["全方案", str(N), "0", "0%", f"80%（基于 1/{N} 项任务）"]]


# --- the API ---------------------------------------------------------------------------------------
def test_api_gives_the_coverage_next_to_the_average(plan):
    client = APIClient()
    client.force_authenticate(UserFactory(is_superuser=True))
    coverage = {"average_percent": 80, "reported": 1, "average_based_on": 1, "average_out_of": N, "coverage_percent": 17}

    progress = client.get(f"/api/plans/{plan.pk}/progress/").json()
    detail = client.get(f"/api/plans/{plan.pk}/").json()
    listed = client.get("/api/plans/").json()["results"][0]

    for body in (progress["plan"], detail["progress"], listed["progress"], progress["sections"][0]["progress"]):
        assert {name: body[name] for name in coverage} == coverage
    empty = progress["sections"][1]["progress"]
    assert (empty["tasks"], empty["completed_percent"], empty["average_percent"], empty["coverage_percent"]) == (0, None, None, None)
    assert detail["sections"][1]["progress"] == empty


def test_the_schema_describes_the_coverage_fields(plan):
    client = APIClient()
    client.force_authenticate(UserFactory(is_superuser=True))
    schema = client.get("/api/schema/?format=json").json()
    fields = schema["components"]["schemas"]["Rollup"]["properties"]
    assert {"average_based_on", "average_out_of", "coverage_percent"} <= set(fields)
    assert fields["coverage_percent"].get("nullable") is True


# --- the public page -----------------------------------------------------------------------------------
def test_public_page_shows_the_coverage_the_as_of_time_and_the_issuers_in_order(client, plan):
    second, first = UnitFactory(name="鹤壁市生态环境局"), UnitFactory(name="鹤壁市人民政府办公室")
    PlanIssuerFactory(plan=plan, unit=first, position=0)
    PlanIssuerFactory(plan=plan, unit=second, position=1)
    plan.coordinator = UnitFactory(name="鹤壁市督查局")
    plan.save()
    _publish(plan)
    before = timezone.localtime()

    html = client.get(reverse("public-plan", args=[plan.pk])).content.decode()

    organ = re.search(r'<div class="organ"><dt>(.*?)</dt><dd>(.*?)</dd>', html)
    assert organ.groups() == ("印发单位", "鹤壁市人民政府办公室、鹤壁市生态环境局")  # the issuers, not the coordinator
    as_of = re.search(r'<div class="as-of"><dt>(.*?)</dt><dd><time datetime="([^"]+)">', html)
    assert as_of.group(1) == "数据截至"
    read_at = datetime.datetime.fromisoformat(as_of.group(2))
    assert before - datetime.timedelta(seconds=1) <= read_at <= timezone.now() + datetime.timedelta(seconds=1)
    approved = timezone.localtime(APPROVED_AT)
    assert f"最近一次审核报告：{approved:%Y}年{approved.month}月{approved.day}日 {approved:%H:%M}" in html
    assert f"基于 1/{N} 项任务" in html
    rollups = _cells(html, "section-rollup")
    assert [row[0] for row in rollups] == ["一、有任务的章节"]  # the section without tasks has no roll-up row
    assert rollups[0][-1] == f"80%（基于 1/{N} 项任务）"
    assert "没有任务的章节" not in html


def test_public_page_names_the_coordinator_as_such_when_the_plan_has_no_issuer(client, plan):
    plan.coordinator = UnitFactory(name="鹤壁市大气污染防治攻坚办公室")
    plan.save()
    _publish(plan)

    html = client.get(reverse("public-plan", args=[plan.pk])).content.decode()

    organ = re.search(r'<div class="organ"><dt>(.*?)</dt><dd>(.*?)</dd>', html)
    assert organ.groups() == ("牵头督办单位", "鹤壁市大气污染防治攻坚办公室")
    assert "印发单位" not in html


def test_public_page_without_approved_reports_says_so_and_shows_no_average(client):
    plan = PlanFactory()
    TaskFactory(plan=plan)
    _publish(plan)

    html = client.get(reverse("public-plan", args=[plan.pk])).content.decode()

    assert "数据截至" in html and "尚无审核通过的报告" in html
    assert "基于" not in html.split('class="legend coverage-note"')[0]  # no average, so no coverage
    assert '<div class="organ">' not in html  # neither issuer nor coordinator: nothing claimed
