"""An object's history reads like a ledger (issue 17): the admin's history page and the API's
history route show Chinese field names and status labels, local time to the minute, the
person's name and unit, where the change came from (管理后台, 接口, Excel 导入 #id, 命令行),
and never "None" or simple-history's "Deleted … (pk=None)"."""
import datetime
import html as entities
import re

import pytest
from django.test import RequestFactory
from django.urls import resolve, reverse
from django.utils import timezone
from rest_framework.test import APIClient
from simple_history.signals import pre_create_historical_record

from plans import services
from plans.history import object_ledger, record_source, request_source, source_of
from plans.models import MemberRole, Plan, ProgressReport, Profile, ReportState, Role, SheetImportState, TaskStatus
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.admin.forms import get_form
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    SheetImportFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

LONG_PROGRESS = "完成8座粉磨站提标改造，" + "已验收6座并组织第三方监测，" * 8 + "结论达标。"
MINUTE = re.compile(r"\b20\d\d-\d\d-\d\d \d\d:\d\d\b")


@pytest.fixture(autouse=True)
def sources_recorded():
    """The receiver plans.apps connects at start-up (the same dispatch_uid: connected once)."""
    pre_create_historical_record.connect(record_source, dispatch_uid="plans.history.record_source")


def _named(user, name, position=""):
    Profile.objects.create(user=user, name=name, position=position)
    return user


@pytest.fixture
def world(db):
    groups = groups_ensure()
    plan = PlanFactory(period_start=datetime.date(2026, 1, 1), period_end=datetime.date(2026, 12, 31))
    office = _named(UserFactory(username="duban01"), "李娜", "督查室主任")
    office.groups.add(groups[OFFICE_GROUP])
    plan.office_staff.add(office)
    unit = UnitFactory(name="鹤壁市环境保护局", short_name="市环保局")
    task = TaskFactory(plan=plan)
    AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
    official = _named(MembershipFactory(unit=unit, role=MemberRole.OFFICIAL, user__username="hbj_tb").user, "张伟")
    leader = _named(MembershipFactory(unit=unit, role=MemberRole.LEADER, user__username="hbj_ld").user, "王芳")
    stranger = _named(MembershipFactory(unit=UnitFactory(short_name="市财政局")).user, "赵强")
    for user, role in ((official, MemberRole.OFFICIAL), (leader, MemberRole.LEADER), (stranger, MemberRole.OFFICIAL)):
        user.groups.add(groups[GROUP_OF_ROLE[role]])
    period = ReportingPeriodFactory(plan=plan, label="2026Q4")
    return {"office": office, "official": official, "leader": leader, "stranger": stranger, "period": period}


@pytest.fixture
def report(world, client):
    """Opened (a command), filled (services), submitted over the API, returned, corrected by an
    Excel import, submitted again and approved on the admin page."""
    office, official, leader = world["office"], world["official"], world["leader"]
    [report] = services.period_open(user=office, period=world["period"])
    services.report_update(user=official, report=report, status=TaskStatus.ON_TRACK, percent=40, progress=LONG_PROGRESS)
    report.refresh_from_db()

    api = APIClient()
    api.force_authenticate(leader)
    response = api.post(f"/api/reports/{report.pk}/submit/", {"version": report.version}, format="json")
    assert response.status_code == 200, response.content

    services.report_return(user=office, report=report, comment="请补充验收情况")
    report.refresh_from_db()
    sheet = SheetImportFactory(
        period=world["period"], uploaded_by=official, state=SheetImportState.PREVIEWED,
        changes=[{
            "sheet": "进展情况", "row": 5, "report": report.pk, "version": report.version,
            "task": report.task_id, "unit": report.unit_id, "fields": {"percent": [40, 60]},
        }],
    )
    services.sheet_apply(user=official, sheet_import=sheet)
    services.report_submit(user=leader, report=report)

    url = reverse("admin:plans_progressreport_change", args=[report.pk])
    client.force_login(office)
    response = client.post(url, {**get_form(client, url), "_approve_report": "审核通过"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED
    report.sheet_import = sheet
    return report


def _history_page(client, user, report):
    client.force_login(user)
    return client.get(reverse("admin:plans_progressreport_history", args=[report.pk]))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", entities.unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_history_page_reads_like_a_ledger(client, world, report):
    response = _history_page(client, world["office"], report)
    assert response.status_code == 200
    html = response.content.decode()
    text = _text(html)
    for heading in ("时间", "人员", "操作", "来源", "变更内容"):
        assert f"<th scope=\"col\">{heading}</th>" in html
    # fields by their Chinese names, choices by their labels
    assert "审核状态" in text and "完成状态" in text and "完成百分比" in text and "报送人" in text
    assert "待填报 → 已报送" in text
    assert "已报送 → 已退回" in text
    assert "已退回 → 已报送" in text
    assert "已报送 → 已审核" in text
    assert "未启动 → 序时推进" in text
    assert "40 → 60" in text
    assert "submitted" not in text and "approved" not in text and "on_track" not in text
    # people by name and unit, never the login name
    assert "张伟（市环保局）" in text and "王芳（市环保局）" in text and "李娜（督查室主任）" in text
    assert "hbj_tb" not in text and "hbj_ld" not in text and "duban01" not in text
    # where each change came from
    assert f"Excel 导入 #{report.sheet_import.pk}" in text
    assert "接口" in text and "管理后台" in text and "命令行" in text
    assert "新建" in text and "修改" in text
    # local time to the minute
    latest = report.history.latest("history_date").history_date
    assert timezone.localtime(latest).strftime("%Y-%m-%d %H:%M") in text
    assert MINUTE.search(text)
    assert not re.search(r"\d\d:\d\d:\d\d", text)  # no seconds, no UTC offsets
    # the long text shortened, and the whole of it there to open
    assert "<details" in html and LONG_PROGRESS in html
    assert "None" not in html and "pk=None" not in html and "Deleted" not in html
    # no link to simple-history's page of a past version (its revert form)
    assert not re.search(rf"/progressreport/{report.pk}/history/\d+/", html)


def test_each_row_names_its_person_action_and_source(world, report):
    rows = [(entry.action, entry.person, entry.source.label) for entry in reversed(object_ledger(ProgressReport, report.pk))]
    sheet = report.sheet_import.pk
    assert rows == [
        ("新建", "李娜（督查室主任）", "命令行"),  # period_open made it (reports_ensure), outside a request
        ("修改", "张伟（市环保局）", "命令行"),
        ("修改", "王芳（市环保局）", "接口"),
        ("修改", "李娜（督查室主任）", "命令行"),
        ("修改", "张伟（市环保局）", f"Excel 导入 #{sheet}"),
        ("修改", "王芳（市环保局）", "命令行"),
        ("修改", "李娜（督查室主任）", "管理后台"),
    ]
    entries = object_ledger(ProgressReport, report.pk)
    approval, returned = entries[0], entries[3]
    changed = {change.label: (change.old, change.new) for change in approval.changes}
    assert changed["审核状态"] == ("已报送", "已审核")
    assert "版本" not in changed and "更新时间" not in changed  # bookkeeping left out
    changed = {change.label: (change.old, change.new) for change in returned.changes}
    assert changed["审核人"] == ("（空）", "李娜（督查室主任）")
    assert changed["审核意见"] == ("（空）", "请补充验收情况")


def test_a_unit_account_of_another_unit_does_not_see_the_history(client, world, report):
    assert _history_page(client, world["stranger"], report).status_code in (403, 404)
    assert _history_page(client, world["official"], report).status_code == 200


def test_a_change_without_a_person_is_the_systems_and_empty_values_say_so(world):
    [report] = services.period_open(user=world["office"], period=world["period"])
    ProgressReport.history.filter(id=report.pk).update(history_user=None, history_change_reason=None)
    [entry] = object_ledger(ProgressReport, report.pk)
    assert (entry.person, entry.source.label) == ("系统", "")
    assert all(change.new != "None" for change in entry.changes)


def _api(user=None):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api




def test_the_api_gives_the_same_ledger(world, report):
    response = _api(world["official"]).get(f"/api/history/reports/{report.pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["kind"], body["id"]) == ("reports", report.pk)
    entries = body["entries"]
    assert [entry["id"] for entry in entries] == [entry.id for entry in object_ledger(ProgressReport, report.pk)]
    approval, excel = entries[0], entries[2]
    assert (approval["person"], approval["action"], approval["action_label"]) == ("李娜（督查室主任）", "changed", "修改")
    assert approval["source"] == {"code": "admin", "label": "管理后台", "ref": None}
    assert {"field": "state", "label": "审核状态", "old": "已报送", "new": "已审核"} in approval["changes"]
    assert excel["source"] == {"code": "excel", "label": f"Excel 导入 #{report.sheet_import.pk}", "ref": report.sheet_import.pk}
    assert MINUTE.fullmatch(approval["time"])
    filled = entries[-2]
    assert {"field": "progress", "label": "本期进展情况", "old": "（空）", "new": LONG_PROGRESS} in filled["changes"]  # whole
    assert "None" not in response.content.decode()


def test_the_api_history_follows_what_the_account_sees(world, report):
    assert _api(world["stranger"]).get(f"/api/history/reports/{report.pk}/").status_code == 404
    assert _api().get(f"/api/history/reports/{report.pk}/").status_code == 401
    assert _api(world["office"]).get(f"/api/history/unknown/{report.pk}/").status_code == 404
    assert _api(world["office"]).get(f"/api/history/tasks/{report.task_id}/").status_code == 200
    assert _api(world["official"]).get(f"/api/history/reports/{report.pk + 1000}/").status_code == 404


@pytest.mark.parametrize(("reason", "label"), [
    ("admin", "管理后台"), ("api", "接口"), ("web", "网页"), ("command", "命令行"),
    ("Excel导入 #12 进展情况表（市发改委）.xlsx", "Excel 导入 #12"),
    ("导入方案文件“鹤壁市蓝天工程.docx”（#7）", "方案导入 #7"),
    ("Plan document “hebi.docx” imported (#7)", "方案导入 #7"),  # recorded in English
    ("按市政府要求调整", ""),  # a reason in words is no source: shown with the changes (below)
    (None, ""), ("", ""),
])
def test_sources_are_read_from_the_recorded_reason(reason, label):
    assert source_of(reason).label == label


def test_a_reference_to_a_deleted_row_or_account_is_named_as_deleted(world, report):
    """No simple-history "Deleted 用户 (pk=None)" and no "None": a past row may name an account
    or unit deleted since (history keeps no constraint); an account deleted since its change
    leaves the change without a person, made through a page, so not the system's."""
    returned = ProgressReport.history.filter(id=report.pk, state=ReportState.RETURNED).earliest("history_date")
    ProgressReport.history.filter(history_id=returned.history_id).update(reviewed_by_id=987654, unit_id=987655)
    ProgressReport.history.filter(history_change_reason="api").update(history_user=None)
    entries = {entry.id: entry for entry in object_ledger(ProgressReport, report.pk)}
    changed = {change.label: (change.old, change.new) for change in entries[returned.history_id].changes}
    assert changed["审核人"] == ("（空）", "已删除的账号")
    assert changed["填报单位"] == ("市环保局", "已删除的单位 #987655")
    api_entry = next(entry for entry in entries.values() if entry.source.label == "接口")
    assert api_entry.person == "已删除的账号"


def test_a_plans_ledger_shows_booleans_dates_and_not_the_document(client, world):
    plan = world["period"].plan
    office = world["office"]
    plan.source_text = "全文" * 500
    plan.save()
    services.plan_save(user=office, plan=plan, issued_on=datetime.date(2026, 3, 1))
    services.plan_publish(user=office, plan=plan)
    published, dated, *_older = object_ledger(Plan, plan.pk)
    changed = {change.label: (change.old, change.new) for change in published.changes}
    assert changed["公开发布"] == ("否", "是")
    assert MINUTE.fullmatch(changed["发布时间"][1])
    assert [(change.label, change.new) for change in dated.changes] == [("印发日期", "2026-03-01")]
    assert published.person == "李娜（督查室主任）"
    client.force_login(office)
    response = client.get(reverse("admin:plans_plan_history", args=[plan.pk]))
    assert response.status_code == 200
    assert "来源文件全文" not in response.content.decode()


def test_a_reason_in_words_is_shown_with_the_changes(client, world):
    """A withdrawal (撤回报送) records its reason in words: the ledger shows it with the changes,
    in Chinese alone (the services' "中文 (english)" form), and still names the source as —."""
    office, official, leader = world["office"], world["official"], world["leader"]
    [report] = services.period_open(user=office, period=world["period"])
    services.report_update(user=official, report=report, progress="完成8座粉磨站提标改造")
    services.report_submit(user=leader, report=report)
    services.report_withdraw(user=leader, report=report)
    withdrawal = object_ledger(ProgressReport, report.pk)[0]
    assert (withdrawal.person, withdrawal.source.note, withdrawal.source.label) == ("王芳（市环保局）", "撤回报送", "")
    assert {change.label: change.new for change in withdrawal.changes}["审核状态"] == "待填报"
    text = _text(_history_page(client, leader, report).content.decode())
    assert "撤回报送 审核状态 ： 已报送 → 待填报" in text
    assert "withdrawn" not in text


def test_the_page_reads_a_fixed_number_of_queries_whatever_the_history_length(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    [report] = services.period_open(user=world["office"], period=world["period"])

    def queries():
        client.force_login(world["office"])
        url = reverse("admin:plans_progressreport_history", args=[report.pk])
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def updates(percents, user):
        for percent in percents:
            services.report_update(user=user, report=report, percent=percent, progress=f"完成{percent}%")

    updates(range(1, 4), world["official"])
    updates(range(4, 6), world["leader"])
    before = queries()
    updates(range(10, 40), world["official"])
    updates(range(40, 50), world["leader"])
    assert queries() == before


@pytest.mark.parametrize(("path", "source"), [
    ("/admin/plans/progressreport/1/change/", "admin"),
    ("/admin/inbox/", "web"),  # our pages under /admin/ are not the admin site's
    ("/api/reports/1/submit/", "api"),
])
def test_the_source_of_a_change_is_the_request_it_was_made_in(path, source):
    request = RequestFactory().post(path)
    request.resolver_match = resolve(path)
    assert request_source(request) == source
    assert request_source(None) == "command"
