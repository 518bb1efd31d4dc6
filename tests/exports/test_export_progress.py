"""The workbook writers' `progress(done, total)`: a background job hears how many tasks are
written out of how many, every PROGRESS_EVERY tasks and once at the end; without it the
export is the same."""
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model

from devtools.scale import ScaleGenerator, Sizes, synthetic_plans
from plans.exports import layout
from plans.exports.progress_sheet import PROGRESS_EVERY
from plans.exports.workbooks import export_plan_workbook, export_unit_workbook
from plans.models import NodeKind, Task

from .conftest import TODAY


def task_ids_in(data: bytes, sheet_index: int = 0) -> set[int]:
    """The tasks a progress sheet lists, read from its hidden row keys."""
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[sheet_index]
    keys = (layout.parse_row_key(row[-1]) for row in sheet.iter_rows(values_only=True) if row)
    return {key[0] for key in keys if key}


def record():
    calls = []
    return calls, lambda done, total: calls.append((done, total))


@pytest.fixture
def large_plan(db):
    """A synthetic plan of 1,234 tasks: two calls on the way (500, 1,000) and the last."""
    ScaleGenerator(Sizes(plans=1, tasks=1234, units=20, years=1), seed=3).run()
    plan = synthetic_plans().get()
    user = get_user_model().objects.create_superuser("progress_office", "office@example.invalid", "x-Secret-9")
    return plan, plan.periods.get(is_open=True), user


def test_a_large_plan_is_reported_every_500_tasks_and_at_the_end(large_plan):
    """…and the workbook is the one written without `progress`."""
    plan, period, user = large_plan
    calls, progress = record()
    out, without = io.BytesIO(), io.BytesIO()
    export_plan_workbook(out, user=user, period=period, progress=progress)

    written = task_ids_in(out.getvalue())
    tasks = Task.objects.filter(plan=plan, kind=NodeKind.TASK, is_active=True).count()
    assert len(written) == tasks == 1234
    assert PROGRESS_EVERY == 500
    assert calls == [(500, 1234), (1000, 1234), (1234, 1234)]

    export_plan_workbook(without, user=user, period=period)
    books = [openpyxl.load_workbook(io.BytesIO(data.getvalue()), read_only=True) for data in (out, without)]
    assert [sheet.title for sheet in books[0].worksheets] == [sheet.title for sheet in books[1].worksheets]
    for first, second in zip(books[0].worksheets, books[1].worksheets):
        assert list(first.iter_rows(values_only=True)) == list(second.iter_rows(values_only=True))


def test_small_sheets_hear_each_step_and_end_at_the_tasks_written(sheet_world, monkeypatch):
    """With a step of one task, the calls climb one by one to the tasks the sheet lists; the
    plan's sheet and a unit's count their own tasks."""
    monkeypatch.setattr("plans.exports.progress_sheet.PROGRESS_EVERY", 1)
    calls, progress = record()
    out = io.BytesIO()
    export_plan_workbook(out, user=sheet_world.users["office"], period=sheet_world.period, today=TODAY,
                         progress=progress)
    assert task_ids_in(out.getvalue()) == {sheet_world.t1.pk, sheet_world.t2.pk}
    assert calls == [(1, 2), (2, 2)]  # the last only once, after the workbook is saved

    calls, progress = record()
    out = io.BytesIO()
    export_unit_workbook(out, user=sheet_world.users["office"], period=sheet_world.period,
                         unit=sheet_world.units["B"], today=TODAY, progress=progress)
    assert task_ids_in(out.getvalue()) == {sheet_world.t2.pk}
    assert calls == [(1, 1)]
    dones = [done for done, _total in calls]
    assert dones == sorted(dones)
