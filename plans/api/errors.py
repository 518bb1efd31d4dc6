"""Every API error is JSON: {"detail": "...", "code": "...", "errors": {field: [messages]}}.

Services raise Django's ValidationError and PermissionDenied; they become 400 and 403 here,
so the API answers with the same sentences as the admin. Nothing becomes a 500 that a
client's input caused."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from plans.services.conflicts import (
    CONFLICT_MESSAGE, LOCKED_MESSAGE, RETRY_AFTER_SECONDS, WriteConflict, is_database_locked, is_lock_conflict,
)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "版本已变化，请刷新后重试 (the resource changed since you read it; reload and retry)"
    default_code = "precondition_failed"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "版本冲突，请刷新后重试 (version conflict; reload and retry)"
    default_code = "conflict"


class WriteCollided(exceptions.APIException):
    """Another writer held the same rows, twice (plans.services.conflicts): nothing was saved."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = CONFLICT_MESSAGE
    default_code = "write_conflict"


class DatabaseBusy(exceptions.APIException):
    """SQLite's one writer held the database for the whole busy timeout: come back shortly."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = LOCKED_MESSAGE
    default_code = "database_busy"
    wait = RETRY_AFTER_SECONDS  # DRF sends it as Retry-After


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "请求内容过大 (request body too large)"
    default_code = "payload_too_large"


def _translate(exc):
    if isinstance(exc, WriteConflict) or is_lock_conflict(exc):
        return WriteCollided()
    if is_database_locked(exc):
        return DatabaseBusy()
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        if "__all__" in detail:  # a model-wide rule: DRF's name for it
            detail["non_field_errors"] = detail.pop("__all__")
        return exceptions.ValidationError(detail)
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, (RequestDataTooBig, TooManyFieldsSent)):
        return PayloadTooLarge()
    return exc


def exception_handler(exc, context):
    exc = _translate(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        first = next(iter(errors.values()), [""])
        message = first[0] if isinstance(first, list) and first else str(first)
        body = {"detail": _("输入有误 (invalid input)") + f": {message}", "code": "invalid", "errors": errors}
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        body = {"detail": str(detail), "code": getattr(detail, "code", None) or getattr(exc, "default_code", "error")}
    return Response(
        body, status=response.status_code,
        headers={k: v for k, v in response.items() if k in ("WWW-Authenticate", "Retry-After", "Allow")},
    )
