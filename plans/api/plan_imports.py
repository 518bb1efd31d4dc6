"""Plan documents (/api/plan-imports/): upload a plan document as a draft, read its parsed
preview, correct it (unit mappings, a task's units and deadline, dropped or joined tasks),
confirm it into a plan, or discard it. Every write is a plans.services call."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from plans import services
from plans.api.base import ApiViewSet, VersionedRetrieveMixin
from plans.api.concurrency import stale_as_http
from plans.api.fields import StrictInput, VersionSerializer, person_name_field, version_field
from plans.api.filters import MAX_ID, IdFilter
from plans.api.schema import IF_MATCH, READ_ERRORS, WRITE_ERRORS, ErrorSerializer, errors, etagged
from plans.api.sheet_imports import job_accepted, job_accepted_schema
from plans.exports.upload import UploadRefused, check_size
from plans.import_jobs import plan_job_start, plan_job_wanted
from plans.importers.reader import MAX_DOCUMENT_BYTES
from plans.models import Plan, PlanImport, PlanImportState
from plans.permissions import can_apply_plan_import, can_create_plan
from plans.selectors.plan_imports import plan_import_list_for_api, plan_imports_for_api
from plans.services.plan_review import ROLE_FIELDS, draft_review

ROLES = [name for name, _role in ROLE_FIELDS]


def inline_choice(values, **kwargs) -> serializers.ChoiceField:
    """A choice field whose enum stays inline in the schema (wrapped in allOf, so that
    drf-spectacular does not lift it into a component named after the field, which would
    clash with the other `state` and `status` enums of the API). Give it a help_text: an
    allOf with nothing beside it is unwrapped again."""
    schema = {"allOf": [{"type": "string", "enum": list(values)}]}
    field_class = extend_schema_field(schema)(type("InlineChoiceField", (serializers.ChoiceField,), {}))
    return field_class(choices=list(values), **kwargs)


# --- the preview's pieces (read only; built from plans.services.plan_review.DraftReview) ------
class UnitNameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RoleUnitsSerializer(serializers.Serializer):
    responsible = serializers.ListField(child=serializers.CharField(), help_text="责任（牵头）单位，第一个为牵头。")
    supporting = serializers.ListField(child=serializers.CharField(), help_text="配合单位。")
    implementing = serializers.ListField(child=serializers.CharField(), help_text="负责落实的单位。")


class ParsedDeadlineSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="due、start、period_end 或 recurring。")
    date = serializers.DateField(allow_null=True)
    text = serializers.CharField(allow_blank=True, help_text="文件中的原话，如“10月底前”。")


class NodeMarksSerializer(serializers.Serializer):
    drop = serializers.BooleanField(help_text="更正为删除。")
    join = serializers.BooleanField(help_text="更正为并入上一项。")
    corrected = serializers.BooleanField(help_text="有更正。")


class PreviewNodeSerializer(serializers.Serializer):
    """One node (section or task) of the parse, corrections applied but drops and joins (marked)."""

    index = serializers.IntegerField(help_text="解析中的序号：更正中 nodes 的键。")
    path = serializers.CharField(allow_blank=True, help_text="编号路径，如“三、(一)1.(1)”。")
    level = serializers.IntegerField()
    parent = serializers.IntegerField(allow_null=True, help_text="上级节点的 index。")
    title = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)
    line = serializers.IntegerField(help_text="文件中的起始行号。")
    is_task = serializers.BooleanField(help_text="有单位的节点为任务，其余为章节。")
    units = RoleUnitsSerializer(help_text="单位（文件中的写法，更正后）按角色。")
    deadlines = ParsedDeadlineSerializer(many=True)
    marks = NodeMarksSerializer()


class ReportingSerializer(serializers.Serializer):
    frequency = serializers.CharField(help_text="monthly、quarterly、half-yearly 或 yearly。")
    month = serializers.IntegerField()
    day = serializers.IntegerField(allow_null=True)
    text = serializers.CharField(allow_blank=True)


class PlanDetailsSerializer(serializers.Serializer):
    """The plan's details as read from the document, with the office's corrections."""

    title = serializers.CharField(allow_blank=True)
    doc_number = serializers.CharField(allow_blank=True)
    issuers = serializers.ListField(child=serializers.CharField())
    issued_on = serializers.DateField(allow_null=True)
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    valid_until = serializers.DateField(allow_null=True)
    plan_year = serializers.IntegerField(allow_null=True)
    jurisdiction = serializers.CharField(allow_blank=True)
    coordinator = serializers.CharField(allow_blank=True)
    reporting = ReportingSerializer(allow_null=True)


class UnitMatchSerializer(serializers.Serializer):
    """A unit name of the document and what confirming makes of it."""

    written = serializers.CharField(help_text="文件中的写法：更正中 units 的键。")
    status = inline_choice(
        ("known", "mapped", "new", "renamed"),
        help_text="known：已有单位；mapped：已对应到选定单位；new：将新建；renamed：已改名。",
    )
    unit = UnitNameSerializer(allow_null=True, help_text="对应的已有单位；null 表示将新建。")
    kind = serializers.CharField(help_text="新建时的单位类型。")
    official_name = serializers.CharField(help_text="新建时的单位全称。")
    renamed_to = serializers.CharField(allow_blank=True)
    tasks = serializers.IntegerField(help_text="写到该单位的任务数。")
    suggestions = UnitNameSerializer(many=True, help_text="名称相近的已有单位（仅供选择，不会自动采用）。")


class WarningSerializer(serializers.Serializer):
    line = serializers.IntegerField(allow_null=True)
    text = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()


class DiffSideSerializer(serializers.Serializer):
    path = serializers.CharField(allow_blank=True)
    title = serializers.CharField(allow_blank=True)
    text = serializers.CharField(allow_blank=True)
    units = RoleUnitsSerializer(help_text="单位名称按角色。")
    deadlines = serializers.ListField(child=serializers.CharField())


class DiffRowSerializer(serializers.Serializer):
    status = inline_choice(
        ("added", "removed", "changed", "same"),
        help_text="added：文件新增的任务；removed：方案中有、文件中没有；changed：有变化；same：未变。",
    )
    old = DiffSideSerializer(allow_null=True, help_text="方案中现有的任务；新增时为 null。")
    new = DiffSideSerializer(allow_null=True, help_text="文件中的任务；删除时为 null。")
    changed = serializers.ListField(
        child=serializers.CharField(), help_text="有变化的项：title、text、units、deadlines。",
    )


def _units(node) -> dict:
    return {role: list(getattr(node, role)) for role in ROLES}


def _node(index, node, marks) -> dict:
    return {
        "index": index, "path": "".join(node.path), "level": node.level, "parent": node.parent,
        "title": node.title, "text": node.text, "line": node.line, "is_task": node.is_task, "units": _units(node),
        "deadlines": [{"kind": d.kind, "date": d.date, "text": d.text} for d in node.deadlines], "marks": marks,
    }


def _plan_details(parsed) -> dict:
    reporting = parsed.reporting
    return {
        "title": parsed.title, "doc_number": parsed.doc_number, "issuers": list(parsed.issuers),
        "issued_on": parsed.issued_on, "period_start": parsed.period_start, "period_end": parsed.period_end,
        "valid_until": parsed.valid_until, "plan_year": parsed.plan_year, "jurisdiction": parsed.jurisdiction,
        "coordinator": parsed.coordinator,
        "reporting": None if reporting is None else {
            "frequency": reporting.frequency, "month": reporting.month, "day": reporting.day, "text": reporting.text,
        },
    }


def _ref(unit) -> dict | None:
    return None if unit is None else {"id": unit.pk, "name": unit.name}


def _side(side) -> dict | None:
    return None if side is None else {
        "path": side.path, "title": side.title, "text": side.text,
        "units": {role: side.units.get(role, []) for role in ROLES}, "deadlines": side.deadlines,
    }


@extend_schema_field({"allOf": [{"type": "string", "enum": PlanImportState.values}]})
class PlanImportStateField(serializers.ChoiceField):
    """Inline in the schema, as SheetImport's `state` is (see inline_choice)."""


class PlanImportListSerializer(serializers.ModelSerializer):
    """An uploaded plan document in a list: never its text nor the parse made of it."""

    state = PlanImportStateField(
        choices=PlanImportState.choices, read_only=True, help_text="draft：待上传人确认；applied：已导入。",
    )
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, help_text="上传人账号。")
    uploaded_by_name = person_name_field("uploaded_by", "上传人")

    class Meta:
        model = PlanImport
        fields = (
            "id", "source_name", "source_kind", "source_sha256", "plan_year", "state", "uploaded_by",
            "uploaded_by_name", "created_at", "plan", "revises", "applied_at", "version",
        )
        read_only_fields = fields
        extra_kwargs = {
            "plan": {"help_text": "导入所建或更新的方案；待确认时为 null。"},
            "revises": {"help_text": "办公室选定由此文件更新的已有方案；null 则按文号或标题查找，找不到即新建。"},
        }


class PlanImportSerializer(PlanImportListSerializer):
    """An uploaded plan document with its preview: the parse as corrected, the unit names
    matched, the warnings, what confirming does (or did), and for a revision the tasks
    against the plan's; never the file or its text."""

    error = serializers.SerializerMethodField(help_text="文件（按更正）不能成为方案的原因；为空表示可以导入。")
    target = serializers.SerializerMethodField(help_text="确认时更新的方案 id；null 表示新建方案。")
    plan_details = serializers.SerializerMethodField(help_text="方案信息（按更正）。")
    nodes = serializers.SerializerMethodField(help_text="解析出的章节与任务（按更正；删除、合并只作标记）。")
    units = serializers.SerializerMethodField(help_text="文件中的每个单位名称及其对应。")
    warnings = serializers.SerializerMethodField(help_text="需核对之处，按行号。")
    counts = serializers.SerializerMethodField(help_text="任务、单位、时限、指标、提示的数目。")
    summary = serializers.SerializerMethodField(
        help_text="导入结果：已导入时为所做的修改；待确认时为确认将做的修改（试运行）。",
    )
    diff = serializers.SerializerMethodField(help_text="更新已有方案时：文件中的任务与方案中的对照；否则为 null。")
    corrections = serializers.JSONField(read_only=True, help_text="已保存的更正（格式见 PATCH）。")

    class Meta(PlanImportListSerializer.Meta):
        fields = (
            *PlanImportListSerializer.Meta.fields, "error", "target", "plan_details", "nodes", "units", "warnings",
            "counts", "summary", "diff", "corrections",
        )
        read_only_fields = fields

    def to_representation(self, instance):
        self.review = draft_review(instance)  # one parse for every field below
        return super().to_representation(instance)

    def get_error(self, draft) -> str:
        return self.review.error

    def get_target(self, draft) -> int | None:
        return self.review.target.pk if self.review.target else None

    @extend_schema_field(PlanDetailsSerializer(allow_null=True))
    def get_plan_details(self, draft):
        shown = self.review.shown
        return None if shown is None else PlanDetailsSerializer(_plan_details(shown)).data

    @extend_schema_field(PreviewNodeSerializer(many=True))
    def get_nodes(self, draft):
        shown = self.review.shown
        if shown is None:
            return []
        marks = self.review.node_marks(draft.corrections)
        rows = [_node(index, node, marks[index]) for index, node in enumerate(shown.nodes)]
        return PreviewNodeSerializer(rows, many=True).data

    @extend_schema_field(UnitMatchSerializer(many=True))
    def get_units(self, draft):
        rows = [
            {
                "written": match.written, "status": match.status, "unit": _ref(match.unit), "kind": match.kind,
                "official_name": match.official_name, "renamed_to": match.renamed_to, "tasks": match.tasks,
                "suggestions": [_ref(unit) for unit in match.suggestions],
            }
            for match in self.review.units
        ]
        return UnitMatchSerializer(rows, many=True).data

    @extend_schema_field(WarningSerializer(many=True))
    def get_warnings(self, draft):
        return WarningSerializer([warning.as_json() for warning in self.review.warnings], many=True).data

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_counts(self, draft):
        return dict(self.review.counts)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_summary(self, draft):
        if draft.state == PlanImportState.APPLIED:
            return list(draft.summary)
        return self.review.summary.as_lines() if self.review.summary else []

    @extend_schema_field(DiffRowSerializer(many=True, allow_null=True))
    def get_diff(self, draft):
        if self.review.diff is None:
            return None
        rows = [
            {"status": row.status, "old": _side(row.old), "new": _side(row.new), "changed": row.changed}
            for row in self.review.diff
        ]
        return DiffRowSerializer(rows, many=True).data


# --- input ------------------------------------------------------------------------------------
class PlanUploadSerializer(StrictInput, serializers.Serializer):
    """multipart/form-data: the plan document and, optionally, the plan year."""

    file = serializers.FileField(
        allow_empty_file=True, help_text="方案文件：.txt、.docx、.doc、.wps、.pdf 或 .html。",
    )
    plan_year = serializers.IntegerField(
        min_value=1949, max_value=2100, required=False, allow_null=True,
        help_text="文件中月日未写年份时采用；不填则从文件读出。",
    )


@extend_schema_field({
    "type": "object",
    "properties": {
        "plan": {"type": "object", "additionalProperties": True, "nullable": True},
        "units": {"type": "object", "additionalProperties": True, "nullable": True},
        "nodes": {"type": "object", "additionalProperties": True, "nullable": True},
    },
})
class CorrectionsField(serializers.JSONField):
    """The corrections (plans/importers/corrections.py), checked by the service."""


class PlanImportCorrectSerializer(StrictInput, serializers.Serializer):
    """PATCH: corrections merged into those stored (a null entry takes one back), the plan
    year, the plan to update."""

    # context["plans"]: the plans the account may see
    corrections = CorrectionsField(
        required=False,
        help_text='合并到已保存的更正：{"plan": {方案信息}, "units": {文件中的写法: {"unit": 单位 id} 或 '
        '{"new": 单位类型} 或 {"rename": 新名称}}, "nodes": {"节点 index": {"responsible": [...], '
        '"supporting": [...], "implementing": [...], "deadline": {"date", "text"} 或 null, '
        '"drop": true, "join": true}}}；某项为 null 即撤销该项更正。',
    )
    plan_year = serializers.IntegerField(
        min_value=1949, max_value=2100, required=False, allow_null=True, help_text="方案年度；null 则从文件读出。",
    )
    revises = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, required=False, allow_null=True,
        help_text="由此文件更新的已有方案 id（须为其督办人员）；null 则按文号或标题查找。",
    )
    version = version_field()

    def validate_revises(self, value):
        if value is None:
            return None
        plan = self.context["plans"].filter(pk=value).first()
        if plan is None:
            raise serializers.ValidationError(_("方案不存在或不可见 (no such plan)"))
        return plan


class PlanImportFilter(filters.FilterSet):
    plan = IdFilter(field_name="plan_id", help_text="导入所建或更新的方案 id。")
    state = filters.ChoiceFilter(choices=PlanImportState.choices)

    class Meta:
        model = PlanImport
        fields = ("plan", "state")


_PLAN_403 = OpenApiResponse(ErrorSerializer, description="只有上传人才能更正、确认或删除这次导入。")
_CORRECT_400 = OpenApiResponse(
    ErrorSerializer,
    description="输入有误：errors.non_field_errors 逐条列出更正的问题（节点不存在、日期不是日期、单位不存在……）"
    "或已导入不能再更正；errors.plan_year、errors.revises；缺少版本号时为 errors.version。",
)


@extend_schema_view(
    list=extend_schema(
        summary="方案文件导入（最新的在前）：不含文件文本与解析结果",
        responses={200: PlanImportListSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="方案文件导入详情：解析预览、单位对应、提示、导入结果",
        responses={200: etagged(PlanImportSerializer, "ETag 头为导入的版本。"), **READ_ERRORS},
    ),
    create=extend_schema(
        summary="上传方案文件（督办人员）：读取并解析，保存为待确认的导入",
        description="multipart/form-data：file（方案文件）与可选的 plan_year。"
        "能解析出含任务的方案时保存并返回 201 及预览；否则返回 400（errors.file 为原因），不保存。"
        "较大的文件（不小于 PLAN_JOB_MIN_BYTES，默认 2 MB）由后台任务解析，返回 202 与任务。",
        request={"multipart/form-data": PlanUploadSerializer},
        responses={
            201: etagged(PlanImportSerializer, "已保存为待确认的导入；ETag 头为其版本。"),
            202: job_accepted_schema("plan_import", "/api/plan-imports/{id}/"),
            400: OpenApiResponse(
                ErrorSerializer,
                description="errors.file：文件不能读取、类型不支持、过大，或不是含任务的方案；errors.plan_year。",
            ),
            **errors(401),
            403: OpenApiResponse(ErrorSerializer, description="只有督办人员才能导入方案。"),
            413: OpenApiResponse(ErrorSerializer, description="请求内容过大。"),
        },
    ),
    partial_update=extend_schema(
        summary="更正待确认的导入（仅上传人）：单位对应、任务的单位与时限、删除或合并、方案年度、更新的方案",
        parameters=[IF_MATCH], request={"application/json": PlanImportCorrectSerializer},
        responses={200: etagged(PlanImportSerializer), **WRITE_ERRORS, 400: _CORRECT_400, 403: _PLAN_403},
    ),
    destroy=extend_schema(
        summary="删除待确认的导入（仅上传人）；已导入的记录保留",
        parameters=[IF_MATCH], request=VersionSerializer,
        responses={
            204: OpenApiResponse(description="已删除。"), **WRITE_ERRORS,
            400: OpenApiResponse(ErrorSerializer, description="已导入的记录不能删除。"), 403: _PLAN_403,
        },
    ),
    apply=extend_schema(
        summary="确认导入（仅上传人）：新建方案或更新已有方案，全部写入或全部不写",
        description="已导入过的再次确认原样返回（200），不会再建方案。",
        parameters=[IF_MATCH], request={"application/json": VersionSerializer},
        responses={
            201: etagged(PlanImportSerializer, "已导入，新建了方案（plan 为其 id，summary 为导入结果）。"),
            200: etagged(PlanImportSerializer, "已导入，更新了已有方案；或此前已导入，原样返回。"),
            **WRITE_ERRORS,
            400: OpenApiResponse(
                ErrorSerializer, description="文件（按更正）不能成为方案：errors.non_field_errors 为原因。",
            ),
            403: _PLAN_403,
        },
    ),
)
class PlanImportViewSet(ApiViewSet, VersionedRetrieveMixin, mixins.ListModelMixin):
    """Plan documents imported as drafts: upload (POST, multipart), read the preview, correct
    it (PATCH), confirm it (POST /{id}/apply/) or discard it (DELETE). The uploader sees their
    drafts, office staff the imports that made or updated their plans; the file and its text
    are kept for the admin, never served here."""

    queryset = PlanImport.objects.none()
    serializer_class = PlanImportSerializer
    filterset_class = PlanImportFilter
    ordering = ("-created_at", "-id")
    ordering_fields = ("id", "created_at", "applied_at")
    object_rules = dict.fromkeys(("partial_update", "apply", "destroy"), can_apply_plan_import)

    def get_parsers(self):
        if getattr(self, "detail", False):
            return [JSONParser()]
        return [MultiPartParser(), FormParser()]

    def get_queryset(self):
        if self.action == "list":
            return plan_import_list_for_api(self.request.user)
        return plan_imports_for_api(self.request.user)

    def get_serializer_class(self):
        return PlanImportListSerializer if self.action == "list" else PlanImportSerializer

    def _fresh(self, draft, status_code=status.HTTP_200_OK):
        return self.versioned(self.get_queryset().get(pk=draft.pk), status_code)

    def create(self, request, *args, **kwargs):
        reason = can_create_plan(request.user)
        if reason:  # before the file is read
            raise exceptions.PermissionDenied(reason)
        upload = PlanUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file, year = upload.validated_data["file"], upload.validated_data.get("plan_year")
        try:
            check_size(file.size, max_bytes=MAX_DOCUMENT_BYTES)  # a file over the limit is refused unread
            data = b"".join(file.chunks())
            if plan_job_wanted(request.user, file_name=file.name, size=file.size):  # parsed by a job: 202
                job = plan_job_start(user=request.user, file_name=file.name, data=data, plan_year=year)
                return job_accepted(self, job)
            draft = services.plan_draft_upload(user=request.user, file_name=file.name, data=data, plan_year=year)
        except UploadRefused as refused:
            raise exceptions.ValidationError({"file": [str(refused)]}) from refused
        except DjangoValidationError as refused:
            raise exceptions.ValidationError({"file": refused.messages}) from refused
        return self._fresh(draft, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        draft = self.get_object()
        plans = Plan.objects.visible_to(request.user)
        values, pre = self.write_input(PlanImportCorrectSerializer, context={"plans": plans})
        with stale_as_http(pre):
            draft = services.plan_draft_correct(
                user=request.user, draft=draft, corrections=values.pop("corrections", None),
                expected_version=pre.version, **values,
            )
        return self._fresh(draft)

    def destroy(self, request, *args, **kwargs):
        draft = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        with stale_as_http(pre):
            services.plan_draft_delete(user=request.user, draft=draft, expected_version=pre.version)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        draft = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        started = timezone.now()
        with stale_as_http(pre):
            draft = services.plan_draft_apply(user=request.user, draft=draft, expected_version=pre.version)
        created = draft.plan is not None and draft.applied_at >= started and draft.plan.created_at >= started
        return self._fresh(draft, status.HTTP_201_CREATED if created else status.HTTP_200_OK)
