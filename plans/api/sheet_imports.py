"""Returned progress sheets (/api/sheet-imports/): upload a filled-in workbook, page through its
preview, apply it."""
from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from plans import services
from plans.api.base import ApiViewSet
from plans.api.fields import StrictInput, person_name_field
from plans.bilingual import in_language
from plans.api.filters import MAX_ID, SheetImportFilter
from plans.api.jobs import JobSerializer
from plans.api.schema import ERROR_TEXTS, READ_ERRORS, ErrorSerializer, errors
from plans.exports.upload import UploadRefused, check_size
from plans.import_jobs import sheet_job_start, sheet_job_wanted
from plans.models import Job, SheetImport, SheetImportState
from plans.selectors.plans import periods_for_api
from plans.selectors.sheets import sheet_import_list_for_api, sheet_imports_for_api


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
    message = serializers.SerializerMethodField(help_text="问题说明，按请求的语言（Accept-Language）。")

    def get_message(self, problem) -> str:
        return in_language(problem["message"])


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
    problem_count = serializers.IntegerField(
        read_only=True, help_text="检查发现的问题数（最多记录 1,000 条及一条“另有 N 个问题”）。",
    )
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True, help_text="上传人账号。")
    uploaded_by_name = person_name_field("uploaded_by", "上传人")

    class Meta:
        model = SheetImport
        fields = (
            "id", "period", "period_label", "plan", "file_name", "size", "sha256", "state", "change_count",
            "problem_count", "applied_count", "uploaded_by", "uploaded_by_name", "created_at", "applied_at",
        )
        read_only_fields = fields


class SheetImportSerializer(SheetImportListSerializer):
    """An uploaded progress sheet (进展情况表) with one page of its preview (`preview_page`,
    SHEET_PREVIEW_PAGE changes and problems a page); never the file itself."""

    change_count = serializers.SerializerMethodField(help_text="预览中的修改数。")
    problem_count = serializers.SerializerMethodField(
        help_text="检查发现的问题数（最多记录 1,000 条及一条“另有 N 个问题”）。",
    )
    changes = serializers.SerializerMethodField(help_text="确认后将写入的修改（预览），本页的部分。")
    problems = serializers.SerializerMethodField(help_text="检查发现的问题，本页的部分。")
    preview_page = serializers.SerializerMethodField(
        help_text="changes 与 problems 的页码（查询参数 preview_page，从 1 起）。",
    )
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

    preview_page = serializers.IntegerField(
        min_value=1, max_value=1_000_000, default=1, help_text="预览的页码，从 1 起。",
    )


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


class InvalidWorkbook(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "文件不是可读取的 Excel 工作簿 (the file is not a readable workbook)"
    default_code = "invalid_workbook"


def _upload_bytes(upload) -> bytes:
    """The uploaded file's bytes. A file over the limit is refused by its size, unread, with
    the sentence plans.exports.upload gives for it."""
    check_size(upload.size)
    return b"".join(upload.chunks())


def job_accepted(view, job: Job) -> Response:
    """202 with the job checking a large upload (plans/import_jobs.py) and its address in
    Location, as a large export answers: the client polls it until `outcome` names the record."""
    data = JobSerializer(job, context=view.get_serializer_context()).data
    return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})


def job_accepted_schema(record: str, path: str) -> OpenApiResponse:
    return OpenApiResponse(
        JobSerializer,
        description=f"文件较大：已作为后台任务开始处理。Location 与 url 为任务地址，轮询至 state 为 done 后，"
        f"outcome.{record} 为保存的记录（{path}）；state 为 failed 时 message 为文件不能导入的原因。",
    )


def _conflict(error: DjangoValidationError) -> Response:
    """409 with the service's reasons in errors.non_field_errors (plans/api/errors.py's shape)."""
    messages = error.messages
    detail = (
        messages[0] if len(messages) == 1
        else _("有%(count)d个问题，见 errors (%(count)d problems)") % {"count": len(messages)}
    )
    return Response(
        {"detail": detail, "code": "conflict", "errors": {"non_field_errors": messages}},
        status=status.HTTP_409_CONFLICT,
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
            "multipart/form-data：period（报送周期 id）与 file（.xlsx，上限 10 MB）。"
            "能读取的工作簿都会保存并返回 201："
            "state 为 previewed 时 changes 列出确认后将写入的修改；"
            "state 为 refused 时 problems 列出问题（工作表、行、列），"
            "不能导入，改正后重新上传。"
            "较大的文件（不小于 SHEET_JOB_MIN_BYTES，默认 1 MB）由后台任务检查，返回 202 与任务。"
        ),
        request={"multipart/form-data": SheetUploadSerializer},
        responses={
            201: OpenApiResponse(
                SheetImportSerializer, description="已保存：previewed（待确认）或 refused（见 problems）。",
            ),
            202: job_accepted_schema("sheet_import", "/api/sheet-imports/{id}/"),
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
            404: OpenApiResponse(ErrorSerializer, description=ERROR_TEXTS[404]),
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
            data = _upload_bytes(file)
            if sheet_job_wanted(data):
                return job_accepted(self, sheet_job_start(user=request.user, period=period, file_name=file.name,
                                                          data=data))
            sheet_import = services.sheet_upload(user=request.user, period=period, file_name=file.name, data=data)
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
