"""A small plan for the sheet tests, and helpers that read exported sheets like an official
would: find a row by its task, a column by its header."""
import datetime
import io
from dataclasses import dataclass

import openpyxl
import pytest

from plans import services
from plans.exports import layout
from plans.exports.excel import export_plan_workbook, export_unit_workbook
from plans.models import MemberRole, ProgressReport, Role, Task, UnitKind
from tests.factories import (
    AssignmentFactory,
    DeadlineFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    SectionFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

TODAY = datetime.date(2016, 9, 1)


@dataclass
class SheetWorld:
    """一、 (一) T1 (lead A, collective C of M1+M2, supported by S, due 2016-10-31) and T2
    (lead B, text deadline); 二、 without tasks. Period 2016Q3 open: reports A, M1, M2, B."""

    plan: object
    period: object
    t1: Task
    t2: Task
    units: dict
    users: dict

    def report(self, task: Task, unit: str) -> ProgressReport:
        return ProgressReport.objects.get(task=task, unit=self.units[unit], period=self.period)


@pytest.fixture
def sheet_world(db) -> SheetWorld:
    plan = PlanFactory(title="鹤壁市蓝天工程实施方案", plan_year=2016)
    units = {name: UnitFactory(name=f"鹤壁市{name}单位", short_name=f"单位{name}") for name in ("A", "B", "S", "M1", "M2")}
    units["C"] = UnitFactory(name="各县区政府(管委)", short_name="各县区政府(管委)", kind=UnitKind.COLLECTIVE)
    units["C"].members.add(units["M1"], units["M2"])
    top = SectionFactory(plan=plan, path="一、", label="一、", title="主要任务", position=1, level=1)
    sub = SectionFactory(plan=plan, parent=top, path="一、(一)", label="(一)", title="燃煤治理", position=2, level=2)
    t1 = TaskFactory(plan=plan, parent=sub, path="一、(一)1.", label="1.", title="推广清洁能源", text="积极采取燃煤替代措施。", position=3)
    t2 = TaskFactory(plan=plan, parent=sub, path="一、(一)2.", label="2.", title="淘汰黄标车", text="全面淘汰黄标车。", position=4)
    SectionFactory(plan=plan, path="二、", label="二、", title="保障措施", position=5, level=1)
    AssignmentFactory(task=t1, unit=units["A"], role=Role.RESPONSIBLE)
    AssignmentFactory(task=t1, unit=units["C"], role=Role.RESPONSIBLE)
    AssignmentFactory(task=t1, unit=units["S"], role=Role.SUPPORTING)
    AssignmentFactory(task=t2, unit=units["B"], role=Role.RESPONSIBLE)
    DeadlineFactory(task=t1, date=datetime.date(2016, 10, 31), text="10月底前")
    DeadlineFactory(task=t2, kind="recurring", date=None, rule="quarterly:3:23", text="长期坚持")
    office = UserFactory(username="sheet_office")
    plan.office_staff.add(office)
    users = {"office": office}
    for name in ("A", "B", "M1"):
        users[f"official_{name}"] = MembershipFactory(user=UserFactory(username=f"official_{name}"), unit=units[name]).user
        users[f"leader_{name}"] = MembershipFactory(
            user=UserFactory(username=f"leader_{name}"), unit=units[name], role=MemberRole.LEADER,
        ).user
    period = ReportingPeriodFactory(
        plan=plan, label="2016Q3", start=datetime.date(2016, 7, 1), end=datetime.date(2016, 9, 30),
        due_date=datetime.date(2016, 9, 23),
    )
    services.period_open(user=office, period=period)
    return SheetWorld(plan=plan, period=period, t1=t1, t2=t2, units=units, users=users)


# --- reading sheets ---------------------------------------------------------------------------
def plan_bytes(world: SheetWorld, user=None, today=TODAY, **kwargs) -> bytes:
    out = io.BytesIO()
    export_plan_workbook(out, user=user or world.users["office"], period=world.period, today=today, **kwargs)
    return out.getvalue()


def unit_bytes(world: SheetWorld, unit: str, user=None) -> bytes:
    out = io.BytesIO()
    user = user or world.users[f"official_{unit}"]
    export_unit_workbook(out, user=user, period=world.period, unit=world.units[unit], today=TODAY)
    return out.getvalue()


def load(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def keys(sheet) -> list[str]:
    """The hidden key column, from the first data row to the last keyed row."""
    column = sheet.max_column
    values = [sheet.cell(row, column).value for row in range(layout.FIRST_DATA_ROW, sheet.max_row + 1)]
    return [value for value in values if value]


def row_of(sheet, key: str) -> int:
    column = sheet.max_column
    return next(row for row in range(layout.FIRST_DATA_ROW, sheet.max_row + 1) if sheet.cell(row, column).value == key)


def column_of(sheet, header: str) -> int:
    """The column under `header` (row 4, or row 3 where the two header rows are merged)."""
    for column in range(1, sheet.max_column + 1):
        if header in (sheet.cell(layout.HEADER_ROW, column).value, sheet.cell(layout.GROUP_ROW, column).value):
            return column
    raise KeyError(header)


def cell(sheet, key: str, header: str):
    return sheet.cell(row_of(sheet, key), column_of(sheet, header))


def key_of(world: SheetWorld, task: Task, unit: str) -> str:
    return layout.task_row_key(task.pk, world.units[unit].pk)


def filled(data: bytes, edits: dict[tuple[str, str], object], sheet_name: str | None = None) -> bytes:
    """The workbook with cells changed as an official would: {(row key, header): value}."""
    workbook = load(data)
    sheet = workbook[sheet_name] if sheet_name else workbook.worksheets[0]
    for (key, header), value in edits.items():
        target = cell(sheet, key, header)
        target.value = value
        if isinstance(value, str):
            target.data_type = "s"  # typed text, even when it starts with =
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()

