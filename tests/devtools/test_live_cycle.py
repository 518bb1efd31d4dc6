"""The supervision cycle of the live demo plan (devtools/live_cycle.py): after demo_live every
state is there to see — 签收 done, late and waiting; 延期申请 pending, approved (the deadline
moved, its first date kept) and rejected; 办结申请 pending and returned; tasks 已办结 and
已销号; a thread with a 批示; named 责任领导/联系人 — all written through the services at the
demo's moments, and the progress sheet shows them."""
import datetime
import io
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from devtools.live_cycle import cycle_counts
from devtools.live_demo import DEMO_KEY, live_demo_ensure
from plans.exports.workbooks import export_plan_workbook
from plans.models import (
    Acknowledgement,
    AssignmentPerson,
    ClaimState,
    Closure,
    CompletionClaim,
    ExtensionRequest,
    Plan,
    PersonKind,
    ProgressReport,
    ReportState,
    RequestState,
    Task,
    TaskComment,
)
from plans.services.seeds import SEED_PLANS, fixture_path, seed_plan_load
from tests.devtools.test_live_demo import MAY

pytestmark = pytest.mark.django_db
NOON = timezone.make_aware(datetime.datetime(2026, 5, 12, 12))


def _cells(plan) -> list:
    import openpyxl

    out = io.BytesIO()
    period = plan.periods.get(is_open=True)
    export_plan_workbook(out, user=plan.office_staff.first(), period=period, today=MAY)
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    return [value for row in sheet.iter_rows(values_only=True) for value in row if isinstance(value, str)]


def test_after_demo_live_every_state_of_the_cycle_is_there(db):
    for seed in SEED_PLANS:
        seed_plan_load(path=fixture_path(seed))

    demo = live_demo_ensure(today=MAY)

    plan = Plan.objects.get(key=DEMO_KEY)
    counts = cycle_counts(plan)
    assert demo.cycle == counts and "签收 (acknowledged)" in demo.line() and "已销号" in demo.line()

    # 签收: of the 交办 (one unit never signed) and of each period; on time, late, and waiting
    acknowledgements = Acknowledgement.objects.filter(plan=plan)
    交办 = acknowledgements.filter(period__isnull=True)
    assert 交办.count() > 10 and 交办.filter(acknowledged_at__isnull=True).count() == 1
    signed = list(acknowledgements.exclude(acknowledged_at=None))
    late = [row for row in signed if timezone.localdate(row.acknowledged_at) > row.due_on]
    assert 0 < len(late) < len(signed) // 2
    assert all(row.acknowledged_by_id and row.acknowledged_at <= NOON for row in signed)
    current = plan.periods.get(is_open=True)
    waiting_now = acknowledgements.filter(period=current, acknowledged_at=None)
    assert 0 < waiting_now.count() < acknowledgements.filter(period=current).count() // 2
    assert counts["waiting"] == counts["waiting_late"] + sum(not row.is_late for row in acknowledgements.waiting())
    assert counts["waiting_late"] >= 1
    earlier = acknowledgements.exclude(period=current).exclude(period=None)
    assert earlier.exists() and not earlier.filter(acknowledged_at=None).exists()  # a closed period: all signed

    # 延期申请: one of each; the approved one moved its deadline and kept the first date
    requests = {request.state: request for request in ExtensionRequest.objects.filter(task__plan=plan)}
    assert sorted(requests) == sorted(RequestState.values)
    approved = requests[RequestState.APPROVED]
    approved.deadline.refresh_from_db()
    assert approved.deadline.date == approved.requested_date > approved.current_date
    assert (approved.deadline.original_date, approved.deadline.extensions) == (approved.current_date, 1)
    rejected = requests[RequestState.REJECTED]
    rejected.deadline.refresh_from_db()
    assert rejected.deadline.date == rejected.current_date and rejected.deadline.original_date is None
    assert rejected.decision_comment and requests[RequestState.PENDING].decided_at is None

    # 办结申请, 办结, 销号
    claims = Counter(CompletionClaim.objects.filter(task__plan=plan).values_list("state", flat=True))
    assert claims[ClaimState.SUBMITTED] == 1 and claims[ClaimState.RETURNED] == 1 and claims[ClaimState.ACCEPTED] >= 2
    closures = Counter(Task.objects.filter(plan=plan).tasks().values_list("closure", flat=True))
    assert closures[Closure.CLAIMED] == 1 and closures[Closure.DONE] >= 1 and closures[Closure.CLOSED] >= 1
    closed = Task.objects.filter(plan=plan, closure=Closure.CLOSED)
    assert all(task.closed_at and task.status == "completed" for task in closed)
    assert not ProgressReport.objects.filter(
        task__in=closed, period=current, state=ReportState.PENDING, progress="").exists()  # 销号: no more reports
    returned = CompletionClaim.objects.get(task__plan=plan, state=ClaimState.RETURNED)
    assert returned.task.closure == Closure.OPEN and returned.decision_comment

    # the thread: the office asks, the lead unit answers, a 批示 naming the lead unit
    comments = list(TaskComment.objects.filter(task__plan=plan).order_by("created_at"))
    assert len(comments) == 3 and len({comment.task_id for comment in comments}) == 1
    [instruction] = [comment for comment in comments if comment.is_instruction]
    assert list(instruction.mentions.all()) == [instruction.task.assignments.get(is_lead=True).unit]
    assert comments[1].unit_id == instruction.mentions.get().pk  # the lead unit answered

    # named people: on lead assignments only, a leader account and a contact each
    people = AssignmentPerson.objects.filter(assignment__task__plan=plan)
    assert people.count() > 4 and not people.filter(assignment__is_lead=False).exists()
    kinds = Counter(people.values_list("kind", flat=True))
    assert kinds[PersonKind.LEADER] == kinds[PersonKind.CONTACT]
    assert not people.filter(kind=PersonKind.LEADER, user=None).exists()

    # and the office's progress sheet of the open period shows them
    cells = _cells(plan)
    assert any(value.startswith("已签收\n") for value in cells) and any(value.startswith("未签收") for value in cells)
    assert any("（原定 " in value and "延期1次）" in value for value in cells)
    assert {"办结申请中", "已办结"} <= set(cells)
    assert any(value.startswith("责任领导：") for value in cells)


def test_the_command_reports_the_cycle_on_its_summary_line():
    for seed in SEED_PLANS:
        seed_plan_load(path=fixture_path(seed))
    out = io.StringIO()

    call_command("demo_live", stdout=out)

    line = out.getvalue()
    for words in ("签收 (acknowledged)", "延期申请 (extensions)", "办结申请 (claims)", "已销号", "批示", "责任人"):
        assert words in line
