"""/api/acknowledgements/ (签收): each unit sees and signs its own, the plan's office sees them
all; filters; versions. The permission world's opened period made one per reporting unit
(A, M for task T, B for task B)."""
import datetime

import pytest
from django.utils import timezone

from plans.models import Acknowledgement, person_label
from tests.api.conftest import count_queries

URL = "/api/acknowledgements/"


def units_listed(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return {row["unit"] for row in response.json()["results"]}


@pytest.fixture
def ack_a(world):
    return Acknowledgement.objects.get(unit=world.report_a.unit, period=world.report_a.period)


def test_each_unit_lists_only_its_own(world, as_actor):
    unit_a, unit_b, unit_m = world.report_a.unit_id, world.report_b.unit_id, world.report_m.unit_id
    assert units_listed(as_actor("official_a")) == {unit_a}
    assert units_listed(as_actor("leader_b")) == {unit_b}
    assert units_listed(as_actor("member_m")) == {unit_m}
    assert units_listed(as_actor("official_s")) == set()  # a supporting unit reports nothing here
    assert units_listed(as_actor("office")) == {unit_a, unit_b, unit_m}
    assert units_listed(as_actor("other_office")) == set()


def test_a_row_shows_what_who_and_when(world, as_actor, ack_a):
    response = as_actor("official_a").get(f"{URL}{ack_a.pk}/")
    assert response.status_code == 200 and response["ETag"] == '"1"'
    body = response.json()
    assert body["plan"] == world.task_t.plan_id and body["plan_title"] == world.task_t.plan.title
    assert (body["period"], body["period_label"]) == (world.report_a.period_id, world.report_a.period.label)
    assert body["unit_name"] == world.report_a.unit.name
    assert body["due_on"] == ack_a.due_on.isoformat()
    assert (body["acknowledged_at"], body["acknowledged_by"], body["is_late"], body["days_waiting"]) == (
        None, None, False, 0,
    )


def test_days_waiting_and_lateness_count_from_the_assignment(world, as_actor, ack_a):
    Acknowledgement.objects.filter(pk=ack_a.pk).update(
        assigned_at=timezone.now() - datetime.timedelta(days=5), due_on=timezone.localdate() - datetime.timedelta(days=2),
    )
    body = as_actor("official_a").get(f"{URL}{ack_a.pk}/").json()
    assert (body["days_waiting"], body["is_late"]) == (5, True)


def test_own_unit_acknowledges_once(world, as_actor, ack_a):
    response = as_actor("official_a").post(f"{URL}{ack_a.pk}/acknowledge/", {}, HTTP_IF_MATCH='"1"')

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["acknowledged_by"] == person_label(world.users["official_a"]) and body["acknowledged_at"]
    assert response["ETag"] == '"2"'
    again = as_actor("leader_a").post(f"{URL}{ack_a.pk}/acknowledge/", {}, HTTP_IF_MATCH='"2"')
    assert again.status_code == 403 and "已签收，无需重复签收" in again.json()["detail"]
    ack_a.refresh_from_db()
    assert ack_a.acknowledged_by == world.users["official_a"]


def test_another_unit_or_the_office_cannot_acknowledge(world, as_actor, ack_a):
    assert as_actor("official_b").post(f"{URL}{ack_a.pk}/acknowledge/", {}, HTTP_IF_MATCH='"1"').status_code == 404
    response = as_actor("office").post(f"{URL}{ack_a.pk}/acknowledge/", {}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 403 and "只能签收本单位的事项" in response.json()["detail"]
    ack_a.refresh_from_db()
    assert ack_a.acknowledged_at is None


def test_acknowledging_needs_the_current_version(world, as_actor, ack_a):
    stale = as_actor("official_a").post(f"{URL}{ack_a.pk}/acknowledge/", {}, HTTP_IF_MATCH='"5"')
    assert stale.status_code == 412
    missing = as_actor("official_a").post(f"{URL}{ack_a.pk}/acknowledge/", {})
    assert missing.status_code == 400 and "version" in missing.json()["errors"]
    ack_a.refresh_from_db()
    assert ack_a.acknowledged_at is None


def test_filters(world, as_actor, ack_a):
    office = as_actor("office")
    as_actor("official_a").post(f"{URL}{ack_a.pk}/acknowledge/", {}, HTTP_IF_MATCH='"1"')
    unit_a = world.report_a.unit_id
    assert units_listed(office, waiting="false") == {unit_a}
    assert unit_a not in units_listed(office, waiting="true") and units_listed(office, waiting="true")
    assert units_listed(office, unit=world.report_b.unit_id) == {world.report_b.unit_id}
    assert len(units_listed(office, plan=world.task_t.plan_id, period=world.report_a.period_id)) == 3
    assert units_listed(office, plan=world.task_t.plan_id + 1000) == set()
    assert office.get(URL, {"waiting": "maybe"}).status_code == 400
    assert office.get(URL, {"period": "x"}).status_code == 400


def test_a_page_names_its_signers_without_a_query_per_row(world, as_actor):
    office = as_actor("office")
    unsigned = count_queries(office, URL)
    for actor in ("official_a", "member_m", "official_b"):
        row = Acknowledgement.objects.get(unit=world.users[actor].membership.unit)
        assert as_actor(actor).post(f"{URL}{row.pk}/acknowledge/", {}, HTTP_IF_MATCH='"1"').status_code == 200
    body = office.get(URL).json()["results"]
    assert len(body) == 3 and all(row["acknowledged_by"] for row in body)
    assert count_queries(office, URL) == unsigned
