"""At a phone's width (390 × 844) the pages a unit and the office use every day fit the screen:
the page never scrolls sideways (a wide table may scroll inside its own box). As a unit's
official: 本期待办 and a report's change form; as office staff: 督办看板. On the seed plans."""
import pytest
from django.contrib.auth import get_user_model

from devtools.demo import DEMO_PASSWORD, office_username
from plans.models import Membership, MemberRole, ProgressReport
from tests.test_public_page import build_seed_world

PHONE = {"width": 390, "height": 844}
OVERFLOW = """(phone) => ({
    scroll: document.documentElement.scrollWidth,
    inner: window.innerWidth,
    wide: [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > phone + 1)
        .filter(e => !e.closest('.phone-scroll'))
        .slice(0, 8).map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.')
                         + ' right=' + Math.round(e.getBoundingClientRect().right)),
})"""


@pytest.fixture
def world(transactional_db):
    world = build_seed_world()
    report = (
        ProgressReport.objects.filter(task__plan=world.hebi, period__is_open=True, state="pending")
        .select_related("unit").order_by("task__position").first()
    )

    def member(unit, role):
        return Membership.objects.get(unit=unit, role=role).user.username

    office = get_user_model().objects.get(username=office_username(world.hebi))
    return {
        "report": report, "official": member(report.unit, MemberRole.OFFICIAL), "office": office.username,
        "leader": member(report.unit, MemberRole.LEADER),
        # approved, read only, with a supporting unit's input in its inline table
        "approved": world.report, "approved_official": member(world.report.unit, MemberRole.OFFICIAL),
    }


def phone_page(browser, live_server, username):
    context = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    return context, page


def assert_fits(page, live_server, path, screenshot, name):
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200, path
    width = page.evaluate(OVERFLOW, PHONE["width"])
    screenshot(page, name)
    # a phone widens its layout to the page's content (zooming out): the page must not need that
    assert width["inner"] == PHONE["width"], width
    assert width["scroll"] <= width["inner"] + 1, width


def test_a_units_inbox_fits_a_phone(browser, live_server, world, screenshot):
    context, page = phone_page(browser, live_server, world["official"])
    assert_fits(page, live_server, "/admin/inbox/", screenshot, "phone-inbox")
    assert page.locator("a[href*='/admin/plans/progressreport/']").count() > 0  # the unit's reports listed
    context.close()


def test_a_report_form_fits_a_phone(browser, live_server, world, screenshot):
    context, page = phone_page(browser, live_server, world["official"])
    assert_fits(page, live_server, f"/admin/plans/progressreport/{world['report'].pk}/change/", screenshot,
                "phone-report-form")
    for field in ("#id_status", "#id_percent", "#id_progress", "#id_problems", "#id_next_steps"):
        box = page.locator(field).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], field  # on screen, not cut off
    context.close()


def test_the_leaders_form_with_its_submit_button_fits_a_phone(browser, live_server, world, screenshot):
    context, page = phone_page(browser, live_server, world["leader"])
    assert_fits(page, live_server, f"/admin/plans/progressreport/{world['report'].pk}/change/", screenshot,
                "phone-report-form-leader")
    button = page.locator("input[name=_submit_report]").bounding_box()
    assert button["x"] >= 0 and button["x"] + button["width"] <= PHONE["width"]
    context.close()


def test_an_approved_report_with_a_supporting_input_fits_a_phone(browser, live_server, world, screenshot):
    context, page = phone_page(browser, live_server, world["approved_official"])
    assert_fits(page, live_server, f"/admin/plans/progressreport/{world['approved'].pk}/change/", screenshot,
                "phone-report-approved")
    assert page.locator("#id_progress").count() == 0  # read only
    assert page.locator(".inline-group").count() > 0
    context.close()


def test_the_dashboard_fits_a_phone_its_panels_stacked(browser, live_server, world, screenshot):
    context, page = phone_page(browser, live_server, world["office"])
    assert_fits(page, live_server, "/admin/dashboard/", screenshot, "phone-dashboard")
    assert page.locator(".plan-dashboard .module.units tr.unit").count() > 0
    # the indicators and overdue tasks stack: a row's cells one under the other, each with its label
    for row in (".module.indicators tr.indicator", ".module.overdue tr.task"):
        first, second = page.locator(f".plan-dashboard {row}").first.locator("td").all()[:2]
        assert second.bounding_box()["y"] > first.bounding_box()["y"] + first.bounding_box()["height"] - 1, row
        assert second.evaluate("td => getComputedStyle(td, '::before').content").strip('"').endswith("：")
    for panel in page.locator(".plan-dashboard .module").all():
        box = panel.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, box
    context.close()
