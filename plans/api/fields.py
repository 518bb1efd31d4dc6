"""Serializer pieces the resources share: input that refuses fields it does not know, the row
version, and dates and times as the API writes them."""
from __future__ import annotations

from collections.abc import Mapping

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from plans.api.concurrency import MAX_VERSION


MAX_POSITION = 32767  # PositiveSmallIntegerField


class StrictInput:
    """Mixin for input serializers: a field the client may not write (unknown or read-only)
    is a 400, not silently ignored."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            refused = sorted(str(name) for name in data if name not in writable)
            if refused:
                raise serializers.ValidationError(
                    {name: [_("未知或只读字段 (unknown or read-only field)")] for name in refused}
                )
        return super().to_internal_value(data)


def version_field():
    return serializers.IntegerField(
        min_value=1, max_value=MAX_VERSION, required=False,
        help_text="行版本。写入时可代替 If-Match 头声明所依据的版本（过期 → 409）。",
    )


class VersionSerializer(StrictInput, serializers.Serializer):
    version = version_field()


_DATE = serializers.DateField()
def date_text(value):
    return None if value is None else _DATE.to_representation(value)


def datetime_text(value):
    """DateTimeField's ISO 8601 in the current time zone, without its per-call lookups."""
    if value is None:
        return None
    text = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def person_name_field(source: str, role: str) -> serializers.CharField:
    """The person behind an account as the pages name them (张伟（市发改委）), beside the account."""
    return serializers.CharField(source=source, read_only=True, help_text=f"{role}姓名和单位，如“张伟（市发改委）”。")
