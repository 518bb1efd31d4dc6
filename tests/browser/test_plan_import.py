"""An office imports a plan document in Chromium: from the plan list to the upload form, the
preview with its warnings, unit names and task table; a unit name matched to an existing
unit, one task's units and deadline corrected on its paragraph's page, a false task dropped;
then the confirmed plan's task list."""
from pathlib import Path

import pytest

from plans.models import Plan, PlanImport, PlanImportState, Task, UnitAlias
from plans.roles import OFFICE_GROUP, groups_ensure
from tests.browser.test_report_cycle import log_in, press
from tests.factories import PlanFactory, UnitFactory, UserFactory

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


def test_an_office_corrects_a_draft_in_the_browser_before_confirming(browser, live_server, office, screenshot):
    page = log_in(browser, live_server, "hb-office")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/admin/")
    with page.expect_navigation():
        page.click("#plan-import-shortcut")
    page.set_input_files("#id_file", str(DOCUMENT))
    press(page, "input[name=_save]")
    draft = PlanImport.objects.get()
    jurisdiction = page.input_value("#id_jurisdiction")
    assert jurisdiction  # the document's own place (潮州市), read from it
    existing = UnitFactory(name=f"{jurisdiction}测试已有单位", jurisdiction=jurisdiction)

    # a unit name: matched by hand to an existing unit, typed by its name
    row = page.locator("#import-units tbody tr.import-new").first
    written = row.locator("td").first.inner_text().split()[0]
    row.locator("select").select_option("other")
    row.locator("input").fill(existing.name)
    press(page, "input[name=_save]")
    assert "更正已保存" in page.inner_text(".messagelist")
    screenshot(page, "plan-import-4-units")

    # a task: its paragraph one click away, its units and deadline corrected
    task_link = page.locator("#import-tasks tr.import-task a").first
    with page.expect_navigation():
        task_link.click()
    assert page.locator("#node-source").is_visible()
    page.fill("#id_supporting", written)
    page.fill("#id_deadline_date", "2019-12-31")
    page.fill("#id_deadline_text", "2019年底前")
    screenshot(page, "plan-import-5-task")
    press(page, "input.default")
    assert page.locator("#import-tasks tr.import-corrected").count() == 1

    # a false task dropped: shown struck through, not imported
    last = page.locator("#import-tasks tr.import-task a").last
    dropped_title = page.locator("#import-tasks tr.import-task").last.locator("td").nth(2).inner_text().split()[0]
    with page.expect_navigation():
        last.click()
    page.check("#id_drop")
    press(page, "input.default")
    assert page.locator("#import-tasks tr.import-dropped").count() == 1
    screenshot(page, "plan-import-6-corrected")

    page.reload()  # the corrections are stored with the draft: a reload loses nothing
    assert page.locator("#import-tasks tr.import-dropped").count() == 1

    # while the confirmation works the page says so, and a second press posts nothing: held
    # here by a listener that stops the post after the page's own (a real one is too quick)
    page.evaluate("""() => document.addEventListener("submit", (e) => { if (window.hold) e.preventDefault(); })""")
    page.evaluate("() => { window.hold = true; }")
    page.locator("input[name=_apply_import]").click()
    assert "正在写入" in page.inner_text(".busy-note")
    page.evaluate("() => { window.hold = false; }")
    page.locator("input[name=_apply_import]").click()  # the second press: swallowed
    page.wait_for_timeout(300)
    assert "/planimport/" in page.url and PlanImport.objects.get().state == PlanImportState.DRAFT
    page.evaluate("() => { delete document.querySelector('#planimport_form').dataset.sent; }")
    press(page, "input[name=_apply_import]")
    assert "/admin/plans/task/" in page.url
    draft.refresh_from_db()
    assert draft.state == PlanImportState.APPLIED
    corrected = Task.objects.filter(plan=draft.plan, assignments__unit=existing).distinct()
    assert corrected.exists()
    assert UnitAlias.objects.filter(jurisdiction=jurisdiction, name=written, unit=existing).exists()
    assert not Task.objects.filter(plan=draft.plan, title__startswith=dropped_title[:8]).exists()
    screenshot(page, "plan-import-7-tasks")
    page.close()
