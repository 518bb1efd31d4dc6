"""Indicators (/api/indicators/), a plan's quantitative targets, read-only, each with its readings
period by period; and how their numbers and statuses are shown (shared with their values)."""
from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers

from plans.api.base import ApiViewSet
from plans.api.filters import IndicatorFilter
from plans.api.schema import READ_ERRORS, errors
from plans.indicators import IndicatorStatus, Reading, round_for_display
from plans.measures import plain
from plans.models import Comparator, Target
from plans.selectors.indicators import attach_readings, indicators_for_api


def number_text(value: Decimal | None) -> str | None:
    """An exact decimal string without trailing zeros ("2.8", "100"), or None."""
    return None if value is None else plain(value)


def expected_text(value: Decimal | None) -> str | None:
    """A 序时 value as shown: two decimals at most (indicators.round_for_display)."""
    return None if value is None else plain(round_for_display(value))


@extend_schema_field({"allOf": [{"type": "string", "enum": IndicatorStatus.values}]})
class IndicatorStatusField(serializers.ChoiceField):
    """Inline in the schema, as SheetImportStateField: a second `status` enum component, next to
    the task's, would give both generated names."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            "met：已达标；on_course：符合序时；off_course：滞后序时（目标年份已过而未达标亦是）；no_value：未填报。",
        )
        super().__init__(choices=IndicatorStatus.choices, **kwargs)


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class IndicatorLatestSerializer(serializers.Serializer):
    period = serializers.IntegerField(help_text="报送周期 id。")
    period_label = serializers.CharField(help_text="报送周期的编号，如“2016Q3”。")
    value = serializers.CharField(
        allow_null=True, help_text="实际值（指标的计量单位），精确的十进制数字符串；该期未填报为 null。",
    )
    expected = serializers.CharField(
        allow_null=True,
        help_text="序时目标值：到该期期末按序时（实施期已过比例）应达到的数值，最多两位小数；"
        "越低越好且无基期值的指标为 null。",
    )
    status = IndicatorStatusField()


class IndicatorReadingSerializer(IndicatorLatestSerializer):
    value_id = serializers.IntegerField(
        allow_null=True, help_text="实际值记录 id（/api/indicator-values/{id}/）；未填报为 null。",
    )
    version = serializers.IntegerField(allow_null=True, help_text="实际值记录的版本；未填报为 null。")
    entered_as = serializers.CharField(allow_null=True, help_text="填报原文，如“12000千瓦”；未填报为 null。")
    note = serializers.CharField(allow_null=True, help_text="说明；未填报为 null。")
    source = serializers.CharField(allow_null=True, help_text="数据来源；未填报为 null。")


def _reading(reading: Reading | None, full: bool = False) -> dict | None:
    if reading is None:
        return None
    row = reading.value
    shown = {
        "period": reading.period.pk, "period_label": reading.period.label,
        "value": number_text(row.value) if row else None, "expected": expected_text(reading.expected),
        "status": reading.status,
    }
    if full:
        shown.update({
            "value_id": row.pk if row else None, "version": row.version if row else None,
            "entered_as": row.entered_as if row else None, "note": row.note if row else None,
            "source": row.source if row else None,
        })
    return shown


class IndicatorListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        """A page of indicators reads its periods and values in two queries (attach_readings)."""
        targets = list(data.all() if hasattr(data, "all") else data)
        attach_readings([target for target in targets if not hasattr(target, "tracked")], self.child._today())
        return super().to_representation(targets)


class IndicatorSerializer(serializers.ModelSerializer):
    """An indicator (a plan's quantitative target) with its latest reading. Reads the `plan`
    and `owner` selected by views.indicators_for_api; builds its fields directly."""
    # The docstring is the schema's description, kept word for word: the query it names is
    # plans.selectors.indicators.indicators_for_api.

    owner = UnitRefSerializer(allow_null=True, read_only=True, help_text="填报实际值的责任单位；未指定为 null。")
    comparator = serializers.ChoiceField(choices=Comparator.choices)
    value = serializers.CharField(help_text="目标值：精确的十进制数字符串，如“2.8”。")
    baseline = serializers.CharField(allow_null=True, help_text="基期值（精确的十进制数字符串）；未给出为 null。")
    task = serializers.IntegerField(source="task_id", allow_null=True, help_text="所属任务 id；方案总体目标为 null。")
    latest = IndicatorLatestSerializer(
        allow_null=True, read_only=True,
        help_text="最近一期有实际值的读数；都未填报时为最近一期（status 为 no_value）；"
        "方案尚无已开始的报送周期时为 null。",
    )
    projected = serializers.CharField(
        allow_null=True, help_text="按已填报实际值的趋势推算的目标年末数值（最多两位小数）；少于两期实际值时为 null。",
    )

    class Meta:
        model = Target
        fields = [
            "id", "plan", "task", "owner", "indicator", "comparator", "value", "unit", "year", "baseline",
            "is_active", "text", "latest", "projected",
        ]
        list_serializer_class = IndicatorListSerializer

    def _today(self):
        return self.context.get("today") or timezone.localdate()

    def tracked(self, target):
        if not hasattr(target, "tracked"):
            attach_readings([target], self._today())
        return target.tracked

    def to_representation(self, target):
        tracked = self.tracked(target)
        owner = target.owner
        return {
            "id": target.pk, "plan": target.plan_id, "task": target.task_id,
            "owner": None if owner is None else {"id": owner.pk, "name": owner.name},
            "indicator": target.indicator, "comparator": target.comparator, "value": number_text(target.value),
            "unit": target.unit, "year": target.year, "baseline": number_text(target.baseline),
            "is_active": target.is_active,
            "text": target.text, "latest": _reading(tracked.latest), "projected": expected_text(tracked.projected),
        }


class IndicatorDetailSerializer(IndicatorSerializer):
    readings = IndicatorReadingSerializer(
        many=True, read_only=True, help_text="方案每个已开始的报送周期一项，按时间顺序（含未填报的周期）。",
    )

    class Meta(IndicatorSerializer.Meta):
        fields = [*IndicatorSerializer.Meta.fields, "readings"]

    def to_representation(self, target):
        shown = super().to_representation(target)
        shown["readings"] = [_reading(reading, full=True) for reading in self.tracked(target).readings]
        return shown


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
