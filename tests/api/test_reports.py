"""/api/reports/: reads, filters, writes through the services, versions and query counts."""
import datetime

import pytest
from django.utils import timezone

from plans import services
from plans.models import MemberRole, Profile, ProgressReport, ReportState, Role, SupportingInput, TaskStatus
from tests.api.conftest import count_queries, walk_pages
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)


def url(report, action=""):
    return f"/api/reports/{report.pk}/" + (f"{action}/" if action else "")


def _filled(report, **values):
    ProgressReport.objects.filter(pk=report.pk).update(progress="已完成燃煤锅炉拆改12台。", **values)
    report.refresh_from_db()
    return report


# --- reads ------------------------------------------------------------------------------------
def test_report_detail_has_the_contract_fields(world, as_actor):
    body = as_actor("official_a").get(url(world.report_a)).json()
    assert set(body) == {
        "id", "task", "unit", "period", "status", "percent", "progress", "problems", "next_steps", "state",
        "late", "review_comment", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "version", "inputs",
    }
    assert (body["task"], body["unit"], body["state"], body["version"]) == (
        world.task_t.pk, world.report_a.unit_id, "pending", 1,
    )


def test_report_detail_sends_the_version_as_etag(world, as_actor):
    response = as_actor("official_a").get(url(world.report_a))
    assert response["ETag"] == '"1"'


def test_report_late_is_derived_from_the_due_date(world, as_actor):
    assert as_actor("office").get(url(world.report_a)).json()["late"] is True  # due 2016-09-23


def test_report_lists_supporting_inputs(world, as_actor):
    services.supporting_input_save(user=world.users["official_s"], report=world.report_a, text="已安排资金500万元。")
    inputs = as_actor("official_a").get(url(world.report_a)).json()["inputs"]
    assert inputs == [{"unit": world.users["official_s"].membership.unit_id, "text": "已安排资金500万元。"}]


def test_unit_official_lists_only_reports_of_tasks_it_holds_a_role_in(world, as_actor):
    ids = {row["id"] for row in as_actor("official_b").get("/api/reports/").json()["results"]}
    assert ids == set(ProgressReport.objects.filter(task=world.task_b).values_list("pk", flat=True))


def test_report_of_another_units_task_is_404(world, as_actor):
    assert as_actor("official_b").get(url(world.report_a)).status_code == 404


def test_anonymous_report_list_is_401_with_token_challenge(api, world):
    response = api().get("/api/reports/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_non_numeric_report_id_is_404(world, as_actor):
    assert as_actor("office").get("/api/reports/abc/").status_code == 404


# --- filters ----------------------------------------------------------------------------------
def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_report_filter_by_unit(world, as_actor):
    ids = _ids(as_actor("office").get(f"/api/reports/?unit={world.report_a.unit_id}"))
    assert ids == {world.report_a.pk}


def test_report_filter_by_state(world, as_actor):
    _filled(world.report_a, state=ReportState.SUBMITTED)
    assert _ids(as_actor("office").get("/api/reports/?state=submitted")) == {world.report_a.pk}


def test_report_filter_by_period(world, as_actor):
    other = ReportingPeriodFactory(plan=world.task_t.plan, start=datetime.date(2016, 10, 1), end=datetime.date(2016, 12, 31))
    later = ProgressReportFactory(task=world.task_t, unit=world.report_a.unit, period=other)
    assert _ids(as_actor("office").get(f"/api/reports/?period={other.pk}")) == {later.pk}


def test_report_filter_by_plan(world, as_actor):
    elsewhere = ProgressReportFactory()
    elsewhere.task.plan.office_staff.add(world.users["office"])
    ids = _ids(as_actor("office").get(f"/api/reports/?plan={world.task_t.plan_id}"))
    assert elsewhere.pk not in ids and world.report_a.pk in ids


def test_report_filter_late(world, as_actor):
    _filled(world.report_a, state=ReportState.SUBMITTED)
    assert world.report_a.pk in _ids(as_actor("office").get("/api/reports/?late=false"))
    assert world.report_a.pk not in _ids(as_actor("office").get("/api/reports/?late=true"))


def test_report_filter_with_non_numeric_id_is_400(world, as_actor):
    response = as_actor("office").get("/api/reports/?unit=abc")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["unit"]


def test_report_filter_with_unknown_state_is_400(world, as_actor):
    assert as_actor("office").get("/api/reports/?state=done").status_code == 400


# --- writes -----------------------------------------------------------------------------------
def test_official_fills_in_a_report_with_if_match(world, as_actor):
    response = as_actor("official_a").patch(
        url(world.report_a), {"progress": "完成拆改5台。", "percent": 40, "status": "on_track"}, HTTP_IF_MATCH='"1"',
    )
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    report = ProgressReport.objects.get(pk=world.report_a.pk)
    assert (report.progress, report.percent, report.status, report.version) == ("完成拆改5台。", 40, TaskStatus.ON_TRACK, 2)


def test_official_fills_in_a_report_with_body_version(world, as_actor):
    response = as_actor("official_a").patch(url(world.report_a), {"progress": "完成拆改5台。", "version": 1})
    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_stale_if_match_is_412_and_changes_nothing(world, as_actor):
    services.report_update(user=world.users["official_a"], report=world.report_a, progress="先写的")
    response = as_actor("official_a").patch(url(world.report_a), {"progress": "后写的"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert ProgressReport.objects.get(pk=world.report_a.pk).progress == "先写的"


def test_stale_body_version_is_409_and_changes_nothing(world, as_actor):
    services.report_update(user=world.users["official_a"], report=world.report_a, progress="先写的")
    response = as_actor("official_a").patch(url(world.report_a), {"progress": "后写的", "version": 1})
    assert response.status_code == 409
    assert ProgressReport.objects.get(pk=world.report_a.pk).progress == "先写的"


def test_write_without_version_is_400_on_version(world, as_actor):
    response = as_actor("official_a").patch(url(world.report_a), {"progress": "没有版本号"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["version"]
    assert ProgressReport.objects.get(pk=world.report_a.pk).progress == ""


def test_malformed_if_match_is_400(world, as_actor):
    response = as_actor("official_a").patch(url(world.report_a), {"progress": "x"}, HTTP_IF_MATCH="W/abc")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["version"]


@pytest.mark.parametrize("percent", [150, -1, "half", 12.5, True])
def test_percent_outside_0_to_100_or_not_integer_is_400(world, as_actor, percent):
    response = as_actor("official_a").patch(url(world.report_a), {"percent": percent, "version": 1})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["percent"]


def test_unknown_status_is_400(world, as_actor):
    response = as_actor("official_a").patch(url(world.report_a), {"status": "done", "version": 1})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]


def test_read_only_field_in_patch_is_400(world, as_actor):
    response = as_actor("official_a").patch(url(world.report_a), {"state": "approved", "version": 1})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["state"]
    assert ProgressReport.objects.get(pk=world.report_a.pk).state == ReportState.PENDING


def test_patch_refused_by_the_rules_is_403_with_the_rules_sentence(world, as_actor):
    response = as_actor("official_s").patch(url(world.report_a), {"progress": "越权", "version": 1})
    assert response.status_code == 403
    assert "只能填报本单位的报告" in response.json()["detail"]


def test_leader_submits_a_filled_report(world, as_actor):
    _filled(world.report_a)
    response = as_actor("leader_a").post(url(world.report_a, "submit"), {"version": 1})
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    assert response["ETag"] == '"2"'


def test_submitting_an_empty_report_is_400(world, as_actor):
    response = as_actor("leader_a").post(url(world.report_a, "submit"), HTTP_IF_MATCH='"1"')
    assert response.status_code == 400
    assert ProgressReport.objects.get(pk=world.report_a.pk).state == ReportState.PENDING


def test_office_approves_a_submitted_report_and_the_task_takes_its_status(world, as_actor):
    _filled(world.report_a, state=ReportState.SUBMITTED, status=TaskStatus.AHEAD)
    response = as_actor("office").post(url(world.report_a, "approve"), {"comment": "同意", "version": 1})
    assert response.status_code == 200
    assert (response.json()["state"], response.json()["review_comment"]) == ("approved", "同意")
    world.task_t.refresh_from_db()
    assert world.task_t.status == TaskStatus.AHEAD


def test_office_returns_a_report_with_a_comment(world, as_actor):
    _filled(world.report_a, state=ReportState.SUBMITTED)
    response = as_actor("office").post(url(world.report_a, "return"), {"comment": "请补充数据", "version": 1})
    assert response.status_code == 200
    assert response.json()["state"] == "returned"


def test_returning_without_a_comment_is_400(world, as_actor):
    _filled(world.report_a, state=ReportState.SUBMITTED)
    response = as_actor("office").post(url(world.report_a, "return"), {"version": 1})
    assert response.status_code == 400
    assert ProgressReport.objects.get(pk=world.report_a.pk).state == ReportState.SUBMITTED


def test_stale_approve_is_412(world, as_actor):
    _filled(world.report_a, state=ReportState.SUBMITTED)
    response = as_actor("office").post(url(world.report_a, "approve"), HTTP_IF_MATCH='"7"')
    assert response.status_code == 412
    assert ProgressReport.objects.get(pk=world.report_a.pk).state == ReportState.SUBMITTED


# --- withdrawing a submission -------------------------------------------------------------------
def test_leader_withdraws_a_submitted_report(world, as_actor):
    _filled(world.report_a)
    services.report_submit(user=world.users["leader_a"], report=world.report_a)

    response = as_actor("leader_a").post(url(world.report_a, "withdraw"), HTTP_IF_MATCH='"2"')

    assert response.status_code == 200
    body = response.json()
    assert (body["state"], body["submitted_by"], body["submitted_at"]) == ("pending", None, None)
    assert body["progress"] == "已完成燃煤锅炉拆改12台。" and response["ETag"] == '"3"'


def test_withdrawing_after_the_office_opened_the_report_is_403(world, as_actor):
    _filled(world.report_a)
    services.report_submit(user=world.users["leader_a"], report=world.report_a)
    services.report_mark_opened(user=world.users["office"], report=ProgressReport.objects.get(pk=world.report_a.pk))

    response = as_actor("leader_a").post(url(world.report_a, "withdraw"), HTTP_IF_MATCH='"2"')

    assert response.status_code == 403
    assert "督办已查阅该报告，不能撤回" in response.json()["detail"]
    assert ProgressReport.objects.get(pk=world.report_a.pk).state == ReportState.SUBMITTED


def test_an_official_cannot_withdraw_and_a_stale_withdrawal_is_412(world, as_actor):
    _filled(world.report_a)
    services.report_submit(user=world.users["leader_a"], report=world.report_a)

    assert as_actor("official_a").post(url(world.report_a, "withdraw"), HTTP_IF_MATCH='"2"').status_code == 403
    assert as_actor("leader_a").post(url(world.report_a, "withdraw"), HTTP_IF_MATCH='"1"').status_code == 412
    assert as_actor("leader_a").post(url(world.report_a, "withdraw")).status_code == 400  # no version
    assert ProgressReport.objects.get(pk=world.report_a.pk).state == ReportState.SUBMITTED


# --- who submitted and reviewed, by name --------------------------------------------------------
def test_report_names_who_submitted_and_who_reviewed_it(world, as_actor):
    Profile.objects.create(user=world.users["leader_a"], name="张伟")
    Profile.objects.create(user=world.users["office"], name="李娜", position="督查室主任")
    _filled(world.report_a)
    services.report_submit(user=world.users["leader_a"], report=world.report_a)

    submitted = as_actor("office").get(url(world.report_a)).json()
    services.report_return(user=world.users["office"], report=world.report_a, comment="请补充")
    returned = as_actor("official_a").get(url(world.report_a)).json()

    assert (submitted["submitted_by"], submitted["reviewed_by"]) == ("张伟（市发改委）", None)
    assert (returned["submitted_by"], returned["reviewed_by"]) == ("张伟（市发改委）", "李娜（督查室主任）")


def test_supporting_unit_adds_its_input(world, as_actor):
    response = as_actor("official_s").post(url(world.report_a, "inputs"), {"text": "已安排资金500万元。"})
    assert response.status_code == 200
    assert response.json()["inputs"] == [{"unit": world.users["official_s"].membership.unit_id, "text": "已安排资金500万元。"}]


def test_empty_supporting_input_is_400(world, as_actor):
    response = as_actor("official_s").post(url(world.report_a, "inputs"), {"text": ""})
    assert response.status_code == 400
    assert SupportingInput.objects.count() == 0


def test_reports_cannot_be_created_through_the_api(world, as_actor):
    response = as_actor("office").post("/api/reports/", {"task": world.task_t.pk})
    assert response.status_code == 405


def test_reports_cannot_be_deleted_through_the_api(world, as_actor):
    assert as_actor("office").delete(url(world.report_a)).status_code == 405
    assert ProgressReport.objects.filter(pk=world.report_a.pk).exists()


def test_reports_cannot_be_replaced_with_put(world, as_actor):
    assert as_actor("official_a").put(url(world.report_a), {"progress": "x", "version": 1}).status_code == 405


# --- queries ----------------------------------------------------------------------------------
def _reports(plan, office, count):
    period = ReportingPeriodFactory(plan=plan, label=f"P{count}")
    for _ in range(count):
        task = TaskFactory(plan=plan)
        unit = UnitFactory()
        AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
        report = ProgressReportFactory(task=task, unit=unit, period=period)
        SupportingInput.objects.create(report=report, unit=UnitFactory(), text="配合")


def test_report_list_runs_the_same_queries_for_3_and_12_rows(world, as_actor):
    _reports(world.task_t.plan, world.users["office"], 12)
    client = as_actor("office")
    assert count_queries(client, "/api/reports/?page_size=3") == count_queries(client, "/api/reports/?page_size=12")


def test_report_list_names_people_without_a_query_per_row(world, as_actor):
    """Each report submitted and reviewed by other named people: the list's queries stay the same."""
    _reports(world.task_t.plan, world.users["office"], 12)
    client = as_actor("office")
    few = count_queries(client, "/api/reports/?page_size=3")
    for report in ProgressReport.objects.all():
        unit = UnitFactory()
        leader = MembershipFactory(unit=unit, role=MemberRole.LEADER).user
        Profile.objects.create(user=leader, name=f"负责人{report.pk}")
        reviewer = UserFactory()
        Profile.objects.create(user=reviewer, name=f"审核人{report.pk}", position="督查室主任")
        ProgressReport.objects.filter(pk=report.pk).update(submitted_by=leader, reviewed_by=reviewer)

    rows = client.get("/api/reports/?page_size=12").json()["results"]
    assert all(row["submitted_by"].startswith("负责人") and row["reviewed_by"].endswith("（督查室主任）") for row in rows)
    assert count_queries(client, "/api/reports/?page_size=3") == few
    assert count_queries(client, "/api/reports/?page_size=12") == few


def test_report_list_queries_do_not_grow_with_rows_for_a_unit_account(world, as_actor):
    client = as_actor("official_a")
    few = count_queries(client, "/api/reports/")
    _reports(world.task_t.plan, world.users["office"], 6)
    for task in world.task_t.plan.nodes.filter(title__startswith="大力"):
        AssignmentFactory(task=task, unit=world.report_a.unit, role=Role.SUPPORTING)
    assert count_queries(client, "/api/reports/") == few


# --- the report list's capped count -------------------------------------------------------------
@pytest.fixture
def cap_of_5(monkeypatch):
    from plans.api.pagination import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 5)


def test_report_count_is_exact_up_to_the_cap(world, as_actor, cap_of_5):
    _reports(world.task_t.plan, world.users["office"], 2)
    body = as_actor("office").get("/api/reports/?page_size=2").json()
    assert body["count"] == ProgressReport.objects.visible_to(world.users["office"]).count() <= 5
    assert body["count_exact"] is True


def test_report_count_over_the_cap_is_the_cap_and_every_page_is_still_reachable(world, as_actor, cap_of_5):
    _reports(world.task_t.plan, world.users["office"], 9)
    client = as_actor("office")
    total = ProgressReport.objects.visible_to(world.users["office"]).count()
    assert total > 5
    seen, counts = walk_pages(client, "/api/reports/?page_size=2")
    assert counts == {(5, False)}
    assert len(seen) == len(set(seen)) == total  # past the capped count, no page lost or repeated
    assert client.get(f"/api/reports/?page_size=2&page={total}").status_code == 404  # past the end


def test_report_list_is_in_period_task_unit_order(world, as_actor):
    _reports(world.task_t.plan, world.users["office"], 4)
    rows = as_actor("office").get("/api/reports/?page_size=100").json()["results"]
    keys = [(row["period"], row["task"], row["unit"]) for row in rows]
    assert keys == sorted(keys) and len(keys) > 4


def test_report_representation_is_drfs_field_by_field_one(world):
    """ReportSerializer builds its fields directly; DRF's own walk over the declared fields must agree."""
    from rest_framework import serializers as drf

    from plans.api.reports import ReportSerializer
    from plans.selectors.reports import reports_for_api

    _reports(world.task_t.plan, world.users["office"], 3)
    ProgressReport.objects.filter(pk=world.report_a.pk).update(submitted_at=timezone.now(), progress="已完成")
    reports = list(reports_for_api(world.users["office"], timezone.localdate()))
    assert len(reports) >= 4 and any(report.submitted_at for report in reports)
    serializer = ReportSerializer()
    for report in reports:
        assert serializer.to_representation(report) == drf.ModelSerializer.to_representation(serializer, report)
