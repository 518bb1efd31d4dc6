"""The OpenAPI pieces the viewsets share: the error shape and the error responses, the If-Match
header every versioned write takes, and the success that carries an ETag."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The shape of every error answer (plans/api/errors.py)."""

    detail = serializers.CharField(help_text="给人看的说明（中英文）。")
    code = serializers.CharField(help_text="机器可读的错误代码，如 invalid、not_found、precondition_failed。")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="仅 400：字段名 → 错误信息列表。",
    )


ERROR_TEXTS = {
    400: "输入有误：errors 列出各字段的问题；缺少版本号时为 errors.version。",
    401: "未登录或令牌无效（WWW-Authenticate: Token）。",
    403: "无权进行该操作；detail 为规则的说明。",
    404: "对象不存在或对当前账号不可见。",
    409: "请求体中的 version 已过期：先重新读取。",
    412: "If-Match 中的版本已过期：先重新读取。",
}


def errors(*codes):
    return {code: OpenApiResponse(ErrorSerializer, description=ERROR_TEXTS[code]) for code in codes}


READ_ERRORS = errors(401, 404)
WRITE_ERRORS = errors(400, 401, 403, 404, 409, 412)


# Required: a write without the version it was made from is refused (400). The body's
# `version` may stand in for the header; the schema names the header, which every versioned
# write takes (a DELETE too), so that a client generated from it always sends one.
IF_MATCH = OpenApiParameter(
    "If-Match", str, OpenApiParameter.HEADER, required=True,
    description='所依据的版本，如 "3"（详情响应的 ETag）。过期 → 412。'
    "也可改在请求体中给出 version（过期 → 409）；两者皆无 → 400。",
)


def etagged(serializer, description="成功；ETag 头为新版本。"):
    return OpenApiResponse(serializer, description=description)


def json_errors(descriptions: dict[int, str]):
    """Error responses as JSON only, for an operation whose success is not JSON."""
    return {
        (code, "application/json"): OpenApiResponse(ErrorSerializer, description=text)
        for code, text in descriptions.items()
    }
