"""The supervision cycle's admin pages (plans.admin.workflow, plans.admin.task_actions): 签收
from the list, 延期申请 and 办结申请 filed from the task page and decided on their own pages,
销号 and 重新打开 — each allowed for whom the rule names, refused with the rule's sentence and
nothing changed for the others; rows seen only by their units and their plan's office."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.models import (
    Acknowledgement,
    ClaimState,
    Closure,
    CompletionClaim,
    ExtensionRequest,
    MemberRole,
    NodeKind,
    RequestState,
    Role,
)
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.factories import MembershipFactory, PlanFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


class World:
    pass


def account(groups, unit, role, name):
    user = MembershipFactory(unit=unit, role=role).user
    user.groups.add(groups[GROUP_OF_ROLE[role]])
    services.profile_save(user=user, account=user, name=name)
    return user


@pytest.fixture
def w():
    groups = groups_ensure()
    w = World()
    w.plan, w.other_plan = PlanFactory(), PlanFactory()
    w.office = UserFactory(username="office")
    w.office.groups.add(groups[OFFICE_GROUP])
    w.plan.office_staff.add(w.office)
    services.profile_save(user=w.office, account=w.office, name="李娜")
    w.other_office = UserFactory(username="other_office")
    w.other_office.groups.add(groups[OFFICE_GROUP])
    w.other_plan.office_staff.add(w.other_office)
    w.unit_a = UnitFactory(name="鹤壁市环境保护局", short_name="市环保局")
    w.unit_b = UnitFactory(name="鹤壁市住房和城乡建设局", short_name="市住建局")
    w.official_a = account(groups, w.unit_a, MemberRole.OFFICIAL, "王芳")
    w.leader_a = account(groups, w.unit_a, MemberRole.LEADER, "张伟")
    w.leader_b = account(groups, w.unit_b, MemberRole.LEADER, "赵强")
    w.task = services.node_create(user=w.office, plan=w.plan, kind=NodeKind.TASK, title="强化水泥粉磨站治理",
                                  label="1.")
    services.assignment_create(user=w.office, task=w.task, unit=w.unit_a, role=Role.RESPONSIBLE)
    services.assignment_create(user=w.office, task=w.task, unit=w.unit_b, role=Role.SUPPORTING)
    w.due = timezone.localdate() + datetime.timedelta(days=60)
    w.deadline = services.deadline_create(user=w.office, task=w.task, text="年底前", date=w.due)
    w.task_b = services.node_create(user=w.office, plan=w.plan, kind=NodeKind.TASK, title="推进燃煤锅炉拆改",
                                    label="2.")
    services.assignment_create(user=w.office, task=w.task_b, unit=w.unit_b, role=Role.RESPONSIBLE)
    w.ack_a = Acknowledgement.objects.get(plan=w.plan, unit=w.unit_a, period__isnull=True)
    w.ack_b = Acknowledgement.objects.get(plan=w.plan, unit=w.unit_b, period__isnull=True)
    return w


def as_user(client, user):
    client.force_login(user)
    return client


def task_url(task, step=""):
    return reverse(f"admin:plans_task_{step or 'change'}", args=[task.pk])


def text(response) -> str:
    return response.content.decode()


# --- 签收 -------------------------------------------------------------------------------------
ACK_LIST = "admin:plans_acknowledgement_changelist"


def listed(client, user, **params):
    response = as_user(client, user).get(reverse(ACK_LIST), params)
    assert response.status_code == 200
    return {row.pk for row in response.context["cl"].result_list}


def test_units_see_their_own_acknowledgements_and_the_office_its_plans(client, w):
    assert listed(client, w.official_a) == {w.ack_a.pk}
    assert listed(client, w.leader_b) == {w.ack_b.pk}
    assert listed(client, w.office) == {w.ack_a.pk, w.ack_b.pk}
    assert listed(client, w.other_office) == set()
    client.logout()
    response = client.get(reverse(ACK_LIST))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_list_shows_who_signed_by_name_and_filters_the_waiting(client, w):
    services.acknowledge(user=w.official_a, acknowledgement=w.ack_a)
    response = as_user(client, w.office).get(reverse(ACK_LIST))
    assert "王芳（市环保局）" in text(response)
    assert "任务交办" in text(response)
    assert listed(client, w.office, waiting="yes") == {w.ack_b.pk}
    assert listed(client, w.office, waiting="no") == {w.ack_a.pk}


def test_a_unit_signs_its_row_with_the_row_button(client, w):
    page = text(as_user(client, w.official_a).get(reverse(ACK_LIST)))
    sign_url = reverse("admin:plans_acknowledgement_acknowledge", args=[w.ack_a.pk])
    assert f'formaction="{sign_url}"' in page

    response = client.post(sign_url, {"expected_version": w.ack_a.version}, follow=True)

    w.ack_a.refresh_from_db()
    assert w.ack_a.acknowledged_by == w.official_a and w.ack_a.acknowledged_at is not None
    assert "已签收" in text(response)
    assert f'formaction="{sign_url}"' not in text(response)  # signed once: no more button


def test_signing_is_refused_for_the_office_a_stale_page_and_another_units_row(client, w):
    sign_url = reverse("admin:plans_acknowledgement_acknowledge", args=[w.ack_a.pk])
    page = text(as_user(client, w.office).get(reverse(ACK_LIST)))
    assert "ack-button" not in page  # the office signs nothing
    response = client.post(sign_url, {"expected_version": w.ack_a.version}, follow=True)
    assert "只能签收本单位的事项" in text(response)

    response = as_user(client, w.official_a).post(sign_url, {"expected_version": w.ack_a.version + 1}, follow=True)
    assert "版本已变化" in text(response)
    response = client.post(sign_url, {}, follow=True)
    assert "页面已过期" in text(response)

    other = reverse("admin:plans_acknowledgement_acknowledge", args=[w.ack_b.pk])
    assert as_user(client, w.official_a).post(other, {"expected_version": w.ack_b.version}).status_code == 404
    assert client.get(sign_url).status_code == 405
    assert not Acknowledgement.objects.filter(acknowledged_at__isnull=False).exists()


def test_the_sign_action_signs_all_chosen_rows_or_none(client, w):
    as_user(client, w.office).post(reverse(ACK_LIST), {"action": "acknowledge_selected", "_selected_action": [w.ack_a.pk]})
    assert not Acknowledgement.objects.filter(acknowledged_at__isnull=False).exists()  # no action for the office

    response = as_user(client, w.leader_a).post(
        reverse(ACK_LIST), {"action": "acknowledge_selected", "_selected_action": [w.ack_a.pk]}, follow=True,
    )
    w.ack_a.refresh_from_db()
    assert w.ack_a.acknowledged_by == w.leader_a
    assert "已签收 1 项" in text(response)

    response = client.post(
        reverse(ACK_LIST), {"action": "acknowledge_selected", "_selected_action": [w.ack_a.pk]}, follow=True,
    )
    assert "已签收，无需重复签收" in text(response)


def test_unit_accounts_cannot_edit_an_acknowledgement(client, w):
    url = reverse("admin:plans_acknowledgement_change", args=[w.ack_a.pk])
    response = as_user(client, w.official_a).get(url)
    assert response.status_code == 200 and 'name="_save"' not in text(response)
    assert client.post(url, {"acknowledged_by": w.official_a.pk}).status_code == 403
    assert as_user(client, w.leader_b).get(url).status_code == 404
    assert as_user(client, w.other_office).get(url).status_code == 404
    w.ack_a.refresh_from_db()
    assert w.ack_a.acknowledged_at is None


# --- 延期申请 -----------------------------------------------------------------------------------
def file_extension(client, w, *, new_date, reason="设备到货延迟"):
    return as_user(client, w.leader_a).post(
        task_url(w.task, "extension"),
        {"deadline": w.deadline.pk, "requested_date": new_date.isoformat(), "reason": reason}, follow=True,
    )


def test_only_the_lead_units_leader_is_offered_and_may_file_an_extension(client, w):
    assert "申请延期" in text(as_user(client, w.leader_a).get(task_url(w.task)))
    assert task_url(w.task, "extension") not in text(as_user(client, w.official_a).get(task_url(w.task)))
    assert task_url(w.task, "extension") not in text(as_user(client, w.office).get(task_url(w.task)))

    response = as_user(client, w.official_a).get(task_url(w.task, "extension"), follow=True)
    assert "延期申请须由单位负责人提出" in text(response)
    response = as_user(client, w.leader_b).post(
        task_url(w.task, "extension"),
        {"deadline": w.deadline.pk, "requested_date": "2099-01-01", "reason": "x"}, follow=True,
    )
    assert "只有牵头单位才能申请延期" in text(response)
    assert as_user(client, w.other_office).get(task_url(w.task, "extension")).status_code == 404
    assert not ExtensionRequest.objects.exists()


def test_an_extension_form_with_a_bad_date_or_no_reason_changes_nothing(client, w):
    response = file_extension(client, w, new_date=w.due - datetime.timedelta(days=1))
    assert "申请延至的日期须晚于现在的时限" in text(response)
    response = file_extension(client, w, new_date=w.due + datetime.timedelta(days=30), reason=" ")
    assert response.status_code == 200 and "errorlist" in text(response)
    assert not ExtensionRequest.objects.exists()


def test_the_office_decides_an_extension_on_its_page(client, w):
    new_date = w.due + datetime.timedelta(days=30)
    response = file_extension(client, w, new_date=new_date)
    assert "延期申请已提交" in text(response)
    request = ExtensionRequest.objects.get()
    url = reverse("admin:plans_extensionrequest_change", args=[request.pk])

    page = text(as_user(client, w.leader_a).get(url))  # the unit reads it, decides nothing
    assert "_approve_extension" not in page and 'name="decision_comment"' not in page
    assert f"{w.due.isoformat()} → {new_date.isoformat()}" in page
    assert client.post(url, {"_approve_extension": "1", "expected_version": request.version}).status_code == 403
    assert as_user(client, w.other_office).get(url).status_code == 404

    page = text(as_user(client, w.office).get(url))
    assert "_approve_extension" in page and "_reject_extension" in page
    response = client.post(url, {"_reject_extension": "1", "decision_comment": "", "expected_version": request.version})
    assert "不批准时请填写审批意见" in text(response)
    request.refresh_from_db()
    assert request.state == RequestState.PENDING

    client.post(url, {"_approve_extension": "1", "decision_comment": "同意", "expected_version": request.version})
    request.refresh_from_db()
    w.deadline.refresh_from_db()
    assert request.state == RequestState.APPROVED and request.decided_by == w.office
    assert (w.deadline.date, w.deadline.original_date, w.deadline.extensions) == (new_date, w.due, 1)
    page = text(client.get(task_url(w.task)))
    assert f"原定 {w.due.isoformat()}，已延期 1 次" in page
    assert "_approve_extension" not in text(client.get(url))  # decided: no more buttons


def test_a_rejected_extension_leaves_the_deadline(client, w):
    file_extension(client, w, new_date=w.due + datetime.timedelta(days=30))
    request = ExtensionRequest.objects.get()
    url = reverse("admin:plans_extensionrequest_change", args=[request.pk])
    as_user(client, w.office).post(
        url, {"_reject_extension": "1", "decision_comment": "理由不充分", "expected_version": request.version},
    )
    request.refresh_from_db()
    w.deadline.refresh_from_db()
    assert (request.state, request.decision_comment) == (RequestState.REJECTED, "理由不充分")
    assert (w.deadline.date, w.deadline.original_date) == (w.due, None)


def test_extension_requests_are_listed_for_whoever_sees_their_task_only(client, w):
    file_extension(client, w, new_date=w.due + datetime.timedelta(days=30))
    changelist = reverse("admin:plans_extensionrequest_changelist")
    # unit B supports the task: the deadline it works to moves with the request
    for user, count in ((w.leader_a, 1), (w.official_a, 1), (w.office, 1), (w.leader_b, 1), (w.other_office, 0)):
        response = as_user(client, user).get(changelist)
        assert response.status_code == 200 and len(response.context["cl"].result_list) == count


# --- 办结申请, 销号, 重新打开, the trail ---------------------------------------------------------------
def decide_claim(client, w, button, comment=""):
    claim = CompletionClaim.objects.get(state=ClaimState.SUBMITTED)
    url = reverse("admin:plans_completionclaim_change", args=[claim.pk])
    return as_user(client, w.office).post(
        url, {button: "1", "decision_comment": comment, "expected_version": claim.version}, follow=True,
    )


def test_the_whole_cycle_on_the_pages(client, w):
    # 签收, 申请办结, 退回, 申请办结 again, 办结, 销号, 重新打开 — each by whom the rule names
    as_user(client, w.official_a).post(
        reverse("admin:plans_acknowledgement_acknowledge", args=[w.ack_a.pk]), {"expected_version": w.ack_a.version},
    )
    page = text(as_user(client, w.leader_a).get(task_url(w.task)))
    assert task_url(w.task, "claim") in page and task_url(w.task, "close") not in page
    response = client.post(task_url(w.task, "claim"), {"summary": "  "})
    assert "errorlist" in text(response) and not CompletionClaim.objects.exists()
    response = client.post(task_url(w.task, "claim"), {"summary": "全部完成并验收"}, follow=True)
    assert "办结申请已提交" in text(response)
    w.task.refresh_from_db()
    assert w.task.closure == Closure.CLAIMED

    assert "退回时请填写审核意见" in text(decide_claim(client, w, "_return_claim"))
    assert CompletionClaim.objects.get().state == ClaimState.SUBMITTED
    decide_claim(client, w, "_return_claim", "缺验收报告")
    w.task.refresh_from_db()
    assert w.task.closure == Closure.OPEN

    as_user(client, w.leader_a).post(task_url(w.task, "claim"), {"summary": "附验收报告"})
    decide_claim(client, w, "_accept_claim")
    w.task.refresh_from_db()
    assert w.task.closure == Closure.DONE

    # 销号: offered to the office only, refused to the unit with the rule's sentence
    assert task_url(w.task, "close") not in text(as_user(client, w.leader_a).get(task_url(w.task)))
    response = client.post(task_url(w.task, "close"), {"expected_version": w.task.version}, follow=True)
    assert "只有督办人员才能销号" in text(response)
    page = text(as_user(client, w.office).get(task_url(w.task)))
    assert task_url(w.task, "close") in page and task_url(w.task, "reopen") in page
    stale = client.post(task_url(w.task, "close"), {"expected_version": w.task.version - 1})
    assert "版本已变化" in text(stale)
    w.task.refresh_from_db()
    assert w.task.closure == Closure.DONE
    client.post(task_url(w.task, "close"), {"expected_version": w.task.version})
    w.task.refresh_from_db()
    assert w.task.closure == Closure.CLOSED and w.task.closed_at is not None
    assert task_url(w.task, "close") not in text(client.get(task_url(w.task)))

    # 重新打开: a reason is required
    response = client.post(task_url(w.task, "reopen"), {"expected_version": w.task.version, "reason": ""})
    assert response.status_code == 200 and "errorlist" in text(response)
    w.task.refresh_from_db()
    assert w.task.closure == Closure.CLOSED
    response = as_user(client, w.leader_a).post(
        task_url(w.task, "reopen"), {"expected_version": w.task.version, "reason": "x"}, follow=True,
    )
    assert "只有督办人员才能重新打开任务" in text(response)
    as_user(client, w.office).post(task_url(w.task, "reopen"), {"expected_version": w.task.version,
                                                                 "reason": "群众反映仍有扬尘"})
    w.task.refresh_from_db()
    assert w.task.closure == Closure.OPEN

    # the trail on the task page, read by the unit too
    page = text(as_user(client, w.leader_a).get(task_url(w.task)))
    trail = page[page.index('id="task-timeline"'):]
    steps = ["任务交办", "市环保局 签收交办任务", "市环保局 申请办结", "退回办结申请", "审核通过办结申请", "销号", "重新打开"]
    positions = [trail.index(step) for step in steps]
    assert positions == sorted(positions)
    assert "缺验收报告" in trail and "群众反映仍有扬尘" in trail and "王芳（市环保局）" in trail


def test_a_claim_is_decided_only_by_its_plans_office(client, w):
    services.completion_claim(user=w.leader_a, task=w.task, summary="完成")
    claim = CompletionClaim.objects.get()
    url = reverse("admin:plans_completionclaim_change", args=[claim.pk])
    assert as_user(client, w.other_office).post(url, {"_accept_claim": "1"}).status_code == 404
    assert as_user(client, w.leader_a).post(url, {"_accept_claim": "1", "expected_version": claim.version}).status_code == 403
    assert as_user(client, w.leader_b).get(url).status_code == 200  # a supporting unit reads the claim on its task
    assert as_user(client, w.leader_b).post(url, {"_accept_claim": "1", "expected_version": claim.version}).status_code == 403
    response = as_user(client, w.office).post(url, {"decision_comment": "x", "expected_version": claim.version})
    assert "请点击" in text(response)
    claim.refresh_from_db()
    assert claim.state == ClaimState.SUBMITTED


def test_the_step_pages_of_an_unseen_task_are_404_and_anonymous_is_sent_to_log_in(client, w):
    for step in ("extension", "claim", "close", "reopen"):
        assert as_user(client, w.other_office).get(task_url(w.task, step)).status_code == 404
        assert as_user(client, w.leader_a).get(task_url(w.task_b, step)).status_code == 404
    client.logout()
    response = client.get(task_url(w.task, "claim"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_task_page_shows_its_closure_state(client, w):
    page = text(as_user(client, w.office).get(task_url(w.task)))
    assert 'id="task-closure"' in page and "办理中" in page
    assert 'id="task-timeline"' in page
    form_end = page.index("</form>", page.index('id="task_form"'))
    assert form_end < page.index('id="task-timeline"') < page.index('id="task-thread"')


def list_queries(client, user, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    as_user(client, user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse(f"admin:plans_{name}_changelist")).status_code == 200
    return len(queries)


def test_the_lists_name_their_people_in_the_same_number_of_queries_however_many_rows(client, w):
    groups = groups_ensure()
    services.acknowledge(user=w.official_a, acknowledgement=w.ack_a)
    file_extension(client, w, new_date=w.due + datetime.timedelta(days=30))
    services.extension_reject(user=w.office, request=ExtensionRequest.objects.get(), comment="不批准")
    before = {name: list_queries(client, w.office, name) for name in ("acknowledgement", "extensionrequest")}
    for number in range(3):
        unit = UnitFactory(short_name=f"区{number}")
        leader = account(groups, unit, MemberRole.LEADER, f"负责人{number}")
        task = services.node_create(user=w.office, plan=w.plan, kind=NodeKind.TASK, title=f"任务{number}",
                                    label=f"{number + 3}.")
        services.assignment_create(user=w.office, task=task, unit=unit, role=Role.RESPONSIBLE)
        services.acknowledge(user=leader, acknowledgement=Acknowledgement.objects.get(unit=unit))
        deadline = services.deadline_create(user=w.office, task=task, text="年底前", date=w.due)
        request = services.extension_request(user=leader, deadline=deadline, requested_date=w.due + datetime.timedelta(1),
                                             reason="理由")
        services.extension_reject(user=w.office, request=request, comment="不批准")
    after = {name: list_queries(client, w.office, name) for name in ("acknowledgement", "extensionrequest")}
    assert after == before


def test_a_closed_tasks_page_is_read_only_but_offers_reopening(client, w):
    claim = services.completion_claim(user=w.leader_a, task=w.task, summary="完成")
    services.claim_accept(user=w.office, claim=claim)
    services.task_close(user=w.office, task=w.task)
    page = as_user(client, w.office).get(task_url(w.task))
    html = text(page)
    assert page.status_code == 200 and "查看 任务" in html and 'name="title"' not in html
    assert task_url(w.task, "reopen") in html
    refused = client.post(task_url(w.task), {"title": "改名", "expected_version": w.task.version})
    assert refused.status_code == 403
    w.task.refresh_from_db()
    assert w.task.title == "强化水泥粉磨站治理"
