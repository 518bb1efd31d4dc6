"""A task's thread (/api/tasks/{id}/comments/): its messages, leaders' 批示 pinned first, and
the units each one mentions. Read by whoever may see the task; written through
services.comment_add (its plan's office and the units holding a role on it; a 批示 only from a
leader)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.plumbing import get_doc
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from plans import services
from plans.api.base import ID, ApiViewSet
from plans.api.fields import StrictInput, datetime_text
from plans.api.filters import MAX_ID
from plans.api.reports import person
from plans.api.schema import errors
from plans.api.tasks import TaskViewSet
from plans.models import Task, TaskComment

TASK_DESCRIPTION = get_doc(TaskViewSet)  # documented with the task, as its other rows (task_rows.py)
MAX_MENTIONS = 100


class MentionSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="单位 id。")
    name = serializers.CharField(help_text="单位名称。")


class CommentSerializer(serializers.ModelSerializer):
    """A message of the task's thread: who wrote it (and for which unit), whether it is a
    leader's 批示, and the units it mentions."""

    author = serializers.SerializerMethodField()
    unit_name = serializers.SerializerMethodField(help_text="发言时所在单位的名称；督办人员为 null。")
    mentions = serializers.SerializerMethodField(help_text="提及的单位（它们的待办中会看到这条留言）。")

    class Meta:
        model = TaskComment
        fields = ["id", "task", "author", "unit", "unit_name", "text", "is_instruction", "mentions", "created_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(help_text="发言人：姓名（单位），如“张伟（市发改委）”。"))
    def get_author(self, comment):
        return person(comment.author)

    def get_unit_name(self, comment) -> str | None:
        return comment.unit.name if comment.unit_id else None

    @extend_schema_field(MentionSerializer(many=True))
    def get_mentions(self, comment):
        return [{"id": unit.pk, "name": unit.name} for unit in comment.mentions.all()]

    def to_representation(self, comment):
        return {
            "id": comment.pk, "task": comment.task_id, "author": self.get_author(comment), "unit": comment.unit_id,
            "unit_name": self.get_unit_name(comment), "text": comment.text, "is_instruction": comment.is_instruction,
            "mentions": self.get_mentions(comment), "created_at": datetime_text(comment.created_at),
        }


class UnitIdList(serializers.ListField):
    """Unit ids. A bad item is one sentence for the field, not DRF's {index: [messages]}, which
    the error shape (field → list of messages) does not allow."""

    child = serializers.IntegerField(min_value=1, max_value=MAX_ID)

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as error:
            if isinstance(error.detail, dict):
                raise serializers.ValidationError([_("请填写单位编号的列表 (a list of unit ids)")]) from error
            raise


class CommentCreateSerializer(StrictInput, serializers.Serializer):
    text = serializers.CharField(allow_blank=True, required=False, max_length=20000, help_text="留言内容（必填）。")
    is_instruction = serializers.BooleanField(
        required=False, default=False, help_text="作为领导批示（单位负责人或督办人员），置顶显示。",
    )
    mentions = UnitIdList(required=False, max_length=MAX_MENTIONS, help_text="提及的单位 id（须为承担该任务的单位）。")


@extend_schema_view(
    list=extend_schema(
        summary="任务留言（批示置顶）", description=TASK_DESCRIPTION,
        responses={200: CommentSerializer(many=True), **errors(400, 401, 404)},
    ),
    create=extend_schema(
        summary="留言或批示（督办人员和承担该任务的单位；批示限领导）", description=TASK_DESCRIPTION,
        request=CommentCreateSerializer, responses={201: CommentSerializer, **errors(400, 401, 403, 404)},
    ),
)
class TaskCommentViewSet(ApiViewSet, mixins.ListModelMixin):
    """A task's thread, routed under the task (plans.api.urls). The task is found as
    /api/tasks/{id}/ finds it (else 404); messages are not changed or deleted."""

    queryset = TaskComment.objects.none()
    serializer_class = CommentSerializer
    filter_backends = []

    def get_task(self) -> Task:
        pk = self.kwargs["pk"]
        if not ID.fullmatch(str(pk)):
            raise NotFound()
        return get_object_or_404(Task.objects.tasks().visible_to(self.request.user), pk=pk)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TaskComment.objects.none()
        return (
            TaskComment.objects.filter(task=self.get_task())
            .select_related("author__profile", "author__membership__unit", "unit")
            .prefetch_related("mentions")
        )

    def create(self, request, *args, **kwargs):
        task = self.get_task()
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = serializer.validated_data
        comment = services.comment_add(
            user=request.user, task=task, text=values.get("text", ""),
            is_instruction=values.get("is_instruction", False), mentions=values.get("mentions", ()),
        )
        comment = self.get_queryset().get(pk=comment.pk)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
