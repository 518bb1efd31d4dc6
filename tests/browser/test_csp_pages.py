"""Under the Content-Security-Policy every page still works in Chromium, and Chromium reports
no violation: the admin (its scripts: select all, the filter sidebar), the dashboard, the
inbox, the API docs (Swagger UI draws the operations) and the public plan page (charts)."""
import pytest

from tests.factories import UserFactory
from tests.test_public_page import build_seed_world, page_url

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def world(transactional_db):
    world = build_seed_world()
    UserFactory(username="csp-admin", is_superuser=True)
    return world


def watch(page) -> list[str]:
    """Console errors and uncaught exceptions: a blocked script or style shows up here."""
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_pages_work_under_the_policy(browser, live_server, world, screenshot):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    problems = watch(page)

    public = page.goto(f"{live_server.url}{page_url(world.hebi)}")
    assert "script-src 'self'" in public.headers["content-security-policy"]
    assert page.locator("svg.indicator-chart").count() > 0
    assert page.locator("svg.indicator-chart").first.bounding_box()["width"] > 100

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "csp-admin")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.url.endswith("/admin/")

    page.goto(f"{live_server.url}/admin/plans/task/")
    page.locator("#action-toggle").check()  # admin's actions.js selects every row
    assert page.locator("input.action-select:checked").count() == page.locator("input.action-select").count() > 0

    for path in ["/admin/dashboard/", "/admin/inbox/", f"/admin/plans/plan/{world.hebi.pk}/change/"]:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path

    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=20_000)  # the start-up script ran
    assert page.locator(".swagger-ui .opblock").count() > 20
    screenshot(page, "csp-api-docs")

    violations = [text for text in problems if "Content Security Policy" in text or "Refused to" in text]
    assert not violations, violations
    assert not [text for text in problems if "404" not in text], problems  # the browser asks for /favicon.ico
    context.close()
