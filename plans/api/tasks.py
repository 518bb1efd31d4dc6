"""Tasks (/api/tasks/): each with its schedule, light, assignments, deadlines and latest report,
and the office's edits of the task itself. The rows under a task are in task_rows.py."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from plans import progress, services
from plans.api.base import ApiViewSet, VersionedRetrieveMixin
from plans.api.concurrency import stale_as_http
from plans.api.fields import MAX_POSITION, StrictInput, VersionSerializer, date_text, datetime_text, version_field
from plans.api.filters import TaskFilter
from plans.api.pagination import CappedCountPagination
from plans.api.permissions import office_of_plan
from plans.api.schema import IF_MATCH, READ_ERRORS, WRITE_ERRORS, errors, etagged
from plans.models import Assignment, Closure, Deadline, DeadlineKind, ProgressReport, Role, Task, TaskStatus
from plans.selectors.tasks import attach_summaries, tasks_for_api


CLOSURE_LABELS = dict(Closure.choices)  # lazy labels, said in the request's language


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


class DeadlineSerializer(StrictInput, serializers.ModelSerializer):
    """A task's deadline, read and written (POST/PATCH under /api/tasks/{id}/deadlines/)."""

    kind = serializers.ChoiceField(choices=DeadlineKind.choices, required=False)
    position = serializers.IntegerField(
        min_value=0, max_value=MAX_POSITION, required=False, write_only=True,
        help_text="在任务时限中的顺序；新增时省略则排在最后。",
    )
    original_date = serializers.DateField(
        read_only=True, allow_null=True, help_text="批准延期前的原时限；未延期为 null（date 为现在的时限）。",
    )
    extensions = serializers.IntegerField(read_only=True, help_text="已批准的延期次数。")
    version = version_field()

    class Meta:
        model = Deadline
        fields = ["id", "kind", "date", "rule", "text", "original_date", "extensions", "position", "version"]
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


class TaskSerializer(serializers.ModelSerializer):
    """Reads the annotations of TaskQuerySet.with_schedule() and with_latest_report() and the
    rows of models.attach_summaries. `to_representation` builds the declared fields directly
    (tests/api/test_tasks.py checks it against DRF's field-by-field walk, which costs a page of
    500 tasks more than all of its SQL)."""
    # The docstring is the schema's description, kept word for word: the loader it names is
    # plans.selectors.tasks.attach_summaries.

    light = serializers.SerializerMethodField(help_text="红黄绿灯（推算，不可填写）。")
    overdue = serializers.SerializerMethodField(help_text="超期未完成（推算）。")
    due_date = serializers.DateField(read_only=True, allow_null=True, help_text="首个完成时限。")
    start_date = serializers.DateField(read_only=True, allow_null=True)
    assignments = serializers.SerializerMethodField()
    deadlines = DeadlineSerializer(many=True, read_only=True)
    latest_report = serializers.SerializerMethodField(help_text="最近一期的报告（优先牵头单位的）。")
    closure = serializers.ChoiceField(
        choices=Closure.choices, read_only=True, help_text="办结状态：办理中、办结申请中、已办结、已销号。",
    )
    closure_label = serializers.CharField(source="get_closure_display", read_only=True, help_text="办结状态的名称。")
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="销号时间；未销号为 null。")

    class Meta:
        model = Task
        fields = [
            "id", "plan", "parent", "path", "label", "title", "text", "level", "status", "light", "overdue",
            "due_date", "start_date", "assignments", "deadlines", "latest_report", "closure", "closure_label",
            "closed_at", "version",
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
            "due_date": date_text(task.due_date), "start_date": date_text(task.start_date),
            "assignments": self.get_assignments(task),
            "deadlines": [
                {
                    "id": d["id"], "kind": d["kind"], "date": date_text(d["date"]), "rule": d["rule"],
                    "text": d["text"], "original_date": date_text(d["original_date"]),
                    "extensions": d["extensions"], "version": d["version"],
                }
                for d in task.deadline_rows
            ],
            "latest_report": self.get_latest_report(task),
            "closure": task.closure, "closure_label": str(CLOSURE_LABELS.get(task.closure, task.closure)),
            "closed_at": datetime_text(task.closed_at),
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


class TaskUpdateSerializer(VersionSerializer):
    title = serializers.CharField(max_length=300, required=False)
    text = serializers.CharField(allow_blank=True, required=False)
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)


class ReopenSerializer(VersionSerializer):
    reason = serializers.CharField(
        allow_blank=True, required=False, max_length=2000, help_text="重新打开的理由（必填，记入修改记录）。",
    )


class TaskLookup:
    """Where /api/tasks/{id}/ and the rows under it find their task: among the tasks the account
    may see, through the list's filters and orderings (a detail request's query passes them too)."""

    queryset = Task.objects.none()  # for the schema; rows come from get_queryset
    filterset_class = TaskFilter
    ordering_fields = ["id", "due_date", "position", "title", "path", "status", "level"]

    def get_queryset(self):
        return tasks_for_api(self.request.user)


@extend_schema_view(
    list=extend_schema(summary="任务", responses={200: TaskSerializer(many=True), **errors(400, 401, 404)}),
    retrieve=extend_schema(
        summary="任务详情", responses={200: etagged(TaskSerializer, "ETag 头为任务版本。"), **READ_ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改任务（督办人员）", parameters=[IF_MATCH], request=TaskUpdateSerializer,
        responses={200: etagged(TaskSerializer), **WRITE_ERRORS},
    ),
    close=extend_schema(
        summary="销号（督办人员，已办结的任务）", parameters=[IF_MATCH], request=VersionSerializer,
        responses={200: etagged(TaskSerializer), **WRITE_ERRORS},
    ),
    reopen=extend_schema(
        summary="重新打开（督办人员，已办结或已销号的任务，须填写理由）", parameters=[IF_MATCH],
        request=ReopenSerializer,
        responses={200: etagged(TaskSerializer), **WRITE_ERRORS},
    ),
)
class TaskViewSet(TaskLookup, ApiViewSet, VersionedRetrieveMixin, mixins.ListModelMixin):
    """Tasks (not sections) the account may see. Office staff of the plan change a task and
    its assignments (/assignments/) and deadlines (/deadlines/), close a task accepted as done
    (销号, /close/) and reopen it (/reopen/)."""

    serializer_class = TaskSerializer
    pagination_class = CappedCountPagination
    object_rules = {"partial_update": office_of_plan}

    def partial_update(self, request, pk=None):
        task = self.get_object()
        values, pre = self.write_input(TaskUpdateSerializer)
        with stale_as_http(pre):
            services.task_update(user=request.user, task=task, expected_version=pre.version, **values)
        return self.versioned(self.get_queryset().get(pk=task.pk))

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """销号: the task, 已办结, is closed for good (no more reports)."""
        task = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        with stale_as_http(pre):
            services.task_close(user=request.user, task=task, expected_version=pre.version)
        return self.versioned(self.get_queryset().get(pk=task.pk))

    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        """A task 已办结 or 已销号 is 办理中 again; the reason is kept in its history."""
        task = self.get_object()
        values, pre = self.write_input(ReopenSerializer)
        with stale_as_http(pre):
            services.task_reopen(
                user=request.user, task=task, reason=values.get("reason", ""), expected_version=pre.version,
            )
        return self.versioned(self.get_queryset().get(pk=task.pk))
