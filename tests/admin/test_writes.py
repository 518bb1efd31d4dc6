"""The admin writes through plans.services: the rules the API meets hold on every admin form
too. Each test fills a change page as a browser would (tests/admin/forms.py), lets someone
else act meanwhile where the rule is about that, posts, and reads the database."""
import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from plans import services
from plans.admin.common import ReadOnlyInline
from plans.admin.writes import ServiceInline, ServiceModelAdmin
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from plans.models import (
    Assignment, CalendarFeed, Deadline, IndicatorValue, MemberRole, Plan, ProgressReport, ReportingPeriod, ReportState,
    Role, Section, Target, Task, TaskStatus, Unit,
)
from tests.admin.forms import get_form
from tests.factories import (
    AccountFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    SectionFactory,
    TargetFactory,
    UnitFactory,
)

STALE = "版本已变化"


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.org", "pw")


@pytest.fixture
def office(client, hebi_task):
    """A client logged in as office staff of the task's plan."""
    user = get_user_model().objects.create_user("office", password="pw", is_staff=True)
    user.groups.add(groups_ensure()[OFFICE_GROUP])
    hebi_task.plan.office_staff.add(user)
    client.force_login(user)
    return client


def posted(client, page, data):
    response = client.post(page, data, follow=True)
    assert response.status_code == 200
    form = response.context and response.context.get("adminform")
    assert not (form and form.form.errors), form.form.errors
    return response.content.decode()


def inline_index(data, prefix, pk):
    """The index of the inline form holding row `pk`."""
    return next(key.split("-")[1] for key, value in data.items() if key.startswith(f"{prefix}-") and key.endswith("-id") and value == str(pk))


# --- tasks and sections ---------------------------------------------------------------------
def test_a_task_saved_from_a_page_someone_changed_meanwhile_is_refused(office, hebi_task, superuser):
    page = url(Task, "change", hebi_task.pk)
    data = get_form(office, page)
    services.task_update(user=superuser, task=hebi_task, title="督办改过的标题")

    html = posted(office, page, {**data, "title": "我的修改"})

    assert STALE in html
    assert Task.objects.get(pk=hebi_task.pk).title == "督办改过的标题"


def test_a_task_saved_from_a_fresh_page_is_changed_and_its_version_moves_on(office, hebi_task):
    page = url(Task, "change", hebi_task.pk)
    before = Task.objects.get(pk=hebi_task.pk).version

    posted(office, page, {**get_form(office, page), "title": "新的标题"})

    task = Task.objects.get(pk=hebi_task.pk)
    assert (task.title, task.version) == ("新的标题", before + 1)


def test_completing_a_task_in_the_admin_records_when_and_reopening_clears_it(office, hebi_task):
    page = url(Task, "change", hebi_task.pk)

    posted(office, page, {**get_form(office, page), "status": TaskStatus.COMPLETED})
    completed = Task.objects.get(pk=hebi_task.pk).completed_at
    posted(office, page, {**get_form(office, page), "status": TaskStatus.ON_TRACK})

    assert completed is not None
    assert Task.objects.get(pk=hebi_task.pk).completed_at is None


def test_a_section_saved_from_a_stale_page_is_refused(office, hebi_task, superuser):
    section = SectionFactory(plan=hebi_task.plan, title="三、推进能源结构调整")
    page = url(Section, "change", section.pk)
    data = get_form(office, page)
    services.node_update(user=superuser, node=section, title="三、调整能源结构")

    html = posted(office, page, {**data, "title": "三、我的修改"})

    assert STALE in html
    assert Section.objects.get(pk=section.pk).title == "三、调整能源结构"


def test_a_new_task_is_added_to_the_plan_through_the_service(office, hebi_task):
    data = get_form(office, url(Task, "add"))
    data.update(plan=hebi_task.plan.pk, label="2.", path="三、(一)2.", level=3, position=99, title="新增任务", status=TaskStatus.COMPLETED)

    posted(office, url(Task, "add"), data)

    task = Task.objects.get(title="新增任务")
    assert (task.plan, task.kind, task.completed_at is not None) == (hebi_task.plan, "task", True)


# --- what hangs off a task ----------------------------------------------------------------
def test_an_assignment_changed_on_the_task_page_after_someone_else_changed_it_is_refused(office, hebi_task, superuser):
    page = url(Task, "change", hebi_task.pk)
    data = get_form(office, page)
    supporting = hebi_task.assignments.get(role=Role.SUPPORTING)
    services.assignment_update(user=superuser, assignment=supporting, position=3)
    index = inline_index(data, "assignments", supporting.pk)

    html = posted(office, page, {**data, f"assignments-{index}-position": "5"})

    assert STALE in html
    assert Assignment.objects.get(pk=supporting.pk).position == 3


def test_an_assignment_deleted_on_a_stale_task_page_stays(office, hebi_task, superuser):
    page = url(Task, "change", hebi_task.pk)
    data = get_form(office, page)
    supporting = hebi_task.assignments.get(role=Role.SUPPORTING)
    services.assignment_update(user=superuser, assignment=supporting, position=3)
    index = inline_index(data, "assignments", supporting.pk)

    html = posted(office, page, {**data, f"assignments-{index}-DELETE": "on"})

    assert STALE in html
    assert Assignment.objects.filter(pk=supporting.pk).exists()


def test_a_unit_added_on_the_task_page_goes_after_the_units_in_its_role(office, hebi_task):
    page = url(Task, "change", hebi_task.pk)
    data = get_form(office, page)
    index = data["assignments-TOTAL_FORMS"]
    unit = UnitFactory(name="鹤壁市住房和城乡建设局", short_name="市住建局")
    data.update({
        "assignments-TOTAL_FORMS": str(int(index) + 1), f"assignments-{index}-unit": unit.pk,
        f"assignments-{index}-role": Role.SUPPORTING, f"assignments-{index}-position": "1",
        f"assignments-{index}-task": hebi_task.pk,
    })

    posted(office, page, data)

    assert list(hebi_task.assignments.filter(role=Role.SUPPORTING).values_list("unit__short_name", "position")) == [
        ("市财政局", 0), ("市住建局", 1),
    ]


def test_an_assignment_page_saved_after_someone_changed_the_assignment_is_refused(office, hebi_task, superuser):
    supporting = hebi_task.assignments.get(role=Role.SUPPORTING)
    page = url(Assignment, "change", supporting.pk)
    data = get_form(office, page)
    services.assignment_update(user=superuser, assignment=supporting, position=3)

    html = posted(office, page, {**data, "position": "7"})

    assert STALE in html
    assert Assignment.objects.get(pk=supporting.pk).position == 3


def test_a_deadline_page_saved_after_someone_changed_the_deadline_is_refused(office, hebi_task, superuser):
    deadline = hebi_task.deadlines.get()
    page = url(Deadline, "change", deadline.pk)
    data = get_form(office, page)
    services.deadline_update(user=superuser, deadline=deadline, text="11月底前")

    html = posted(office, page, {**data, "text": "12月底前"})

    assert STALE in html
    assert Deadline.objects.get(pk=deadline.pk).text == "11月底前"


def test_a_deadline_changed_on_the_task_page_after_someone_else_changed_it_is_refused(office, hebi_task, superuser):
    page = url(Task, "change", hebi_task.pk)
    data = get_form(office, page)
    deadline = hebi_task.deadlines.get()
    services.deadline_update(user=superuser, deadline=deadline, text="11月底前")
    index = inline_index(data, "deadlines", deadline.pk)

    html = posted(office, page, {**data, f"deadlines-{index}-text": "12月底前"})

    assert STALE in html
    assert Deadline.objects.get(pk=deadline.pk).text == "11月底前"


def test_a_target_added_under_a_task_joins_the_task_plan_after_its_last_target(office, hebi_task):
    TargetFactory(plan=hebi_task.plan, position=4)
    page = url(Task, "change", hebi_task.pk)
    data = get_form(office, page)
    data.update({
        "targets-TOTAL_FORMS": "1", "targets-0-indicator": "优良天数", "targets-0-comparator": "≥",
        "targets-0-value": "190", "targets-0-text": "优良天数达到190天以上",
    })

    posted(office, page, data)

    target = Target.objects.get(indicator="优良天数")
    assert (target.plan, target.task, target.position) == (hebi_task.plan, hebi_task, 5)
    assert target.owner.short_name == "市发改委"  # the task's lead unit enters its values


# --- reports ----------------------------------------------------------------------------------
@pytest.fixture
def returned_report(hebi_task):
    """A report of the task's lead unit, sent back by the office, and its official and leader."""
    period = ReportingPeriodFactory(plan=hebi_task.plan, is_open=True)
    lead = hebi_task.assignments.get(is_lead=True).unit
    report = ProgressReportFactory(task=hebi_task, unit=lead, period=period, progress="已完成招标", state=ReportState.RETURNED)
    groups = groups_ensure()
    people = {}
    for role in (MemberRole.OFFICIAL, MemberRole.LEADER):
        people[role] = AccountFactory(unit=lead, role=role).user
        people[role].groups.add(groups[GROUP_OF_ROLE[role]])
    return report, people[MemberRole.OFFICIAL], people[MemberRole.LEADER]


def test_a_report_saved_from_a_page_the_unit_changed_meanwhile_is_refused(client, returned_report):
    report, official, _leader = returned_report
    client.force_login(official)
    page = url(ProgressReport, "change", report.pk)
    data = get_form(client, page)
    services.report_update(user=official, report=report, progress="同事先填的进展")

    html = posted(client, page, {**data, "progress": "我填的进展"})

    assert STALE in html
    assert ProgressReport.objects.get(pk=report.pk).progress == "同事先填的进展"


def test_a_report_page_opened_before_approval_changes_nothing_after_it(client, returned_report, superuser):
    report, official, leader = returned_report
    client.force_login(official)
    page = url(ProgressReport, "change", report.pk)
    data = get_form(client, page)
    services.report_submit(user=leader, report=report)
    services.report_approve(user=superuser, report=report)

    response = client.post(page, {**data, "progress": "改写的进展"})

    assert response.status_code == 403  # nothing left for the official to do on it
    assert ProgressReport.objects.get(pk=report.pk).progress == "已完成招标"


# --- periods ----------------------------------------------------------------------------------
def test_a_period_saved_from_a_stale_page_is_refused(office, hebi_task, superuser):
    period = ReportingPeriodFactory(plan=hebi_task.plan)
    page = url(ReportingPeriod, "change", period.pk)
    data = get_form(office, page)
    services.period_save(user=superuser, period=period, label="2016Q4")

    html = posted(office, page, {**data, "label": "2016四季度"})

    assert STALE in html
    assert ReportingPeriod.objects.get(pk=period.pk).label == "2016Q4"


def test_a_period_opened_on_its_page_gets_its_pending_reports(office, hebi_task):
    period = ReportingPeriodFactory(plan=hebi_task.plan, is_open=False)
    page = url(ReportingPeriod, "change", period.pk)

    posted(office, page, {**get_form(office, page), "is_open": "on"})

    assert sorted(period.reports.values_list("unit__short_name", flat=True)) == ["市发改委", "市环保局"]


# --- plans, units and what the forms link ---------------------------------------------------------
def test_office_staff_named_on_the_plan_page_are_saved_with_the_plan(office, hebi_task):
    colleague = get_user_model().objects.create_user("colleague", password="pw", is_staff=True)
    page = url(Plan, "change", hebi_task.plan.pk)
    data = get_form(office, page)
    staff = data["office_staff"] if isinstance(data["office_staff"], list) else [data["office_staff"]]

    posted(office, page, {**data, "office_staff": [*staff, str(colleague.pk)], "title": "鹤壁市蓝天工程行动计划（修订）"})

    plan = Plan.objects.get(pk=hebi_task.plan.pk)
    assert plan.title == "鹤壁市蓝天工程行动计划（修订）"
    assert set(plan.office_staff.values_list("username", flat=True)) == {"office", "colleague"}


def test_members_chosen_on_a_collective_units_page_are_saved_with_it(office, hebi_task):
    collective = UnitFactory(name="各县区政府", short_name="各县区政府", kind="collective")
    county = UnitFactory(name="浚县人民政府", short_name="浚县政府")
    page = url(Unit, "change", collective.pk)

    posted(office, page, {**get_form(office, page), "members": [str(county.pk)]})

    assert list(collective.members.values_list("short_name", flat=True)) == ["浚县政府"]


def test_a_deadline_deleted_on_its_page_is_gone_and_its_history_names_who(office, hebi_task):
    deadline = hebi_task.deadlines.get()

    response = office.post(url(Deadline, "delete", deadline.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Deadline.objects.filter(pk=deadline.pk).exists()
    assert Deadline.history.filter(id=deadline.pk, history_type="-").get().history_user.username == "office"


def test_every_admin_form_that_edits_domain_data_saves_through_the_services(db):
    """Each registered ModelAdmin of the app either saves through the services (a
    ServiceModelAdmin, or its own save_model calling them) or lets nobody add or change; each
    inline is a ServiceInline or read-only."""
    own_save = {ProgressReport, IndicatorValue, CalendarFeed}  # save_model calls the services itself
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    unguarded = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "plans":
            continue
        writes = model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        if writes and not isinstance(model_admin, ServiceModelAdmin) and model not in own_save:
            unguarded.append(model.__name__)
        for inline in model_admin.inlines:
            if not issubclass(inline, (ServiceInline, ReadOnlyInline)):
                unguarded.append(f"{model.__name__}: {inline.__name__}")
    assert not unguarded, unguarded
