"""The admin: every page opens in Chinese, the task changelist shows who does what in a
constant number of queries, and a user can switch to English."""
import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from django.contrib.auth.models import Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from plans import services
from plans.models import (
    Acknowledgement,
    CompletionClaim,
    ExtensionRequest,
    MemberRole,
    Plan,
    PlanImport,
    ProgressReport,
    Reminder,
    Role,
    SheetImport,
    Task,
    TaskComment,
    Unit,
)
from tests.factories import (
    CalendarFeedFactory,
    IndicatorValueFactory,
    MembershipFactory,
    ReminderFactory,
    SheetImportFactory,
    SupportingInputFactory,
    AssignmentFactory,
    DeadlineFactory,
    PlanFactory,
    PlanIssuerFactory,
    ProgressReportFactory,
    SectionFactory,
    TargetFactory,
    TaskFactory,
    UnitAliasFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
# Reports are created when a period opens; reminders by send_reminders; sheet imports by
# uploads; login attempts by failed logins (django-axes).
RECORDS = (Reminder, SheetImport, AccessAttempt)  # what was sent, uploaded or tried: viewed, not edited
OWN_TITLES = {PlanImport: "核对并确认导入"}  # a draft import's page is its review
# The supervision cycle's steps are filed from the task page and signed or decided on their own
# pages (签收, 延期申请, 办结申请); comments are written on the task's thread page.
CYCLE_STEPS = (Acknowledgement, ExtensionRequest, CompletionClaim, TaskComment)
ADDABLE = [model for model in REGISTERED if model not in (ProgressReport, *RECORDS, *CYCLE_STEPS)]
WITH_HISTORY = [model for model in REGISTERED if isinstance(admin.site._registry[model], SimpleHistoryAdmin)]


@pytest.fixture
def every_model(hebi_task):
    """At least one row of every registered model, in one plan."""
    plan = hebi_task.plan
    section = SectionFactory(plan=plan, path="三、", title="主要任务")
    Task.objects.filter(pk=hebi_task.pk).update(parent=section)
    UnitAliasFactory(unit=Unit.objects.get(short_name="市发改委"), name="发改委")
    PlanIssuerFactory(plan=plan)
    TargetFactory(plan=plan)
    good_days = TargetFactory(plan=plan, task=hebi_task, indicator="优良天数", value=190, unit="天")
    report = ProgressReportFactory(task=hebi_task, unit=Unit.objects.get(short_name="市发改委"))
    IndicatorValueFactory(target=good_days, period=report.period, value=150)
    CalendarFeedFactory(unit=None, plan=plan)
    SupportingInputFactory(report=report)
    ReminderFactory()
    SheetImportFactory(period=report.period)
    PlanImport.objects.create(
        source_name="鹤壁市蓝天工程实施方案.docx", source_kind="docx", source_sha256="0" * 64,
        source_text="鹤壁市蓝天工程实施方案\n一、主要任务\n（一）推广清洁能源。（责任单位：市发改委）",
        uploaded_by=MembershipFactory().user,
    )
    Token.objects.create(user=MembershipFactory().user)
    Group.objects.create(name="督办员")
    the_cycle_on(hebi_task, report)
    AccessAttempt.objects.create(
        username="someone", ip_address="192.0.2.1", user_agent="Firefox", get_data="", post_data="", http_accept="*/*",
        path_info="/admin/login/", failures_since_start=5, attempt_time=timezone.now(),
    )
    return plan


def the_cycle_on(task, report):
    """A row of each step of the supervision cycle on the task, made through the services."""
    lead = task.assignments.get(is_lead=True)
    leader = MembershipFactory(unit=lead.unit, role=MemberRole.LEADER).user
    office = get_user_model().objects.create_user("cycle-office")
    task.plan.office_staff.add(office)
    services.acknowledgements_ensure(plan=task.plan)
    deadline = DeadlineFactory(task=task, date=datetime.date(2099, 10, 31), text="10月底前", position=9)
    services.extension_request(user=leader, deadline=deadline, requested_date=datetime.date(2099, 12, 31), reason="设备未到")
    services.completion_claim(user=leader, task=task, summary="已完成")
    services.comment_add(user=office, task=task, text="请抓紧推进", is_instruction=True)
    services.assignment_person_save(user=leader, assignment=lead, kind="contact", account=leader)


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def a_row(model):
    """A row the model's admin shows (the section admin shows sections only)."""
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.filter(is_superuser=True).first()
    return admin.site._registry[model].get_queryset(request).first()


def english_labels_in(html, model):
    """English labels of the model's fields that stand as a label, column header or heading."""
    with translation.override("en"):
        labels = {capfirst(str(field.verbose_name)) for field in model._meta.get_fields() if hasattr(field, "verbose_name")}
    return sorted(label for label in labels if re.search(rf">\s*{re.escape(label)}:?\s*<", html))


def in_chinese(model):
    with translation.override("zh-hans"):
        return str(model._meta.verbose_name), str(model._meta.verbose_name_plural)


def task_changelist_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(Task, "changelist"))
    assert response.status_code == 200
    return len(queries)


def add_task_with_units(plan, number):
    task = TaskFactory(plan=plan, path=f"{number}.", title=f"任务{number}")
    for role in [Role.RESPONSIBLE, Role.RESPONSIBLE, Role.SUPPORTING, Role.IMPLEMENTING]:
        AssignmentFactory(task=task, role=role)
    DeadlineFactory(task=task)
    return task


# --- every page, in Chinese ---------------------------------------------------------------
@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_opens_in_chinese(admin_client, every_model, model):
    response = admin_client.get(url(model, "changelist"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in html
    assert in_chinese(model)[1] in html
    assert english_labels_in(html, model) == []


@pytest.mark.parametrize("model", ADDABLE, ids=lambda model: model._meta.label)
def test_add_page_opens_in_chinese(admin_client, every_model, model):
    response = admin_client.get(url(model, "add"))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"增加 {in_chinese(model)[0]}" in html
    assert english_labels_in(html, model) == []


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_change_page_opens_in_chinese(admin_client, every_model, model):
    response = admin_client.get(url(model, "change", a_row(model).pk))

    html = response.content.decode()
    assert response.status_code == 200
    viewed = (*RECORDS, Acknowledgement, TaskComment)  # signed by a button, written on the thread: never edited
    title = OWN_TITLES.get(model) or f"{'查看' if model in viewed else '修改'} {in_chinese(model)[0]}"
    assert title in html
    assert english_labels_in(html, model) == []


@pytest.mark.parametrize("model", WITH_HISTORY, ids=lambda model: model._meta.label)
def test_history_page_opens(admin_client, every_model, model):
    response = admin_client.get(url(model, "history", a_row(model).pk))

    assert response.status_code == 200


def test_django_admin_strings_are_in_chinese(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert ("修改密码" in html, "注销" in html, "Log out" in html) == (True, True, False)


def test_site_header_is_the_tracker_name(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert '<div id="site-name"><a href="/admin/">行动方案督办系统</a></div>' in html


# --- switching language -------------------------------------------------------------------
def test_language_switcher_posts_to_set_language(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert '<form id="language-form" action="/i18n/setlang/" method="post">' in html


def test_english_browser_still_gets_chinese_until_the_user_switches(admin_client):
    html = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()

    assert '<html lang="zh-hans"' in html


def test_switching_to_english_shows_english_labels(admin_client):
    response = admin_client.post(
        reverse("set_language"), {"language": "en", "next": url(Unit, "add")}, follow=True,
    )

    html = response.content.decode()
    assert '<html lang="en"' in html
    assert english_labels_in(html, Unit) == [
        "Created at", "Full name", "Jurisdiction", "Member units", "Parent unit", "Short name", "Unit type",
    ]


# --- the task changelist ------------------------------------------------------------------
def test_task_changelist_shows_units_by_role_and_first_due_date(admin_client, hebi_task):
    html = admin_client.get(url(Task, "changelist")).content.decode()

    assert '<td class="field-lead_unit">市发改委</td>' in html
    assert '<td class="field-responsible_units">市发改委、市环保局</td>' in html
    assert '<td class="field-supporting_units">市财政局</td>' in html
    assert '<td class="field-implementing_units">淇滨区政府</td>' in html
    assert '<td class="field-first_due nowrap">2016年10月31日</td>' in html


def test_task_changelist_query_count_does_not_grow_with_tasks(admin_client, hebi_task):
    for number in range(2):
        add_task_with_units(hebi_task.plan, number)
    with_3_tasks = task_changelist_queries(admin_client)
    for number in range(2, 9):
        add_task_with_units(hebi_task.plan, number)

    with_10_tasks = task_changelist_queries(admin_client)

    assert Task.objects.tasks().count() == 10
    assert with_10_tasks == with_3_tasks


def test_task_changelist_lists_tasks_only(admin_client, hebi_task):
    SectionFactory(plan=hebi_task.plan, title="组织保障")

    html = admin_client.get(url(Task, "changelist")).content.decode()

    assert ("大力推广实施清洁能源" in html, "组织保障" in html) == (True, False)


@pytest.mark.parametrize("term", ["鹤壁市环境保护局", "市环保局"])
def test_task_search_by_unit_name_finds_the_task(admin_client, hebi_task, term):
    other = TaskFactory(plan=hebi_task.plan, title="强化散煤管控")
    AssignmentFactory(task=other, unit=UnitFactory(name="鹤壁市住房和城乡建设局"))

    html = admin_client.get(url(Task, "changelist"), {"q": term}).content.decode()

    assert ("大力推广实施清洁能源" in html, "强化散煤管控" in html) == (True, False)


def test_parent_autocomplete_offers_sections(admin_client, hebi_task):
    section = SectionFactory(plan=hebi_task.plan, title="主要任务")

    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "plans", "model_name": "task", "field_name": "parent", "term": "主要任务"},
    )

    assert [result["id"] for result in response.json()["results"]] == [str(section.pk)]


# --- sections and plans -------------------------------------------------------------------
@pytest.fixture
def tree(hebi_task):
    """三、 > (一) > 1. (hebi_task) > (1), plus a task under another section."""
    plan = hebi_task.plan
    top = SectionFactory(plan=plan, level=1, path="三、", title="主要任务")
    middle = SectionFactory(plan=plan, level=2, parent=top, path="三、(一)", title="燃煤烟气治理")
    Task.objects.filter(pk=hebi_task.pk).update(parent=middle)
    TaskFactory(plan=plan, level=4, parent=hebi_task, path="三、(一)1.(1)", title="积极采取清洁能源替代")
    other = SectionFactory(plan=plan, level=1, path="四、", title="组织保障")
    TaskFactory(plan=plan, level=2, parent=other, path="四、(一)", title="加强组织领导")
    return top


def test_section_changelist_counts_tasks_at_any_depth_below(admin_client, tree):
    html = admin_client.get(url(type(tree), "changelist")).content.decode()

    counts = re.findall(r'<td class="field-task_count"><a href="[^"]*">(\d+)</a></td>', html)
    assert counts == ["2", "2", "1"]  # 三、 (一) 四、 in plan order


def test_section_task_link_lists_the_tasks_below_the_section(admin_client, tree):
    html = admin_client.get(url(type(tree), "changelist")).content.decode()
    link = re.search(r'<td class="field-task_count"><a href="([^"]*)">', html).group(1).replace("&amp;", "&")

    listed = admin_client.get(link).content.decode()

    assert [title in listed for title in ["大力推广实施清洁能源", "积极采取清洁能源替代", "加强组织领导"]] == [True, True, False]


def test_plan_changelist_counts_sections_and_tasks(admin_client, tree):
    html = admin_client.get(url(type(tree.plan), "changelist")).content.decode()

    assert re.findall(r'<td class="field-(section_count|task_count)"><a href="[^"]*">(\d+)</a></td>', html) == [
        ("section_count", "3"),
        ("task_count", "3"),
    ]


# --- actions ------------------------------------------------------------------------------
def test_generate_periods_action_creates_the_plans_reporting_periods(admin_client):
    plan = PlanFactory(plan_year=2016, reporting_month=3, reporting_day=23)

    response = admin_client.post(
        url(Plan, "changelist"), {"action": "generate_periods", "_selected_action": [plan.pk]}, follow=True,
    )

    assert "新建报送周期 4 个。" in response.content.decode()
    assert list(plan.periods.values_list("label", flat=True)) == ["2016Q1", "2016Q2", "2016Q3", "2016Q4"]


@pytest.mark.parametrize("model", [ProgressReport, Reminder], ids=lambda model: model._meta.label)
def test_reports_and_reminders_cannot_be_added_by_hand(admin_client, model):
    assert admin_client.get(url(model, "add")).status_code == 403
