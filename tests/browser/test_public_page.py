"""Anyone opens the published Hebi plan's public page in Chromium, without logging in: the
Chinese heading, the sections, a task with its lead unit and its light, the indicator charts
drawn, the sheet downloads; an unpublished plan's page is a 404."""
import openpyxl
import pytest

from plans.models import Task
from tests.test_public_page import SECRETS, build_seed_world, page_url, sheet_url


@pytest.fixture
def world(transactional_db):
    return build_seed_world()


def test_anonymous_visitor_reads_the_published_plan(browser, live_server, world, screenshot, tmp_path):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")  # no cookies: anonymous
    page = context.new_page()
    response = page.goto(f"{live_server.url}{page_url(world.hebi)}")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.locator("h1").inner_text() == "鹤壁市2016年度蓝天工程暨大气污染治理实施方案"
    assert page.locator(".section-head").count() >= 4
    assert page.locator("h2.section-title", has_text="三、主要任务").is_visible()

    first = Task.objects.filter(plan=world.hebi, kind="task").order_by("position").first()
    row = page.locator(f"#task-{first.pk}")
    assert row.is_visible()
    assert row.locator("td.lead").inner_text() == "市发改委"
    assert row.locator("td.light-cell").inner_text().strip() in ("红灯", "黄灯", "绿灯")
    assert page.locator("td.light-cell", has_text="红灯").count() > 0  # the seed's 2016 deadlines have passed
    assert page.locator(".overdue-mark").first.is_visible()

    charts = page.locator("svg.indicator-chart")
    assert charts.count() == 9
    box = charts.first.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 30
    pm25 = page.locator("article.indicator", has_text="细颗粒物(PM2.5)年均浓度")
    assert pm25.locator("svg circle.value").count() == 3
    assert pm25.locator("svg polyline.actual").bounding_box()["width"] > 0

    body = page.locator("body").inner_text()
    for secret in SECRETS.values():
        assert secret not in body

    screenshot(page, "public-plan")
    with page.expect_download() as download:
        page.click("text=下载进展情况表（Excel）")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "进展情况表-鹤壁市2016年度蓝天工程暨大气污染治理实施方案.xlsx"
    workbook = openpyxl.load_workbook(saved)
    assert workbook.sheetnames == ["进展情况表", "量化指标"]
    first_task = next(row for row in workbook["进展情况表"].iter_rows(min_row=4, values_only=True) if row[0] == 1)
    assert first_task[2] == "市发改委" and first_task[6] in ("红灯", "黄灯", "绿灯")

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.reload()
    assert row.locator("td.lead").is_visible()
    screenshot(page, "public-plan-phone")

    missing = page.goto(f"{live_server.url}{page_url(world.fujian)}")
    assert missing.status == 404
    assert "外贸出口" not in page.content()
    assert context.request.get(f"{live_server.url}{sheet_url(world.fujian)}").status == 404
    context.close()
