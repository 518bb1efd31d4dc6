"""/api/periods/: reading periods and the office opening and closing them."""
from plans.models import ProgressReport, ReportingPeriod
from tests.api.conftest import count_queries
from tests.factories import PlanFactory, ReportingPeriodFactory


def _url(period, action=""):
    return f"/api/periods/{period.pk}/" + (f"{action}/" if action else "")


def test_period_has_the_contract_fields(world, as_actor):
    period = world.report_a.period
    body = as_actor("official_a").get(_url(period)).json()
    assert body == {
        "id": period.pk, "plan": period.plan_id, "label": period.label, "start": "2016-07-01", "end": "2016-09-30",
        "due_date": "2016-09-23", "is_open": True, "version": period.version,
    }


def test_period_of_an_invisible_plan_is_404(world, as_actor):
    assert as_actor("other_office").get(_url(world.report_a.period)).status_code == 404


def test_filter_periods_by_plan(world, as_actor):
    ReportingPeriodFactory(plan=PlanFactory())
    response = as_actor("office").get(f"/api/periods/?plan={world.task_t.plan_id}")
    assert [row["id"] for row in response.json()["results"]] == [world.report_a.period_id]


def test_filter_periods_by_open(world, as_actor):
    closed = ReportingPeriodFactory(plan=world.task_t.plan, label="2016Q4")
    response = as_actor("office").get("/api/periods/?is_open=false")
    assert [row["id"] for row in response.json()["results"]] == [closed.pk]


def test_office_opens_a_period_and_its_reports_are_created(world, as_actor):
    period = ReportingPeriodFactory(plan=world.task_t.plan, label="2016Q4")
    response = as_actor("office").post(_url(period, "open"), HTTP_IF_MATCH=f'"{period.version}"')
    assert response.status_code == 200
    assert response.json()["is_open"] is True
    assert response["ETag"] == f'"{period.version + 1}"'
    assert ProgressReport.objects.filter(period=period).count() == 3  # A and M on T, B on task B


def test_office_closes_a_period(world, as_actor):
    period = world.report_a.period
    response = as_actor("office").post(_url(period, "close"), {"version": period.version}, format="json")
    assert response.status_code == 200
    assert ReportingPeriod.objects.get(pk=world.report_a.period_id).is_open is False


def test_unit_leader_cannot_open_a_period(world, as_actor):
    period = ReportingPeriodFactory(plan=world.task_t.plan, label="2016Q4")
    response = as_actor("leader_a").post(_url(period, "open"), HTTP_IF_MATCH=f'"{period.version}"')
    assert response.status_code == 403
    assert ReportingPeriod.objects.get(pk=period.pk).is_open is False


def test_office_of_another_plan_cannot_close_a_period(world, as_actor):
    assert as_actor("other_office").post(_url(world.report_a.period, "close")).status_code == 404
    assert ReportingPeriod.objects.get(pk=world.report_a.period_id).is_open is True


def test_period_list_runs_the_same_queries_for_3_and_12_rows(world, as_actor):
    for number in range(12):
        ReportingPeriodFactory(plan=world.task_t.plan, label=f"M{number}")
    client = as_actor("office")
    assert count_queries(client, "/api/periods/?page_size=3") == count_queries(client, "/api/periods/?page_size=12")


def test_opening_from_a_stale_version_is_refused_and_changes_nothing(world, as_actor):
    period = ReportingPeriodFactory(plan=world.task_t.plan, label="2016Q4")
    as_actor("office").post(_url(period, "close"), HTTP_IF_MATCH=f'"{period.version}"')  # no change: still version 1
    ReportingPeriod.objects.filter(pk=period.pk).update(version=5)  # someone else acted meanwhile
    response = as_actor("office").post(_url(period, "open"), HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert ReportingPeriod.objects.get(pk=period.pk).is_open is False
    assert ProgressReport.objects.filter(period=period).count() == 0


def test_opening_without_a_version_is_a_400(world, as_actor):
    period = ReportingPeriodFactory(plan=world.task_t.plan, label="2016Q4")
    response = as_actor("office").post(_url(period, "open"))
    assert response.status_code == 400
    assert "version" in response.json()["errors"]
