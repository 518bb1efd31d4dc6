"""The supervision cycle through the API: 延期申请 and its decision, 办结申请, 办结, 销号 and
reopening, each rule both ways (the rule's own sentence when refused), with versions.

The permission world (tests/test_permissions.build_world): unit A leads task T (official_a,
leader_a), S supports it, M answers for a collective on it, B has task B only; `office` runs
the plan, `other_office` another plan."""
import datetime

import pytest
from django.utils import timezone

from plans import services
from plans.models import ClaimState, Closure, CompletionClaim, Deadline, ExtensionRequest, TaskStatus, person_label
from tests.factories import DeadlineFactory

TODAY = timezone.localdate()
EXTENSIONS = "/api/extension-requests/"
CLAIMS = "/api/completion-claims/"


def task_url(task, rest=""):
    return f"/api/tasks/{task.pk}/{rest}"


@pytest.fixture
def deadline(world):
    return DeadlineFactory(task=world.task_t, date=TODAY + datetime.timedelta(days=30), text="一个月内")


def ask(client, deadline, days=60, reason="设备到货推迟"):
    return client.post(EXTENSIONS, {
        "deadline": deadline.pk, "requested_date": (deadline.date + datetime.timedelta(days=days)).isoformat(),
        "reason": reason,
    })


def refused(response, status, sentence):
    assert response.status_code == status, response.content
    assert sentence in response.json()["detail"], response.json()


# --- 延期申请 ----------------------------------------------------------------------------------

def test_leader_of_the_lead_unit_requests_an_extension(world, as_actor, deadline):
    response = ask(as_actor("leader_a"), deadline)

    assert response.status_code == 201, response.content
    body = response.json()
    request = ExtensionRequest.objects.get()
    assert body["id"] == request.pk and response["ETag"] == '"1"'
    assert (body["task"], body["deadline"], body["state"]) == (world.task_t.pk, deadline.pk, "pending")
    assert body["current_date"] == deadline.date.isoformat()
    assert body["requested_date"] == (deadline.date + datetime.timedelta(days=60)).isoformat()
    assert body["requested_by"] == person_label(world.users["leader_a"]) and body["decided_by"] is None
    assert body["unit_name"] == request.unit.name and body["reason"] == "设备到货推迟"


@pytest.mark.parametrize("actor, status, sentence", [
    ("official_a", 403, "延期申请须由单位负责人提出"),  # the lead unit, but not its leader
    ("official_s", 403, "只有牵头单位才能申请延期"),  # a supporting unit sees the task
    ("office", 403, "只有牵头单位才能申请延期"),
])
def test_others_cannot_request_an_extension(world, as_actor, deadline, actor, status, sentence):
    refused(ask(as_actor(actor), deadline), status, sentence)
    assert not ExtensionRequest.objects.exists()


def test_a_unit_without_the_task_does_not_find_its_deadline(world, as_actor, deadline):
    response = ask(as_actor("leader_b"), deadline)
    assert response.status_code == 404
    assert not ExtensionRequest.objects.exists()


def test_extension_after_the_deadline_is_refused_unless_the_plan_allows_it(world, as_actor, deadline):
    Deadline.objects.filter(pk=deadline.pk).update(date=TODAY - datetime.timedelta(days=1))
    deadline.refresh_from_db()
    refused(ask(as_actor("leader_a"), deadline), 403, "完成时限已过，不能再申请延期")
    assert not ExtensionRequest.objects.exists()

    world.task_t.plan.__class__.objects.filter(pk=world.task_t.plan_id).update(allow_late_extensions=True)
    assert ask(as_actor("leader_a"), deadline).status_code == 201


def test_extension_input_errors_are_the_services_sentences(world, as_actor, deadline):
    refused(ask(as_actor("leader_a"), deadline, reason="  "), 400, "请填写延期理由")
    refused(ask(as_actor("leader_a"), deadline, days=0), 400, "申请延至的日期须晚于现在的时限")
    response = as_actor("leader_a").post(EXTENSIONS, {"deadline": deadline.pk, "reason": "x", "state": "approved"})
    assert response.status_code == 400 and "state" in response.json()["errors"]
    assert not ExtensionRequest.objects.exists()


def test_a_second_open_request_for_the_same_deadline_is_refused(world, as_actor, deadline):
    assert ask(as_actor("leader_a"), deadline).status_code == 201
    refused(ask(as_actor("leader_a"), deadline, days=90), 403, "该时限已有待审批的延期申请")
    assert ExtensionRequest.objects.count() == 1


def test_office_approval_moves_the_deadline_and_keeps_its_first_date(world, as_actor, deadline):
    request_id = ask(as_actor("leader_a"), deadline).json()["id"]
    first, asked = deadline.date, deadline.date + datetime.timedelta(days=60)

    refused(
        as_actor("leader_a").post(f"{EXTENSIONS}{request_id}/approve/", {}, HTTP_IF_MATCH='"1"'), 403,
        "只有督办人员才能审批延期申请",
    )
    response = as_actor("office").post(f"{EXTENSIONS}{request_id}/approve/", {"comment": "同意"}, HTTP_IF_MATCH='"1"')

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["state"], body["decision_comment"], response["ETag"]) == ("approved", "同意", '"2"')
    assert body["decided_by"] == person_label(world.users["office"])
    assert body["current_date"] == first.isoformat()  # the request keeps the date it was filed against
    shown = as_actor("official_a").get(task_url(world.task_t, f"deadlines/{deadline.pk}/")).json()
    assert (shown["date"], shown["original_date"], shown["extensions"]) == (asked.isoformat(), first.isoformat(), 1)
    [in_task] = [d for d in as_actor("official_a").get(task_url(world.task_t)).json()["deadlines"]
                 if d["id"] == deadline.pk]
    assert (in_task["date"], in_task["original_date"], in_task["extensions"]) == (
        asked.isoformat(), first.isoformat(), 1,
    )
    refused(
        as_actor("office").post(f"{EXTENSIONS}{request_id}/approve/", {}, HTTP_IF_MATCH='"2"'), 403, "该申请已审批",
    )


def test_a_stale_version_decides_nothing(world, as_actor, deadline):
    request_id = ask(as_actor("leader_a"), deadline).json()["id"]

    response = as_actor("office").post(f"{EXTENSIONS}{request_id}/approve/", {}, HTTP_IF_MATCH='"7"')
    assert response.status_code == 412 and response.json()["code"] == "precondition_failed"
    response = as_actor("office").post(f"{EXTENSIONS}{request_id}/approve/", {})
    assert response.status_code == 400 and "version" in response.json()["errors"]

    deadline.refresh_from_db()
    assert (deadline.original_date, deadline.extensions) == (None, 0)
    assert ExtensionRequest.objects.get().state == "pending"


def test_rejection_needs_a_comment_and_leaves_the_deadline(world, as_actor, deadline):
    request_id = ask(as_actor("leader_a"), deadline).json()["id"]
    first = deadline.date

    refused(
        as_actor("office").post(f"{EXTENSIONS}{request_id}/reject/", {"comment": ""}, HTTP_IF_MATCH='"1"'), 400,
        "不批准时请填写审批意见",
    )
    response = as_actor("office").post(
        f"{EXTENSIONS}{request_id}/reject/", {"comment": "理由不充分"}, HTTP_IF_MATCH='"1"',
    )

    assert response.status_code == 200 and response.json()["state"] == "rejected"
    deadline.refresh_from_db()
    assert (deadline.date, deadline.original_date) == (first, None)


def test_extension_requests_are_seen_by_whoever_sees_their_task_only(world, as_actor, deadline):
    request_id = ask(as_actor("leader_a"), deadline).json()["id"]

    for actor in ("official_a", "leader_a", "office", "official_s"):  # S supports the task: its deadline moves too
        listed = as_actor(actor).get(EXTENSIONS, {"task": world.task_t.pk}).json()["results"]
        assert [row["id"] for row in listed] == [request_id], actor
        assert as_actor(actor).get(f"{EXTENSIONS}{request_id}/").status_code == 200
    for actor in ("official_b", "other_office"):
        assert as_actor(actor).get(EXTENSIONS).json()["results"] == [], actor
        assert as_actor(actor).get(f"{EXTENSIONS}{request_id}/").status_code == 404
    assert as_actor("office").get(EXTENSIONS, {"state": "approved"}).json()["results"] == []
    assert as_actor("office").get(EXTENSIONS, {"state": "maybe"}).status_code == 400


# --- 办结申请, 办结, 销号, reopening -----------------------------------------------------------

def claim(client, task, summary="已全部完成改造并通过验收"):
    return client.post(CLAIMS, {"task": task.pk, "summary": summary})


def test_claim_accept_close_and_reopen(world, as_actor):
    task = world.task_t
    response = claim(as_actor("leader_a"), task)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["state"], body["claimed_by"]) == ("submitted", person_label(world.users["leader_a"]))
    shown = as_actor("official_a").get(task_url(task)).json()
    assert (shown["closure"], shown["closed_at"]) == ("claimed", None)
    assert shown["closure_label"] == "办结申请中"

    refused(
        as_actor("leader_a").post(f"{CLAIMS}{body['id']}/accept/", {}, HTTP_IF_MATCH='"1"'), 403,
        "只有督办人员才能审核办结申请",
    )
    response = as_actor("office").post(f"{CLAIMS}{body['id']}/accept/", {"comment": "核实无误"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response.json()["state"] == "accepted"
    shown = as_actor("office").get(task_url(task))
    assert (shown.json()["closure"], shown.json()["status"]) == ("done", TaskStatus.COMPLETED)

    refused(
        as_actor("leader_a").post(task_url(task, "close/"), {}, HTTP_IF_MATCH=shown["ETag"]), 403,
        "只有督办人员才能销号",
    )
    response = as_actor("office").post(task_url(task, "close/"), {}, HTTP_IF_MATCH=shown["ETag"])
    assert response.status_code == 200, response.content
    assert response.json()["closure"] == "closed" and response.json()["closed_at"] is not None
    assert response["ETag"] == f'"{response.json()["version"]}"'
    closed = as_actor("office").get("/api/tasks/", {"closure": "closed"}).json()["results"]
    assert [row["id"] for row in closed] == [task.pk]
    assert task.pk not in [row["id"] for row in as_actor("office").get("/api/tasks/", {"closure": "open"}).json()["results"]]

    refused(
        as_actor("office").post(task_url(task, "reopen/"), {"reason": " "}, HTTP_IF_MATCH=response["ETag"]), 400,
        "请填写重新打开的理由",
    )
    assert as_actor("office").post(task_url(task, "reopen/"), {"reason": "x"}, HTTP_IF_MATCH='"1"').status_code == 412
    reopened = as_actor("office").post(
        task_url(task, "reopen/"), {"reason": "复查发现问题"}, HTTP_IF_MATCH=response["ETag"],
    )
    assert reopened.status_code == 200, reopened.content
    assert (reopened.json()["closure"], reopened.json()["closed_at"]) == ("open", None)
    assert reopened.json()["status"] != TaskStatus.COMPLETED


def test_only_a_task_accepted_as_done_is_closed(world, as_actor):
    version = as_actor("office").get(task_url(world.task_t))["ETag"]
    refused(
        as_actor("office").post(task_url(world.task_t, "close/"), {}, HTTP_IF_MATCH=version), 403,
        "只有已办结的任务才能销号",
    )
    refused(
        as_actor("office").post(task_url(world.task_t, "reopen/"), {"reason": "x"}, HTTP_IF_MATCH=version), 403,
        "只有已办结或已销号的任务才能重新打开",
    )
    assert as_actor("official_b").post(task_url(world.task_t, "close/"), {}, HTTP_IF_MATCH=version).status_code == 404
    world.task_t.refresh_from_db()
    assert world.task_t.closure == Closure.OPEN


@pytest.mark.parametrize("actor, status, sentence", [
    ("official_a", 403, "办结申请须由单位负责人提出"),
    ("official_s", 403, "只有牵头单位才能申请办结"),
    ("office", 403, "只有牵头单位才能申请办结"),
])
def test_others_cannot_claim_completion(world, as_actor, actor, status, sentence):
    refused(claim(as_actor(actor), world.task_t), status, sentence)
    assert claim(as_actor("leader_b"), world.task_t).status_code == 404
    assert not CompletionClaim.objects.exists()


def test_claim_needs_a_summary_and_a_returned_claim_reopens_the_task(world, as_actor):
    refused(claim(as_actor("leader_a"), world.task_t, summary=""), 400, "请填写办结情况")
    claim_id = claim(as_actor("leader_a"), world.task_t).json()["id"]
    refused(claim(as_actor("leader_a"), world.task_t), 403, "任务已申请办结或已办结")

    refused(as_actor("office").post(f"{CLAIMS}{claim_id}/return/", {}, HTTP_IF_MATCH='"1"'), 400, "退回时请填写审核意见")
    response = as_actor("office").post(f"{CLAIMS}{claim_id}/return/", {"comment": "缺验收材料"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200 and response.json()["state"] == ClaimState.RETURNED
    assert response.json()["decision_comment"] == "缺验收材料"
    assert as_actor("official_a").get(task_url(world.task_t)).json()["closure"] == "open"


def test_claims_are_seen_by_their_unit_and_the_plans_office_only(world, as_actor):
    claim_id = claim(as_actor("leader_a"), world.task_t).json()["id"]
    assert [row["id"] for row in as_actor("official_a").get(CLAIMS).json()["results"]] == [claim_id]
    assert [row["id"] for row in as_actor("office").get(CLAIMS, {"state": "submitted"}).json()["results"]] == [
        claim_id,
    ]
    for actor in ("official_b", "other_office"):
        assert as_actor(actor).get(CLAIMS).json()["results"] == []
        assert as_actor(actor).get(f"{CLAIMS}{claim_id}/").status_code == 404
    assert as_actor("other_office").post(f"{CLAIMS}{claim_id}/accept/", {}, HTTP_IF_MATCH='"1"').status_code == 404


def test_the_history_of_a_request_is_open_to_who_sees_it(world, as_actor, deadline):
    request_id = ask(as_actor("leader_a"), deadline).json()["id"]
    ledger = as_actor("office").get(f"/api/history/extension-requests/{request_id}/")
    assert ledger.status_code == 200, ledger.content
    assert ledger.json()["entries"][0]["person"] == person_label(world.users["leader_a"])
    assert as_actor("official_b").get(f"/api/history/extension-requests/{request_id}/").status_code == 404


def test_everything_needs_an_account(world, api, deadline):
    services.completion_claim(user=world.users["leader_a"], task=world.task_t, summary="完成")
    for url in (EXTENSIONS, CLAIMS, "/api/acknowledgements/", task_url(world.task_t, "comments/")):
        assert api().get(url).status_code == 401, url
    assert ask(api(), deadline).status_code == 401
    assert not ExtensionRequest.objects.exists()
