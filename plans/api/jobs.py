"""Jobs (/api/jobs/, 后台任务): work that outlasts a request. A large progress-sheet export
answers 202 with its job; the client polls GET /api/jobs/{id}/ until `state` is done (or
failed, with `message`) and then downloads `download`. Each account sees its own jobs; the
rows and files are shared by every app host, so any of them answers."""
from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from plans.api.attachments import AnyFileRenderer
from plans.api.base import ApiViewSet
from plans.api.schema import ERROR_TEXTS, READ_ERRORS, errors, json_errors
from plans.exports.download import XLSX_CONTENT_TYPE, job_file_response
from plans.models import Job


class JobSerializer(serializers.ModelSerializer):
    """A job's state and progress; `download` once its file is ready."""

    url = serializers.SerializerMethodField(help_text="本任务的地址（轮询）。")
    download = serializers.SerializerMethodField(help_text="生成的文件的下载地址；未完成或无文件时为 null。")

    class Meta:
        model = Job
        fields = ("id", "kind", "state", "done", "total", "message", "filename", "outcome", "created_at", "started_at",
                  "finished_at", "attempts", "url", "download")
        read_only_fields = fields
        extra_kwargs = {
            "state": {"help_text": "queued（排队中）、running（进行中）、done（已完成）、failed（失败，见 message）。"},
            "done": {"help_text": "已处理的行数（导出：任务数）。"},
            "total": {"help_text": "总行数；未知时为 0。"},
            "message": {"help_text": "失败原因或结果摘要。"},
            "outcome": {"help_text": "任务做出的记录，如 {\"sheet_import\": 12}（检查后的上传）。"},
        }

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def get_url(self, job) -> str:
        return self._absolute(f"/api/jobs/{job.pk}/")

    def get_download(self, job) -> str | None:
        if not job.file_ready:
            return None
        return self._absolute(f"/api/jobs/{job.pk}/file/")


@extend_schema_view(
    list=extend_schema(
        summary="我的后台任务（最近的在前）", responses={200: JobSerializer(many=True), **errors(400, 401)},
    ),
    retrieve=extend_schema(summary="后台任务的状态与进度", responses={200: JobSerializer, **READ_ERRORS}),
)
class JobViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Job.objects.none()
    serializer_class = JobSerializer
    ordering = ("-created_at", "-id")
    ordering_fields = ("id", "created_at")

    def get_queryset(self):
        return Job.objects.visible_to(self.request.user)

    def finalize_response(self, request, response, *args, **kwargs):
        """An error answers in JSON even to a client that asked for the file's type only."""
        if isinstance(response, Response) and isinstance(getattr(request, "accepted_renderer", None), AnyFileRenderer):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)

    @extend_schema(
        summary="下载后台任务生成的文件",
        description="文件本身（附件；文件名见 Content-Disposition）。未完成、失败或已过期时 404。",
        responses={
            (200, XLSX_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="文件。"),
            **json_errors({401: ERROR_TEXTS[401], 404: ERROR_TEXTS[404]}),
        },
    )
    @action(detail=True, methods=["get"], url_path="file", renderer_classes=[JSONRenderer, AnyFileRenderer],
            filter_backends=[])
    def file(self, request, pk=None):
        job = self.get_object()
        if not job.file_ready:
            raise Http404(_("文件尚未生成或已过期 (the file is not ready or has expired)"))
        return job_file_response(job)
