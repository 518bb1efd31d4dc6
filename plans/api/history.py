"""An object's history as a ledger (/api/history/{kind}/{id}/): the entries of the admin's
history page (plans/history.py) as JSON, for the objects the account may see. Read only."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from plans.api.base import ApiViewSet
from plans.api.schema import READ_ERRORS
from plans.history import object_ledger
from plans.models import (
    Acknowledgement,
    Assignment,
    AssignmentPerson,
    CompletionClaim,
    Deadline,
    ExtensionRequest,
    IndicatorValue,
    Plan,
    ProgressReport,
    SupportingInput,
    Task,
    TaskComment,
)


def _under_tasks(model):
    return lambda user: model.objects.filter(task__in=Task.objects.visible_to(user).values("pk"))


# kind (the URL's part) → (model, the rows of it an account may see: the objects' own rule)
KINDS = {
    "plans": (Plan, lambda user: Plan.objects.visible_to(user)),
    "tasks": (Task, lambda user: Task.objects.visible_to(user)),
    "assignments": (Assignment, _under_tasks(Assignment)),
    "deadlines": (Deadline, _under_tasks(Deadline)),
    "reports": (ProgressReport, lambda user: ProgressReport.objects.visible_to(user)),
    "supporting-inputs": (
        SupportingInput,
        lambda user: SupportingInput.objects.filter(report__in=ProgressReport.objects.visible_to(user).values("pk")),
    ),
    "indicator-values": (IndicatorValue, lambda user: IndicatorValue.objects.visible_to(user)),
    "acknowledgements": (Acknowledgement, lambda user: Acknowledgement.objects.visible_to(user)),
    "extension-requests": (ExtensionRequest, lambda user: ExtensionRequest.objects.visible_to(user)),
    "completion-claims": (CompletionClaim, lambda user: CompletionClaim.objects.visible_to(user)),
    "comments": (TaskComment, lambda user: TaskComment.objects.visible_to(user)),
    "assignment-people": (
        AssignmentPerson,
        lambda user: AssignmentPerson.objects.filter(
            assignment__task__in=Task.objects.visible_to(user).values("pk"),
        ),
    ),
}
KIND_PATTERN = "|".join(KINDS)  # the route's kinds (plans/api/urls.py)
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="字段名，如 state。")
    label = serializers.CharField(help_text="字段的中文名称，如“审核状态”。")
    old = serializers.CharField(
        help_text="修改前的值，按页面显示（选项为中文名称，人员为姓名（单位），空为“（空）”）。",
    )
    new = serializers.CharField(help_text="修改后的值，同上。")


class SourceSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="admin、api、web、command、excel、plan_import；未记录时为空。",
    )
    label = serializers.CharField(help_text="来源的说明，如“管理后台”“Excel 导入 #12”。")
    ref = serializers.IntegerField(allow_null=True, help_text="Excel 导入或方案导入的编号。")


class EntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="历史记录的编号。")
    at = serializers.DateTimeField(help_text="修改时间（本地时区）。")
    time = serializers.CharField(help_text="修改时间，精确到分钟，如“2026-12-06 14:05”。")
    person = serializers.CharField(help_text="修改人：姓名（单位）；“系统”或“已删除的账号”。")
    action = serializers.ChoiceField(choices=list(ACTIONS.values()), help_text="created、changed、deleted。")
    action_label = serializers.CharField(help_text="新建、修改、删除。")
    source = SourceSerializer()
    note = serializers.CharField(help_text="记录的说明（如“撤回报送”），没有时为空。")
    changes = ChangeSerializer(many=True, help_text="新建时为初始值；删除时为空。")


class LedgerSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=list(KINDS))
    id = serializers.IntegerField()
    object = serializers.CharField(help_text="对象的名称。")
    entries = EntrySerializer(many=True, help_text="由新到旧。")


def entry_data(entry) -> dict:
    return {
        "id": entry.id, "at": timezone.localtime(entry.at), "time": entry.time, "person": entry.person,
        "action": ACTIONS.get(entry.action_code, "changed"), "action_label": entry.action,
        "source": {"code": entry.source.code, "label": entry.source.label, "ref": entry.source.ref},
        "note": entry.source.note,
        "changes": [
            {"field": change.name, "label": change.label, "old": change.old_full or change.old,
             "new": change.new_full or change.new}
            for change in entry.changes
        ],
    }


KIND = OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS), description="对象的类型。")
ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="对象的编号。")


@extend_schema_view(
    retrieve=extend_schema(
        summary="修改记录：谁在何时通过何处改了什么（与管理后台的历史页相同）",
        parameters=[KIND, ID], responses={200: LedgerSerializer, **READ_ERRORS},
    ),
)
class HistoryViewSet(ApiViewSet):
    """An object's history: every change with its time, person, action, source and the fields
    it changed, for the objects the account may see (else 404)."""

    queryset = Plan.objects.none()
    serializer_class = LedgerSerializer
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or self.kwargs.get("kind") not in KINDS:
            return Plan.objects.none()
        _model, rows = KINDS[self.kwargs["kind"]]
        return rows(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        model, _rows = KINDS[self.kwargs["kind"]]
        data = {
            "kind": self.kwargs["kind"], "id": obj.pk, "object": str(obj),
            "entries": [entry_data(entry) for entry in object_ledger(model, obj.pk)],
        }
        return Response(LedgerSerializer(data).data)
