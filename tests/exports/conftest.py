"""A small plan for the sheet tests, and helpers that read exported sheets like an official
would: find a row by its task, a column by its header."""
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

import openpyxl
import pytest

from plans import services
from plans.exports import layout
from plans.exports.workbooks import export_plan_workbook, export_unit_workbook
from plans.models import Comparator, MemberRole, ProgressReport, Role, Task, UnitKind
from tests.factories import (
    AssignmentFactory,
    DeadlineFactory,
    IndicatorValueFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    SectionFactory,
    TargetFactory,
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


@dataclass
class IndicatorWorld:
    """sheet_world with the plan's coordinator O and targets in plan order: a plan goal (O, ≤,
    with a baseline), T1's (A, 万亿元), a plan goal without values, T2's (B, 家, target year
    2017), the collective C's on T1, and two left out of every sheet (inactive; on an inactive
    task). Values in 2016Q1 and Q2 (closed periods before the exported Q3) and Q3."""

    world: SheetWorld
    periods: list  # Q1, Q2, Q3 (the exported one)
    targets: dict = field(default_factory=dict)


D = Decimal


@pytest.fixture
def indicator_world(sheet_world) -> IndicatorWorld:
    w = sheet_world
    w.units["O"] = w.plan.coordinator = UnitFactory(name="鹤壁市大气污染防治联席会议办公室", short_name="市联席办")
    w.plan.period_start, w.plan.period_end = datetime.date(2016, 1, 1), datetime.date(2016, 12, 31)
    w.plan.save()
    q1 = ReportingPeriodFactory(
        plan=w.plan, label="2016Q1", start=datetime.date(2016, 1, 1), end=datetime.date(2016, 3, 31), due_date=datetime.date(2016, 3, 23),
    )
    q2 = ReportingPeriodFactory(
        plan=w.plan, label="2016Q2", start=datetime.date(2016, 4, 1), end=datetime.date(2016, 6, 30), due_date=datetime.date(2016, 6, 23),
    )
    retired = TaskFactory(plan=w.plan, path="一、(一)9.", title="已删去的任务", position=50, is_active=False)
    specs = {
        "pm25": {
            "task": None, "owner": w.units["O"], "indicator": "细颗粒物(PM2.5)年均浓度", "comparator": Comparator.LTE,
            "value": D("67"), "unit": "微克/立方米", "year": 2016, "baseline": D("80"),
        },
        "revenue": {
            "task": w.t1, "owner": w.units["A"], "indicator": "营业收入", "comparator": Comparator.GTE,
            "value": D("2.8"), "unit": "万亿元", "year": 2016,
        },
        "share": {
            "task": None, "owner": w.units["O"], "indicator": "出口占全国比重", "comparator": Comparator.APPROX,
            "value": D("4.8"), "unit": "%", "year": None,
        },
        "factories": {
            "task": w.t2, "owner": w.units["B"], "indicator": "绿色工厂", "comparator": Comparator.EQ,
            "value": D("300"), "unit": "家", "year": 2017,
        },
        "counties": {
            "task": w.t1, "owner": w.units["C"], "indicator": "清洁能源替代户数", "comparator": Comparator.GTE,
            "value": D("123456789.123456"), "unit": "户", "year": 2016,
        },
        "inactive": {
            "task": None, "owner": w.units["O"], "indicator": "已停用指标", "comparator": Comparator.GTE,
            "value": D("1"), "unit": "个", "is_active": False,
        },
        "retired": {
            "task": retired, "owner": w.units["B"], "indicator": "已删任务的指标", "comparator": Comparator.GTE,
            "value": D("1"), "unit": "个",
        },
    }
    targets = {name: TargetFactory(plan=w.plan, text=spec["indicator"], **spec) for name, spec in specs.items()}
    values = {
        "pm25": {q1: ("82.5", "", ""), q2: ("74", "", ""), w.period: ("69.3", "受沙尘天气影响", "市环境监测站月报")},
        "revenue": {q1: ("0.1", "", ""), q2: ("1.25", "", ""), w.period: ("2.1", "", "省统计局")},
        "factories": {w.period: ("50", "第一批已认定", "")},
        "counties": {q2: ("1000", "", ""), w.period: ("123456789.123456", "", "")},
        "inactive": {w.period: ("5", "", "")},
        "retired": {w.period: ("5", "", "")},
    }
    for name, by_period in values.items():
        for period, (value, note, source) in by_period.items():
            IndicatorValueFactory(target=targets[name], period=period, value=D(value), note=note, source=source)
    return IndicatorWorld(world=w, periods=[q1, q2, w.period], targets=targets)


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


def row_name(value) -> str:
    """A hidden key without the version and digest it carries: 'T<task>U<unit>' or 'S<section>'."""
    return re.sub(r"V[0-9]+(H[0-9a-f]+)?$", "", str(value or ""))


def keys(sheet) -> list[str]:
    """The hidden key column (each key's row name), from the first data row to the last keyed row."""
    column = sheet.max_column
    values = [sheet.cell(row, column).value for row in range(layout.FIRST_DATA_ROW, sheet.max_row + 1)]
    return [row_name(value) for value in values if value]


def full_key(sheet, key: str) -> str:
    """The hidden key as exported (with version and digest) of the row named `key`."""
    return sheet.cell(row_of(sheet, key), sheet.max_column).value


def row_of(sheet, key: str) -> int:
    column = sheet.max_column
    return next(row for row in range(layout.FIRST_DATA_ROW, sheet.max_row + 1) if row_name(sheet.cell(row, column).value) == key)


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

