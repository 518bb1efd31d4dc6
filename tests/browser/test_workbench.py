"""Issue 17's walk: on the data `make run` builds (the seed plans, the live demo plan, the demo
accounts and periods), the official, the leader and the office log in through the login page
of Chromium, each lands on its own page, the header and the pages name people (张伟（市发改委）),
and no page shows a login name in place of a person."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from devtools.demo import DEMO_PASSWORD, office_username
from devtools.live_demo import DEMO_KEY
from plans.models import MemberRole, Membership, Plan, ProgressReport, ReportState, person_label

LOGIN_NAME = re.compile(r"\b(u[0-9a-f]{6}-(official|leader)|office-[0-9a-f]{6})\b")


@pytest.fixture
def demo(transactional_db):
    for command in ("load_seed_plans", "demo_live", "demo_accounts", "demo_periods"):
        call_command(command, verbosity=0)
    plan = Plan.objects.get(key=DEMO_KEY)
    submitted = (
        ProgressReport.objects.filter(task__plan=plan, period__is_open=True, state=ReportState.SUBMITTED)
        .select_related("unit", "submitted_by").order_by("task__position").first()
    )
    unit = submitted.unit
    users = {
        "official": Membership.objects.get(unit=unit, role=MemberRole.OFFICIAL).user,
        "leader": Membership.objects.get(unit=unit, role=MemberRole.LEADER).user,
        "office": get_user_model().objects.get(username=office_username(plan)),
    }
    return plan, submitted, users


def log_in(browser, live_server, user):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.wait_for_load_state("load")
    return page


def shown_text(page) -> str:
    return page.locator("body").inner_text()


LANDINGS = {"official": "/admin/inbox/", "leader": "/admin/inbox/", "office": "/admin/dashboard/"}


def test_each_role_lands_on_its_page_and_sees_people_by_name(browser, live_server, demo, screenshot):
    """One walk (the seed step is built once): each role's landing, then the office reads who
    sent a report in the report's form and its history."""
    plan, submitted, users = demo
    for role, landing in LANDINGS.items():
        user = users[role]
        page = log_in(browser, live_server, user)

        assert page.url == f"{live_server.url}{landing}", role
        header = page.inner_text("#person-name")
        assert header == person_label(user) and user.username not in header
        assert re.fullmatch(r"[\u4e00-\u9fff]{2,3}（[^）]+）", header), header
        text = shown_text(page)
        assert plan.title in text  # the live plan, not only the historical ones
        assert not LOGIN_NAME.search(text), LOGIN_NAME.search(text)
        screenshot(page, f"workbench-{role}-landing")
        if role != "office":
            page.close()

    page.goto(f"{live_server.url}/admin/plans/progressreport/{submitted.pk}/change/")
    form = shown_text(page)
    page.goto(f"{live_server.url}/admin/plans/progressreport/{submitted.pk}/history/")
    history = shown_text(page)
    screenshot(page, "workbench-office-report-history")

    sender = person_label(submitted.submitted_by)
    assert sender in form and sender in history
    assert not LOGIN_NAME.search(form) and not LOGIN_NAME.search(history)
    assert "None" not in history and "pk=None" not in history
    page.close()
