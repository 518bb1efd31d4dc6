"""At a phone's width (390 × 844) the supervision cycle's pages fit the screen: the 签收 list
and the task page with its trail for a unit, the 申请延期 form for its leader, the request's
decision page for the office."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import ExtensionRequest, MemberRole, NodeKind, Role
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.browser.test_phone_width import PHONE, assert_fits
from tests.factories import MembershipFactory, PlanFactory, UnitFactory, UserFactory

PASSWORD = "pw-for-tests-only"  # tests.factories.UserFactory's


@pytest.fixture
def world(transactional_db):
    groups = groups_ensure()
    plan = PlanFactory()
    office = UserFactory(username="office")
    office.groups.add(groups[OFFICE_GROUP])
    plan.office_staff.add(office)
    unit = UnitFactory(name="鹤壁市环境保护局", short_name="市环保局")
    official = MembershipFactory(unit=unit, role=MemberRole.OFFICIAL, user__username="official").user
    leader = MembershipFactory(unit=unit, role=MemberRole.LEADER, user__username="leader").user
    for user in (official, leader):
        user.groups.add(groups[GROUP_OF_ROLE[user.membership.role]])
    task = services.node_create(
        user=office, plan=plan, kind=NodeKind.TASK, label="1.",
        title="强化水泥粉磨站治理，全面完成粉磨站提标改造并通过验收，确保颗粒物排放浓度稳定达标",
    )
    services.assignment_create(user=office, task=task, unit=unit, role=Role.RESPONSIBLE)
    due = timezone.localdate() + datetime.timedelta(days=60)
    deadline = services.deadline_create(user=office, task=task, text="年底前", date=due)
    services.acknowledge(user=official, acknowledgement=plan.acknowledgements.get(unit=unit))
    services.extension_request(user=leader, deadline=deadline, requested_date=due + datetime.timedelta(days=30),
                               reason="设备到货延迟，" * 20)
    services.extension_reject(user=office, request=ExtensionRequest.objects.get(), comment="理由不充分")
    return {"task": task, "deadline": deadline, "leader": leader}


def phone_page(browser, live_server, username):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    return context, page


def test_the_cycle_pages_fit_a_phone(browser, live_server, world, screenshot):
    task = world["task"]
    context, page = phone_page(browser, live_server, "leader")
    assert_fits(page, live_server, reverse("admin:plans_acknowledgement_changelist"), screenshot, "phone-ack-list")
    assert_fits(page, live_server, reverse("admin:plans_task_change", args=[task.pk]), screenshot, "phone-task-trail")
    assert page.locator("#task-timeline li").count() >= 5
    assert_fits(page, live_server, reverse("admin:plans_task_extension", args=[task.pk]), screenshot,
                "phone-extension-form")
    for field in ("#id_requested_date", "#id_reason"):
        box = page.locator(field).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], field
    context.close()

    pending = services.extension_request(
        user=world["leader"], deadline=world["deadline"], requested_date=world["deadline"].date + datetime.timedelta(days=9),
        reason="设备到货延迟",
    )
    context, page = phone_page(browser, live_server, "office")
    assert_fits(page, live_server, reverse("admin:plans_extensionrequest_change", args=[pending.pk]),
                screenshot, "phone-extension-decision")
    assert page.locator("input[name=_reject_extension]").is_visible()
    context.close()
