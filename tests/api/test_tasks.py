"""/api/tasks/: reads, visibility, filters, query counts, and the office's writes to tasks,
their assignments and deadlines (through the services, with versions)."""
import datetime

import pytest
from django.utils import timezone

from plans.models import Assignment, Deadline, DeadlineKind, ReportingPeriod, Role, Task, TaskStatus
from tests.api.conftest import count_queries, walk_pages
from tests.factories import (
    AssignmentFactory,
    DeadlineFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    SectionFactory,
    TaskFactory,
    UnitFactory,
)

TODAY = timezone.localdate()


def url(task, rest=""):
    return f"/api/tasks/{task.pk}/{rest}"


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- reads ------------------------------------------------------------------------------------
def test_task_detail_has_the_contract_fields(world, as_actor):
    body = as_actor("office").get(url(world.task_t)).json()
    assert set(body) == {
        "id", "plan", "parent", "path", "label", "title", "text", "level", "status", "light", "overdue",
        "due_date", "start_date", "assignments", "deadlines", "latest_report", "closure", "closure_label",
        "closed_at", "version",
    }


def test_task_assignments_are_grouped_by_role_with_the_lead_first(world, as_actor):
    assignments = as_actor("office").get(url(world.task_t)).json()["assignments"]
    lead = Assignment.objects.get(task=world.task_t, is_lead=True)
    assert set(assignments) == {"responsible", "supporting", "implementing"}
    assert assignments["responsible"][0] == {
        "id": lead.pk, "unit": lead.unit_id, "name": lead.unit.name, "position": 0, "is_lead": True, "version": 1,
    }
    assert [row["is_lead"] for row in assignments["responsible"]] == [True, False]
    assert len(assignments["supporting"]) == 1 and assignments["implementing"] == []


def test_task_shows_deadlines_due_date_and_overdue(world, as_actor):
    deadline = DeadlineFactory(task=world.task_t, date=datetime.date(2016, 10, 31), text="10月底前")
    body = as_actor("office").get(url(world.task_t)).json()
    assert body["deadlines"] == [
        {"id": deadline.pk, "kind": "due", "date": "2016-10-31", "rule": "", "text": "10月底前",
         "original_date": None, "extensions": 0, "version": 1}
    ]
    assert (body["due_date"], body["overdue"], body["light"]) == ("2016-10-31", True, "red")


def test_task_latest_report_is_the_leads_report_of_the_latest_period(world, as_actor):
    latest = as_actor("office").get(url(world.task_t)).json()["latest_report"]
    assert latest == {
        "id": world.report_a.pk, "period": world.report_a.period_id, "unit": world.report_a.unit_id,
        "state": "pending", "status": "not_started", "percent": None,
    }


def test_task_without_reports_has_no_latest_report(world, as_actor):
    task = TaskFactory(plan=world.task_t.plan)
    assert as_actor("office").get(url(task)).json()["latest_report"] is None


def test_task_detail_sends_the_version_as_etag(world, as_actor):
    assert as_actor("office").get(url(world.task_t))["ETag"] == '"1"'


def test_sections_are_not_tasks(world, as_actor):
    section = SectionFactory(plan=world.task_t.plan)
    assert section.pk not in _ids(as_actor("office").get("/api/tasks/"))


def test_unit_official_lists_only_its_units_tasks(world, as_actor):
    assert _ids(as_actor("official_b").get("/api/tasks/")) == {world.task_b.pk}


def test_member_of_a_collective_sees_the_collectives_tasks(world, as_actor):
    assert _ids(as_actor("member_m").get("/api/tasks/")) == {world.task_t.pk}


def test_another_units_task_is_404(world, as_actor):
    assert as_actor("official_a").get(url(world.task_b)).status_code == 404


def test_office_of_another_plan_sees_no_task(world, as_actor):
    assert _ids(as_actor("other_office").get("/api/tasks/")) == set()


def test_anonymous_task_list_is_401(api, world):
    assert api().get("/api/tasks/").status_code == 401


# --- filters ----------------------------------------------------------------------------------
def test_filter_by_plan(world, as_actor):
    elsewhere = TaskFactory()
    elsewhere.plan.office_staff.add(world.users["office"])
    assert _ids(as_actor("office").get(f"/api/tasks/?plan={elsewhere.plan_id}")) == {elsewhere.pk}


def test_filter_by_unit_in_any_role(world, as_actor):
    supporting = world.users["official_s"].membership.unit_id
    assert _ids(as_actor("office").get(f"/api/tasks/?unit={supporting}")) == {world.task_t.pk}


def test_filter_by_unit_and_role(world, as_actor):
    supporting = world.users["official_s"].membership.unit_id
    client = as_actor("office")
    assert _ids(client.get(f"/api/tasks/?unit={supporting}&role=supporting")) == {world.task_t.pk}
    assert _ids(client.get(f"/api/tasks/?unit={supporting}&role=responsible")) == set()


def test_filter_by_status(world, as_actor):
    Task.objects.filter(pk=world.task_b.pk).update(status=TaskStatus.BEHIND)
    assert _ids(as_actor("office").get("/api/tasks/?status=behind")) == {world.task_b.pk}


def test_filter_by_light(world, as_actor):
    DeadlineFactory(task=world.task_t, date=datetime.date(2016, 10, 31))  # passed: red
    DeadlineFactory(task=world.task_b, date=TODAY + datetime.timedelta(days=3))  # due soon: yellow
    green = TaskFactory(plan=world.task_t.plan)
    client = as_actor("office")
    assert _ids(client.get("/api/tasks/?light=red")) == {world.task_t.pk}
    assert _ids(client.get("/api/tasks/?light=yellow")) == {world.task_b.pk}
    assert _ids(client.get("/api/tasks/?light=green")) == {green.pk}


def test_filter_overdue(world, as_actor):
    DeadlineFactory(task=world.task_t, date=datetime.date(2016, 10, 31))
    DeadlineFactory(task=world.task_b, date=TODAY + datetime.timedelta(days=30))
    client = as_actor("office")
    assert _ids(client.get("/api/tasks/?overdue=true")) == {world.task_t.pk}
    assert _ids(client.get("/api/tasks/?overdue=false")) == {world.task_b.pk}


def test_filter_by_first_due_date(world, as_actor):
    DeadlineFactory(task=world.task_t, date=datetime.date(2016, 6, 15))
    DeadlineFactory(task=world.task_t, date=datetime.date(2016, 12, 31))
    DeadlineFactory(task=world.task_b, date=datetime.date(2016, 10, 31))
    client = as_actor("office")
    assert _ids(client.get("/api/tasks/?due_before=2016-06-30")) == {world.task_t.pk}
    assert _ids(client.get("/api/tasks/?due_after=2016-07-01")) == {world.task_b.pk}


def test_filter_by_period(world, as_actor):
    other = ReportingPeriodFactory(plan=world.task_t.plan, label="2016Q4")
    ProgressReportFactory(task=world.task_b, unit=world.users["official_b"].membership.unit, period=other)
    assert _ids(as_actor("office").get(f"/api/tasks/?period={other.pk}")) == {world.task_b.pk}


def test_search_matches_title(world, as_actor):
    assert _ids(as_actor("office").get("/api/tasks/?search=黄标车")) == {world.task_b.pk}


def test_search_matches_text(world, as_actor):
    Task.objects.filter(pk=world.task_t.pk).update(text="拆改燃煤锅炉")
    assert _ids(as_actor("office").get("/api/tasks/?search=锅炉")) == {world.task_t.pk}


def test_search_matches_unit_names(world, as_actor):
    assert _ids(as_actor("office").get("/api/tasks/?search=市公安局")) == {world.task_b.pk}


def test_ordering_by_due_date_then_title(world, as_actor):
    DeadlineFactory(task=world.task_t, date=datetime.date(2016, 12, 31))
    DeadlineFactory(task=world.task_b, date=datetime.date(2016, 6, 15))
    rows = as_actor("office").get("/api/tasks/?ordering=due_date,-position,title").json()["results"]
    assert [row["id"] for row in rows] == [world.task_b.pk, world.task_t.pk]
    rows = as_actor("office").get("/api/tasks/?ordering=-due_date").json()["results"]
    assert [row["id"] for row in rows] == [world.task_t.pk, world.task_b.pk]


@pytest.mark.parametrize("query", ["plan=abc", "unit=1.5", "period=-3", "status=done", "light=blue", "due_before=2016-13-01"])
def test_malformed_filter_is_400(world, as_actor, query):
    assert as_actor("office").get(f"/api/tasks/?{query}").status_code == 400


def test_page_size_is_honoured(world, as_actor):
    for _ in range(4):
        TaskFactory(plan=world.task_t.plan)
    body = as_actor("office").get("/api/tasks/?page_size=3").json()
    assert (body["count"], len(body["results"])) == (6, 3)


# --- queries ----------------------------------------------------------------------------------
def _tasks(plan, count):
    period = ReportingPeriod.objects.filter(plan=plan).first()
    for _ in range(count):
        task = TaskFactory(plan=plan)
        unit = UnitFactory()
        AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
        AssignmentFactory(task=task, role=Role.SUPPORTING)
        DeadlineFactory(task=task)
        ProgressReportFactory(task=task, unit=unit, period=period)


def test_task_list_runs_the_same_queries_for_3_and_12_rows(world, as_actor):
    _tasks(world.task_t.plan, 12)
    client = as_actor("office")
    assert count_queries(client, "/api/tasks/?page_size=3") == count_queries(client, "/api/tasks/?page_size=12")


def test_task_list_filtered_by_light_runs_the_same_queries_for_3_and_12_rows(world, as_actor):
    _tasks(world.task_t.plan, 12)
    client = as_actor("office")
    assert count_queries(client, "/api/tasks/?light=red&page_size=3") == count_queries(
        client, "/api/tasks/?light=red&page_size=12"
    )


# --- office writes: the task ------------------------------------------------------------------
def test_office_changes_a_tasks_title_and_status(world, as_actor):
    response = as_actor("office").patch(url(world.task_t), {"title": "燃煤锅炉替代", "status": "behind"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    world.task_t.refresh_from_db()
    assert (world.task_t.title, world.task_t.status, world.task_t.version) == ("燃煤锅炉替代", TaskStatus.BEHIND, 2)


def test_completing_a_task_records_when(world, as_actor):
    as_actor("office").patch(url(world.task_t), {"status": "completed", "version": 1})
    world.task_t.refresh_from_db()
    assert world.task_t.completed_at is not None


def test_history_records_the_office_user_as_author(world, as_actor):
    as_actor("office").patch(url(world.task_t), {"title": "新标题", "version": 1})
    assert world.task_t.history.latest("history_date").history_user == world.users["office"]


def test_unit_leader_cannot_change_a_task(world, as_actor):
    response = as_actor("leader_a").patch(url(world.task_t), {"title": "改掉标题", "version": 1})
    assert response.status_code == 403
    assert Task.objects.get(pk=world.task_t.pk).title == "燃煤替代"


def test_task_patch_with_stale_if_match_is_412(world, as_actor):
    response = as_actor("office").patch(url(world.task_t), {"title": "改掉标题"}, HTTP_IF_MATCH='"9"')
    assert response.status_code == 412
    assert Task.objects.get(pk=world.task_t.pk).title == "燃煤替代"


def test_task_patch_with_stale_body_version_is_409(world, as_actor):
    response = as_actor("office").patch(url(world.task_t), {"title": "改掉标题", "version": 9})
    assert response.status_code == 409


def test_task_patch_without_version_is_400(world, as_actor):
    response = as_actor("office").patch(url(world.task_t), {"title": "改掉标题"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["version"]


def test_blank_task_title_is_400(world, as_actor):
    response = as_actor("office").patch(url(world.task_t), {"title": "", "version": 1}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["title"]


# --- office writes: assignments ---------------------------------------------------------------
def test_office_adds_an_assignment_after_the_existing_ones(world, as_actor):
    unit = UnitFactory()
    response = as_actor("office").post(url(world.task_t, "assignments/"), {"unit": unit.pk, "role": "supporting"})
    assert response.status_code == 201
    assert (response.json()["position"], response.json()["role"], response.json()["version"]) == (1, "supporting", 1)
    assert Assignment.objects.filter(task=world.task_t, unit=unit, role=Role.SUPPORTING).exists()


def test_adding_a_unit_twice_in_one_role_is_400(world, as_actor):
    lead = Assignment.objects.get(task=world.task_t, is_lead=True)
    response = as_actor("office").post(url(world.task_t, "assignments/"), {"unit": lead.unit_id, "role": "responsible"})
    assert response.status_code == 400


def test_assignment_of_unknown_unit_is_400(world, as_actor):
    response = as_actor("office").post(url(world.task_t, "assignments/"), {"unit": 999999, "role": "supporting"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["unit"]


def test_unit_official_cannot_add_an_assignment(world, as_actor):
    response = as_actor("leader_a").post(url(world.task_t, "assignments/"), {"unit": UnitFactory().pk, "role": "supporting"})
    assert response.status_code == 403
    assert world.task_t.assignments.count() == 3


def test_office_moves_an_assignment_with_if_match(world, as_actor):
    supporting = Assignment.objects.get(task=world.task_t, role=Role.SUPPORTING)
    response = as_actor("office").patch(
        url(world.task_t, f"assignments/{supporting.pk}/"), {"role": "implementing"}, HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200
    assert response["ETag"] == '"2"'
    supporting.refresh_from_db()
    assert supporting.role == Role.IMPLEMENTING


def test_assignment_detail_sends_its_version_as_etag(world, as_actor):
    lead = Assignment.objects.get(task=world.task_t, is_lead=True)
    response = as_actor("office").get(url(world.task_t, f"assignments/{lead.pk}/"))
    assert (response.status_code, response["ETag"]) == (200, '"1"')


def test_stale_assignment_patch_is_412(world, as_actor):
    lead = Assignment.objects.get(task=world.task_t, is_lead=True)
    response = as_actor("office").patch(url(world.task_t, f"assignments/{lead.pk}/"), {"position": 7}, HTTP_IF_MATCH='"3"')
    assert response.status_code == 412
    assert Assignment.objects.get(pk=lead.pk).position == 0


def test_office_deletes_an_assignment(world, as_actor):
    supporting = Assignment.objects.get(task=world.task_t, role=Role.SUPPORTING)
    response = as_actor("office").delete(url(world.task_t, f"assignments/{supporting.pk}/"), HTTP_IF_MATCH='"1"')
    assert response.status_code == 204
    assert not Assignment.objects.filter(pk=supporting.pk).exists()


def test_deleting_an_assignment_without_version_is_400(world, as_actor):
    supporting = Assignment.objects.get(task=world.task_t, role=Role.SUPPORTING)
    response = as_actor("office").delete(url(world.task_t, f"assignments/{supporting.pk}/"))
    assert response.status_code == 400
    assert Assignment.objects.filter(pk=supporting.pk).exists()


def test_assignment_of_another_task_is_404_under_this_task(world, as_actor):
    other = Assignment.objects.get(task=world.task_b)
    response = as_actor("office").patch(url(world.task_t, f"assignments/{other.pk}/"), {"position": 3, "version": 1})
    assert response.status_code == 404


# --- office writes: deadlines -----------------------------------------------------------------
def test_office_adds_a_deadline(world, as_actor):
    response = as_actor("office").post(url(world.task_t, "deadlines/"), {"date": "2016-10-31", "text": "10月底前"})
    assert response.status_code == 201
    assert Deadline.objects.get(task=world.task_t).date == datetime.date(2016, 10, 31)


def test_recurring_deadline_needs_no_date(world, as_actor):
    response = as_actor("office").post(
        url(world.task_t, "deadlines/"), {"kind": "recurring", "rule": "quarterly:3:23", "text": "每季度最后一月的23日前"}
    )
    assert response.status_code == 201
    assert Deadline.objects.get(task=world.task_t).kind == DeadlineKind.RECURRING


def test_due_deadline_without_date_is_400(world, as_actor):
    response = as_actor("office").post(url(world.task_t, "deadlines/"), {"kind": "due", "text": "尽快"})
    assert response.status_code == 400
    assert "须填写日期" in str(response.json())  # only an import keeps an undated one, for an office to date
    assert not Deadline.objects.filter(task=world.task_t).exists()


def test_office_moves_a_deadline_with_body_version(world, as_actor):
    deadline = DeadlineFactory(task=world.task_t)
    response = as_actor("office").patch(url(world.task_t, f"deadlines/{deadline.pk}/"), {"date": "2016-11-30", "version": 1})
    assert response.status_code == 200
    assert Deadline.objects.get(pk=deadline.pk).date == datetime.date(2016, 11, 30)


def test_stale_deadline_patch_is_409_with_body_version(world, as_actor):
    deadline = DeadlineFactory(task=world.task_t)
    response = as_actor("office").patch(url(world.task_t, f"deadlines/{deadline.pk}/"), {"date": "2016-11-30", "version": 2})
    assert response.status_code == 409
    assert Deadline.objects.get(pk=deadline.pk).date == datetime.date(2016, 10, 31)


def test_office_deletes_a_deadline(world, as_actor):
    deadline = DeadlineFactory(task=world.task_t)
    response = as_actor("office").delete(url(world.task_t, f"deadlines/{deadline.pk}/"), HTTP_IF_MATCH='"1"')
    assert response.status_code == 204
    assert not Deadline.objects.filter(pk=deadline.pk).exists()


def test_unit_official_cannot_delete_a_deadline(world, as_actor):
    deadline = DeadlineFactory(task=world.task_t)
    response = as_actor("official_a").delete(url(world.task_t, f"deadlines/{deadline.pk}/"), HTTP_IF_MATCH='"1"')
    assert response.status_code == 403
    assert Deadline.objects.filter(pk=deadline.pk).exists()


# --- the list's shortcuts give what the declared serializers give -------------------------------
def test_task_assignments_and_latest_report_match_their_declared_serializers(world, as_actor):
    from plans.api.tasks import LatestReportSerializer, TaskAssignmentSerializer

    task = world.report_a.task
    body = as_actor("office").get(f"/api/tasks/{task.pk}/").json()
    for assignment in Assignment.objects.filter(task=task).select_related("unit"):
        assert TaskAssignmentSerializer(assignment).data in body["assignments"][assignment.role]
    listed = {row["id"]: row for row in as_actor("office").get("/api/tasks/?page_size=100").json()["results"]}
    latest = listed[task.pk]["latest_report"]
    assert latest == dict(LatestReportSerializer(world.report_a.__class__.objects.get(pk=latest["id"])).data)
    assert body["latest_report"] == latest


def test_a_user_both_office_and_unit_member_sees_each_task_once(world, as_actor):
    """Visibility is built from subqueries, not joins: no row comes twice, without DISTINCT."""
    from plans.models import Membership

    official = world.users["official_a"]
    world.task_t.plan.office_staff.add(official)
    assert Membership.objects.filter(user=official).exists()
    ids = [row["id"] for row in as_actor("official_a").get("/api/tasks/?page_size=500").json()["results"]]
    assert len(ids) == len(set(ids)) == Task.objects.tasks().filter(plan=world.task_t.plan).count()


def test_due_before_and_after_filter_on_the_first_due_date(world, as_actor):
    task = TaskFactory(plan=world.task_t.plan)
    DeadlineFactory(task=task, kind=DeadlineKind.DUE, date=datetime.date(2031, 3, 31), position=0)
    DeadlineFactory(task=task, kind=DeadlineKind.DUE, date=datetime.date(2031, 9, 30), position=1)
    client = as_actor("office")

    def ids(query):
        return {row["id"] for row in client.get(f"/api/tasks/?page_size=500&{query}").json()["results"]}

    assert task.pk in ids("due_before=2031-03-31") and task.pk not in ids("due_before=2031-03-30")
    assert task.pk in ids("due_after=2031-03-31") and task.pk not in ids("due_after=2031-04-01")


def test_task_representation_is_drfs_field_by_field_one(world, as_actor):
    """TaskSerializer builds its fields directly; DRF's own walk over the declared fields must agree."""
    from rest_framework import serializers as drf

    from plans.api.tasks import TaskSerializer
    from plans.selectors.tasks import tasks_for_api

    DeadlineFactory(task=world.report_a.task, kind=DeadlineKind.START, date=datetime.date(2016, 8, 1), position=5)
    calm = TaskFactory(plan=world.task_t.plan)  # no deadline, no report
    tasks = list(tasks_for_api(world.users["office"]))
    assert len(tasks) >= 3 and calm in tasks
    serializer = TaskSerializer(context={"today": TODAY})
    for task in tasks:
        assert serializer.to_representation(task) == drf.ModelSerializer.to_representation(serializer, task)


def test_task_count_over_the_cap_is_the_cap_and_every_page_is_still_reachable(world, as_actor, monkeypatch):
    from plans.api.pagination import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 2)
    for _ in range(3):
        TaskFactory(plan=world.task_t.plan)
    client = as_actor("office")
    total = Task.objects.tasks().visible_to(world.users["office"]).count()
    seen, counts = walk_pages(client, "/api/tasks/?page_size=2")
    assert counts == {(2, False)}
    assert len(seen) == len(set(seen)) == total > 2
    assert client.get("/api/tasks/?plan=999999").json()["count_exact"] is True
