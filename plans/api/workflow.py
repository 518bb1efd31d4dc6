"""The supervision cycle's steps between 交办 and 销号 (DOMAIN.md §5): 签收
(/api/acknowledgements/), 延期申请 (/api/extension-requests/) and 办结申请
(/api/completion-claims/). A unit files, the office decides; every write goes through the
service of its step (plans.services.acknowledgements, plans.services.workflow), which asks the
rule of plans.permissions and checks the version under a row lock. The task's own 销号 and
reopening are actions of /api/tasks/{id}/ (plans/api/tasks.py)."""
from __future__ import annotations

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404

from plans import services
from plans.api.base import ApiViewSet, VersionedRetrieveMixin
from plans.api.concurrency import stale_as_http
from plans.api.fields import StrictInput, VersionSerializer
from plans.api.filters import MAX_ID, BooleanFilter, IdFilter
from plans.api.pagination import CappedCountPagination
from plans.api.reports import person
from plans.api.schema import IF_MATCH, READ_ERRORS, WRITE_ERRORS, errors, etagged
from plans.models import (
    Acknowledgement,
    ClaimState,
    CompletionClaim,
    Deadline,
    ExtensionRequest,
    RequestState,
    Task,
)


def _people(*fields: str) -> list[str]:
    """The joins that name each account of `fields` without a query per row (see reports.PEOPLE)."""
    return [f"{field}__{part}" for field in fields for part in ("profile", "membership__unit")]


def id_input(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text=help_text)


def _name_field(role: str):
    return extend_schema_field(
        serializers.CharField(allow_null=True, help_text=f"{role}：姓名（单位），如“张伟（市发改委）”；没有时为 null。")
    )


# --- 签收 -------------------------------------------------------------------------------------

class AcknowledgementFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id")
    period = IdFilter(field_name="period_id", help_text="报送周期 id（周期报送的签收）。")
    unit = IdFilter(field_name="unit_id")
    waiting = BooleanFilter(method="filter_waiting", help_text="true：未签收；false：已签收。")

    class Meta:
        model = Acknowledgement
        fields = ["plan", "period", "unit", "waiting"]

    def filter_waiting(self, queryset, name, value):
        return queryset.filter(acknowledged_at__isnull=value)


class AcknowledgementSerializer(serializers.ModelSerializer):
    """签收: a unit's assignments in a plan (交办, period null) or a period's duty to report."""

    plan_title = serializers.CharField(source="plan.title", read_only=True, help_text="方案名称。")
    period_label = serializers.SerializerMethodField(help_text="周期，如“2016Q3”；任务交办的签收为 null。")
    unit_name = serializers.CharField(source="unit.name", read_only=True, help_text="签收单位名称。")
    acknowledged_by = serializers.SerializerMethodField()
    is_late = serializers.SerializerMethodField(help_text="超过签收时限（已签收时看签收日，未签收时看今天）。")
    days_waiting = serializers.SerializerMethodField(help_text="交办以来等待签收的天数；已签收为 0。")

    class Meta:
        model = Acknowledgement
        fields = [
            "id", "plan", "plan_title", "period", "period_label", "unit", "unit_name", "assigned_at", "due_on",
            "acknowledged_at", "acknowledged_by", "is_late", "days_waiting", "version",
        ]
        read_only_fields = fields

    def get_period_label(self, row) -> str | None:
        return row.period.label if row.period_id else None

    @_name_field("签收人")
    def get_acknowledged_by(self, row):
        return person(row.acknowledged_by)

    def get_is_late(self, row) -> bool:
        return row.is_late

    def get_days_waiting(self, row) -> int:
        return row.days_waiting(self.context.get("today"))


@extend_schema_view(
    list=extend_schema(
        summary="签收（本单位的签收事项；督办人员看本方案的）",
        responses={200: AcknowledgementSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="签收详情", responses={200: etagged(AcknowledgementSerializer, "ETag 头为签收版本。"), **READ_ERRORS},
    ),
    acknowledge=extend_schema(
        summary="签收（本单位经办人或单位负责人）", parameters=[IF_MATCH], request=VersionSerializer,
        responses={200: etagged(AcknowledgementSerializer), **WRITE_ERRORS},
    ),
)
class AcknowledgementViewSet(ApiViewSet, VersionedRetrieveMixin, mixins.ListModelMixin):
    """What each unit has to 签收 — its assignments when a plan is assigned and each opened
    period's duty to report — with who signed and when. A unit account sees its own units'
    rows, office staff their plans' rows. They are made by the services (交办, period opening),
    never here."""

    queryset = Acknowledgement.objects.none()
    serializer_class = AcknowledgementSerializer
    filterset_class = AcknowledgementFilter
    pagination_class = CappedCountPagination
    ordering_fields = ["id", "due_on", "assigned_at", "acknowledged_at"]
    ordering = ["due_on", "id"]

    def get_queryset(self):
        return Acknowledgement.objects.visible_to(self.request.user).select_related(
            "plan", "period", "unit", "acknowledged_by", *_people("acknowledged_by"),
        )

    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        row = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        with stale_as_http(pre):
            services.acknowledge(user=request.user, acknowledgement=row, expected_version=pre.version)
        return self.versioned(self.get_queryset().get(pk=row.pk))


# --- shared by 延期申请 and 办结申请 ------------------------------------------------------------

class DecisionSerializer(VersionSerializer):
    comment = serializers.CharField(
        allow_blank=True, required=False, max_length=5000, help_text="审批/审核意见；不批准或退回时必填。",
    )


class WorkflowViewSet(ApiViewSet, VersionedRetrieveMixin, mixins.ListModelMixin):
    """A request a unit files and the office decides: listed and read by whoever may see its
    task's plan or unit; created (201) and decided through the services."""

    pagination_class = CappedCountPagination

    def fresh(self, row, status_code=status.HTTP_200_OK):
        return self.versioned(self.get_queryset().get(pk=row.pk), status_code)

    def create_input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def decide(self, service, row_name):
        row = self.get_object()
        values, pre = self.write_input(DecisionSerializer)
        with stale_as_http(pre):
            service(
                user=self.request.user, **{row_name: row}, comment=values.get("comment", ""),
                expected_version=pre.version,
            )
        return self.fresh(row)


def _decision(summary, serializer):
    return extend_schema(
        summary=summary, parameters=[IF_MATCH], request=DecisionSerializer,
        responses={200: etagged(serializer), **WRITE_ERRORS},
    )


# --- 延期申请 ----------------------------------------------------------------------------------

class ExtensionRequestFilter(filters.FilterSet):
    plan = IdFilter(field_name="task__plan_id")
    task = IdFilter(field_name="task_id")
    unit = IdFilter(field_name="unit_id", help_text="申请单位 id。")
    state = filters.ChoiceFilter(choices=RequestState.choices)

    class Meta:
        model = ExtensionRequest
        fields = ["plan", "task", "unit", "state"]


class ExtensionRequestSerializer(serializers.ModelSerializer):
    """延期申请 of one of a task's deadlines: the date when it was filed (current_date) and the
    date asked for (requested_date). Approved, the deadline takes the new date and keeps its
    first one as original_date."""

    task_title = serializers.CharField(source="task.title", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, help_text="申请单位名称。")
    state_label = serializers.CharField(source="get_state_display", read_only=True, help_text="状态的名称。")
    requested_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = ExtensionRequest
        fields = [
            "id", "task", "task_title", "deadline", "unit", "unit_name", "current_date", "requested_date", "reason",
            "state", "state_label", "requested_by", "requested_at", "decided_by", "decided_at", "decision_comment",
            "version",
        ]
        read_only_fields = fields

    @_name_field("申请人")
    def get_requested_by(self, row):
        return person(row.requested_by)

    @_name_field("审批人")
    def get_decided_by(self, row):
        return person(row.decided_by)


class ExtensionCreateSerializer(StrictInput, serializers.Serializer):
    deadline = id_input("要延期的完成时限 id（/api/tasks/{id}/ 的 deadlines）。")
    requested_date = serializers.DateField(required=False, allow_null=True, help_text="申请延至的日期。")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=5000, help_text="延期理由（必填）。")


@extend_schema_view(
    list=extend_schema(
        summary="延期申请", responses={200: ExtensionRequestSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="延期申请详情",
        responses={200: etagged(ExtensionRequestSerializer, "ETag 头为申请版本。"), **READ_ERRORS},
    ),
    create=extend_schema(
        summary="申请延期（牵头单位负责人，时限到期前）", request=ExtensionCreateSerializer,
        responses={201: etagged(ExtensionRequestSerializer), **errors(400, 401, 403, 404)},
    ),
    approve=_decision("批准延期（督办人员；时限改为申请的日期，保留原时限）", ExtensionRequestSerializer),
    reject=_decision("不批准延期（督办人员，须填写审批意见）", ExtensionRequestSerializer),
)
class ExtensionRequestViewSet(WorkflowViewSet, mixins.CreateModelMixin):
    """延期申请: the lead unit's leader asks to move a dated 完成时限 of an open task; office
    staff of the plan approve (the deadline moves) or reject it with a comment."""

    queryset = ExtensionRequest.objects.none()
    serializer_class = ExtensionRequestSerializer
    filterset_class = ExtensionRequestFilter
    ordering_fields = ["id", "requested_at", "decided_at", "requested_date"]
    ordering = ["-requested_at", "-id"]

    def get_queryset(self):
        return ExtensionRequest.objects.visible_to(self.request.user).select_related(
            "task", "unit", "requested_by", "decided_by", *_people("requested_by", "decided_by"),
        )

    def create(self, request, *args, **kwargs):
        values = self.create_input(ExtensionCreateSerializer)
        visible = Deadline.objects.filter(task__in=Task.objects.visible_to(request.user).values("pk"))
        deadline = get_object_or_404(visible, pk=values["deadline"])
        row = services.extension_request(
            user=request.user, deadline=deadline, requested_date=values.get("requested_date"),
            reason=values.get("reason", ""), today=self.today,
        )
        return self.fresh(row, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self.decide(services.extension_approve, "request")

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self.decide(services.extension_reject, "request")


# --- 办结申请 ----------------------------------------------------------------------------------

class CompletionClaimFilter(filters.FilterSet):
    plan = IdFilter(field_name="task__plan_id")
    task = IdFilter(field_name="task_id")
    unit = IdFilter(field_name="unit_id", help_text="申请单位 id。")
    state = filters.ChoiceFilter(choices=ClaimState.choices)

    class Meta:
        model = CompletionClaim
        fields = ["plan", "task", "unit", "state"]


class CompletionClaimSerializer(serializers.ModelSerializer):
    """办结申请: the lead unit's summary of a finished task (or an approved report marked 已完成,
    `report`); accepted, the task is 已完成 and 已办结."""

    task_title = serializers.CharField(source="task.title", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True, help_text="申请单位名称。")
    state_label = serializers.CharField(source="get_state_display", read_only=True, help_text="状态的名称。")
    claimed_by = serializers.SerializerMethodField()
    decided_by = serializers.SerializerMethodField()

    class Meta:
        model = CompletionClaim
        fields = [
            "id", "task", "task_title", "unit", "unit_name", "summary", "report", "state", "state_label",
            "claimed_by", "claimed_at", "decided_by", "decided_at", "decision_comment", "version",
        ]
        read_only_fields = fields

    @_name_field("申请人")
    def get_claimed_by(self, row):
        return person(row.claimed_by)

    @_name_field("审核人")
    def get_decided_by(self, row):
        return person(row.decided_by)


class ClaimCreateSerializer(StrictInput, serializers.Serializer):
    task = id_input("任务 id。")
    summary = serializers.CharField(required=False, allow_blank=True, max_length=20000, help_text="办结情况（必填）。")


@extend_schema_view(
    list=extend_schema(
        summary="办结申请", responses={200: CompletionClaimSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="办结申请详情",
        responses={200: etagged(CompletionClaimSerializer, "ETag 头为申请版本。"), **READ_ERRORS},
    ),
    create=extend_schema(
        summary="申请办结（牵头单位负责人）", request=ClaimCreateSerializer,
        responses={201: etagged(CompletionClaimSerializer), **errors(400, 401, 403, 404)},
    ),
    accept=_decision("办结（督办人员；任务标为已完成、已办结）", CompletionClaimSerializer),
    return_=_decision("退回办结申请（督办人员，须填写审核意见；任务回到办理中）", CompletionClaimSerializer),
)
class CompletionClaimViewSet(WorkflowViewSet, mixins.CreateModelMixin):
    """办结申请: the lead unit's leader reports a task done; office staff of the plan accept it
    (办结) or return it with reasons. Accepted tasks are closed for good by 销号
    (POST /api/tasks/{id}/close/)."""

    queryset = CompletionClaim.objects.none()
    serializer_class = CompletionClaimSerializer
    filterset_class = CompletionClaimFilter
    ordering_fields = ["id", "claimed_at", "decided_at"]
    ordering = ["-claimed_at", "-id"]

    def get_queryset(self):
        return CompletionClaim.objects.visible_to(self.request.user).select_related(
            "task", "unit", "claimed_by", "decided_by", *_people("claimed_by", "decided_by"),
        )

    def create(self, request, *args, **kwargs):
        values = self.create_input(ClaimCreateSerializer)
        task = get_object_or_404(Task.objects.tasks().visible_to(request.user), pk=values["task"])
        row = services.completion_claim(user=request.user, task=task, summary=values.get("summary", ""))
        return self.fresh(row, status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self.decide(services.claim_accept, "claim")

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        return self.decide(services.claim_return, "claim")

