"""An office imports a plan document in Chromium: from the plan list to the upload form, the
preview with its warnings and task table, and the confirmed plan's task list."""
from pathlib import Path

import pytest

from plans.models import Plan, PlanImport, PlanImportState
from plans.roles import OFFICE_GROUP, groups_ensure
from tests.browser.test_report_cycle import log_in, press
from tests.factories import PlanFactory, UserFactory

DOCUMENT = Path(__file__).resolve().parents[1] / "importers" / "corpus" / "city-chaozhou-2019-blue-sky.txt"


@pytest.fixture
def office(transactional_db):
    user = UserFactory(username="hb-office")
    user.groups.add(groups_ensure()[OFFICE_GROUP])
    PlanFactory(title="已有方案").office_staff.add(user)
    return user


def test_an_office_imports_a_plan_document_in_the_browser(browser, live_server, office, screenshot):
    page = log_in(browser, live_server, "hb-office")
    page.goto(f"{live_server.url}/admin/plans/plan/")
    with page.expect_navigation():
        page.click("text=导入方案文件")
    page.set_input_files("#id_file", str(DOCUMENT))
    screenshot(page, "plan-import-1-upload")
    press(page, "input[name=_save]")

    draft = PlanImport.objects.get()
    assert page.locator("#import-counts").is_visible()
    tasks_shown = page.locator("#import-tasks tr.import-task").count()
    assert tasks_shown >= 3
    screenshot(page, "plan-import-2-preview")
    press(page, "input[name=_apply_import]")

    draft.refresh_from_db()
    assert draft.state == PlanImportState.APPLIED
    plan = Plan.objects.get(pk=draft.plan_id)
    assert f"plan__id__exact={plan.pk}" in page.url
    assert page.locator("#result_list tbody tr").count() == plan.nodes.tasks().count() == tasks_shown
    screenshot(page, "plan-import-3-tasks")
    page.close()  # no request left in flight when the live server stops
