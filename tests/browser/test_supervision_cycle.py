"""The whole supervision cycle clicked through in Chromium, as the people who do it: the
unit's official signs (签收) in 本期待办, its leader asks for more time (延期申请), the office
approves on the request's page, the leader claims completion (办结申请) with a PDF, the office
opens the file, accepts the claim (办结) and closes the task (销号). The task's page then shows
the moved deadline beside its first date and every step in its trail."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import Acknowledgement, Closure, CompletionClaim, ExtensionRequest, MemberRole, NodeKind, Role
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.factories import MembershipFactory, PlanFactory, UnitFactory, UserFactory

PASSWORD = "pw-for-tests-only"  # tests.factories.UserFactory's
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(transactional_db):
    groups = groups_ensure()
    plan = PlanFactory(title="鹤壁市蓝天工程实施方案")
    office = UserFactory(username="office")
    office.groups.add(groups[OFFICE_GROUP])
    plan.office_staff.add(office)
    services.profile_save(user=office, account=office, name="李娜")
    unit = UnitFactory(name="鹤壁市环境保护局", short_name="市环保局")
    people = {}
    for username, role, name in (("official", MemberRole.OFFICIAL, "王芳"), ("leader", MemberRole.LEADER, "张伟")):
        user = MembershipFactory(unit=unit, role=role, user__username=username).user
        user.groups.add(groups[GROUP_OF_ROLE[role]])
        services.profile_save(user=user, account=user, name=name)
        people[username] = user
    task = services.node_create(user=office, plan=plan, kind=NodeKind.TASK, label="1.", title="强化水泥粉磨站治理")
    services.assignment_create(user=office, task=task, unit=unit, role=Role.RESPONSIBLE)
    due = timezone.localdate() + datetime.timedelta(days=20)
    deadline = services.deadline_create(user=office, task=task, text="年底前", date=due)
    return {"task": task, "deadline": deadline, "due": due, "unit": unit}


def signed_in(browser, live_server, username):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    return context, page


def test_acknowledge_extend_approve_claim_with_a_file_accept_and_close(browser, live_server, world, tmp_path):
    task, due = world["task"], world["due"]
    task_url = f"{live_server.url}{reverse('admin:plans_task_change', args=[task.pk])}"

    # 签收: the official signs in 本期待办, where it waits first
    context, page = signed_in(browser, live_server, "official")
    page.goto(f"{live_server.url}/admin/inbox/")
    assert page.locator("#group-acknowledge tr.acknowledgement").count() == 1
    with page.expect_navigation():
        page.click("#group-acknowledge button[name=acknowledge]")
    assert "暂无需要签收的事项" in page.locator("#group-acknowledge").inner_text()
    context.close()
    signed = Acknowledgement.objects.get(unit=world["unit"], period__isnull=True)
    assert signed.acknowledged_by.username == "official"

    # 延期申请: the leader asks for 30 more days from the task's page
    context, page = signed_in(browser, live_server, "leader")
    page.goto(task_url)
    with page.expect_navigation():
        page.click("#task-extension-link")
    page.fill("#id_requested_date", (due + datetime.timedelta(days=30)).isoformat())
    page.fill("#id_reason", "粉磨站除尘设备到货延迟")
    with page.expect_navigation():
        page.click("#workflow_form input[type=submit]")
    assert "延期申请已提交" in page.content()
    context.close()

    # the office approves on the request's page
    context, page = signed_in(browser, live_server, "office")
    request = ExtensionRequest.objects.get()
    page.goto(f"{live_server.url}{reverse('admin:plans_extensionrequest_change', args=[request.pk])}")
    page.fill("#id_decision_comment", "同意，请按新时限完成")
    with page.expect_navigation():
        page.click("input[name=_approve_extension]")
    assert "已批准延期" in page.content()
    page.goto(task_url)
    moved = page.locator("#task-deadlines").inner_text()
    assert (due + datetime.timedelta(days=30)).isoformat() in moved and f"原定 {due.isoformat()}" in moved
    context.close()

    # 办结申请 with evidence: the leader claims completion and attaches a PDF
    evidence = tmp_path / "验收报告.pdf"
    evidence.write_bytes(PDF)
    context, page = signed_in(browser, live_server, "leader")
    page.goto(task_url)
    with page.expect_navigation():
        page.click("#task-claim-link")
    page.fill("#id_summary", "全部粉磨站完成提标改造并通过验收")
    page.set_input_files("#id_evidence", str(evidence))
    with page.expect_navigation():
        page.click("#workflow_form input[type=submit]")
    assert "办结申请已提交" in page.content()
    context.close()
    claim = CompletionClaim.objects.get()
    assert list(claim.attachments.values_list("name", flat=True)) == ["验收报告.pdf"]

    # the office opens the file, accepts (办结) and closes the task (销号)
    context, page = signed_in(browser, live_server, "office")
    page.goto(f"{live_server.url}{reverse('admin:plans_completionclaim_change', args=[claim.pk])}")
    link = page.locator("#request-evidence a", has_text="验收报告.pdf")
    with page.expect_download() as download:
        link.click()
    assert open(download.value.path(), "rb").read() == PDF
    with page.expect_navigation():
        page.click("input[name=_accept_claim]")
    page.goto(task_url)
    with page.expect_navigation():
        page.click("#task-close-link")
    with page.expect_navigation():
        page.click("#workflow_form input[type=submit]")
    assert "任务已销号" in page.content()
    closure = page.locator("#task-closure").inner_text()
    assert "已销号" in closure
    trail = page.locator("#task-timeline").inner_text()
    for step in ("签收", "申请延期", "批准延期", "申请办结", "审核通过办结申请", "销号"):
        assert step in trail, step
    assert "张伟（市环保局）" in trail and "李娜" in trail
    context.close()
    task.refresh_from_db()
    assert task.closure == Closure.CLOSED
