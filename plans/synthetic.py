"""Synthetic province-scale data for benchmarks and load tests: one plan with a realistic tree
(一、 sections, (一) sub-sections, numbered tasks), lead / responsible / supporting units,
deadlines, one quarterly reporting period and the lead unit's report on every task.

Deterministic from `seed`, no external data, written with bulk_create in one transaction
(no history rows). Unit names start with 合成 so they never collide with real units."""
from __future__ import annotations

import calendar
import datetime
import math
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from plans.models import (
    Assignment,
    Deadline,
    DeadlineKind,
    Frequency,
    NodeKind,
    Plan,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Role,
    SupportingInput,
    Task,
    TaskStatus,
    Unit,
    UnitKind,
)
from plans.periods import nominal_due_date, shift_to_working_day

BATCH_SIZE = 5000
SECTIONS = 10
TASKS_PER_SUBSECTION = 100
JURISDICTION = "合成省"
YEAR = 2025

# --- words --------------------------------------------------------------------------------------
THEMES = [
    "着力构建现代化产业体系", "全面提升科技创新能力", "持续改善生态环境质量", "扎实推进乡村全面振兴",
    "加快建设现代综合交通体系", "推动能源绿色低碳转型", "大力发展数字经济", "切实保障和改善民生",
    "持续优化营商环境", "推进更高水平对外开放", "统筹发展和安全", "加强组织保障",
]
AREAS = [
    "制造业", "科技创新", "生态环境", "农业农村", "交通运输", "能源", "数字经济", "社会保障", "营商环境",
    "文化旅游", "城乡建设", "对外贸易", "安全生产", "教育", "卫生健康", "水利", "自然资源", "市场监管",
]
VERBS = ["推进", "加快", "深化", "完善", "强化", "健全", "实施", "落实", "提升", "优化", "推动", "加强"]
OBJECTS = [
    "重点项目建设", "体制机制改革", "标准体系建设", "监测预警体系", "公共服务能力", "示范工程", "基础设施补短板",
    "要素保障", "监管执法", "人才队伍建设", "数字化转型", "绿色低碳转型", "协同联动机制", "考核评价制度",
]
MEASURES = [
    "围绕{a}领域{o}目标任务，制定年度工作方案",
    "{v}{a}{o}，明确时间表和路线图",
    "建立{a}{o}工作台账，实行清单化管理",
    "到{y}年底前完成{n}个{a}项目",
    "每季度开展一次{o}督导检查",
    "统筹用好各类资金{n}亿元",
    "确保{a}{o}取得明显成效",
    "形成一批可复制可推广的经验做法",
    "压实各级各部门责任，加强跟踪问效",
    "支持有条件的地区先行先试",
    "健全部门协同和省市县联动机制",
    "对标国内先进省份，补齐短板弱项",
]
PROGRESS = [
    "已完成{a}{o}年度计划的{p}%",
    "累计投入资金{n}亿元",
    "召开专题推进会议{k}次",
    "印发{a}{o}实施细则",
    "开展实地督导{k}次，发现并整改问题{k}个",
    "{n}个重点项目已开工建设",
    "完成{a}领域调查摸底，建立工作台账",
    "会同相关单位{v}{o}",
]
PROBLEMS = [
    "部分项目前期工作进度偏慢",
    "资金到位率不高，要素保障压力较大",
    "基层专业人员不足",
    "跨部门数据共享还不够顺畅",
    "个别地区推进力度不均衡",
    "项目用地审批周期较长",
]
NEXT_STEPS = [
    "下一步将{v}{a}{o}，确保按期完成",
    "加强调度，每月通报进展",
    "协调解决项目用地和资金问题",
    "组织开展专项督查",
    "总结推广先进经验做法",
    "加大{a}领域政策支持力度",
]
TEXT_ONLY_DEADLINES = [("长期坚持", ""), ("持续推进", ""), ("每季度", "quarterly"), ("每年", "yearly")]
REVIEW_COMMENTS = ["请补充量化指标完成情况。", "进展情况过于笼统，请细化。", "请说明资金到位情况。"]

STATUS_WEIGHTS = {
    TaskStatus.ON_TRACK: 40, TaskStatus.AHEAD: 10, TaskStatus.BEHIND: 15,
    TaskStatus.COMPLETED: 15, TaskStatus.NOT_STARTED: 10, TaskStatus.SUSPENDED: 10,
}
STATE_WEIGHTS = {ReportState.PENDING: 15, ReportState.SUBMITTED: 35, ReportState.APPROVED: 40, ReportState.RETURNED: 10}


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 40 → 四十, 105 → 一百零五 (1 ≤ n ≤ 999)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    hundreds, rest = digits[n // 100] + "百", n % 100
    if rest == 0:
        return hundreds
    if rest < 10:
        return hundreds + "零" + digits[rest]
    return hundreds + chinese_number(rest) if rest >= 20 else hundreds + "一" + chinese_number(rest)


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        a=rng.choice(AREAS), o=rng.choice(OBJECTS), v=rng.choice(VERBS), y=YEAR,
        n=rng.randint(2, 80), k=rng.randint(1, 12), p=rng.randint(20, 95),
    )


def _text(rng: random.Random, templates: list[str], low: int, high: int) -> str:
    """Clauses from `templates` joined into sentences, between `low` and `high` characters."""
    target = rng.randint(low, high)
    text = ""
    while len(text) < target:
        clause = _fill(rng, rng.choice(templates))
        text += clause + ("。" if rng.random() < 0.3 else "，")
    return text[: high - 1].rstrip("，。") + "。"


def _title(rng: random.Random) -> str:
    return rng.choice(VERBS) + rng.choice(AREAS) + rng.choice(OBJECTS)


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# --- the builder --------------------------------------------------------------------------------
def build_synthetic_plan(
    *,
    tasks: int = 50_000,
    units: int = 200,
    seed: int = 1,
    title: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Plan:
    """Create one synthetic plan with `tasks` task nodes (plus their sections), `units` units
    named 合成省第N厅 (reused if they exist), an open 2025Q2 period and one report per task by
    its lead unit. Raises ValueError if a plan with the same title exists. Returns the plan."""
    if tasks < 1 or units < 1:
        raise ValueError("tasks and units must be at least 1")
    title = title or f"合成省推进高质量发展行动方案（{tasks}项任务，种子{seed}）"
    if Plan.objects.filter(key=title).exists():
        raise ValueError(f"a plan keyed {title!r} already exists")
    notify = progress or (lambda message: None)
    rng = random.Random(seed)
    with transaction.atomic():
        unit_list = _units_ensure(units)
        coordinator, _created = Unit.objects.get_or_create(
            name=f"{JURISDICTION}人民政府督查室", defaults={"short_name": "合成省督查室", "jurisdiction": JURISDICTION},
        )
        plan = Plan.objects.create(
            key=title, title=title, doc_number=f"合政〔{YEAR}〕{seed}号", jurisdiction=JURISDICTION, plan_year=YEAR,
            issued_on=datetime.date(YEAR, 1, 15), period_start=datetime.date(YEAR, 1, 1),
            period_end=datetime.date(YEAR, 12, 31), reporting_frequency=Frequency.QUARTERLY, reporting_month=3,
            reporting_day=23, reporting_rule_text="每季度最后一月的23日前", coordinator=coordinator,
        )
        start = datetime.date(YEAR, 4, 1)
        period = ReportingPeriod.objects.create(
            plan=plan, label=f"{YEAR}Q2", start=start, end=datetime.date(YEAR, 6, 30), is_open=True,
            due_date=shift_to_working_day(nominal_due_date(start, plan.reporting_month, plan.reporting_day), plan.holiday_shift),
        )
        notify(f"units: {len(unit_list)}; plan {plan.pk}, period {period.label}")
        groups = _sections_create(plan, tasks, rng)
        notify(f"sections: {min(SECTIONS, tasks)}, sub-sections: {len(groups)}")
        done = 0
        batch = []
        for parent, first_position, count in groups:
            for number in range(1, count + 1):
                batch.append(_task_spec(rng, plan, parent, first_position + number - 1, number, unit_list, period))
                if len(batch) == BATCH_SIZE:
                    _batch_create(batch)
                    done += len(batch)
                    batch = []
                    notify(f"tasks: {done}/{tasks}")
        if batch:
            _batch_create(batch)
            done += len(batch)
            notify(f"tasks: {done}/{tasks}")
    return plan


def _units_ensure(count: int) -> list[Unit]:
    names = [f"{JURISDICTION}第{n}厅" for n in range(1, count + 1)]
    existing = set(Unit.objects.filter(name__in=names).values_list("name", flat=True))
    Unit.objects.bulk_create(
        [
            Unit(name=name, short_name=f"合成{n}厅", jurisdiction=JURISDICTION, kind=UnitKind.DEPARTMENT)
            for n, name in enumerate(names, start=1)
            if name not in existing
        ],
        batch_size=BATCH_SIZE,
    )
    by_name = Unit.objects.in_bulk(names, field_name="name")
    return [by_name[name] for name in names]


def _sections_create(plan: Plan, tasks: int, rng: random.Random) -> list[tuple[Task, int, int]]:
    """Create the 一、 sections and (一) sub-sections; return (sub-section, position of its
    first task, number of tasks) for each sub-section, leaving positions free for the tasks."""
    sections = min(SECTIONS, tasks)
    nodes, groups = [], []
    position = 0
    for index in range(sections):
        in_section = tasks // sections + (1 if index < tasks % sections else 0)
        label = f"{chinese_number(index + 1)}、"
        section = Task(
            plan=plan, kind=NodeKind.SECTION, label=label, path=label, level=1, position=position,
            title=THEMES[index % len(THEMES)], source_line=position + 1,
        )
        nodes.append(section)
        position += 1
        subsections = min(999, math.ceil(in_section / TASKS_PER_SUBSECTION))
        for sub in range(subsections):
            count = in_section // subsections + (1 if sub < in_section % subsections else 0)
            sub_label = f"({chinese_number(sub + 1)})"
            node = Task(
                plan=plan, parent=section, kind=NodeKind.SECTION, label=sub_label, path=label + sub_label, level=2,
                position=position, title=_title(rng), text=_text(rng, MEASURES, 40, 100), source_line=position + 1,
            )
            nodes.append(node)
            groups.append((node, position + 1, count))
            position += 1 + count
    # bulk_create takes the parent's primary key from the parent object once it has one
    Task.objects.bulk_create([node for node in nodes if node.level == 1])
    Task.objects.bulk_create([node for node in nodes if node.level == 2], batch_size=BATCH_SIZE)
    return groups


def _task_spec(rng, plan, parent, position, number, unit_list, period) -> tuple:
    """One task and the rows that hang off it, not yet saved: (task, assignments, deadline, report, input)."""
    label = f"{number}."
    task = Task(
        plan=plan, parent=parent, kind=NodeKind.TASK, label=label, path=parent.path + label, level=3,
        position=position, title=_title(rng), text=_text(rng, MEASURES, 100, 300), source_line=position + 1,
    )
    chosen = rng.sample(unit_list, min(len(unit_list), 1 + rng.randint(0, 2) + rng.randint(0, 3)))
    responsible_count = min(len(chosen), 1 + rng.randint(0, 2))
    assignments = [
        Assignment(task=task, unit=unit, role=Role.RESPONSIBLE, position=index, is_lead=index == 0)
        for index, unit in enumerate(chosen[:responsible_count])
    ] + [
        Assignment(task=task, unit=unit, role=Role.SUPPORTING, position=index)
        for index, unit in enumerate(chosen[responsible_count:])
    ]
    if rng.random() < 0.85:
        month = rng.randint(3, 12)
        due = datetime.date(YEAR, month, calendar.monthrange(YEAR, month)[1])
        deadline = Deadline(task=task, kind=DeadlineKind.DUE, date=due, text=f"{YEAR}年{month}月底前")
    else:
        text, rule = rng.choice(TEXT_ONLY_DEADLINES)
        deadline = Deadline(task=task, kind=DeadlineKind.RECURRING, date=None, rule=rule, text=text)

    status, state = _pick(rng, STATUS_WEIGHTS), _pick(rng, STATE_WEIGHTS)
    percent = {TaskStatus.COMPLETED: 100, TaskStatus.NOT_STARTED: 0, TaskStatus.SUSPENDED: None}.get(status, rng.randint(10, 95))
    submitted = timezone.make_aware(datetime.datetime(YEAR, 6, rng.randint(1, 22), rng.randint(8, 18)))
    report = ProgressReport(
        task=task, unit=chosen[0], period=period, status=status, percent=percent,
        progress=_text(rng, PROGRESS, 100, 300), problems=_text(rng, PROBLEMS, 20, 80), next_steps=_text(rng, NEXT_STEPS, 40, 150),
        state=state, submitted_at=None if state == ReportState.PENDING else submitted,
        reviewed_at=submitted + datetime.timedelta(days=2) if state in (ReportState.APPROVED, ReportState.RETURNED) else None,
        review_comment=rng.choice(REVIEW_COMMENTS) if state == ReportState.RETURNED else "",
    )
    if state == ReportState.APPROVED:
        task.status = status
        task.completed_at = report.reviewed_at if status == TaskStatus.COMPLETED else None
    contribution = None
    supporting = chosen[responsible_count:]
    if supporting and state != ReportState.PENDING and rng.random() < 0.5:
        contribution = SupportingInput(report=report, unit=supporting[0], text=_text(rng, PROGRESS, 30, 80))
    return task, assignments, deadline, report, contribution


def _batch_create(specs: list[tuple]) -> None:
    """Save a batch of task specs: the tasks first, then their rows (bulk_create reads each
    foreign key from its related object, which has a primary key by then)."""
    Task.objects.bulk_create([spec[0] for spec in specs], batch_size=BATCH_SIZE)
    Assignment.objects.bulk_create([a for spec in specs for a in spec[1]], batch_size=BATCH_SIZE)
    Deadline.objects.bulk_create([spec[2] for spec in specs], batch_size=BATCH_SIZE)
    ProgressReport.objects.bulk_create([spec[3] for spec in specs], batch_size=BATCH_SIZE)
    SupportingInput.objects.bulk_create([spec[4] for spec in specs if spec[4] is not None], batch_size=BATCH_SIZE)
