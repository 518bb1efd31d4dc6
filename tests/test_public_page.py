"""The public progress page of a published plan and its sheet: no login, 404 unless published,
only public fields (the internal texts are never shown, nor even read), constant queries."""
from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans import services
from plans.models import (
    Comparator,
    IndicatorValue,
    Plan,
    ProgressReport,
    ReportState,
    Role,
    SupportingInput,
    Target,
    Task,
    TaskStatus,
)
from plans.public import public_plan_data
from tests.factories import (
    AssignmentFactory,
    DeadlineFactory,
    PlanFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    SectionFactory,
    TargetFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

FIXTURES = [settings.BASE_DIR / "fixtures" / name for name in ("hebi-2016-blue-sky-plan.json", "fujian-2024-export-industries-plan.json")]

# what the office and the units write, that must never reach the public
SECRETS = {
    "progress": "内部进展甲乙丙丁",
    "problems": "存在问题机密戊己",
    "next_steps": "下步打算庚辛壬",
    "review_comment": "审核意见请勿外传癸",
    "supporting": "配合单位内部意见子丑",
    "note": "指标说明内部寅卯",
    "source": "市环境监测站内部月报辰巳",
    "hidden_indicator": "内部考核指标午未",
    "source_text": "来源文件内部批注申酉",
}


@dataclass
class SeedWorld:
    hebi: Plan
    fujian: Plan
    office: object  # the Hebi plan's office account
    report: ProgressReport  # an approved report full of internal text
    hidden: Target  # an indicator the office keeps off the public page
    source_fragment: str  # a passage of the Hebi source document that is no task title


def build_seed_world() -> SeedWorld:
    """The two seed plans as `make run` loads them, the Hebi plan published with an approved
    report, a supporting input, indicator values with internal notes and a non-public
    indicator. The Fujian plan stays unpublished."""
    from devtools.demo import demo_accounts_ensure, demo_periods_open, office_username

    call_command("loaddata", *map(str, FIXTURES), verbosity=0)
    demo_accounts_ensure()
    demo_periods_open(historical=True)  # the seed plans' last periods open, as a demo of 2016 would have
    hebi = Plan.objects.get(title__startswith="鹤壁市")
    fujian = Plan.objects.get(doc_number="闽发改规〔2024〕2号")
    office = get_user_model().objects.get(username=office_username(hebi))
    Plan.objects.filter(pk=hebi.pk).update(source_text=hebi.source_text + "\n" + SECRETS["source_text"])

    report = ProgressReport.objects.filter(task__plan=hebi).select_related("task", "period").order_by("task__position").first()
    ProgressReport.objects.filter(pk=report.pk).update(
        progress=SECRETS["progress"], problems=SECRETS["problems"], next_steps=SECRETS["next_steps"],
        review_comment=SECRETS["review_comment"], state=ReportState.APPROVED, percent=40, reviewed_by=office,
    )
    report.refresh_from_db()
    SupportingInput.objects.create(report=report, unit=UnitFactory(name="鹤壁市配合测试单位"), text=SECRETS["supporting"])

    periods = list(hebi.periods.order_by("start"))
    pm25 = Target.objects.get(plan=hebi, indicator="细颗粒物(PM2.5)年均浓度")
    for period, value in zip(periods, ("78", "71", "64")):
        services.indicator_value_save(
            user=office, target=pm25, period=period, value=Decimal(value), note=SECRETS["note"], source=SECRETS["source"],
        )
    hidden = Target.objects.create(
        plan=hebi, indicator=SECRETS["hidden_indicator"], comparator=Comparator.GTE, value=Decimal("99"), unit="%",
        year=2016, is_public=False, text="内部考核", position=100,
    )
    IndicatorValue.objects.create(target=hidden, period=periods[0], value=Decimal("12.5"))
    services.plan_publish(user=office, plan=hebi, published=True)
    guidance = Task.objects.get(plan=hebi, path="一、")  # 指导思想: a section without tasks
    return SeedWorld(hebi, fujian, office, report, hidden, guidance.text[10:40])


@pytest.fixture
def seed(db) -> SeedWorld:
    return build_seed_world()


def page_url(plan) -> str:
    return reverse("public-plan", args=[plan.pk])


def sheet_url(plan) -> str:
    return reverse("public-sheet", args=[plan.pk])


def workbook_text(content: bytes) -> str:
    """Every cell of every sheet of a workbook, one per line."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row if cell.value is not None
    )


# --- 404 unless published --------------------------------------------------------------------------
def test_unpublished_and_unknown_plans_are_404_for_page_and_sheet(client, seed):
    for url in (page_url(seed.fujian), sheet_url(seed.fujian), "/public/plans/999999/", "/public/plans/999999/progress.xlsx"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Cache-Control" not in response or "public" not in response["Cache-Control"]
    unpublished = client.get(page_url(seed.fujian)).content.decode()
    assert seed.fujian.title not in unpublished and "闽发改规" not in unpublished
    def page(url):  # the page, less the language form's CSRF token (random) and return address (the URL asked)
        return re.sub(r'name="(csrfmiddlewaretoken|next)"[^>]*', "", client.get(url).content.decode())

    assert page(page_url(seed.fujian)) == page("/public/plans/999999/")  # no hint it exists


def test_withdrawn_plan_is_404_again(client, seed):
    assert client.get(page_url(seed.hebi)).status_code == 200
    services.plan_publish(user=seed.office, plan=seed.hebi, published=False)
    assert client.get(page_url(seed.hebi)).status_code == 404
    assert client.get(sheet_url(seed.hebi)).status_code == 404


def test_only_office_staff_publish(client, seed):
    stranger = UserFactory(username="stranger")
    with pytest.raises(PermissionDenied):
        services.plan_publish(user=stranger, plan=seed.fujian, published=True)
    assert client.get(page_url(seed.fujian)).status_code == 404


def test_fujian_plan_once_published(client, seed):
    from devtools.demo import office_username

    office = get_user_model().objects.get(username=office_username(seed.fujian))
    services.plan_publish(user=office, plan=seed.fujian, published=True)
    html = client.get(page_url(seed.fujian)).content.decode()
    assert "外贸出口优势产业提升行动方案（2024—2025年）" in html and "闽发改规〔2024〕2号" in html
    assert "2024年2月5日" in html  # issued on
    data = public_plan_data(seed.fujian.pk)
    assert data.rollup.tasks == 25 and all(task.lead for task in data.tasks)
    assert html.count('<tr class="task ') == 25
    assert html.count('class="indicator-chart"') == 10


# --- the page ----------------------------------------------------------------------------------------
def test_published_plan_page_works_anonymously_in_chinese(client, seed):
    response = client.get(page_url(seed.hebi), HTTP_ACCEPT_LANGUAGE="en")  # the browser's language is ignored
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "鹤壁市2016年度蓝天工程暨大气污染治理实施方案" in html
    for text in ("总体进展", "重点任务进展", "牵头单位", "责任单位", "完成时限", "完成状态", "量化指标", "下载进展情况表（Excel）", "发布日期"):
        assert text in html, text
    assert 'href="/admin' not in html  # a standalone page, not the admin's
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the reader's own choice of language
    english = client.get(page_url(seed.hebi))
    assert english.status_code == 200 and '<html lang="en">' in english.content.decode()


def test_page_shows_sections_tasks_lead_units_deadlines_and_lights(client, seed):
    html = client.get(page_url(seed.hebi)).content.decode()
    assert "三、主要任务" in html and "(一)燃煤烟气治理" in html and "四、组织保障" in html
    assert "加快开发风能发电和光伏发电" in html and "强化水泥粉磨站治理" in html
    first = Task.objects.filter(plan=seed.hebi, kind="task").order_by("position").first()
    row = html[html.index(f'id="task-{first.pk}"'):]
    row = row[: row.index("</tr>")]
    assert "市发改委" in row  # its lead unit, as the document writes it
    assert "红灯" in row or "黄灯" in row or "绿灯" in row
    # a dated deadline with the document's words and the date, overdue in 2016's past
    assert "10月底前（2016年10月31日）" in html
    assert "超期" in html
    for label in ("红灯", "黄灯", "绿灯"):
        assert label in html
    # 指导思想 and 工作目标 have no task below: no empty headings
    assert "指导思想" not in html


def test_page_shows_rollups_and_indicator_charts(client, seed):
    data = public_plan_data(seed.hebi.pk)
    html = client.get(page_url(seed.hebi)).content.decode()
    assert data.rollup.tasks == 53
    assert f"<span class=\"value\">{data.rollup.tasks}</span>" in html
    assert data.rollup.average_percent == 40  # the one approved percent
    assert "40%" in html
    assert "各章节完成情况" in html
    assert html.count('class="indicator-chart"') == 9  # the fixture's public indicators; not the hidden one
    assert "细颗粒物(PM2.5)年均浓度" in html and "≤ 67微克/立方米" in html
    assert "78微克/立方米" in html and "64微克/立方米" in html
    assert "已达标" in html  # 64 ≤ 67


def test_internal_texts_are_absent_from_page_and_sheet(client, seed):
    html = client.get(page_url(seed.hebi)).content.decode()
    response = client.get(sheet_url(seed.hebi))
    assert response.status_code == 200
    cells = workbook_text(b"".join(response.streaming_content))
    for name, secret in {**SECRETS, "source_fragment": seed.source_fragment}.items():
        assert secret not in html, name
        assert secret not in cells, name
    for username in (seed.office.username, "admin"):
        assert f">{username}<" not in html and username not in cells
    assert seed.report.task.title in cells  # the sheet is there, and shows the public columns


def test_internal_fields_are_never_read(seed):
    """Not only hidden: the queries select none of the internal columns."""
    with CaptureQueriesContext(connection) as queries:
        data = public_plan_data(seed.hebi.pk)
        from plans.exports.public_sheet import public_workbook

        public_workbook(io.BytesIO(), data)
        for indicator in data.indicators:
            indicator.chart()
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    for column in (
        '"plans_plan"."source_text"', '"plans_plan"."source_name"', '"plans_task"."text"', '"plans_progressreport"."progress"',
        '"plans_progressreport"."problems"', '"plans_progressreport"."next_steps"', '"plans_progressreport"."review_comment"',
        '"plans_indicatorvalue"."note"', '"plans_indicatorvalue"."source"', '"plans_indicatorvalue"."entered_by_id"',
        '"plans_target"."text"', "plans_supportinginput", "plans_plan_office_staff", "auth_user", "plans_membership",
    ):
        assert column not in sql, column
    assert "is_public" in sql


def test_head_and_only_safe_methods(client, seed):
    head = client.head(page_url(seed.hebi))
    assert head.status_code == 200 and head.content == b""
    assert client.head(sheet_url(seed.hebi)).status_code == 200
    assert client.post(page_url(seed.hebi)).status_code == 405


# --- the sheet ----------------------------------------------------------------------------------------
def test_sheet_download_has_the_public_columns_only(client, seed):
    response = client.get(sheet_url(seed.hebi))
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"filename*=utf-8''{quote('进展情况表-鹤壁市2016年度蓝天工程暨大气污染治理实施方案')}" in disposition
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["进展情况表", "量化指标"]
    tasks = workbook["进展情况表"]
    assert tasks["A1"].value == "鹤壁市2016年度蓝天工程暨大气污染治理实施方案重点任务进展情况表"
    info = tasks["A2"].value
    organs = list(seed.hebi.issuer_links.order_by("position").values_list("unit__name", flat=True))
    organs = organs or [seed.hebi.coordinator.name]
    assert "、".join(organs) in info  # the issuing organ, as the page names it
    assert re.search(r"数据截至：\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", info)
    assert re.search(r"平均进度(—|\d+%（基于\d+/53项任务）)", info)
    assert [cell.value for cell in tasks[3]] == ["序号", "重点任务/章节", "牵头单位", "责任单位", "完成时限", "完成状态", "红黄绿灯"]
    rows = [[cell.value for cell in row] for row in tasks.iter_rows(min_row=4)]
    numbered = [row for row in rows if isinstance(row[0], int)]
    assert [row[0] for row in numbered] == list(range(1, 54))  # tasks numbered straight through
    assert numbered[0][2] == "市发改委"
    assert {row[6] for row in numbered} <= {"红灯", "黄灯", "绿灯"}
    assert {row[5] for row in numbered} <= {label for _value, label in TaskStatus.choices}
    assert any(row[0] and str(row[0]).startswith("三、(一)燃煤烟气治理（任务9项") for row in rows)
    indicators = workbook["量化指标"]
    header = [cell.value for cell in indicators[3]]
    assert header[:4] == ["序号", "指标", "目标", "目标年份"] and header[-1] == "最新状态"
    assert header[4:-1] == list(seed.hebi.periods.order_by("start").values_list("label", flat=True))
    pm25 = next(row for row in indicators.iter_rows(min_row=4, values_only=True) if row[1] == "细颗粒物(PM2.5)年均浓度")
    assert [float(value) for value in pm25[4:7]] == [78, 71, 64]
    assert pm25[-1] == "已达标"
    assert indicators.max_row == 3 + 9


# --- a plan built to size --------------------------------------------------------------------------
def build_plan(tasks: int) -> Plan:
    """A published plan of `tasks` tasks in two sections, each with a lead, a responsible and
    a supporting unit, a deadline, an approved report with a supporting input; indicators
    with values, one not public."""
    plan = PlanFactory(period_start=datetime.date(2016, 1, 1), period_end=datetime.date(2016, 12, 31))
    periods = [
        ReportingPeriodFactory(plan=plan, label=f"2016Q{q}", start=datetime.date(2016, 3 * q - 2, 1),
                               end=datetime.date(2016, 3 * q, 28), due_date=datetime.date(2016, 3 * q, 23))
        for q in (1, 2, 3)
    ]
    sections = [
        SectionFactory(plan=plan, path=f"{label}", label=label, title=f"章节{label}", position=index, level=1)
        for index, label in enumerate(("一、", "二、"))
    ]
    units = [UnitFactory() for _ in range(3)]
    for index in range(tasks):
        task = TaskFactory(plan=plan, parent=sections[index % 2], position=10 + index, level=2, path=f"({index + 1})",
                           label=f"({index + 1})", title=f"任务{index}", text=f"内部正文{index}")
        AssignmentFactory(task=task, unit=units[0])
        AssignmentFactory(task=task, unit=units[1])
        AssignmentFactory(task=task, unit=units[2], role=Role.SUPPORTING)
        DeadlineFactory(task=task, date=datetime.date(2016, 10, 31))
        report = ProgressReportFactory(task=task, unit=units[0], period=periods[0], state=ReportState.APPROVED, percent=50,
                                       progress=SECRETS["progress"])
        SupportingInput.objects.create(report=report, unit=units[2], text=SECRETS["supporting"])
    for index in range(max(1, tasks // 5)):
        target = TargetFactory(plan=plan, indicator=f"指标{index}", is_public=index > 0)
        for period in periods:
            IndicatorValue.objects.create(target=target, period=period, value=Decimal(60 + index), note=SECRETS["note"])
    Plan.objects.filter(pk=plan.pk).update(is_published=True, published_at=datetime.datetime(2016, 10, 1, tzinfo=datetime.UTC))
    return plan


MAX_QUERIES = 9  # plan (with its coordinator), nodes, assignments, deadlines, periods, indicators, values, issuers, latest approval


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 60])
def test_queries_are_constant_whatever_the_plan_size(client, django_assert_max_num_queries, size):
    plan = build_plan(size)
    with django_assert_max_num_queries(MAX_QUERIES):
        html = client.get(page_url(plan)).content.decode()
    assert html.count('<tr class="task ') == size
    assert html.count('class="indicator-chart"') == max(1, size // 5) - 1
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(sheet_url(plan))
        content = b"".join(response.streaming_content)
    cells = workbook_text(content)
    assert f"任务{size - 1}" in cells and "内部正文" not in cells and SECRETS["progress"] not in cells
    assert "指标0" not in cells and "指标0" not in html  # not public


@pytest.mark.django_db
def test_inactive_tasks_and_indicators_stay_off(client):
    plan = build_plan(3)
    Task.objects.filter(plan=plan, title="任务1").update(is_active=False)
    Target.objects.filter(plan=plan, indicator="指标0").update(is_public=True, is_active=False)
    html = client.get(page_url(plan)).content.decode()
    assert "任务0" in html and "任务1" not in html and "指标0" not in html
