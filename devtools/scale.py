"""Province-scale synthetic data (`manage.py generate_scale_data`, `manage.py bench`): hundreds
of plans, tens of thousands of tasks, hundreds of units and years of quarterly reports.

The shape follows the real plans: sections (一、) with sub-sections ((一)) or tasks directly
under them, 1–3 responsible units per task (the first leads) and 0–4 supporting ones drawn
from the plan's own pool of units, deadlines within the plan's span, one period per quarter
from the plan's start to the current quarter (the current one open), a report per
responsible unit per period whose percent grows over the periods, and Chinese report texts
of realistic length. Deterministic from the seed.

Rows are written with ids handed out by devtools.bulk_writer and sent in large batches: COPY on
PostgreSQL, executemany elsewhere; no model instances, no signals, no history rows. Everything is
written in one transaction, so a failure leaves the database as it was."""
from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from devtools.bulk_writer import BulkWriter, analyze
from devtools.texts import (
    AREAS,
    MEASURES,
    NEXT_STEPS,
    PROBLEMS,
    PROGRESS,
    REVIEW_COMMENTS,
    THEMES,
    chinese_number,
    sentences,
    task_title,
)
from plans.models import (
    Assignment,
    Comparator,
    Deadline,
    DeadlineKind,
    MemberRole,
    Membership,
    NodeKind,
    Plan,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Role,
    SupportingInput,
    Target,
    Task,
    TaskStatus,
    Unit,
    UnitKind,
)
from plans.periods import nominal_due_date, shift_to_working_day, spans
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure

JURISDICTION = "合成省"  # synthetic units are named 合成省第N厅, never colliding with real ones
PASSWORD = "scale-demo-2026"
OFFICE_USERNAME = "scale-office"
TEXT_POOL = 3000  # distinct texts per field; reports pick from them


@dataclass(frozen=True)
class Sizes:
    plans: int = 200
    tasks: int = 50_000
    units: int = 500
    years: int = 5

    def check(self) -> None:
        if min(self.plans, self.tasks, self.units, self.years) < 1:
            raise ValueError("every size must be at least 1")
        if self.tasks < self.plans:
            raise ValueError(f"{self.tasks} tasks cannot fill {self.plans} plans (at least one task each)")


@dataclass
class Generated:
    plans: int = 0
    sections: int = 0
    tasks: int = 0
    units: int = 0
    assignments: int = 0
    periods: int = 0
    reports: int = 0
    inputs: int = 0
    targets: int = 0
    accounts: int = 0
    seconds: float = 0.0


def real_plans():
    """Plans that are not synthetic: generating next to them needs the caller's consent."""
    return Plan.objects.exclude(jurisdiction=JURISDICTION)


def synthetic_plans():
    return Plan.objects.filter(jurisdiction=JURISDICTION)


def unit_username(number: int, role: str) -> str:
    return f"scale-u{number}-{role}"


# --- the generator --------------------------------------------------------------------------
INDICATORS = [
    ("细颗粒物(PM2.5)年均浓度", Comparator.LTE, "微克/立方米", 30, 70),
    ("空气质量优良天数", Comparator.GTE, "天", 180, 320),
    ("规模以上工业增加值增速", Comparator.GTE, "%", 5, 9),
    ("新增风电装机", Comparator.GTE, "万千瓦", 20, 200),
    ("营业收入", Comparator.GTE, "亿元", 500, 28000),
    ("绿色工厂", Comparator.GTE, "家", 50, 400),
    ("短期出口信用保险承保规模", Comparator.GTE, "亿美元", 50, 300),
    ("万元地区生产总值能耗下降", Comparator.GTE, "%", 2, 15),
]


def _quarter(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3


class ScaleGenerator:
    def __init__(self, sizes: Sizes, *, seed: int = 1, today: datetime.date | None = None,
                 progress: Callable[[str], None] | None = None):
        sizes.check()
        self.sizes = sizes
        self.seed = seed
        self.today = today or timezone.localdate()
        self.notify = progress or (lambda message: None)
        self.rng = random.Random(seed)
        self.result = Generated()

    # texts are drawn from pools: writing a million fresh sentences would dominate the run
    def _pools(self) -> None:
        rng = self.rng
        self.pool_progress = [sentences(rng, PROGRESS, 100, 300) for _ in range(TEXT_POOL)]
        self.pool_problems = [sentences(rng, PROBLEMS, 20, 80) for _ in range(TEXT_POOL)]
        self.pool_next = [sentences(rng, NEXT_STEPS, 40, 150) for _ in range(TEXT_POOL)]
        self.pool_measures = [sentences(rng, MEASURES, 100, 300) for _ in range(TEXT_POOL)]
        self.pool_inputs = [sentences(rng, PROGRESS, 30, 80) for _ in range(TEXT_POOL)]

    def run(self) -> Generated:
        started = time.monotonic()
        self._pools()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # ids are handed out here: no other writer meanwhile
                    for model in (
                        Unit, Plan, Task, Assignment, Deadline, Target, ReportingPeriod, ProgressReport,
                        SupportingInput,
                    ):
                        cursor.execute(
                            f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN EXCLUSIVE MODE"
                        )
            self.writer = BulkWriter()
            units = self._units()
            office = self._accounts(units)
            sizes = self._plan_sizes()
            earlier = synthetic_plans().count()  # --append numbers the new plans after them
            done = 0
            for index, size in enumerate(sizes, start=1):
                self._plan(earlier + index, size, units)
                done += size
                if index % 10 == 0 or index == len(sizes):
                    self.notify(
                        f"方案 {index}/{len(sizes)} · 任务 {done:,}/{self.sizes.tasks:,} · "
                        f"报告 {self.result.reports:,} · {time.monotonic() - started:.0f} 秒"
                    )
            self.writer.finish()
            plan_ids = list(synthetic_plans().values_list("pk", flat=True))
            office.office_plans.add(*plan_ids)
        analyze()
        self.result.seconds = time.monotonic() - started
        return self.result

    def _units(self) -> list[int]:
        """Unit ids, reusing units of the same name (合成省第N厅) from an earlier run."""
        names = [f"{JURISDICTION}第{n}厅" for n in range(1, self.sizes.units + 1)]
        existing = dict(Unit.objects.filter(name__in=names).values_list("name", "pk"))
        ids = []
        for n, name in enumerate(names, start=1):
            if name in existing:
                ids.append(existing[name])
            else:
                ids.append(self.writer.add(Unit, name=name, short_name=f"合成{n}厅", jurisdiction=JURISDICTION,
                                           kind=UnitKind.DEPARTMENT))
                self.result.units += 1
        coordinator = Unit.objects.filter(name=f"{JURISDICTION}人民政府督查室").values_list("pk", flat=True).first()
        self.coordinator = coordinator or self.writer.add(
            Unit, name=f"{JURISDICTION}人民政府督查室", short_name="合成省督查室", jurisdiction=JURISDICTION,
            kind=UnitKind.DEPARTMENT,
        )
        self.writer.flush()
        return ids

    def _accounts(self, units: list[int]):
        """The province office (all synthetic plans) and an official and a leader per unit,
        sharing one password hashed once."""
        User = get_user_model()
        groups = groups_ensure()
        password = make_password(PASSWORD)
        office, created = User.objects.get_or_create(
            username=OFFICE_USERNAME,
            defaults={"password": password, "is_staff": True, "email": "office@scale.invalid"},
        )
        office.groups.add(groups[OFFICE_GROUP])
        wanted = [(number, unit_id, role) for number, unit_id in enumerate(units, start=1) for role in MemberRole]
        existing = set(User.objects.filter(username__startswith="scale-u").values_list("username", flat=True))
        new_users = [
            User(username=unit_username(number, role), password=password, is_staff=True,
                 email=f"{unit_username(number, role)}@scale.invalid")
            for number, _unit, role in wanted if unit_username(number, role) not in existing
        ]
        User.objects.bulk_create(new_users, batch_size=2000)
        by_name = dict(User.objects.filter(username__startswith="scale-u").values_list("username", "pk"))
        fresh = {user.username for user in new_users}
        Membership.objects.bulk_create([
            Membership(user_id=by_name[unit_username(number, role)], unit_id=unit_id, role=role)
            for number, unit_id, role in wanted if unit_username(number, role) in fresh
        ], batch_size=2000)
        through = User.groups.through
        through.objects.bulk_create([
            through(user_id=by_name[unit_username(number, role)], group_id=groups[GROUP_OF_ROLE[role]].pk)
            for number, _unit, role in wanted if unit_username(number, role) in fresh
        ], batch_size=2000)
        self.result.accounts = len(new_users) + int(created)
        self.leader_of = {
            unit_id: by_name[unit_username(number, MemberRole.LEADER)]
            for number, unit_id in enumerate(units, start=1)
        }
        return office

    def _plan_sizes(self) -> list[int]:
        """Plan sizes vary (a few large plans, many of a few hundred tasks) and add up exactly."""
        plans, tasks = self.sizes.plans, self.sizes.tasks
        weights = [self.rng.lognormvariate(0, 0.6) for _ in range(plans)]
        total = sum(weights)
        sizes = [max(1, int(tasks * weight / total)) for weight in weights]
        index = 0
        while sum(sizes) != tasks:  # spread the rounding over the plans
            step = 1 if sum(sizes) < tasks else -1
            if sizes[index % plans] + step >= 1:
                sizes[index % plans] += step
            index += 1
        return sizes

    def _plan(self, index: int, size: int, units: list[int]) -> None:
        rng, w = self.rng, self.writer
        current_year, current_quarter = _quarter(self.today)
        first_year = current_year - self.sizes.years + 1
        # reported so far: 6 quarters to all years
        quarters = rng.randint(min(6, self.sizes.years * 4), self.sizes.years * 4)
        start_index = max(first_year * 4, current_year * 4 + current_quarter - quarters + 1)
        period_start = datetime.date(start_index // 4, start_index % 4 * 3 + 1, 1)
        length = rng.randint(max(1, current_year - period_start.year + 1), 5)  # years; most plans still run
        period_end = datetime.date(period_start.year + length - 1, 12, 31)
        area = rng.choice(AREAS)
        title = f"{JURISDICTION}{area}{rng.choice(['三年', '五年', ''])}行动方案（第{index}号）"
        plan = w.add(
            Plan, key=f"合政〔{period_start.year}〕{index}号", title=title,
            doc_number=f"合政〔{period_start.year}〕{index}号",
            jurisdiction=JURISDICTION, plan_year=period_start.year,
            issued_on=period_start - datetime.timedelta(days=20),
            period_start=period_start, period_end=period_end, reporting_rule_text="每季度最后一月的23日前",
            reporting_day=23, coordinator_id=self.coordinator,
        )
        self.result.plans += 1
        periods = self._periods(plan, period_start, min(period_end, self.today))
        pool = rng.sample(units, min(len(units), rng.randint(8, 60)))  # the units a plan involves
        tasks = self._tree(plan, size, pool, periods, (period_start, period_end))
        self._targets(plan, tasks, period_end)

    def _periods(self, plan: int, first: datetime.date, last: datetime.date) -> list[tuple[int, datetime.date, bool]]:
        result = []
        found = spans("quarterly", first, last)
        for number, span in enumerate(found):
            due = shift_to_working_day(nominal_due_date(span.start, 3, 23), "next")
            is_open = number == len(found) - 1
            period = self.writer.add(ReportingPeriod, plan_id=plan, label=span.label, start=span.start, end=span.end,
                                     due_date=due, is_open=is_open)
            result.append((period, due, is_open))
        self.result.periods += len(result)
        return result

    def _tree(self, plan: int, size: int, pool: list[int], periods, periods_span) -> list[int]:
        """Sections, sub-sections where a section is long, and `size` tasks with their
        assignments, deadline and reports; returns the task ids."""
        rng, w = self.rng, self.writer
        sections = max(1, min(8, size // 15 or 1))
        tasks = []
        position = 0

        def node(**values) -> int:
            nonlocal position
            position += 1
            return w.add(Task, plan_id=plan, position=position - 1, source_line=position, **values)

        for number in range(sections):
            count = size // sections + (1 if number < size % sections else 0)
            label = f"{chinese_number(number + 1)}、"
            section = node(
                kind=NodeKind.SECTION, label=label, path=label, level=1, title=THEMES[(plan + number) % len(THEMES)]
            )
            self.result.sections += 1
            groups = [(section, label, 2)]
            if count > 20:  # long sections are split into (一)(二)… with the tasks under them
                groups = []
                for sub in range(min(999, (count + 24) // 25)):
                    sub_label = f"({chinese_number(sub + 1)})"
                    groups.append((node(kind=NodeKind.SECTION, parent_id=section, label=sub_label,
                                        path=label + sub_label, level=2, title=task_title(rng)),
                                   label + sub_label, 3))
                    self.result.sections += 1
            for group_number, (parent, parent_path, level) in enumerate(groups):
                in_group = count // len(groups) + (1 if group_number < count % len(groups) else 0)
                for task_number in range(1, in_group + 1):
                    position += 1
                    task = w.reserve(Task)
                    assigned = self._assign(task, pool)
                    self._deadline(task, periods_span)
                    status, completed_at = self._reports(task, assigned, periods)
                    w.add(Task, id=task, plan_id=plan, position=position - 1, source_line=position, kind=NodeKind.TASK,
                          parent_id=parent, label=f"{task_number}.", path=f"{parent_path}{task_number}.", level=level,
                          title=task_title(rng), text=rng.choice(self.pool_measures), status=status,
                          completed_at=completed_at)
                    tasks.append(task)
        self.result.tasks += size
        return tasks

    def _assign(self, task: int, pool: list[int]) -> list[tuple[int, str]]:
        rng, w = self.rng, self.writer
        responsible = rng.choices([1, 2, 3], weights=[55, 30, 15])[0]
        supporting = rng.choices([0, 1, 2, 3, 4], weights=[35, 25, 20, 12, 8])[0]
        chosen = rng.sample(pool, min(len(pool), responsible + supporting))
        assigned = []
        for position, unit in enumerate(chosen[:responsible]):
            w.add(Assignment, task_id=task, unit_id=unit, role=Role.RESPONSIBLE, position=position,
                  is_lead=position == 0)
            assigned.append((unit, Role.RESPONSIBLE))
        for position, unit in enumerate(chosen[responsible:]):
            w.add(Assignment, task_id=task, unit_id=unit, role=Role.SUPPORTING, position=position)
            assigned.append((unit, Role.SUPPORTING))
        self.result.assignments += len(assigned)
        return assigned

    def _deadline(self, task: int, span: tuple[datetime.date, datetime.date]) -> None:
        rng, (first, last) = self.rng, span
        if rng.random() < 0.85:
            year = rng.randint(first.year, last.year)
            month = rng.randint(3, 12)
            day = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1))
            self.writer.add(Deadline, task_id=task, kind=DeadlineKind.DUE, date=day, text=f"{year}年{month}月底前")
        else:
            self.writer.add(Deadline, task_id=task, kind=DeadlineKind.RECURRING, date=None, rule="quarterly",
                            text="每季度")

    def _targets(self, plan: int, tasks: list[int], last: datetime.date) -> None:
        rng = self.rng
        for position in range(rng.randint(1, 5)):  # plans state at least one number (目标)
            name, comparator, unit, low, high = rng.choice(INDICATORS)
            value = rng.randint(low, high)
            task = rng.choice(tasks) if tasks and rng.random() < 0.6 else None
            self.writer.add(Target, plan_id=plan, task_id=task, indicator=name, comparator=comparator, value=value,
                            unit=unit, year=last.year, position=position,
                            text=f"到{last.year}年，{name}"
                                 f"{'不高于' if comparator == Comparator.LTE else '达到'}{value}{unit}")
            self.result.targets += 1

    def _reports(self, task: int, assigned, periods) -> tuple[str, datetime.datetime | None]:
        """One report per responsible unit per period; the percent climbs over the periods.
        Returns the task's status and completion time: its lead's latest approved report's."""
        rng, w = self.rng, self.writer
        responsible = [unit for unit, role in assigned if role == Role.RESPONSIBLE]
        supporting = [unit for unit, role in assigned if role == Role.SUPPORTING]
        step = rng.randint(5, 30)
        percent = 0
        task_status, completed_at = TaskStatus.NOT_STARTED, None
        for period, due, is_open in periods:
            percent = min(100, percent + rng.randint(0, step))
            status = (
                TaskStatus.COMPLETED if percent == 100 else
                TaskStatus.SUSPENDED if rng.random() < 0.03 else
                TaskStatus.NOT_STARTED if percent == 0 else
                rng.choice([TaskStatus.ON_TRACK, TaskStatus.ON_TRACK, TaskStatus.AHEAD, TaskStatus.BEHIND])
            )
            for unit in responsible:
                state = (
                    rng.choices(list(ReportState), weights=[35, 30, 25, 10])[0] if is_open
                    else rng.choices(list(ReportState), weights=[1, 3, 93, 3])[0]
                )
                sent = state != ReportState.PENDING
                submitted = timezone.make_aware(
                    datetime.datetime.combine(due, datetime.time(9)) - datetime.timedelta(days=rng.randint(0, 10))
                )
                reviewed = (
                    submitted + datetime.timedelta(days=3)
                    if state in (ReportState.APPROVED, ReportState.RETURNED) else None
                )
                report = w.add(
                    ProgressReport, task_id=task, unit_id=unit, period_id=period, status=status,
                    percent=None if status == TaskStatus.SUSPENDED else percent,
                    progress=rng.choice(self.pool_progress) if sent or rng.random() < 0.5 else "",
                    problems=rng.choice(self.pool_problems) if sent else "",
                    next_steps=rng.choice(self.pool_next) if sent else "",
                    state=state, review_comment=rng.choice(REVIEW_COMMENTS) if state == ReportState.RETURNED else "",
                    submitted_at=submitted if sent else None,
                    reviewed_at=reviewed,
                    submitted_by_id=self.leader_of[unit] if sent else None,
                    created_at=submitted - datetime.timedelta(days=20), updated_at=submitted,
                )
                self.result.reports += 1
                if supporting and sent and unit == responsible[0] and rng.random() < 0.15:
                    w.add(SupportingInput, report_id=report, unit_id=rng.choice(supporting),
                          text=rng.choice(self.pool_inputs), created_at=submitted, updated_at=submitted)
                    self.result.inputs += 1
                if unit == responsible[0] and state == ReportState.APPROVED:
                    task_status = status
                    completed_at = reviewed if status == TaskStatus.COMPLETED else None
        return task_status, completed_at
