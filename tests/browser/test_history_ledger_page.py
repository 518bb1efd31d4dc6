"""The history ledger in Chromium: a report's 修改记录 page as the office reads it, a shortened
long text opened to its whole, under the Content-Security-Policy (the page's styles apply)."""
import pytest

from tests.test_history_ledger import LONG_PROGRESS, report, sources_recorded, world  # noqa: F401 (fixtures)

PASSWORD = "pw-for-tests-only"


@pytest.fixture
def db_for_the_live_server(transactional_db):
    """The report fixture's rows committed, for the live server's thread to read."""


def test_the_office_reads_the_ledger_and_opens_a_long_text(db_for_the_live_server, browser, live_server, report, screenshot):  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    problems = []
    page.on("console", lambda message: message.type == "error" and "404" not in message.text and problems.append(message.text))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "duban01")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/plans/progressreport/{report.pk}/history/")

    table = page.locator("table.history-ledger")
    assert table.locator("thead th").all_inner_texts() == ["时间", "人员", "操作", "来源", "变更内容"]
    first = table.locator("tbody tr").first.locator("td").all_inner_texts()
    assert first[1:4] == ["李娜（督查室主任）", "修改", "管理后台"]
    assert "审核状态：已报送→已审核" in first[4].replace(" ", "")
    assert table.locator("td").first.evaluate("cell => getComputedStyle(cell).whiteSpace") == "nowrap"  # styles apply

    whole = page.locator("details.ledger-text").first
    assert not whole.evaluate("details => details.open")
    assert LONG_PROGRESS not in whole.inner_text()  # shortened until opened
    whole.locator("summary").click()
    assert LONG_PROGRESS in whole.inner_text().replace("\n", "")
    screenshot(page, "history-ledger")
    assert not problems, problems
    context.close()
