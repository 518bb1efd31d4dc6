"""Plans (/api/plans/): each with its sections and completion, the roll-up of every section
(/progress/), and the progress sheet as a workbook (/progress.xlsx)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from plans.api.base import ApiViewSet
from plans.api.filters import MAX_ID, PlanFilter
from plans.api.jobs import JobSerializer
from plans.api.schema import ERROR_TEXTS, READ_ERRORS, errors, json_errors
from plans.exports.download import PAPERS, XLSX_CONTENT_TYPE
from plans.jobs import progress_sheet_or_job
from plans.models import Comparator, Frequency, Job, Plan, ReportingPeriod, Target, Task, Unit
from plans.rollup import Rollup, plan_rollups, plan_totals
from plans.selectors.plans import attach_totals, plans_for_api, visible_section_rows


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
    """A plan's or a section's completion from its active tasks (plans.rollup.Rollup). The
    average percent is over the tasks that have a percent only (unreported tasks are not
    counted as 0), so it comes with its coverage: `average_based_on` of `average_out_of`."""

    tasks = serializers.IntegerField(help_text="有效任务数（章节为其下各级任务）。")
    completed = serializers.IntegerField(help_text="已完成的任务数。")
    completed_percent = serializers.IntegerField(
        allow_null=True, help_text="已完成任务所占比例，0–100，四舍五入；没有任务时为 null。",
    )
    reported = serializers.IntegerField(
        help_text="有完成百分比的任务数：最近一期已审核报告的百分比；已完成而无百分比的任务按100计。",
    )
    average_percent = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "这些任务完成百分比的平均值，0–100，四舍五入；没有时为 null。只计有完成百分比的任务，"
            "未报送的任务不计入（不按0计）：须与 average_based_on/average_out_of 一并显示。"
        ),
    )
    average_based_on = serializers.IntegerField(
        help_text="平均完成百分比所依据的任务数（同 reported）：如“基于 1/480 项任务”中的 1。",
    )
    average_out_of = serializers.IntegerField(
        help_text="有效任务总数（同 tasks）：如“基于 1/480 项任务”中的 480。",
    )
    coverage_percent = serializers.IntegerField(
        allow_null=True, help_text="有完成百分比的任务所占比例，0–100，四舍五入；没有任务时为 null。",
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
            "valid_until", "reporting", "acknowledge_days", "allow_late_extensions", "coordinator", "issuers",
            "sections", "targets", "progress",
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


class ProgressSheetQuerySerializer(serializers.Serializer):
    """The query of GET /api/plans/{id}/progress.xlsx."""

    period = serializers.CharField(max_length=20, help_text="报送周期的编号，如“2016Q3”。")
    unit = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="单位 id：只导出该单位填报用的表（本单位的任务）。",
    )
    unit_sheets = serializers.BooleanField(
        required=False, default=False, help_text="不带 unit 时：整表之外，每个填报单位另附一张工作表。",
    )
    paper = serializers.ChoiceField(
        choices=PAPERS, required=False, help_text="打印纸张：a4（默认，横向）或 a3（横向，列更宽）。",
    )


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
            "由有效任务汇总：tasks 任务数，completed 已完成数，completed_percent 完成比例，"
            "reported 有完成百分比的任务数"
            "（最近一期已审核报告的百分比；已完成而无百分比的按100计），average_percent 这些任务的平均完成百分比，"
            "average_based_on/average_out_of 其依据（有百分比的任务数/有效任务数），coverage_percent 二者之比。"
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
        sections = visible_section_rows(request.user, plan)
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
            "也可用 /api/plans/{id}/progress.xlsx（无结尾斜杠）。较大的表作为后台任务生成，返回 202 与任务。"
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
            (202, "application/json"): OpenApiResponse(
                JobSerializer,
                description="表较大（任务数不少于 EXPORT_JOB_MIN_TASKS）：已作为后台任务开始生成。Location 与 url "
                "为任务地址，轮询至 state 为 done 后从 download 下载。",
            ),
            **json_errors({
                400: "缺少 period，或 unit、unit_sheets、paper 无效：errors 列出参数。",
                401: ERROR_TEXTS[401],
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
        answer = progress_sheet_or_job(
            request.user, period, unit=unit, unit_sheets=query.validated_data["unit_sheets"],
            paper=query.validated_data.get("paper"),
        )
        if not isinstance(answer, Job):
            return answer
        data = JobSerializer(answer, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})
