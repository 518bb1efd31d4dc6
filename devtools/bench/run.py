"""`manage.py bench`: the tracker's pages and API at two sizes of the same province-shaped data,
on the configured database engine, each next to its floor (devtools.bench.floors, and openpyxl's
write-only mode for the Excel export).

Each size gets its own scratch database beside the configured one (PostgreSQL: a database
named <name>_bench_<tasks>; SQLite: a file bench-<tasks>.sqlite3 next to the configured file),
migrated and filled by devtools.scale with 250 tasks per plan, 100 per unit and five years of
quarterly reports, so that one plan, one unit and one page are the same size at both totals.
Requests go through Django's test client (the whole middleware stack, no network), as the
province office (office staff of every plan) or one unit's official."""
from __future__ import annotations

import contextlib
import datetime
import io
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from devtools.bench import floors
from devtools.bench.excel_floor import read_back, write_floor
from plans.models import Assignment, MemberRole, Membership, Plan, ReportingPeriod, Task, TaskStatus
from devtools.scale import OFFICE_USERNAME, ScaleGenerator, Sizes, synthetic_plans

TASKS_PER_PLAN = 250
TASKS_PER_UNIT = 100
GOAL_SIZE_RATIO = 1.5
GOAL_API_FLOOR = 3.0
GOAL_EXPORT_FLOOR = 1.5
HOST = "127.0.0.1"


def sizes_for(tasks: int, years: int = 5) -> Sizes:
    return Sizes(plans=max(1, tasks // TASKS_PER_PLAN), tasks=tasks, units=max(1, tasks // TASKS_PER_UNIT), years=years)


# --- scratch databases ----------------------------------------------------------------------
@contextlib.contextmanager
def scratch_database(tasks: int, keep: bool, say: Callable[[str], None]):
    """Point the default connection at a scratch database for `tasks` for the duration;
    yields True when it already existed (kept by an earlier --keep run)."""
    settings_dict = connection.settings_dict
    original = settings_dict["NAME"]
    postgres = connection.vendor == "postgresql"
    if postgres:
        name = f"{original}_bench_{tasks}"
    elif connection.vendor == "sqlite":
        folder = Path(original).parent if original and original != ":memory:" else Path(settings.BASE_DIR)
        name = str(folder / f"bench-{tasks}.sqlite3")
    else:
        raise SystemExit(f"bench runs on SQLite or PostgreSQL, not {connection.vendor}")
    connection.close()
    if postgres:
        with connection._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            existed = cursor.fetchone() is not None
            if not existed:
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
    else:
        existed = Path(name).exists()
    say(f"数据库 {name}{'（沿用）' if existed else ''}")
    settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = name
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield existed
    finally:
        connection.close()
        settings_dict["NAME"] = settings.DATABASES["default"]["NAME"] = original
        if not keep:
            if postgres:
                with connection._nodb_cursor() as cursor:
                    cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")
            else:
                Path(name).unlink(missing_ok=True)
            connection.close()


def fill(tasks: int, say: Callable[[str], None]) -> None:
    """Generate the data unless this database already holds exactly this size."""
    have = Task.objects.tasks().filter(plan__in=synthetic_plans()).count()
    if have == tasks:
        say(f"沿用已有数据：{have:,} 项任务")
        return
    if have:
        raise SystemExit(f"the scratch database holds {have} tasks, not {tasks}: drop it or run without --keep")
    result = ScaleGenerator(sizes_for(tasks), progress=say).run()
    say(f"生成用时 {result.seconds:.0f} 秒：{result.tasks:,} 项任务，{result.reports:,} 份报告")


# --- measuring ------------------------------------------------------------------------------
@dataclass
class Measure:
    name: str
    kind: str  # "api", "page" or "export"
    median: float = 0.0
    p95: float = 0.0
    queries: int = 0
    floor_median: float = 0.0
    floor_p95: float = 0.0
    size: int = 0

    @property
    def floor_ratio(self) -> float:
        return self.median / self.floor_median if self.floor_median else float("nan")


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(name: str, kind: str, request: Callable[[], bytes], floor: Callable[[], object], repeat: int) -> Measure:
    """Warm both up, count the request's queries once, then time request and floor
    alternately `repeat` times each (alternating shares the machine's noise between them)."""
    result = Measure(name, kind)
    for _ in range(2):
        request()
        floor()
    with CaptureQueriesContext(connection) as queries:
        result.size = len(request())
    result.queries = len(queries)
    times, floor_times = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        request()
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        floor()
        floor_times.append(time.perf_counter() - started)
    result.median, result.p95 = statistics.median(times) * 1000, _p95(times) * 1000
    result.floor_median, result.floor_p95 = statistics.median(floor_times) * 1000, _p95(floor_times) * 1000
    return result


def fetch(client: Client, url: str) -> Callable[[], bytes]:
    def request() -> bytes:
        response = client.get(url, secure=True, HTTP_HOST=HOST)
        if response.status_code != 200:
            raise SystemExit(f"GET {url} answered {response.status_code}: {response.content[:300]!r}")
        return b"".join(response.streaming_content) if response.streaming else response.content

    return request


@dataclass
class World:
    """Who asks and about what: a plan and a unit of the same size at every total."""

    office: object
    plan: Plan
    period: ReportingPeriod
    unit_id: int
    official: object
    plan_tasks: int
    plan_units: int
    unit_reports: int


def world(like: World | None = None) -> World:
    """The plan nearest 250 tasks and the unit with the median number of assignments; given
    `like` (the world of the first size), the plan and unit nearest its plan's tasks and units
    and its unit's open reports, so that the pages compared show as much at both totals."""
    office = get_user_model().objects.get(username=OFFICE_USERNAME)
    tasks = dict(Task.objects.tasks().values("plan").annotate(n=Count("id")).values_list("plan", "n"))
    units = dict(
        Assignment.objects.values("task__plan")
        .annotate(n=Count("unit", distinct=True))
        .values_list("task__plan", "n")
    )
    if like is None:
        plan_id = min(tasks, key=lambda pk: (abs(tasks[pk] - TASKS_PER_PLAN), pk))
    else:
        plan_id = min(
            tasks,
            key=lambda pk: (abs(tasks[pk] / like.plan_tasks - 1) + abs(units[pk] / like.plan_units - 1), pk),
        )
    open_reports = dict(
        ReportingPeriod.objects.filter(is_open=True)
        .values("reports__unit")
        .annotate(n=Count("reports"))
        .values_list("reports__unit", "n")
    )
    if like is None:
        loads = list(
            Assignment.objects.values("unit")
            .annotate(n=Count("id"))
            .order_by("n", "unit")
            .values_list("unit", flat=True)
        )
        unit_id = loads[len(loads) // 2]
    else:
        unit_id = min(open_reports, key=lambda pk: (abs(open_reports[pk] - like.unit_reports), pk))
    plan = Plan.objects.get(pk=plan_id)
    official = Membership.objects.select_related("user").get(unit_id=unit_id, role=MemberRole.OFFICIAL).user
    return World(office, plan, plan.periods.get(is_open=True), unit_id, official, tasks[plan_id], units[plan_id],
                 open_reports.get(unit_id, 0))


def cases(w: World, repeat: int) -> list[Measure]:
    token = Token.objects.get_or_create(user=w.office)[0].key
    api = Client(HTTP_AUTHORIZATION=f"Token {token}")
    office_pages, unit_pages = Client(), Client()
    office_pages.force_login(w.office)
    unit_pages.force_login(w.official)
    status = TaskStatus.ON_TRACK
    results = []
    for size in (100, 500):
        results.append(measure(
            f"API 任务列表 page_size={size}", "api", fetch(api, f"/api/tasks/?page_size={size}"),
            lambda size=size: floors.task_list(w.office.pk, size), repeat,
        ))
        results.append(measure(
            f"API 任务列表 unit+status page_size={size}", "api",
            fetch(api, f"/api/tasks/?page_size={size}&unit={w.unit_id}&status={status}"),
            lambda size=size: floors.task_list(w.office.pk, size, unit=w.unit_id, status=status), repeat,
        ))
    results.append(measure(
        "API 报告列表 page_size=100", "api", fetch(api, "/api/reports/?page_size=100"),
        lambda: floors.report_list(w.office.pk, 100), repeat,
    ))
    results.append(measure(
        "本期待办（单位）", "page", fetch(unit_pages, "/admin/inbox/"), lambda: floors.inbox(w.unit_id), repeat,
    ))
    results.append(measure(
        "督办看板", "page", fetch(office_pages, f"/admin/dashboard/?plan={w.plan.pk}&period={w.period.pk}"),
        lambda: floors.dashboard(w.plan.pk, w.period.pk), repeat,
    ))
    results.append(measure(
        "后台任务列表", "page", fetch(office_pages, "/admin/plans/task/"),
        lambda: floors.admin_tasks(w.office.pk, 100), repeat,
    ))
    export = fetch(api, f"/api/plans/{w.plan.pk}/progress.xlsx?period={w.period.label}")
    cells = read_back(io.BytesIO(export()))
    results.append(measure(
        f"Excel 整表导出（{Task.objects.tasks().filter(plan=w.plan).count()} 项任务）", "export", export,
        lambda: write_floor(cells, io.BytesIO()), max(3, repeat // 3),
    ))
    return results


# --- report ---------------------------------------------------------------------------------
def table(tasks: int, results: list[Measure]) -> list[str]:
    lines = [
        f"{tasks:,} 项任务",
        f"  {'':36} {'中位ms':>8} {'p95ms':>8} {'查询':>4} {'下限ms':>8} {'下限p95':>8} {'倍数':>5} {'字节':>9}",
    ]
    for r in results:
        lines.append(
            f"  {r.name:36} {r.median:8.1f} {r.p95:8.1f} {r.queries:4d} {r.floor_median:8.1f} {r.floor_p95:8.1f} "
            f"{r.floor_ratio:5.2f} {r.size:9,}"
        )
    return lines


def verdicts(small: tuple[int, list[Measure]], large: tuple[int, list[Measure]]) -> tuple[list[str], bool]:
    """Each goal of the issue, PASS or FAIL, with the figures it was judged on."""
    lines, ok = [], True
    (n_small, at_small), (n_large, at_large) = small, large

    def verdict(passed: bool, text: str) -> None:
        nonlocal ok
        ok &= passed
        lines.append(f"  {'PASS' if passed else 'FAIL'}  {text}")

    for a, b in zip(at_small, at_large):
        verdict(a.queries == b.queries, f"{b.name}: 查询数 {a.queries} → {b.queries}（与规模无关）")
        ratio = b.median / a.median
        verdict(
            ratio <= GOAL_SIZE_RATIO,
            f"{b.name}: {n_large:,} 项 / {n_small:,} 项 = {ratio:.2f}（≤ {GOAL_SIZE_RATIO}）",
        )
        if b.kind in ("api", "export"):
            goal = GOAL_API_FLOOR if b.kind == "api" else GOAL_EXPORT_FLOOR
            verdict(
                b.floor_ratio <= goal, f"{b.name}: 相对下限 {b.floor_ratio:.2f}（≤ {goal}，{n_large:,} 项）"
            )
    return lines, ok


def run(task_sizes: list[int], repeat: int, keep: bool, say: Callable[[str], None]) -> bool:
    settings.DEBUG = False  # no query log, as in production
    measured, first = [], None
    for tasks in task_sizes:
        say(f"== {tasks:,} 项任务 ==")
        with scratch_database(tasks, keep, say):
            fill(tasks, say)
            w = world(first)
            first = first or w
            say(
                f"方案 {w.plan.pk}（{w.plan_tasks} 项任务，{w.plan_units} 个单位，{w.period.label}），"
                f"单位 {w.unit_id}（本期 {w.unit_reports} 份报告）；每项测 {repeat} 次"
            )
            results = cases(w, repeat)
            measured.append((tasks, results))
            for line in table(tasks, results):
                say(line)
    say(f"数据库：{connection.vendor}；{datetime.datetime.now():%Y-%m-%d %H:%M}")
    for tasks, results in measured:
        for line in table(tasks, results):
            say(line)
    ok = True
    if len(measured) >= 2:
        lines, ok = verdicts(measured[0], measured[-1])
        say("目标 (goals):")
        for line in lines:
            say(line)
    return ok
