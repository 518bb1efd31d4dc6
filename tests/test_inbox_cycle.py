"""本期待办's supervision-cycle part: 签收 waiting first (signed from the page, then gone), the
office's answers to the unit's 延期申请 and 办结申请 with its comments, and the messages that
concern the unit (mentions of it, 批示 on its tasks) — data built through the services."""
import datetime

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plans import services
from plans.models import Acknowledgement, MemberRole, Role
from tests.factories import (
    AssignmentFactory,
    DeadlineFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

INBOX = "/admin/inbox/"


@pytest.fixture
def world():
    plan = PlanFactory(title="鹤壁市2016年度蓝天工程实施方案")
    office = UserFactory()
    plan.office_staff.add(office)
    unit, other = UnitFactory(short_name="市发改委"), UnitFactory(short_name="市住建局")
    task = TaskFactory(plan=plan, title="推进燃煤锅炉拆改")
    AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=other, role=Role.SUPPORTING)
    elsewhere = TaskFactory(plan=plan, title="别的单位的任务")
    AssignmentFactory(task=elsewhere, unit=other, role=Role.RESPONSIBLE)
    deadline = DeadlineFactory(task=task, date=timezone.localdate() + datetime.timedelta(days=20))
    official = MembershipFactory(unit=unit, role=MemberRole.OFFICIAL).user
    leader = MembershipFactory(unit=unit, role=MemberRole.LEADER).user
    other_official = MembershipFactory(unit=other, role=MemberRole.OFFICIAL).user
    return dict(plan=plan, office=office, unit=unit, other=other, task=task, elsewhere=elsewhere, deadline=deadline,
                official=official, leader=leader, other_official=other_official)


def page(client, user):
    client.force_login(user)
    response = client.get(INBOX)
    assert response.status_code == 200
    return response.content.decode()


def test_a_waiting_acknowledgement_comes_first_and_is_gone_once_signed(client, world):
    [mine] = [row for row in services.acknowledgements_ensure(plan=world["plan"]) if row.unit == world["unit"]]
    Acknowledgement.objects.filter(pk=mine.pk).update(
        assigned_at=timezone.now() - datetime.timedelta(days=6), due_on=timezone.localdate() - datetime.timedelta(1),
    )

    html = page(client, world["official"])
    assert html.index('id="group-acknowledge"') < html.index('id="group-filled"')
    section = html[html.index('id="group-acknowledge"'):html.index('id="group-filled"')]
    assert "待签收（1）" in section and world["plan"].title in section
    assert "已等待6天" in section and "已超时" in section
    assert f'name="acknowledge" value="{mine.pk}"' in section

    response = client.post(INBOX, {"acknowledge": str(mine.pk), "version": "1"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.acknowledged_by == world["official"] and mine.acknowledged_at is not None
    html = page(client, world["official"])
    assert "待签收（0）" in html and f'value="{mine.pk}"' not in html


def test_another_units_account_cannot_sign_and_does_not_see_the_row(client, world):
    [mine] = [row for row in services.acknowledgements_ensure(plan=world["plan"]) if row.unit == world["unit"]]
    html = page(client, world["other_official"])
    assert f'name="acknowledge" value="{mine.pk}"' not in html

    response = client.post(INBOX, {"acknowledge": str(mine.pk), "version": "1"})
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    assert message.startswith("所选签收事项不存在或您无权查看")
    mine.refresh_from_db()
    assert mine.acknowledged_at is None


def test_a_stale_page_signs_nothing(client, world):
    [mine] = [row for row in services.acknowledgements_ensure(plan=world["plan"]) if row.unit == world["unit"]]
    services.acknowledge(user=world["leader"], acknowledgement=mine)
    client.force_login(world["official"])
    response = client.post(INBOX, {"acknowledge": str(mine.pk), "version": "1"})
    assert any("版本已变化" in str(m) for m in get_messages(response.wsgi_request))
    mine.refresh_from_db()
    assert mine.acknowledged_by == world["leader"]


def test_the_offices_answers_to_requests_and_claims_show_with_their_comments(client, world):
    request = services.extension_request(
        user=world["leader"], deadline=world["deadline"],
        requested_date=world["deadline"].date + datetime.timedelta(days=30), reason="设备到货延迟",
    )
    services.extension_reject(user=world["office"], request=request, comment="理由不充分，请按期完成")
    claim = services.completion_claim(user=world["leader"], task=world["task"], summary="锅炉已全部拆改")
    services.claim_return(user=world["office"], claim=claim, comment="请补充验收材料")

    html = page(client, world["official"])
    answers = html[html.index('id="group-answers"'):html.index('id="group-filled"')]
    assert "延期申请" in answers and "未批准" in answers and "理由不充分，请按期完成" in answers
    assert "办结申请" in answers and "已退回" in answers and "请补充验收材料" in answers
    assert str(world["office"]) in answers

    assert 'id="group-answers"' not in page(client, world["other_official"])


def test_mentions_of_the_unit_and_instructions_on_its_tasks_are_shown_to_it_only(client, world):
    services.comment_add(user=world["office"], task=world["task"], text="务必月底前完成", is_instruction=True)
    services.comment_add(user=world["other_official"], task=world["task"], text="请牵头单位提供清单",
                         mentions=[world["unit"]])
    services.comment_add(user=world["office"], task=world["elsewhere"], text="别的任务的批示", is_instruction=True)
    services.comment_add(user=world["official"], task=world["task"], text="本单位自己的留言")

    html = page(client, world["leader"])
    messages = html[html.index('id="group-messages"'):html.index('id="group-filled"')]
    assert messages.index("务必月底前完成") < messages.index("请牵头单位提供清单")  # 批示 first
    assert "领导批示" in messages and "提及本单位" in messages
    assert "别的任务的批示" not in html and "本单位自己的留言" not in html  # no role there; not a mention

    other = page(client, world["other_official"])
    assert "务必月底前完成" in other and "别的任务的批示" in other  # 批示 on the tasks it holds a role on
    assert "请牵头单位提供清单" not in other  # its own words are not news to it

    stranger = MembershipFactory(unit=UnitFactory(), role=MemberRole.LEADER).user
    assert 'id="group-messages"' not in page(client, stranger)


def test_the_cycle_sections_cost_the_same_queries_for_one_row_or_many(client, world):
    def queries():
        client.force_login(world["leader"])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(INBOX).status_code == 200
        return len(captured)

    services.acknowledgements_ensure(plan=world["plan"])
    services.comment_add(user=world["office"], task=world["task"], text="批示一", is_instruction=True)
    few = queries()
    for number in range(4):
        plan, office = PlanFactory(), UserFactory()
        plan.office_staff.add(office)
        task = TaskFactory(plan=plan)
        AssignmentFactory(task=task, unit=world["unit"], role=Role.RESPONSIBLE)
        services.acknowledgements_ensure(plan=plan)
        services.comment_add(user=office, task=task, text=f"批示{number}", is_instruction=True)
        services.comment_add(user=world["other_official"], task=world["task"], text=f"留言{number}",
                             mentions=[world["unit"]])
    assert queries() == few
    html = page(client, world["leader"])
    assert "待签收（5）" in html and "批示和留言（9）" in html
