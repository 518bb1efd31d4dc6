"""The REST API's viewsets: thin, over the same querysets (`visible_to`), services and
permission rules as the admin. An object outside `visible_to` is a 404; a write the rules
refuse is a 403 with the rule's sentence; a stale version is a 412 (If-Match) or 409 (body)."""
from __future__ import annotations

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from plans import services
from plans.api.authentication import StrictTokenAuthentication
from plans.api.concurrency import precondition, stale_as_http, with_etag
from plans.api.errors import Conflict
from plans.api.filters import (
    IndicatorFilter,
    IndicatorValueFilter,
    PeriodFilter,
    PlanFilter,
    ReportFilter,
    SheetImportFilter,
    StableOrderingFilter,
    TaskFilter,
    UnitFilter,
)
from plans.api.pagination import CappedCountPagination
from plans.api.permissions import FollowsPlanRules, office_of_plan
from plans.api.serializers import (
    AssignmentSerializer,
    DeadlineSerializer,
    ErrorSerializer,
    IndicatorDetailSerializer,
    IndicatorSerializer,
    IndicatorValueCreateSerializer,
    IndicatorValueSerializer,
    IndicatorValueUpdateSerializer,
    PeriodSerializer,
    PlanDetailSerializer,
    PlanProgressSerializer,
    PlanSerializer,
    ProgressSheetQuerySerializer,
    ReportSerializer,
    ReportUpdateSerializer,
    ReviewSerializer,
    SheetImportListSerializer,
    SheetImportSerializer,
    SheetPreviewPageSerializer,
    SheetUploadSerializer,
    SupportingInputWriteSerializer,
    TaskSerializer,
    TaskUpdateSerializer,
    UnitSerializer,
    VersionSerializer,
)
from plans.exports.excel import XLSX_CONTENT_TYPE, download
from plans.exports.upload import UploadRefused, check_size
from plans.models import (
    Assignment,
    Deadline,
    IndicatorValue,
    Plan,
    ProgressReport,
    ReportingPeriod,
    SheetImport,
    Target,
    Task,
    Unit,
)
from plans.rollup import Rollup, plan_rollups
from plans.selectors.indicators import indicator_values_for_api, indicators_for_api
from plans.selectors.plans import periods_for_api, plans_for_api, units_for_api
from plans.selectors.reports import reports_for_api
from plans.selectors.sheets import sheet_import_list_for_api, sheet_imports_for_api
from plans.selectors.tasks import tasks_for_api

_ID = re.compile(r"[0-9]{1,18}")


# --- schema pieces ---------------------------------------------------------------------------
_ERRORS = {
    400: "输入有误：errors 列出各字段的问题；缺少版本号时为 errors.version。",
    401: "未登录或令牌无效（WWW-Authenticate: Token）。",
    403: "无权进行该操作；detail 为规则的说明。",
    404: "对象不存在或对当前账号不可见。",
    409: "请求体中的 version 已过期：先重新读取。",
    412: "If-Match 中的版本已过期：先重新读取。",
}


def errors(*codes):
    return {code: OpenApiResponse(ErrorSerializer, description=_ERRORS[code]) for code in codes}


READ_ERRORS = errors(401, 404)
WRITE_ERRORS = errors(400, 401, 403, 404, 409, 412)

# Required: a write without the version it was made from is refused (400). The body's
# `version` may stand in for the header; the schema names the header, which every versioned
# write takes (a DELETE too), so that a client generated from it always sends one.
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True,
    description='所依据的版本，如 "3"（详情响应的 ETag）。过期 → 412。也可改在请求体中给出 version（过期 → 409）；两者皆无 → 400。',
)


def _etagged(serializer, description="成功；ETag 头为新版本。"):
    return OpenApiResponse(serializer, description=description)


def json_errors(descriptions: dict[int, str]):
    """Error responses as JSON only, for an operation whose success is not JSON."""
    return {
        (code, "application/json"): OpenApiResponse(ErrorSerializer, description=text) for code, text in descriptions.items()
    }


# --- the workbook download -----------------------------------------------------------------


class XlsxRenderer(BaseRenderer):
    """Lets a client ask for the workbook (Accept: the .xlsx media type) without a 406. It
    renders nothing: the view answers with a FileResponse, and errors switch to JSON
    (PlanViewSet.finalize_response)."""

    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


# --- the shared base -----------------------------------------------------------------------
class ApiViewSet(GenericViewSet):
    # Token first: an anonymous caller gets 401 with `WWW-Authenticate: Token`, not a 403.
    authentication_classes = [StrictTokenAuthentication, SessionAuthentication]
    permission_classes = [FollowsPlanRules]
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    object_rules: dict = {}

    @cached_property
    def today(self):
        return timezone.localdate()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self.today}

    def get_object(self):
        if not _ID.fullmatch(str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))):
            raise NotFound()
        return super().get_object()

    def write_input(self, serializer_class, **kwargs):
        """Validated values of the request body and the version the client wrote from."""
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        return values, precondition(self.request, values.pop("version", None))

    def versioned(self, instance, status_code=status.HTTP_200_OK):
        return with_etag(Response(self.get_serializer(instance).data, status=status_code), instance.version)


class VersionedRetrieveMixin:
    def retrieve(self, request, *args, **kwargs):
        return self.versioned(self.get_object())


def _child(queryset, pk):
    """A row under the task (assignment, deadline) or a 404."""
    row = queryset.filter(pk=pk).first() if _ID.fullmatch(str(pk)) else None
    if row is None:
        raise NotFound()
    return row


# --- units and plans (read-only) -------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(summary="单位", responses={200: UnitSerializer(many=True), **errors(400, 401, 404)}),
    retrieve=extend_schema(summary="单位详情", responses={200: UnitSerializer, **READ_ERRORS}),
)
class UnitViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Units are shared reference data: every signed-in account reads them all."""

    queryset = Unit.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    ordering_fields = ["id", "name", "jurisdiction"]

    def get_queryset(self):
        return units_for_api()


@extend_schema_view(
    list=extend_schema(summary="行动方案", responses={200: PlanSerializer(many=True), **errors(400, 401, 404)}),
    retrieve=extend_schema(
        summary="行动方案详情（含各章节完成情况）", responses={200: PlanDetailSerializer, **READ_ERRORS},
    ),
)
class PlanViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Plans with their completion (`progress`, rolled up from their active tasks: in a list,
    one query for the page); the detail adds each section's."""

    queryset = Plan.objects.none()
    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    ordering_fields = ["id", "plan_year", "title"]

    def get_queryset(self):
        if self.action in ("progress_xlsx", "rollup"):
            return Plan.objects.visible_to(self.request.user).defer("source_text")
        return plans_for_api(self.request.user)

    def get_serializer_class(self):
        return PlanDetailSerializer if self.action == "retrieve" else PlanSerializer

    @extend_schema(
        summary="方案及各章节完成情况",
        description=(
            "由有效任务汇总：tasks 任务数，completed 已完成数，completed_percent 完成比例，reported 有完成百分比的任务数"
            "（最近一期已审核报告的百分比；已完成而无百分比的按100计），average_percent 平均完成百分比。"
            "章节的数字包括其下各级任务。sections 列出当前账号可见的全部有效章节，按文件顺序。"
        ),
        responses={200: PlanProgressSerializer, **READ_ERRORS},
        operation_id="plans_progress_retrieve",
    )
    # named to sort after progress_xlsx: the router's format-suffix route of …/progress/
    # (progress\.<format>) must not catch …/progress.xlsx/
    @action(detail=True, methods=["get"], url_path="progress", url_name="progress", filter_backends=[])
    def rollup(self, request, pk=None):
        plan = self.get_object()
        rollups = plan_rollups([plan.pk])[plan.pk]
        sections = (
            Task.objects.sections().active().visible_to(request.user).filter(plan=plan)
            .order_by("position").values("id", "path", "title", "level", "parent_id")
        )
        empty = Rollup()
        return Response({
            "plan": rollups.plan.as_dict(),
            "sections": [
                {
                    "id": row["id"], "path": row["path"], "title": row["title"], "level": row["level"],
                    "parent": row["parent_id"], "progress": rollups.sections.get(row["id"], empty).as_dict(),
                }
                for row in sections
            ],
        })

    def finalize_response(self, request, response, *args, **kwargs):
        """An error answers in JSON even to a client that asked for the workbook only."""
        if isinstance(response, Response) and isinstance(getattr(request, "accepted_renderer", None), XlsxRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        operation_id="plans_progress_xlsx",
        summary="导出进展情况表（Excel）",
        description=(
            "不带 unit：整个方案该周期的进展情况表（只含当前账号可见的任务）、汇总表，"
            "unit_sheets=1 时另附各填报单位的表。带 unit：该单位填报用的表（本单位的任务，填好后经 "
            "POST /api/sheet-imports/ 上传）；督办人员可导出任一单位的表，单位账号只能导出本单位的表。"
            "也可用 /api/plans/{id}/progress.xlsx（无结尾斜杠）。"
        ),
        parameters=[
            ProgressSheetQuerySerializer,
            OpenApiParameter(  # replaces the serializer's `period`, adding an example
                "period", {"type": "string", "minLength": 1, "maxLength": 20}, required=True,
                description="报送周期的编号，如“2016Q3”。", examples=[OpenApiExample("2016Q3", value="2016Q3")],
            ),
        ],
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY, description="工作簿（附件；文件名见 Content-Disposition，UTF-8 编码）。",
            ),
            **json_errors({
                400: "缺少 period，或 unit、unit_sheets 无效：errors 列出参数。",
                401: _ERRORS[401],
                403: "无权导出该单位的表：单位账号只能导出本单位的表。",
                404: "方案不存在或不可见，方案没有该报送周期，或单位不存在。",
            }),
        },
    )
    @action(
        detail=True, methods=["get"], url_path=r"progress\.xlsx", url_name="progress-xlsx",
        renderer_classes=[JSONRenderer, XlsxRenderer], filter_backends=[],
    )
    def progress_xlsx(self, request, pk=None):
        """The progress sheet (进展情况表) as a download: written to a temporary file (in
        memory while small) and streamed from there."""
        plan = self.get_object()
        query = ProgressSheetQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        label, unit_id = query.validated_data["period"], query.validated_data.get("unit")
        period = ReportingPeriod.objects.filter(plan=plan, label=label).select_related("plan").first()
        if period is None:
            raise NotFound(_("该方案没有报送周期“%(label)s” (the plan has no such period)") % {"label": label})
        unit = None
        if unit_id is not None:
            unit = Unit.objects.filter(pk=unit_id).first()
            if unit is None:
                raise NotFound(_("单位不存在 (no such unit)"))
        return download(request.user, period, unit=unit, unit_sheets=query.validated_data["unit_sheets"])


# --- tasks -----------------------------------------------------------------------------------
ASSIGNMENT_ID = OpenApiParameter("assignment_id", int, OpenApiParameter.PATH)
DEADLINE_ID = OpenApiParameter("deadline_id", int, OpenApiParameter.PATH)


@extend_schema_view(
    list=extend_schema(summary="任务", responses={200: TaskSerializer(many=True), **errors(400, 401, 404)}),
    retrieve=extend_schema(
        summary="任务详情", responses={200: _etagged(TaskSerializer, "ETag 头为任务版本。"), **READ_ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改任务（督办人员）", parameters=[IF_MATCH], request=TaskUpdateSerializer,
        responses={200: _etagged(TaskSerializer), **WRITE_ERRORS},
    ),
)
class TaskViewSet(ApiViewSet, VersionedRetrieveMixin, mixins.ListModelMixin):
    """Tasks (not sections) the account may see. Office staff of the plan change a task and
    its assignments (/assignments/) and deadlines (/deadlines/)."""

    queryset = Task.objects.none()
    serializer_class = TaskSerializer
    filterset_class = TaskFilter
    pagination_class = CappedCountPagination
    ordering_fields = ["id", "due_date", "position", "title", "path", "status", "level"]
    object_rules = {
        "partial_update": office_of_plan,
        "assignments": office_of_plan,
        "assignment": office_of_plan,
        "deadlines": office_of_plan,
        "deadline": office_of_plan,
    }

    def get_queryset(self):
        return tasks_for_api(self.request.user)

    def partial_update(self, request, pk=None):
        task = self.get_object()
        values, pre = self.write_input(TaskUpdateSerializer)
        with stale_as_http(pre):
            services.task_update(user=request.user, task=task, expected_version=pre.version, **values)
        return self.versioned(self.get_queryset().get(pk=task.pk))

    # assignments ---------------------------------------------------------------------------
    def _assignment_response(self, assignment, status_code=status.HTTP_200_OK):
        assignment = Assignment.objects.select_related("unit").get(pk=assignment.pk)
        return with_etag(Response(AssignmentSerializer(assignment).data, status=status_code), assignment.version)

    @extend_schema(
        summary="新增分工（督办人员）", request=AssignmentSerializer,
        responses={201: _etagged(AssignmentSerializer), **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="assignments")
    def assignments(self, request, pk=None):
        task = self.get_object()
        serializer = AssignmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values.pop("version", None)
        assignment = services.assignment_create(user=request.user, task=task, **values)
        return self._assignment_response(assignment, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], summary="分工详情", parameters=[ASSIGNMENT_ID],
        responses={200: _etagged(AssignmentSerializer, "ETag 头为分工版本。"), **READ_ERRORS},
    )
    @extend_schema(
        methods=["PATCH"], summary="修改分工（督办人员）", parameters=[ASSIGNMENT_ID, IF_MATCH],
        request=AssignmentSerializer, responses={200: _etagged(AssignmentSerializer), **WRITE_ERRORS},
    )
    @extend_schema(
        methods=["DELETE"], summary="删除分工（督办人员）", parameters=[ASSIGNMENT_ID, IF_MATCH],
        request=VersionSerializer, responses={204: OpenApiResponse(description="已删除。"), **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "patch", "delete"], url_path=r"assignments/(?P<assignment_id>[^/.]+)")
    def assignment(self, request, pk=None, assignment_id=None):
        task = self.get_object()
        assignment = _child(task.assignments.select_related("unit"), assignment_id)
        if request.method == "GET":
            return self._assignment_response(assignment)
        if request.method == "DELETE":
            _values, pre = self.write_input(VersionSerializer)
            with stale_as_http(pre):
                services.assignment_delete(user=request.user, assignment=assignment, expected_version=pre.version)
            return Response(status=status.HTTP_204_NO_CONTENT)
        values, pre = self.write_input(AssignmentSerializer, partial=True)
        with stale_as_http(pre):
            assignment = services.assignment_update(
                user=request.user, assignment=assignment, expected_version=pre.version, **values
            )
        return self._assignment_response(assignment)

    # deadlines -----------------------------------------------------------------------------
    def _deadline_response(self, deadline, status_code=status.HTTP_200_OK):
        deadline = Deadline.objects.get(pk=deadline.pk)
        return with_etag(Response(DeadlineSerializer(deadline).data, status=status_code), deadline.version)

    @extend_schema(
        summary="新增时限（督办人员）", request=DeadlineSerializer,
        responses={201: _etagged(DeadlineSerializer), **errors(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"], url_path="deadlines")
    def deadlines(self, request, pk=None):
        task = self.get_object()
        serializer = DeadlineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values.pop("version", None)
        deadline = services.deadline_create(user=request.user, task=task, **values)
        return self._deadline_response(deadline, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], summary="时限详情", parameters=[DEADLINE_ID],
        responses={200: _etagged(DeadlineSerializer, "ETag 头为时限版本。"), **READ_ERRORS},
    )
    @extend_schema(
        methods=["PATCH"], summary="修改时限（督办人员）", parameters=[DEADLINE_ID, IF_MATCH],
        request=DeadlineSerializer, responses={200: _etagged(DeadlineSerializer), **WRITE_ERRORS},
    )
    @extend_schema(
        methods=["DELETE"], summary="删除时限（督办人员）", parameters=[DEADLINE_ID, IF_MATCH],
        request=VersionSerializer, responses={204: OpenApiResponse(description="已删除。"), **WRITE_ERRORS},
    )
    @action(detail=True, methods=["get", "patch", "delete"], url_path=r"deadlines/(?P<deadline_id>[^/.]+)")
    def deadline(self, request, pk=None, deadline_id=None):
        task = self.get_object()
        deadline = _child(task.deadlines.all(), deadline_id)
        if request.method == "GET":
            return self._deadline_response(deadline)
        if request.method == "DELETE":
            _values, pre = self.write_input(VersionSerializer)
            with stale_as_http(pre):
                services.deadline_delete(user=request.user, deadline=deadline, expected_version=pre.version)
            return Response(status=status.HTTP_204_NO_CONTENT)
        values, pre = self.write_input(DeadlineSerializer, partial=True)
        with stale_as_http(pre):
            deadline = services.deadline_update(user=request.user, deadline=deadline, expected_version=pre.version, **values)
        return self._deadline_response(deadline)


# --- reporting periods -------------------------------------------------------------------------
_PERIOD_ACTION = dict(parameters=[IF_MATCH], request=VersionSerializer, responses={200: PeriodSerializer, **WRITE_ERRORS})


@extend_schema_view(
    list=extend_schema(summary="报送周期", responses={200: PeriodSerializer(many=True), **errors(400, 401, 404)}),
    retrieve=extend_schema(summary="报送周期详情", responses={200: PeriodSerializer, **READ_ERRORS}),
    open=extend_schema(summary="开放填报（督办人员）：并为每个责任单位生成待填报的报告", **_PERIOD_ACTION),
    close=extend_schema(summary="关闭填报（督办人员）", **_PERIOD_ACTION),
)
class PeriodViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = ReportingPeriod.objects.none()
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilter
    ordering_fields = ["id", "start", "due_date"]
    object_rules = {"open": office_of_plan, "close": office_of_plan}

    def get_queryset(self):
        return periods_for_api(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        return self.versioned(self.get_object())

    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        period = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        with stale_as_http(pre):
            services.period_open(user=request.user, period=period, expected_version=pre.version)
        return self.versioned(period)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        period = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        with stale_as_http(pre):
            services.period_close(user=request.user, period=period, expected_version=pre.version)
        return self.versioned(period)


# --- progress reports ------------------------------------------------------------------------
def _report_action(summary, request):
    return extend_schema(
        summary=summary, parameters=[IF_MATCH], request=request,
        responses={200: _etagged(ReportSerializer), **WRITE_ERRORS},
    )


@extend_schema_view(
    list=extend_schema(summary="进展报告", responses={200: ReportSerializer(many=True), **errors(400, 401, 404)}),
    retrieve=extend_schema(
        summary="进展报告详情", responses={200: _etagged(ReportSerializer, "ETag 头为报告版本。"), **READ_ERRORS},
    ),
    partial_update=_report_action("填写报告（本单位填报人、单位负责人；督办人员可更正）", ReportUpdateSerializer),
    submit=_report_action("报送（单位负责人）", VersionSerializer),
    approve=_report_action("审核通过（督办人员）", ReviewSerializer),
    return_=_report_action("退回重报（督办人员，须填写审核意见）", ReviewSerializer),
    inputs=extend_schema(
        summary="配合单位提供配合情况（不需版本号）", request=SupportingInputWriteSerializer,
        responses={200: _etagged(ReportSerializer), **errors(400, 401, 403, 404)},
    ),
)
class ReportViewSet(ApiViewSet, VersionedRetrieveMixin, mixins.ListModelMixin):
    """Reports are created by opening a period (POST /api/periods/{id}/open/), never here;
    they are not deleted. Every write goes through plans.services, which checks the rules of
    plans.permissions and the version under a row lock."""

    queryset = ProgressReport.objects.none()
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    pagination_class = CappedCountPagination
    ordering_fields = ["id", "submitted_at", "reviewed_at", "percent"]
    # read off the (period, task, unit) index; Meta.ordering would sort every visible report
    # by its plan's year and title first
    ordering = ["period_id", "task_id", "unit_id"]

    def get_queryset(self):
        return reports_for_api(self.request.user, self.today)

    def _fresh(self, report):
        return self.versioned(self.get_queryset().get(pk=report.pk))

    def partial_update(self, request, pk=None):
        report = self.get_object()
        values, pre = self.write_input(ReportUpdateSerializer)
        with stale_as_http(pre):
            services.report_update(user=request.user, report=report, expected_version=pre.version, **values)
        return self._fresh(report)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        with stale_as_http(pre):
            services.report_submit(user=request.user, report=report, expected_version=pre.version)
        return self._fresh(report)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        report = self.get_object()
        values, pre = self.write_input(ReviewSerializer)
        with stale_as_http(pre):
            services.report_approve(
                user=request.user, report=report, comment=values.get("comment", ""), expected_version=pre.version
            )
        return self._fresh(report)

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        report = self.get_object()
        values, pre = self.write_input(ReviewSerializer)
        with stale_as_http(pre):
            services.report_return(
                user=request.user, report=report, comment=values.get("comment", ""), expected_version=pre.version
            )
        return self._fresh(report)

    @action(detail=True, methods=["post"])
    def inputs(self, request, pk=None):
        """A supporting unit's (配合单位) input: it does not change the report row, so it
        carries no version."""
        report = self.get_object()
        serializer = SupportingInputWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.supporting_input_save(user=request.user, report=report, text=serializer.validated_data["text"])
        return self._fresh(report)


# --- indicators and their values -----------------------------------------------------------------
@extend_schema_view(
    list=extend_schema(
        summary="量化指标",
        description="当前账号可见的指标：可见任务的指标，及可见方案的总体目标。latest 为最近一期读数及其状态。",
        responses={200: IndicatorSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="量化指标详情（含各期读数）", responses={200: IndicatorDetailSerializer, **READ_ERRORS},
    ),
)
class IndicatorViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Indicators (a plan's quantitative targets), read-only here: the admin and the importer
    change them. Their values are entered under /api/indicator-values/."""

    queryset = Target.objects.none()
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    ordering = ["plan_id", "position"]
    ordering_fields = ["id", "position", "year", "indicator"]

    def get_queryset(self):
        return indicators_for_api(self.request.user)

    def get_serializer_class(self):
        return IndicatorDetailSerializer if self.action == "retrieve" else IndicatorSerializer


_UNIT_CODES = {"incompatible_unit", "two_units"}
_VALUE_CODES = {*_UNIT_CODES, "precision", "not_a_number"}


def _value_errors(error: DjangoValidationError, unit_given: bool) -> exceptions.ValidationError:
    """The service's refusal as a 400 on the field it concerns: `unit` when the unit came from
    the `unit` field, else `value` (the unit was written in the value, or is the indicator's)."""
    if hasattr(error, "error_dict"):
        names = {"entered_as": "value", "__all__": "non_field_errors"}
        detail = {}
        for name, messages in error.message_dict.items():
            detail.setdefault(names.get(name, name), []).extend(messages)
        return exceptions.ValidationError(detail)
    codes = {item.code for item in error.error_list}
    if unit_given and codes & _UNIT_CODES:
        field = "unit"
    elif codes & _VALUE_CODES:
        field = "value"
    else:
        field = "non_field_errors"
    return exceptions.ValidationError({field: error.messages})


_VALUE_CREATE_ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer,
        description="输入有误：errors.value / errors.unit 为计量单位不能换算或超出精度的说明；errors.target、errors.period："
        "指标或报送周期不存在、不可见，或周期不属于指标所在的方案。",
    ),
    **errors(401),
    403: OpenApiResponse(ErrorSerializer, description="无权填报：detail 为规则的说明（只有指标的责任单位在开放的周期填报；督办人员可更正任一周期）。"),
    409: OpenApiResponse(ErrorSerializer, description="该指标在该周期已有实际值：请修改（PATCH）该记录。"),
}


@extend_schema_view(
    list=extend_schema(
        summary="指标实际值", responses={200: IndicatorValueSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="指标实际值详情",
        responses={200: _etagged(IndicatorValueSerializer, "ETag 头为实际值版本。"), **READ_ERRORS},
    ),
    create=extend_schema(
        summary="填报指标实际值（指标的责任单位：开放的周期；督办人员：任一周期）",
        description="value 可为数字或带计量单位的文字（如“12000千瓦”），按指标的计量单位精确换算后保存；entered_as 保留填报原文。",
        request=IndicatorValueCreateSerializer,
        responses={201: _etagged(IndicatorValueSerializer), **_VALUE_CREATE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改指标实际值", parameters=[IF_MATCH], request=IndicatorValueUpdateSerializer,
        responses={200: _etagged(IndicatorValueSerializer), **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="删除指标实际值", parameters=[IF_MATCH], request=VersionSerializer,
        responses={204: OpenApiResponse(description="已删除。"), **WRITE_ERRORS},
    ),
)
class IndicatorValueViewSet(ApiViewSet, VersionedRetrieveMixin, mixins.ListModelMixin):
    """Measured values of indicators, one per indicator and period. Writes go through
    plans.services (indicator_value_save / _delete), which convert the unit and ask
    plans.permissions.can_enter_indicator_value under the row lock."""

    queryset = IndicatorValue.objects.none()
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    ordering = ["target__plan_id", "target__position", "period__start", "id"]
    ordering_fields = ["id", "updated_at"]

    def get_queryset(self):
        return indicator_values_for_api(self.request.user)

    def _fresh(self, row, status_code=status.HTTP_200_OK):
        return self.versioned(self.get_queryset().get(pk=row.pk), status_code)

    def _save(self, values, expected_version, **where):
        try:
            return services.indicator_value_save(
                user=self.request.user, expected_version=expected_version, **where, **values,
            )
        except DjangoValidationError as error:
            raise _value_errors(error, unit_given=bool(values.get("unit"))) from error

    def create(self, request, *args, **kwargs):
        user = request.user
        serializer = IndicatorValueCreateSerializer(
            data=request.data,
            context={"targets": Target.objects.visible_to(user).select_related("plan"), "periods": periods_for_api(user)},
        )
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        target, period = values.pop("target"), values.pop("period")
        try:  # version 0: "none yet"; an existing row (or a parallel writer's) is stale
            row = self._save(values, 0, target=target, period=period)
        except services.StaleVersion as stale:
            raise Conflict(
                _("该指标在该周期已有实际值，请修改该记录 (this period already has a value; change it with PATCH)")
            ) from stale
        return self._fresh(row, status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        row = self.get_object()
        values, pre = self.write_input(IndicatorValueUpdateSerializer)
        with stale_as_http(pre):
            row = self._save(values, pre.version, target=row.target, period=row.period)
        return self._fresh(row)

    def destroy(self, request, pk=None):
        row = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        with stale_as_http(pre):
            services.indicator_value_delete(user=request.user, value=row, expected_version=pre.version)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- returned progress sheets ------------------------------------------------------------------
class InvalidWorkbook(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "文件不是可读取的 Excel 工作簿 (the file is not a readable workbook)"
    default_code = "invalid_workbook"


def _upload_bytes(upload) -> bytes:
    """The uploaded file's bytes. A file over the limit is refused by its size, unread, with
    the sentence plans.exports.upload gives for it."""
    check_size(upload.size)
    return b"".join(upload.chunks())


def _conflict(error: DjangoValidationError) -> Response:
    """409 with the service's reasons in errors.non_field_errors (plans/api/errors.py's shape)."""
    messages = error.messages
    detail = messages[0] if len(messages) == 1 else _("有%(count)d个问题，见 errors (%(count)d problems)") % {"count": len(messages)}
    return Response(
        {"detail": detail, "code": "conflict", "errors": {"non_field_errors": messages}}, status=status.HTTP_409_CONFLICT,
    )


@extend_schema_view(
    list=extend_schema(
        summary="填报表导入（最新的在前）：各自的修改数与问题数，不含预览内容",
        responses={200: SheetImportListSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="填报表导入详情：预览分页，每页修改与问题各 200 条（preview_page）",
        parameters=[SheetPreviewPageSerializer], responses={200: SheetImportSerializer, **READ_ERRORS},
    ),
    create=extend_schema(
        summary="上传填好的进展情况表：检查并预览，不修改报告",
        description=(
            "multipart/form-data：period（报送周期 id）与 file（.xlsx，上限 10 MB）。能读取的工作簿都会保存并返回 201："
            "state 为 previewed 时 changes 列出确认后将写入的修改；state 为 refused 时 problems 列出问题（工作表、行、列），"
            "不能导入，改正后重新上传。"
        ),
        request={"multipart/form-data": SheetUploadSerializer},
        responses={
            201: OpenApiResponse(SheetImportSerializer, description="已保存：previewed（待确认）或 refused（见 problems）。"),
            400: OpenApiResponse(
                ErrorSerializer,
                description="字段有误（errors.period：报送周期不存在或不可见；errors.file），"
                "或文件不是可读取的 .xlsx 工作簿、超过 10 MB（code 为 invalid_workbook，detail 为原因）。",
            ),
            **errors(401),
            413: OpenApiResponse(ErrorSerializer, description="请求内容过大。"),
        },
    ),
    apply=extend_schema(
        summary="确认导入（仅上传人）：全部写入或全部不写，记入报告的修改历史",
        request=None,
        responses={
            200: OpenApiResponse(SheetImportSerializer, description="已导入（state 为 applied）。"),
            **errors(401),
            403: OpenApiResponse(ErrorSerializer, description="只有上传人才能确认导入。"),
            404: OpenApiResponse(ErrorSerializer, description=_ERRORS[404]),
            409: OpenApiResponse(
                ErrorSerializer,
                description="不能导入：已导入过、未通过检查，或预览之后报告已被修改或权限已变化（请重新上传）；"
                "errors.non_field_errors 列出原因。",
            ),
        },
    ),
)
class SheetImportViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Returned progress sheets (进展情况表): upload (POST, multipart), look at the preview,
    then apply (POST /{id}/apply/). The uploader sees their uploads, office staff every
    upload of their plans; the file itself is kept for the admin, never served here."""

    queryset = SheetImport.objects.none()
    serializer_class = SheetImportSerializer
    filterset_class = SheetImportFilter
    ordering = ("-created_at", "-id")
    ordering_fields = ("id", "created_at", "applied_at")
    parser_classes = (MultiPartParser, FormParser)

    def get_queryset(self):
        if self.action == "list":
            return sheet_import_list_for_api(self.request.user)
        return sheet_imports_for_api(self.request.user)

    def get_serializer_class(self):
        return SheetImportListSerializer if self.action == "list" else SheetImportSerializer

    def retrieve(self, request, *args, **kwargs):
        query = SheetPreviewPageSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        context = {**self.get_serializer_context(), "preview_page": query.validated_data["preview_page"]}
        return Response(SheetImportSerializer(self.get_object(), context=context).data)

    def create(self, request, *args, **kwargs):
        upload = SheetUploadSerializer(data=request.data, context={"periods": periods_for_api(request.user)})
        upload.is_valid(raise_exception=True)
        period, file = upload.validated_data["period"], upload.validated_data["file"]
        try:
            sheet_import = services.sheet_upload(user=request.user, period=period, file_name=file.name, data=_upload_bytes(file))
        except UploadRefused as refused:
            raise InvalidWorkbook(str(refused)) from refused
        return Response(self.get_serializer(sheet_import).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        sheet_import = self.get_object()
        try:
            services.sheet_apply(user=request.user, sheet_import=sheet_import)
        except DjangoValidationError as error:
            return _conflict(error)
        return Response(self.get_serializer(self.get_queryset().get(pk=sheet_import.pk)).data)
