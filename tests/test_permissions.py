"""The permission matrix: roles × units × objects × actions, through the services and through
the admin, which must agree (one set of rules in plans.permissions)."""
import datetime
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from plans import services
from plans.models import MemberRole, ProgressReport, ReportState, Role, Task, UnitKind
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

ACTORS = ["official_a", "leader_a", "member_m", "official_s", "official_b", "leader_b", "office", "other_office"]


@dataclass
class World:
    users: dict
    report_a: ProgressReport  # unit A's report on task T (A leads T)
    report_m: ProgressReport  # member M's report on task T (M belongs to collective C, responsible on T)
    report_b: ProgressReport  # unit B's report on task B (nothing to do with A)
    task_t: Task
    task_b: Task


def build_world(extra_officials: int = 0) -> World:
    """Units A (leads T), S (supports T), M (member of collective C, responsible on T), B (task B);
    an official and a leader per unit (plus `extra_officials` officials of A: official_a1 …),
    the plan's office and another plan's office; the period open, so reports exist."""
    plan = PlanFactory()
    other_plan = PlanFactory()
    unit_a, unit_b, unit_s, unit_m = (UnitFactory(short_name=name) for name in ("市发改委", "市公安局", "市财政局", "浚县政府"))
    collective = UnitFactory(short_name="各县区政府(管委)", kind=UnitKind.COLLECTIVE)
    collective.members.add(unit_m)
    task_t = TaskFactory(plan=plan, title="燃煤替代")
    AssignmentFactory(task=task_t, unit=unit_a, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task_t, unit=collective, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task_t, unit=unit_s, role=Role.SUPPORTING)
    task_b = TaskFactory(plan=plan, title="黄标车淘汰")
    AssignmentFactory(task=task_b, unit=unit_b, role=Role.RESPONSIBLE)
    accounts = [
        ("official_a", unit_a, MemberRole.OFFICIAL), ("leader_a", unit_a, MemberRole.LEADER),
        ("member_m", unit_m, MemberRole.LEADER), ("official_s", unit_s, MemberRole.OFFICIAL),
        ("official_b", unit_b, MemberRole.OFFICIAL), ("leader_b", unit_b, MemberRole.LEADER),
    ] + [(f"official_a{n}", unit_a, MemberRole.OFFICIAL) for n in range(1, extra_officials + 1)]
    users = {
        name: MembershipFactory(user=UserFactory(username=name), unit=unit, role=role).user
        for name, unit, role in accounts
    }
    users["office"] = UserFactory(username="office")
    plan.office_staff.add(users["office"])
    users["other_office"] = UserFactory(username="other_office")
    other_plan.office_staff.add(users["other_office"])
    period = ReportingPeriodFactory(plan=plan, due_date=datetime.date(2016, 9, 23))
    services.period_open(user=users["office"], period=period)
    return World(
        users=users,
        report_a=ProgressReport.objects.get(task=task_t, unit=unit_a),
        report_m=ProgressReport.objects.get(task=task_t, unit=unit_m),
        report_b=ProgressReport.objects.get(task=task_b, unit=unit_b),
        task_t=task_t,
        task_b=task_b,
    )


@pytest.fixture
def world(db):
    return build_world()


def _filled(report):
    ProgressReport.objects.filter(pk=report.pk).update(progress="已完成燃煤锅炉拆改12台。")
    report.refresh_from_db()
    return report


def _submitted(report):
    ProgressReport.objects.filter(pk=report.pk).update(progress="已完成燃煤锅炉拆改12台。", state=ReportState.SUBMITTED)
    report.refresh_from_db()
    return report


# What each actor may do to unit A's report (A leads task T; S supports it; M acts for C).
ALLOWED = {
    "view": {"official_a", "leader_a", "member_m", "official_s", "office"},
    "edit": {"official_a", "leader_a", "office"},
    "submit": {"leader_a"},
    "approve": {"office"},
    "return": {"office"},
    "support": {"official_s"},
}


def _act(action, user, report):
    if action == "edit":
        services.report_update(user=user, report=report, progress="越权修改", percent=50)
    elif action == "submit":
        services.report_submit(user=user, report=_filled(report))
    elif action == "approve":
        services.report_approve(user=user, report=_submitted(report))
    elif action == "return":
        services.report_return(user=user, report=_submitted(report), comment="请补充数据")
    elif action == "support":
        services.supporting_input_save(user=user, report=report, text="已安排资金500万元。")


def _outcome(report):
    report.refresh_from_db()
    return (report.state, report.progress, report.percent, report.inputs.count())


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", ["edit", "submit", "approve", "return", "support"])
def test_service_permission_matrix(world, actor, action):
    report, user = world.report_a, world.users[actor]
    if action in ("approve", "return"):
        _submitted(report)
    elif action == "submit":
        _filled(report)
    before = _outcome(report)

    if actor in ALLOWED[action]:
        _act(action, user, report)
        assert _outcome(report) != before
    else:
        with pytest.raises(PermissionDenied):
            _act(action, user, report)
        assert _outcome(report) == before


@pytest.mark.parametrize("actor", ACTORS)
def test_visibility_matrix(world, actor):
    user = world.users[actor]
    visible_reports = ProgressReport.objects.visible_to(user)
    assert visible_reports.filter(pk=world.report_a.pk).exists() is (actor in ALLOWED["view"])
    sees_task_b = actor in {"official_b", "leader_b", "office"}
    assert Task.objects.visible_to(user).filter(pk=world.task_b.pk).exists() is sees_task_b


def test_member_of_a_collective_files_its_own_report(world):
    member = world.users["member_m"]
    services.report_update(user=member, report=world.report_m, progress="浚县完成拆改3台。")
    services.report_submit(user=member, report=world.report_m)
    assert ProgressReport.objects.get(pk=world.report_m.pk).state == ReportState.SUBMITTED


def test_approved_report_is_locked_even_for_the_office(world):
    report = _submitted(world.report_a)
    services.report_approve(user=world.users["office"], report=report)
    with pytest.raises(PermissionDenied, match="不能再修改"):
        services.report_update(user=world.users["office"], report=report, progress="改动")
    with pytest.raises(PermissionDenied):
        services.report_update(user=world.users["leader_a"], report=report, progress="改动")


def test_closed_period_refuses_unit_edits(world):
    services.period_close(user=world.users["office"], period=world.report_a.period)
    with pytest.raises(PermissionDenied, match="未开放填报"):
        services.report_update(user=world.users["official_a"], report=world.report_a, progress="补报")


def test_units_cannot_open_periods(world):
    with pytest.raises(PermissionDenied):
        services.period_open(user=world.users["leader_a"], period=world.report_a.period)


def test_invalid_percent_is_refused_and_nothing_changes(world):
    with pytest.raises(ValidationError):
        services.report_update(user=world.users["official_a"], report=world.report_a, percent=150, progress="新内容")
    assert _outcome(world.report_a)[1:3] == ("", None)


# --- the same rules through the admin ------------------------------------------------------
def _client(client, world, actor):
    client.force_login(world.users[actor])
    return client


def _change_url(report):
    return reverse("admin:plans_progressreport_change", args=[report.pk])


def _form(report, **extra):
    data = {
        "status": report.status, "percent": report.percent or "", "progress": report.progress,
        "problems": report.problems, "next_steps": report.next_steps, "review_comment": report.review_comment,
        "inputs-TOTAL_FORMS": "0", "inputs-INITIAL_FORMS": "0", "inputs-MIN_NUM_FORMS": "0", "inputs-MAX_NUM_FORMS": "0",
    }
    data.update(extra)
    return data


@pytest.fixture
def unit_groups(world):
    from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure

    groups = groups_ensure()
    for name, user in world.users.items():
        membership = getattr(user, "membership", None)
        user.groups.add(groups[GROUP_OF_ROLE[membership.role]] if membership else groups[OFFICE_GROUP])
    return groups


@pytest.mark.parametrize("actor", ACTORS)
def test_admin_change_page_is_404_unless_visible(client, world, unit_groups, actor):
    response = _client(client, world, actor).get(_change_url(world.report_a))
    assert response.status_code == (200 if actor in ALLOWED["view"] else 404)


@pytest.mark.parametrize("actor", ACTORS)
def test_admin_edit_matrix(client, world, unit_groups, actor):
    report = world.report_a
    before = _outcome(report)
    _client(client, world, actor).post(_change_url(report), _form(report, progress="通过后台填写的进展"))
    changed = _outcome(report) != before
    assert changed is (actor in ALLOWED["edit"])


@pytest.mark.parametrize("actor", ACTORS)
def test_admin_submit_matrix(client, world, unit_groups, actor):
    report = _filled(world.report_a)
    _client(client, world, actor).post(_change_url(report), _form(report, _submit_report="1"))
    report.refresh_from_db()
    assert (report.state == ReportState.SUBMITTED) is (actor in ALLOWED["submit"])


@pytest.mark.parametrize("actor", ACTORS)
def test_admin_approve_matrix(client, world, unit_groups, actor):
    report = _submitted(world.report_a)
    _client(client, world, actor).post(_change_url(report), _form(report, _approve_report="1"))
    report.refresh_from_db()
    assert (report.state == ReportState.APPROVED) is (actor in ALLOWED["approve"])


def test_admin_unit_official_cannot_change_task_structure(client, world, unit_groups):
    task = world.task_t
    response = _client(client, world, "leader_a").post(
        reverse("admin:plans_task_change", args=[task.pk]), {"title": "改掉标题"},
    )
    task.refresh_from_db()
    assert response.status_code == 403
    assert task.title == "燃煤替代"


def test_admin_unit_official_gets_404_for_another_units_task(client, world, unit_groups):
    response = _client(client, world, "official_a").get(reverse("admin:plans_task_change", args=[world.task_b.pk]))
    assert response.status_code == 404


def test_history_shows_who_changed_what(client, world, unit_groups):
    report = world.report_a
    services.report_update(user=world.users["official_a"], report=report, progress="第一次填写")
    services.report_update(user=world.users["official_a"], report=report, progress="第二次修改")
    page = _client(client, world, "official_a").get(
        reverse("admin:plans_progressreport_history", args=[report.pk])
    ).content.decode()
    assert "第一次填写" in page and "第二次修改" in page
    assert report.history.latest("history_date").history_user == world.users["official_a"]
