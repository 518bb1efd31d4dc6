"""Evidence files (/api/attachments/, 佐证材料): list those of an owner (a report, a supporting
unit's input, an extension request or a completion claim), upload one (multipart), remove
one, download one. Only the attachments of tasks the account sees exist for it
(Attachment.objects.visible_to); adding and removing follow the owner's lock
(plans.permissions.can_change_attachments, asked again by the service)."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from plans import services
from plans.api.base import ApiViewSet
from plans.api.fields import StrictInput, person_name_field
from plans.api.filters import MAX_ID, IdFilter
from plans.api.schema import ERROR_TEXTS, READ_ERRORS, ErrorSerializer, errors, json_errors
from plans.exports.evidence_check import CONTENT_TYPES, limits_mb
from plans.exports.evidence_download import attachment_response
from plans.models import Attachment, CompletionClaim, ExtensionRequest, ProgressReport, SupportingInput

OWNER_KINDS = ("report", "supporting_input", "extension", "claim")


def owners_for(user, kind: str):
    """The owners of a kind the account sees (a supporting input through its report)."""
    if kind == "supporting_input":
        return SupportingInput.objects.filter(report__in=ProgressReport.objects.visible_to(user))
    model = {"report": ProgressReport, "extension": ExtensionRequest, "claim": CompletionClaim}[kind]
    return model.objects.visible_to(user)


class AttachmentSerializer(serializers.ModelSerializer):
    """One evidence file: its owner (exactly one of report, supporting_input, extension,
    claim), its name as uploaded, the kind read from its content, size and SHA-256."""

    # reads `uploaded_by` with its profile and unit: select_related by the viewset
    owner_kind = serializers.SerializerMethodField(help_text="所属对象：report、supporting_input、extension 或 claim。")
    uploaded_by_name = person_name_field("uploaded_by", "上传人")
    download = serializers.SerializerMethodField(help_text="下载地址（附件，文件名为原文件名）。")

    class Meta:
        model = Attachment
        fields = (
            "id", "owner_kind", "report", "supporting_input", "extension", "claim", "task", "name", "kind", "size",
            "sha256", "uploaded_by_name", "uploaded_at", "download",
        )
        read_only_fields = fields
        extra_kwargs = {
            "kind": {"help_text": "按文件内容识别：" + "、".join(CONTENT_TYPES) + "。"},
            "name": {"help_text": "上传时的文件名（不含路径）。"},
            "size": {"help_text": "字节数。"},
            "sha256": {"help_text": "文件内容的 SHA-256（十六进制）。"},
        }

    def get_owner_kind(self, attachment) -> str:
        return next(kind for kind in OWNER_KINDS if getattr(attachment, f"{kind}_id") is not None)

    def get_download(self, attachment) -> str:
        request = self.context.get("request")
        path = f"/api/attachments/{attachment.pk}/download/"
        return request.build_absolute_uri(path) if request is not None else path


class AttachmentUploadSerializer(StrictInput, serializers.Serializer):
    """multipart/form-data: which object the file is evidence of, and the file."""

    # context["user"]: the account (owners it sees)
    owner_kind = serializers.ChoiceField(choices=OWNER_KINDS, help_text="所属对象的类型。")
    owner_id = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="所属对象的 id。")
    file = serializers.FileField(allow_empty_file=True, help_text="佐证材料文件。")

    def validate(self, attrs):
        owner = owners_for(self.context["user"], attrs["owner_kind"]).filter(pk=attrs["owner_id"]).first()
        if owner is None:
            raise serializers.ValidationError({"owner_id": [_("所属对象不存在或不可见 (no such object)")]})
        return {**attrs, "owner": owner}


class AttachmentFilter(filters.FilterSet):
    report = IdFilter(field_name="report_id", help_text="进展报告 id。")
    supporting_input = IdFilter(field_name="supporting_input_id", help_text="配合情况 id。")
    extension = IdFilter(field_name="extension_id", help_text="延期申请 id。")
    claim = IdFilter(field_name="claim_id", help_text="办结申请 id。")
    task = IdFilter(field_name="task_id", help_text="任务 id。")

    class Meta:
        model = Attachment
        fields = ("report", "supporting_input", "extension", "claim", "task")


class AnyFileRenderer(BaseRenderer):
    """Lets a client ask for the file by its type (Accept) without a 406. It renders nothing:
    the download answers with a FileResponse, errors in JSON (finalize_response)."""

    media_type = "*/*"
    format = "file"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def _upload_text() -> str:
    limits = limits_mb()
    return (
        "multipart/form-data：owner_kind（report、supporting_input、extension、claim）、owner_id 与 file。"
        f"文件类型按内容识别（{'、'.join(CONTENT_TYPES)}），扩展名须与内容相符；每个文件不超过 {limits['size']} MB，"
        f"同一对象的附件合计不超过 {limits['total']} MB。报告审核通过后、申请处理后不能再增删附件。"
    )


@extend_schema_view(
    list=extend_schema(
        summary="佐证材料（可按所属对象筛选：report、supporting_input、extension、claim）",
        responses={200: AttachmentSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(summary="佐证材料详情", responses={200: AttachmentSerializer, **READ_ERRORS}),
    create=extend_schema(
        summary="上传佐证材料",
        description=_upload_text(),
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={
            201: AttachmentSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="字段有误：errors.owner_id（对象不存在或不可见），"
                "errors.file（不接受的格式、与扩展名不符、过大、超过合计上限、疑似压缩炸弹；说明中含文件名）。",
            ),
            **errors(401),
            403: OpenApiResponse(ErrorSerializer, description="无权为该对象增删附件；detail 为规则的说明。"),
            413: OpenApiResponse(ErrorSerializer, description="请求内容过大。"),
        },
    ),
    destroy=extend_schema(
        summary="删除佐证材料（修改历史保留记录）",
        responses={204: None, **errors(401, 404), 403: OpenApiResponse(ErrorSerializer, description=ERROR_TEXTS[403])},
    ),
)
class AttachmentViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Evidence files of the tasks the account sees; upload (POST, multipart), remove
    (DELETE), download (GET /{id}/download/)."""

    queryset = Attachment.objects.none()
    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilter
    ordering = ("uploaded_at", "id")
    ordering_fields = ("id", "uploaded_at", "name", "size")
    parser_classes = (MultiPartParser, FormParser)

    def get_queryset(self):
        return Attachment.objects.visible_to(self.request.user).select_related(
            "uploaded_by__profile", "uploaded_by__membership__unit",
        )

    def create(self, request, *args, **kwargs):
        upload = AttachmentUploadSerializer(data=request.data, context={"user": request.user})
        upload.is_valid(raise_exception=True)
        attachment = services.attachment_add(
            user=request.user, owner=upload.validated_data["owner"], upload=upload.validated_data["file"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=attachment.pk)).data,
                        status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        services.attachment_delete(user=request.user, attachment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def finalize_response(self, request, response, *args, **kwargs):
        """An error answers in JSON even to a client that asked for the file's type only."""
        if isinstance(response, Response) and isinstance(getattr(request, "accepted_renderer", None), AnyFileRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        summary="下载佐证材料",
        description="文件本身（附件；文件名见 Content-Disposition，UTF-8 编码），Content-Type 按文件类型。",
        responses={
            **{
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="文件。")
                for content_type in dict.fromkeys(CONTENT_TYPES.values())
            },
            **json_errors({401: ERROR_TEXTS[401], 404: ERROR_TEXTS[404]}),
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, AnyFileRenderer], filter_backends=[])
    def download(self, request, pk=None):
        return attachment_response(self.get_object())
