"""督办看板's supervision-cycle counts: 未签收 per unit (days waiting, late ones flagged), pending
延期申请 and 办结申请, tasks 已办结 and 已销号 — counted from data built through the services,
each count linking to its filtered admin list."""
import datetime
import re

import pytest
from django.contrib import admin
from django.utils import timezone

from plans import services
from plans.dashboard import cycle_counts
from plans.models import Acknowledgement, Closure, MemberRole, Role
from plans.roles import OFFICE_GROUP, groups_ensure
from tests.factories import (
    AssignmentFactory,
    DeadlineFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/dashboard/"
TODAY = timezone.localdate()


def lead_task(plan, unit, title):
    task = TaskFactory(plan=plan, title=title)
    AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
    return task


@pytest.fixture
def world():
    plan = PlanFactory(title="鹤壁市2016年度蓝天工程实施方案")
    ReportingPeriodFactory(plan=plan)
    office = UserFactory()
    office.groups.add(groups_ensure()[OFFICE_GROUP])
    plan.office_staff.add(office)
    quick, slow, late = (UnitFactory(short_name=name) for name in ("市发改委", "市财政局", "市住建局"))
    tasks = {
        "extend": lead_task(plan, quick, "任务甲"), "claim": lead_task(plan, quick, "任务乙"),
        "done": lead_task(plan, slow, "任务丙"), "closed": lead_task(plan, slow, "任务丁"),
        "late": lead_task(plan, late, "任务戊"),
    }
    leaders = {unit: MembershipFactory(unit=unit, role=MemberRole.LEADER).user for unit in (quick, slow, late)}

    acknowledgements = {row.unit: row for row in services.acknowledgements_ensure(plan=plan)}
    services.acknowledge(user=leaders[quick], acknowledgement=acknowledgements[quick])
    Acknowledgement.objects.filter(pk=acknowledgements[late].pk).update(
        assigned_at=timezone.now() - datetime.timedelta(days=9), due_on=TODAY - datetime.timedelta(days=2),
    )
    deadline = DeadlineFactory(task=tasks["extend"], date=TODAY + datetime.timedelta(days=10))
    services.extension_request(
        user=leaders[quick], deadline=deadline, requested_date=TODAY + datetime.timedelta(days=40), reason="施工季节",
    )
    services.completion_claim(user=leaders[quick], task=tasks["claim"], summary="已完成")
    for key in ("done", "closed"):
        claim = services.completion_claim(user=leaders[slow], task=tasks[key], summary="已完成")
        services.claim_accept(user=office, claim=claim)
    services.task_close(user=office, task=tasks["closed"])
    return dict(plan=plan, office=office, quick=quick, slow=slow, late=late, tasks=tasks, leaders=leaders)


def test_the_counts_match_what_the_services_made(world):
    cycle = cycle_counts(world["plan"], TODAY)

    assert (cycle.waiting.count, cycle.extensions.count, cycle.claims.count, cycle.done.count, cycle.closed.count) == (
        2, 1, 1, 1, 1)
    rows = {row.unit: (row.waiting.count, row.late.count, row.days_waiting) for row in cycle.acknowledgements}
    assert rows == {world["late"]: (1, 1, 9), world["slow"]: (1, 0, 0)}  # 市发改委 has signed
    assert [row.unit for row in cycle.acknowledgements] == [world["late"], world["slow"]]  # the longest wait first


def test_signing_and_deciding_move_the_counts(world):
    acknowledgement = Acknowledgement.objects.get(unit=world["slow"], plan=world["plan"])
    services.acknowledge(user=world["leaders"][world["slow"]], acknowledgement=acknowledgement)
    [request] = world["tasks"]["extend"].extension_requests.all()
    services.extension_approve(user=world["office"], request=request)

    cycle = cycle_counts(world["plan"], TODAY)
    assert (cycle.waiting.count, cycle.extensions.count) == (1, 0)
    assert [row.unit for row in cycle.acknowledgements] == [world["late"]]


def test_the_page_shows_the_counts_with_links_to_the_filtered_lists(client, world):
    client.force_login(world["office"])
    html = client.get(DASHBOARD).content.decode()
    section = html[html.index('id="cycle"'):html.index('class="sheets"')]

    assert "市住建局" in section and "市财政局" in section and "市发改委" not in section
    assert re.search(r'<tr class="unit late">\s*<td[^>]*>市住建局</td>', section)
    tasks = f"/admin/plans/task/?plan__id__exact={world['plan'].pk}&amp;is_active__exact=1"
    assert f'<a href="{tasks}&amp;closure__exact={Closure.DONE}">1</a>' in section
    assert f'<a href="{tasks}&amp;closure__exact={Closure.CLOSED}">1</a>' in section
    for link in re.findall(r'href="(/admin/plans/task/\?[^"]+closure[^"]+)"', section):
        response = client.get(link.replace("&amp;", "&"))
        assert response.status_code == 200 and response.context["cl"].result_count == 1


@pytest.mark.parametrize("model", ["acknowledgement", "extensionrequest", "completionclaim"])
def test_the_cycle_lists_open_filtered_as_counted_once_registered(client, world, model):
    """The lists of 签收, 延期申请 and 办结申请 are another part's pages: once they are registered,
    each count's link opens them showing exactly what was counted."""
    if not any(registered._meta.model_name == model for registered in admin.site._registry):
        pytest.skip(f"the {model} admin list is not registered yet")
    cycle = cycle_counts(world["plan"], TODAY)
    links = {"acknowledgement": cycle.waiting, "extensionrequest": cycle.extensions, "completionclaim": cycle.claims}
    link = links[model]
    client.force_login(world["office"])
    response = client.get(link.url)
    assert response.status_code == 200 and response.context["cl"].result_count == link.count


def test_a_unit_account_gets_no_dashboard_counts(client, world):
    client.force_login(MembershipFactory(unit=world["late"]).user)
    response = client.get(DASHBOARD)
    assert response.context["cycle"] is None and 'id="cycle"' not in response.content.decode()
