"""What the API shows (read serializers) and accepts (write serializers). Writes only
validate types and ranges here; the rules and the writing itself are in plans.services."""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from plans import progress
from plans.api.concurrency import MAX_VERSION
from plans.api.filters import MAX_ID
from plans.indicators import (
    IndicatorStatus,
    Reading,
    round_for_display,
)
from plans.indicators import expected as expected_value
from plans.indicators import status as indicator_status
from plans.measures import plain
from plans.models import (
    Assignment,
    Comparator,
    Deadline,
    DeadlineKind,
    Frequency,
    IndicatorValue,
    Plan,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Role,
    SheetImport,
    SheetImportState,
    SupportingInput,
    Target,
    Task,
    TaskStatus,
    Unit,
)
from plans.rollup import Rollup, plan_rollups, plan_totals
from plans.selectors.indicators import attach_readings
from plans.selectors.plans import attach_totals
from plans.selectors.reports import attach_inputs
from plans.selectors.tasks import attach_summaries

MAX_POSITION = 32767  # PositiveSmallIntegerField


class ErrorSerializer(serializers.Serializer):
    """The shape of every error answer (plans/api/errors.py)."""

    detail = serializers.CharField(help_text="给人看的说明（中英文）。")
    code = serializers.CharField(help_text="机器可读的错误代码，如 invalid、not_found、precondition_failed。")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="仅 400：字段名 → 错误信息列表。",
    )


# --- reads --------------------------------------------------------------------------------
class UnitSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="集合单位包含的单位。")

    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "jurisdiction", "kind", "members"]


class ReportingScheduleSerializer(serializers.Serializer):
    frequency = serializers.ChoiceField(source="reporting_frequency", choices=Frequency.choices)
    month = serializers.IntegerField(source="reporting_month")
    day = serializers.IntegerField(source="reporting_day", allow_null=True)
    text = serializers.CharField(source="reporting_rule_text")


class TargetSerializer(serializers.ModelSerializer):
    comparator = serializers.ChoiceField(choices=Comparator.choices)
    value = serializers.SerializerMethodField(help_text="精确的十进制数字符串，如“2.8”。")

    class Meta:
        model = Target
        fields = ["indicator", "comparator", "value", "unit", "year", "task"]

    def get_value(self, target) -> str:
        return f"{target.value.normalize():f}"


SECTION_TREE = {"type": "array", "items": {"$ref": "#/components/schemas/PlanSection"}}


class PlanSectionSerializer(serializers.ModelSerializer):
    """A section of the plan's tree; `children` holds its sub-sections."""

    children = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "label", "path", "title", "level", "parent", "children"]

    @extend_schema_field(SECTION_TREE)
    def get_children(self, section):
        return [self.to_representation(child) for child in getattr(section, "tree_children", [])]


class RollupSerializer(serializers.Serializer):
    """A plan's or a section's completion from its active tasks (plans.rollup.Rollup)."""

    tasks = serializers.IntegerField(help_text="有效任务数（章节为其下各级任务）。")
    completed = serializers.IntegerField(help_text="已完成的任务数。")
    completed_percent = serializers.IntegerField(
        allow_null=True, help_text="已完成任务所占比例，0–100，四舍五入；没有任务时为 null。",
    )
    reported = serializers.IntegerField(
        help_text="有完成百分比的任务数：最近一期已审核报告的百分比；已完成而无百分比的任务按100计。",
    )
    average_percent = serializers.IntegerField(
        allow_null=True, help_text="这些任务完成百分比的平均值，0–100，四舍五入；没有时为 null。",
    )


def _section_tree(nodes):
    """The roots of a list of sections in position order, each with its `tree_children`."""
    nodes = list(nodes)
    by_id = {node.pk: node for node in nodes}
    roots = []
    for node in nodes:
        node.tree_children = []
    for node in nodes:
        parent = by_id.get(node.parent_id)
        (parent.tree_children if parent else roots).append(node)
    return roots


class PlanListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        """A page of plans reads their roll-ups in one query (rollup.plan_totals)."""
        plans = list(data.all() if hasattr(data, "all") else data)
        attach_totals(plans)
        return super().to_representation(plans)


class PlanSerializer(serializers.ModelSerializer):
    reporting = ReportingScheduleSerializer(source="*", read_only=True)
    issuers = serializers.SerializerMethodField(help_text="印发单位的 id，按文件顺序。")
    sections = serializers.SerializerMethodField(help_text="章节树：顶层章节，各带 children。")
    targets = TargetSerializer(many=True, read_only=True)
    progress = serializers.SerializerMethodField(
        help_text="方案完成情况：按方案全部有效任务计算（完成比例与平均完成百分比）。",
    )

    class Meta:
        model = Plan
        fields = [
            "id", "title", "doc_number", "jurisdiction", "plan_year", "issued_on", "period_start", "period_end",
            "valid_until", "reporting", "coordinator", "issuers", "sections", "targets", "progress",
        ]
        list_serializer_class = PlanListSerializer

    def get_issuers(self, plan) -> list[int]:
        return [link.unit_id for link in plan.issuer_links.all()]

    @extend_schema_field(PlanSectionSerializer(many=True))
    def get_sections(self, plan):
        """Reads the `section_nodes` prefetched by selectors.plans.plans_for_api (position order)."""
        return PlanSectionSerializer(_section_tree(plan.section_nodes), many=True).data

    @extend_schema_field(RollupSerializer)
    def get_progress(self, plan):
        if not hasattr(plan, "rollup"):
            plan.rollup = plan_totals([plan.pk])[plan.pk]
        return plan.rollup.as_dict()


DETAIL_SECTION_TREE = {"type": "array", "items": {"$ref": "#/components/schemas/PlanDetailSection"}}


class PlanDetailSectionSerializer(serializers.ModelSerializer):
    """A section of the plan's tree with the roll-up of the tasks below it (at any depth)."""

    children = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField(help_text="该章节下各级有效任务的完成情况。")

    class Meta:
        model = Task
        fields = ["id", "label", "path", "title", "level", "parent", "progress", "children"]

    @extend_schema_field(DETAIL_SECTION_TREE)
    def get_children(self, section):
        return [self.to_representation(child) for child in getattr(section, "tree_children", [])]

    @extend_schema_field(RollupSerializer)
    def get_progress(self, section):
        return self.context["section_rollups"].get(section.pk, Rollup()).as_dict()


class PlanDetailSerializer(PlanSerializer):
    """A plan with the roll-up of every section (rollup.plan_rollups, one query)."""

    sections = serializers.SerializerMethodField(help_text="章节树：顶层章节，各带 children 与 progress。")

    class Meta(PlanSerializer.Meta):
        list_serializer_class = serializers.ListSerializer

    def to_representation(self, plan):
        rollups = plan_rollups([plan.pk])[plan.pk]
        plan.rollup, plan.section_rollups = rollups.plan, rollups.sections
        return super().to_representation(plan)

    @extend_schema_field(PlanDetailSectionSerializer(many=True))
    def get_sections(self, plan):
        roots = _section_tree(plan.section_nodes)
        return PlanDetailSectionSerializer(roots, many=True, context={"section_rollups": plan.section_rollups}).data


class PlanProgressSectionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    path = serializers.CharField(help_text="自顶层起的编号，如“三、(一)”。")
    title = serializers.CharField()
    level = serializers.IntegerField()
    parent = serializers.IntegerField(allow_null=True, help_text="上级章节 id；顶层为 null。")
    progress = RollupSerializer(help_text="该章节下各级有效任务的完成情况。")


class PlanProgressSerializer(serializers.Serializer):
    """GET /api/plans/{id}/progress/: the plan's roll-up and every section's, in document order."""

    plan = RollupSerializer(help_text="方案完成情况（全部有效任务）。")
    sections = PlanProgressSectionSerializer(many=True, help_text="全部有效章节，按文件顺序。")


class TaskAssignmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "unit", "name", "position", "is_lead", "version"]


class TaskAssignmentsSerializer(serializers.Serializer):
    responsible = TaskAssignmentSerializer(many=True, help_text="责任单位；position 0 为牵头单位。")
    supporting = TaskAssignmentSerializer(many=True, help_text="配合单位。")
    implementing = TaskAssignmentSerializer(many=True, help_text="负责落实。")


class LatestReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgressReport
        fields = ["id", "period", "unit", "state", "status", "percent"]


class StrictInput:
    """Mixin for input serializers: a field the client may not write (unknown or read-only)
    is a 400, not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = sorted(str(name) for name in data if name not in writable)
            if refused:
                raise serializers.ValidationError(
                    {name: [_("未知或只读字段 (unknown or read-only field)")] for name in refused}
                )
        return super().to_internal_value(data)


def version_field():
    return serializers.IntegerField(
        min_value=1, max_value=MAX_VERSION, required=False,
        help_text="行版本。写入时可代替 If-Match 头声明所依据的版本（过期 → 409）。",
    )


class DeadlineSerializer(StrictInput, serializers.ModelSerializer):
    """A task's deadline, read and written (POST/PATCH under /api/tasks/{id}/deadlines/)."""

    kind = serializers.ChoiceField(choices=DeadlineKind.choices, required=False)
    position = serializers.IntegerField(
        min_value=0, max_value=MAX_POSITION, required=False, write_only=True,
        help_text="在任务时限中的顺序；新增时省略则排在最后。",
    )
    version = version_field()

    class Meta:
        model = Deadline
        fields = ["id", "kind", "date", "rule", "text", "position", "version"]
        validators = []  # uniqueness is checked by the service, under the task's lock


class TaskListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        """A page of tasks reads its assignments, deadlines and latest reports in three queries."""
        tasks = list(data.all() if hasattr(data, "all") else data)
        attach_summaries([task for task in tasks if not hasattr(task, "assignment_rows")])
        return super().to_representation(tasks)


def _summarised(task):
    """The task with the rows of selectors.tasks.attach_summaries (read here for a single task)."""
    if not hasattr(task, "assignment_rows"):
        attach_summaries([task])
    return task


_DATE = serializers.DateField()


def _date(value):
    return None if value is None else _DATE.to_representation(value)


def _datetime(value):
    """DateTimeField's ISO 8601 in the current time zone, without its per-call lookups."""
    if value is None:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class TaskSerializer(serializers.ModelSerializer):
    """Reads the annotations of TaskQuerySet.with_schedule() and with_latest_report() and the
    rows of models.attach_summaries. `to_representation` builds the declared fields directly
    (tests/api/test_tasks.py checks it against DRF's field-by-field walk, which costs a page of
    500 tasks more than all of its SQL)."""

    light = serializers.SerializerMethodField(help_text="红黄绿灯（推算，不可填写）。")
    overdue = serializers.SerializerMethodField(help_text="超期未完成（推算）。")
    due_date = serializers.DateField(read_only=True, allow_null=True, help_text="首个完成时限。")
    start_date = serializers.DateField(read_only=True, allow_null=True)
    assignments = serializers.SerializerMethodField()
    deadlines = DeadlineSerializer(many=True, read_only=True)
    latest_report = serializers.SerializerMethodField(help_text="最近一期的报告（优先牵头单位的）。")

    class Meta:
        model = Task
        fields = [
            "id", "plan", "parent", "path", "label", "title", "text", "level", "status", "light", "overdue",
            "due_date", "start_date", "assignments", "deadlines", "latest_report", "version",
        ]
        list_serializer_class = TaskListSerializer

    def _today(self):
        return self.context.get("today") or timezone.localdate()

    def to_representation(self, task):
        _summarised(task)
        return {
            "id": task.pk, "plan": task.plan_id, "parent": task.parent_id, "path": task.path, "label": task.label,
            "title": task.title, "text": task.text, "level": task.level, "status": task.status,
            "light": self.get_light(task), "overdue": self.get_overdue(task),
            "due_date": _date(task.due_date), "start_date": _date(task.start_date),
            "assignments": self.get_assignments(task),
            "deadlines": [
                {"id": d["id"], "kind": d["kind"], "date": _date(d["date"]), "rule": d["rule"], "text": d["text"], "version": d["version"]}
                for d in task.deadline_rows
            ],
            "latest_report": self.get_latest_report(task),
            "version": task.version,
        }

    @extend_schema_field(serializers.ChoiceField(choices=progress.Light.choices))
    def get_light(self, task):
        return task.light(self._today())

    def get_overdue(self, task) -> bool:
        return progress.is_overdue(task.due_date, task.status == TaskStatus.COMPLETED, self._today())

    @extend_schema_field(TaskAssignmentsSerializer)
    def get_assignments(self, task):
        grouped = {role: [] for role in Role.values}
        for row in _summarised(task).assignment_rows:
            grouped[row["role"]].append({
                "id": row["id"], "unit": row["unit_id"], "name": row["unit__name"], "position": row["position"],
                "is_lead": row["is_lead"], "version": row["version"],
            })
        return grouped

    @extend_schema_field(LatestReportSerializer(allow_null=True))
    def get_latest_report(self, task):
        report = _summarised(task).latest_report_row
        if report is None:
            return None
        return {
            "id": report["id"], "period": report["period_id"], "unit": report["unit_id"], "state": report["state"],
            "status": report["status"], "percent": report["percent"],
        }


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ["id", "plan", "label", "start", "end", "due_date", "is_open", "version"]


class SupportingInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupportingInput
        fields = ["unit", "text"]


class ReportListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        reports = list(data.all() if hasattr(data, "all") else data)
        attach_inputs([report for report in reports if not hasattr(report, "input_rows")])
        return super().to_representation(reports)


class ReportSerializer(serializers.ModelSerializer):
    """Reads views.reports_for_api (is_late). `to_representation` builds the declared fields
    directly, as TaskSerializer does (checked in tests/api/test_reports.py)."""

    late = serializers.BooleanField(source="is_late", read_only=True, help_text="逾期未报（推算）。")
    inputs = SupportingInputSerializer(many=True, read_only=True, help_text="配合单位提供的配合情况。")
    state = serializers.ChoiceField(choices=ReportState.choices, read_only=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id", "task", "unit", "period", "status", "percent", "progress", "problems", "next_steps", "state",
            "late", "review_comment", "submitted_at", "reviewed_at", "version", "inputs",
        ]
        list_serializer_class = ReportListSerializer

    def to_representation(self, report):
        if not hasattr(report, "input_rows"):
            attach_inputs([report])
        return {
            "id": report.pk, "task": report.task_id, "unit": report.unit_id, "period": report.period_id,
            "status": report.status, "percent": report.percent, "progress": report.progress, "problems": report.problems,
            "next_steps": report.next_steps, "state": report.state, "late": bool(report.is_late),
            "review_comment": report.review_comment, "submitted_at": _datetime(report.submitted_at),
            "reviewed_at": _datetime(report.reviewed_at), "version": report.version,
            "inputs": report.input_rows,
        }


class SheetChangeSerializer(serializers.Serializer):
    """One report a previewed upload creates or changes (services.sheet_check)."""

    sheet = serializers.CharField(help_text="工作表名。")
    row = serializers.IntegerField(help_text="Excel 行号。")
    report = serializers.IntegerField(allow_null=True, help_text="报告 id；null 表示导入时新建报告。")
    version = serializers.IntegerField(allow_null=True, help_text="预览时报告的版本。")
    task = serializers.IntegerField()
    task_label = serializers.CharField(help_text="任务（编号与标题）。")
    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.JSONField(), min_length=2, max_length=2),
        help_text="字段名（progress、problems、next_steps、status、percent）→ [原值, 新值]。",
    )


class SheetProblemSerializer(serializers.Serializer):
    """Why an upload cannot be applied, located to the cell where possible (exports.returned.Problem)."""

    sheet = serializers.CharField(allow_blank=True)
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True, help_text="列字母，如“D”；整表或整行的问题为空。")
    header = serializers.CharField(allow_blank=True, help_text="该列的列标题，如“牵头单位”。")
    message = serializers.CharField()


@extend_schema_field({"allOf": [{"type": "string", "enum": SheetImportState.values}]})
class SheetImportStateField(serializers.ChoiceField):
    """Its enum stays inline in the schema (wrapped, so drf-spectacular does not lift it into
    a component): a second enum component for a field named `state`, next to the report's,
    would give both generated names."""


SHEET_PREVIEW_PAGE = 200  # changes and problems per page of an upload's detail


class SheetImportListSerializer(serializers.ModelSerializer):
    """An uploaded progress sheet (进展情况表) in a list: how many changes and problems its
    preview has, never the preview itself (GET /api/sheet-imports/{id}/ pages through it)."""

    # reads `period` and `uploaded_by`: select_related by selectors.sheets.sheet_imports_for_api
    plan = serializers.IntegerField(source="period.plan_id", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    state = SheetImportStateField(
        choices=SheetImportState.choices, read_only=True,
        help_text="previewed：待上传人确认；refused：未通过检查（见 problems），不能导入；applied：已导入。",
    )
    change_count = serializers.IntegerField(read_only=True, help_text="预览中的修改数。")
    problem_count = serializers.IntegerField(read_only=True, help_text="检查发现的问题数（最多记录 1,000 条及一条“另有 N 个问题”）。")
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)

    class Meta:
        model = SheetImport
        fields = (
            "id", "period", "period_label", "plan", "file_name", "size", "sha256", "state", "change_count", "problem_count",
            "applied_count", "uploaded_by", "created_at", "applied_at",
        )
        read_only_fields = fields


class SheetImportSerializer(SheetImportListSerializer):
    """An uploaded progress sheet (进展情况表) with one page of its preview (`preview_page`,
    SHEET_PREVIEW_PAGE changes and problems a page); never the file itself."""

    change_count = serializers.SerializerMethodField(help_text="预览中的修改数。")
    problem_count = serializers.SerializerMethodField(help_text="检查发现的问题数（最多记录 1,000 条及一条“另有 N 个问题”）。")
    changes = serializers.SerializerMethodField(help_text="确认后将写入的修改（预览），本页的部分。")
    problems = serializers.SerializerMethodField(help_text="检查发现的问题，本页的部分。")
    preview_page = serializers.SerializerMethodField(help_text="changes 与 problems 的页码（查询参数 preview_page，从 1 起）。")
    preview_pages = serializers.SerializerMethodField(help_text="changes 与 problems 的总页数，每页各 200 条。")

    class Meta(SheetImportListSerializer.Meta):
        fields = (*SheetImportListSerializer.Meta.fields, "changes", "problems", "preview_page", "preview_pages")
        read_only_fields = fields

    def _page(self, rows: list) -> list:
        start = (self.context.get("preview_page", 1) - 1) * SHEET_PREVIEW_PAGE
        return rows[start:start + SHEET_PREVIEW_PAGE]

    def get_change_count(self, sheet_import) -> int:
        return len(sheet_import.changes)

    def get_problem_count(self, sheet_import) -> int:
        return len(sheet_import.problems)

    @extend_schema_field(SheetChangeSerializer(many=True))
    def get_changes(self, sheet_import):
        return SheetChangeSerializer(self._page(sheet_import.changes), many=True).data

    @extend_schema_field(SheetProblemSerializer(many=True))
    def get_problems(self, sheet_import):
        return SheetProblemSerializer(self._page(sheet_import.problems), many=True).data

    def get_preview_page(self, sheet_import) -> int:
        return self.context.get("preview_page", 1)

    def get_preview_pages(self, sheet_import) -> int:
        longest = max(len(sheet_import.changes), len(sheet_import.problems))
        return max(1, -(-longest // SHEET_PREVIEW_PAGE))


class SheetPreviewPageSerializer(serializers.Serializer):
    """GET /api/sheet-imports/{id}/?preview_page=N: which page of the preview."""

    preview_page = serializers.IntegerField(min_value=1, max_value=1_000_000, default=1, help_text="预览的页码，从 1 起。")


class ProgressSheetQuerySerializer(serializers.Serializer):
    """The query of GET /api/plans/{id}/progress.xlsx."""

    period = serializers.CharField(max_length=20, help_text="报送周期的编号，如“2016Q3”。")
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="单位 id：只导出该单位填报用的表（本单位的任务）。",
    )
    unit_sheets = serializers.BooleanField(
        required=False, default=False, help_text="不带 unit 时：整表之外，每个填报单位另附一张工作表。",
    )


# --- indicators (量化指标) ------------------------------------------------------------------
def _number(value: Decimal | None) -> str | None:
    """An exact decimal string without trailing zeros ("2.8", "100"), or None."""
    return None if value is None else plain(value)


def _expected(value: Decimal | None) -> str | None:
    """A 序时 value as shown: two decimals at most (indicators.round_for_display)."""
    return None if value is None else plain(round_for_display(value))


@extend_schema_field({"allOf": [{"type": "string", "enum": IndicatorStatus.values}]})
class IndicatorStatusField(serializers.ChoiceField):
    """Inline in the schema, as SheetImportStateField: a second `status` enum component, next to
    the task's, would give both generated names."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "met：已达标；on_course：符合序时；off_course：滞后序时（目标年份已过而未达标亦是）；no_value：未填报。",
        )
        super().__init__(choices=IndicatorStatus.choices, **kwargs)


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class IndicatorLatestSerializer(serializers.Serializer):
    period = serializers.IntegerField(help_text="报送周期 id。")
    period_label = serializers.CharField(help_text="报送周期的编号，如“2016Q3”。")
    value = serializers.CharField(
        allow_null=True, help_text="实际值（指标的计量单位），精确的十进制数字符串；该期未填报为 null。",
    )
    expected = serializers.CharField(
        allow_null=True,
        help_text="序时目标值：到该期期末按序时（实施期已过比例）应达到的数值，最多两位小数；越低越好且无基期值的指标为 null。",
    )
    status = IndicatorStatusField()


class IndicatorReadingSerializer(IndicatorLatestSerializer):
    value_id = serializers.IntegerField(allow_null=True, help_text="实际值记录 id（/api/indicator-values/{id}/）；未填报为 null。")
    version = serializers.IntegerField(allow_null=True, help_text="实际值记录的版本；未填报为 null。")
    entered_as = serializers.CharField(allow_null=True, help_text="填报原文，如“12000千瓦”；未填报为 null。")
    note = serializers.CharField(allow_null=True, help_text="说明；未填报为 null。")
    source = serializers.CharField(allow_null=True, help_text="数据来源；未填报为 null。")


def _reading(reading: Reading | None, full: bool = False) -> dict | None:
    if reading is None:
        return None
    row = reading.value
    shown = {
        "period": reading.period.pk, "period_label": reading.period.label,
        "value": _number(row.value) if row else None, "expected": _expected(reading.expected), "status": reading.status,
    }
    if full:
        shown.update({
            "value_id": row.pk if row else None, "version": row.version if row else None,
            "entered_as": row.entered_as if row else None, "note": row.note if row else None,
            "source": row.source if row else None,
        })
    return shown


class IndicatorListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        """A page of indicators reads its periods and values in two queries (attach_readings)."""
        targets = list(data.all() if hasattr(data, "all") else data)
        attach_readings([target for target in targets if not hasattr(target, "tracked")], self.child._today())
        return super().to_representation(targets)


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator (a plan's quantitative target) with its latest reading. Reads the `plan`
    and `owner` selected by views.indicators_for_api; builds its fields directly."""

    owner = UnitRefSerializer(allow_null=True, read_only=True, help_text="填报实际值的责任单位；未指定为 null。")
    comparator = serializers.ChoiceField(choices=Comparator.choices)
    value = serializers.CharField(help_text="目标值：精确的十进制数字符串，如“2.8”。")
    baseline = serializers.CharField(allow_null=True, help_text="基期值（精确的十进制数字符串）；未给出为 null。")
    task = serializers.IntegerField(source="task_id", allow_null=True, help_text="所属任务 id；方案总体目标为 null。")
    latest = IndicatorLatestSerializer(
        allow_null=True, read_only=True,
        help_text="最近一期有实际值的读数；都未填报时为最近一期（status 为 no_value）；方案尚无已开始的报送周期时为 null。",
    )
    projected = serializers.CharField(
        allow_null=True, help_text="按已填报实际值的趋势推算的目标年末数值（最多两位小数）；少于两期实际值时为 null。",
    )

    class Meta:
        model = Target
        fields = [
            "id", "plan", "task", "owner", "indicator", "comparator", "value", "unit", "year", "baseline",
            "is_active", "text", "latest", "projected",
        ]
        list_serializer_class = IndicatorListSerializer

    def _today(self):
        return self.context.get("today") or timezone.localdate()

    def tracked(self, target):
        if not hasattr(target, "tracked"):
            attach_readings([target], self._today())
        return target.tracked

    def to_representation(self, target):
        tracked = self.tracked(target)
        owner = target.owner
        return {
            "id": target.pk, "plan": target.plan_id, "task": target.task_id,
            "owner": None if owner is None else {"id": owner.pk, "name": owner.name},
            "indicator": target.indicator, "comparator": target.comparator, "value": _number(target.value),
            "unit": target.unit, "year": target.year, "baseline": _number(target.baseline), "is_active": target.is_active,
            "text": target.text, "latest": _reading(tracked.latest), "projected": _expected(tracked.projected),
        }


class IndicatorDetailSerializer(IndicatorSerializer):
    readings = IndicatorReadingSerializer(
        many=True, read_only=True, help_text="方案每个已开始的报送周期一项，按时间顺序（含未填报的周期）。",
    )

    class Meta(IndicatorSerializer.Meta):
        fields = [*IndicatorSerializer.Meta.fields, "readings"]

    def to_representation(self, target):
        shown = super().to_representation(target)
        shown["readings"] = [_reading(reading, full=True) for reading in self.tracked(target).readings]
        return shown


class IndicatorValueSerializer(serializers.ModelSerializer):
    """A measured value with its status for its period. Reads `target.plan`, `period` and
    `entered_by`, selected by views.indicator_values_for_api; builds its fields directly."""

    plan = serializers.IntegerField(help_text="指标所在方案 id。")
    period_label = serializers.CharField(help_text="报送周期的编号，如“2016Q3”。")
    value = serializers.CharField(help_text="实际值，已换算为指标的计量单位：精确的十进制数字符串。")
    unit = serializers.CharField(help_text="指标的计量单位（value 所用的单位）。")
    expected = serializers.CharField(
        allow_null=True,
        help_text="该期期末的序时目标值（最多两位小数）；越低越好且无基期值的指标为 null。",
    )
    status = IndicatorStatusField()
    entered_by = serializers.CharField(allow_null=True, help_text="填报人账号；未知为 null。")

    class Meta:
        model = IndicatorValue
        fields = [
            "id", "target", "plan", "period", "period_label", "value", "unit", "entered_as", "note", "source",
            "expected", "status", "entered_by", "created_at", "updated_at", "version",
        ]

    def to_representation(self, row):
        target, period = row.target, row.period
        plan = target.plan
        return {
            "id": row.pk, "target": row.target_id, "plan": target.plan_id, "period": row.period_id,
            "period_label": period.label, "value": _number(row.value), "unit": target.unit,
            "entered_as": row.entered_as, "note": row.note, "source": row.source,
            "expected": _expected(expected_value(target, plan, period.end)),
            "status": indicator_status(target, plan, row.value, period.end),
            "entered_by": row.entered_by.get_username() if row.entered_by_id else None,
            "created_at": _datetime(row.created_at), "updated_at": _datetime(row.updated_at), "version": row.version,
        }


# --- writes -------------------------------------------------------------------------------
class VersionSerializer(StrictInput, serializers.Serializer):
    version = version_field()


class ReportUpdateSerializer(VersionSerializer):
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    percent = serializers.IntegerField(min_value=0, max_value=100, allow_null=True, required=False)
    progress = serializers.CharField(allow_blank=True, required=False, help_text="本期进展情况")
    problems = serializers.CharField(allow_blank=True, required=False, help_text="存在问题")
    next_steps = serializers.CharField(allow_blank=True, required=False, help_text="下步打算")


class ReviewSerializer(VersionSerializer):
    comment = serializers.CharField(allow_blank=True, required=False, max_length=5000, help_text="审核意见；退回时必填。")


class SupportingInputWriteSerializer(StrictInput, serializers.Serializer):
    text = serializers.CharField(max_length=20000, help_text="配合情况")


class TaskUpdateSerializer(VersionSerializer):
    title = serializers.CharField(max_length=300, required=False)
    text = serializers.CharField(allow_blank=True, required=False)
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)


class AssignmentSerializer(StrictInput, serializers.ModelSerializer):
    """A unit's role on a task, read and written under /api/tasks/{id}/assignments/."""

    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    name = serializers.CharField(source="unit.name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)
    position = serializers.IntegerField(
        min_value=0, max_value=MAX_POSITION, required=False,
        help_text="在该职责单位中的位次；省略则排在最后。责任单位的 0 号为牵头单位。",
    )
    version = version_field()

    class Meta:
        model = Assignment
        fields = ["id", "task", "unit", "name", "role", "position", "is_lead", "version"]
        read_only_fields = ["task", "is_lead"]
        validators = []  # uniqueness is checked by the service, under the task's lock


class SheetUploadSerializer(StrictInput, serializers.Serializer):
    """multipart/form-data: the period and the filled-in workbook."""

    # context["periods"]: the periods the account may see (selectors.plans.periods_for_api)
    period = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="报送周期 id。")
    file = serializers.FileField(allow_empty_file=True, help_text="填好的进展情况表（.xlsx）。")

    def validate_period(self, value):
        period = self.context["periods"].select_related("plan").filter(pk=value).first()
        if period is None:
            raise serializers.ValidationError(_("报送周期不存在或不可见 (no such period)"))
        return period


@extend_schema_field({
    "oneOf": [
        {"type": "string", "minLength": 1, "maxLength": 60, "description": "数字，可带计量单位，如“12000千瓦”“1.2万千瓦”。"},
        {"type": "number"},
    ],
})
class QuantityField(serializers.Field):
    """A measured value as typed: a JSON number, or a text holding a number and optionally a
    measurement unit ("12000千瓦"). Numbers become exact Decimals (a JSON fraction by its
    shortest decimal form); texts are parsed and converted by the service."""

    default_error_messages = {
        "invalid": _("请填写数值，可带计量单位，如“12.5万千瓦” (a number, optionally with its unit)"),
        "not_finite": _("请填写有限的数值 (the value must be a finite number)"),
    }

    def __init__(self, **kwargs):
        self._text = serializers.CharField(max_length=60)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return Decimal(data)
        if isinstance(data, float):
            number = Decimal(repr(data))
            if not number.is_finite():
                self.fail("not_finite")
            return number
        if isinstance(data, str):
            return self._text.run_validation(data)
        self.fail("invalid")

    def to_representation(self, value):  # pragma: no cover - input only
        return str(value)


class IndicatorValueInput(StrictInput, serializers.Serializer):
    """The fields a client writes to an indicator's value (the service converts the unit)."""

    value = QuantityField(
        help_text="实际值：数字（按指标的计量单位），或带计量单位的文字，如“12000千瓦”；同类单位自动精确换算，"
        "不能换算（如“亿元”填入“亿美元”指标）则为 400。",
    )
    unit = serializers.CharField(
        max_length=30, required=False, allow_blank=True,
        help_text="value 所用的计量单位（可选）；省略时为数值中写明的单位，再省略即指标的计量单位。",
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, help_text="说明")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="数据来源")


class IndicatorValueCreateSerializer(IndicatorValueInput):
    """POST /api/indicator-values/. context["targets"], context["periods"]: what the account may see."""

    target = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="指标 id（/api/indicators/）。")
    period = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="报送周期 id（须属于指标所在的方案）。")

    def validate_target(self, value):
        target = self.context["targets"].filter(pk=value).first()
        if target is None:
            raise serializers.ValidationError(_("指标不存在或不可见 (no such indicator)"))
        return target

    def validate_period(self, value):
        period = self.context["periods"].filter(pk=value).first()
        if period is None:
            raise serializers.ValidationError(_("报送周期不存在或不可见 (no such period)"))
        return period

    def validate(self, attrs):
        if attrs["period"].plan_id != attrs["target"].plan_id:
            raise serializers.ValidationError({"period": [_("报送周期不属于该指标所在的方案 (the period belongs to another plan)")]})
        return attrs


class IndicatorValueUpdateSerializer(IndicatorValueInput):
    """PATCH /api/indicator-values/{id}/: the fields given change, the others stay."""

    value = QuantityField(required=False, help_text="新的实际值；省略则不变。格式同新增。")
    version = version_field()

    def validate(self, attrs):
        if "unit" in attrs and "value" not in attrs:
            raise serializers.ValidationError({"unit": [_("修改计量单位时须同时填写数值 (send the value together with its unit)")]})
        return attrs
