"""What the API shows (read serializers) and accepts (write serializers). Writes only
validate types and ranges here; the rules and the writing itself are in plans.services."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from plans import progress
from plans.api.concurrency import MAX_VERSION
from plans.api.filters import MAX_ID
from plans.models import (
    Assignment,
    Comparator,
    Deadline,
    DeadlineKind,
    Frequency,
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
    attach_summaries,
)

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


class PlanSerializer(serializers.ModelSerializer):
    reporting = ReportingScheduleSerializer(source="*", read_only=True)
    issuers = serializers.SerializerMethodField(help_text="印发单位的 id，按文件顺序。")
    sections = serializers.SerializerMethodField(help_text="章节树：顶层章节，各带 children。")
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id", "title", "doc_number", "jurisdiction", "plan_year", "issued_on", "period_start", "period_end",
            "valid_until", "reporting", "coordinator", "issuers", "sections", "targets",
        ]

    def get_issuers(self, plan) -> list[int]:
        return [link.unit_id for link in plan.issuer_links.all()]

    @extend_schema_field(PlanSectionSerializer(many=True))
    def get_sections(self, plan):
        """Reads the `section_nodes` prefetched by views.plans_for_api (position order)."""
        nodes = list(plan.section_nodes)
        by_id = {node.pk: node for node in nodes}
        roots = []
        for node in nodes:
            node.tree_children = []
        for node in nodes:
            parent = by_id.get(node.parent_id)
            (parent.tree_children if parent else roots).append(node)
        return PlanSectionSerializer(roots, many=True).data


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
    """The task with the rows of models.attach_summaries (read here for a single task)."""
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


def _attach_inputs(reports) -> None:
    """The supporting units' input of reports as plain rows (`input_rows`), one query for all."""
    rows = defaultdict(list)
    found = SupportingInput.objects.filter(report_id__in=[report.pk for report in reports]).order_by("unit_id")
    for row in found.values("report_id", "unit_id", "text"):
        rows[row["report_id"]].append({"unit": row["unit_id"], "text": row["text"]})
    for report in reports:
        report.input_rows = rows[report.pk]


class ReportListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        reports = list(data.all() if hasattr(data, "all") else data)
        _attach_inputs([report for report in reports if not hasattr(report, "input_rows")])
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
            _attach_inputs([report])
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


class SheetImportSerializer(serializers.ModelSerializer):
    """An uploaded progress sheet (进展情况表) with its preview; never the file itself."""

    # reads `period` and `uploaded_by`: select_related by views.sheet_imports_for_api
    plan = serializers.IntegerField(source="period.plan_id", read_only=True)
    period_label = serializers.CharField(source="period.label", read_only=True)
    state = SheetImportStateField(
        choices=SheetImportState.choices, read_only=True,
        help_text="previewed：待上传人确认；refused：未通过检查（见 problems），不能导入；applied：已导入。",
    )
    changes = SheetChangeSerializer(many=True, read_only=True, help_text="确认后将写入的修改（预览）。")
    problems = SheetProblemSerializer(many=True, read_only=True)
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)

    class Meta:
        model = SheetImport
        fields = (
            "id", "period", "period_label", "plan", "file_name", "size", "sha256", "state", "changes", "problems",
            "applied_count", "uploaded_by", "created_at", "applied_at",
        )
        read_only_fields = fields


class ProgressSheetQuerySerializer(serializers.Serializer):
    """The query of GET /api/plans/{id}/progress.xlsx."""

    period = serializers.CharField(max_length=20, help_text="报送周期的编号，如“2016Q3”。")
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="单位 id：只导出该单位填报用的表（本单位的任务）。",
    )
    unit_sheets = serializers.BooleanField(
        required=False, default=False, help_text="不带 unit 时：整表之外，每个填报单位另附一张工作表。",
    )


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

    # context["periods"]: the periods the account may see (views.periods_for_api)
    period = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="报送周期 id。")
    file = serializers.FileField(allow_empty_file=True, help_text="填好的进展情况表（.xlsx）。")

    def validate_period(self, value):
        period = self.context["periods"].select_related("plan").filter(pk=value).first()
        if period is None:
            raise serializers.ValidationError(_("报送周期不存在或不可见 (no such period)"))
        return period
