"""Indicator values (/api/indicator-values/): one measured value per indicator and period,
entered as typed (a number, or a number with its unit) and converted by the service."""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.response import Response

from plans import services
from plans.api.base import ApiViewSet, VersionedRetrieveMixin
from plans.api.concurrency import stale_as_http
from plans.api.errors import Conflict
from plans.api.fields import StrictInput, VersionSerializer, datetime_text, version_field
from plans.api.filters import MAX_ID, IndicatorValueFilter
from plans.api.indicators import IndicatorStatusField, expected_text, number_text
from plans.api.schema import IF_MATCH, READ_ERRORS, WRITE_ERRORS, ErrorSerializer, errors, etagged
from plans.indicators import expected as expected_value
from plans.indicators import status as indicator_status
from plans.models import IndicatorValue, Target
from plans.selectors.indicators import indicator_values_for_api
from plans.selectors.plans import periods_for_api


class IndicatorValueSerializer(serializers.ModelSerializer):
    """A measured value with its status for its period. Reads `target.plan`, `period` and
    `entered_by`, selected by views.indicator_values_for_api; builds its fields directly."""
    # The docstring is the schema's description, kept word for word: the query it names is
    # plans.selectors.indicators.indicator_values_for_api.

    plan = serializers.IntegerField(help_text="指标所在方案 id。")
    period_label = serializers.CharField(help_text="报送周期的编号，如“2016Q3”。")
    value = serializers.CharField(help_text="实际值，已换算为指标的计量单位：精确的十进制数字符串。")
    unit = serializers.CharField(help_text="指标的计量单位（value 所用的单位）。")
    expected = serializers.CharField(
        allow_null=True,
        help_text="该期期末的序时目标值（最多两位小数）；越低越好且无基期值的指标为 null。",
    )
    status = IndicatorStatusField()
    entered_by = serializers.CharField(allow_null=True, help_text="填报人账号；未知为 null。")
    entered_by_name = serializers.CharField(
        allow_null=True, help_text="填报人姓名和单位，如“张伟（市发改委）”；未知为 null。",
    )

    class Meta:
        model = IndicatorValue
        fields = [
            "id", "target", "plan", "period", "period_label", "value", "unit", "entered_as", "note", "source",
            "expected", "status", "entered_by", "entered_by_name", "created_at", "updated_at", "version",
        ]

    def to_representation(self, row):
        target, period = row.target, row.period
        plan = target.plan
        return {
            "id": row.pk, "target": row.target_id, "plan": target.plan_id, "period": row.period_id,
            "period_label": period.label, "value": number_text(row.value), "unit": target.unit,
            "entered_as": row.entered_as, "note": row.note, "source": row.source,
            "expected": expected_text(expected_value(target, plan, period.end)),
            "status": indicator_status(target, plan, row.value, period.end),
            "entered_by": row.entered_by.get_username() if row.entered_by_id else None,
            "entered_by_name": str(row.entered_by) if row.entered_by_id else None,
            "created_at": datetime_text(row.created_at), "updated_at": datetime_text(row.updated_at),
            "version": row.version,
        }


@extend_schema_field({
    "oneOf": [
        {
            "type": "string", "minLength": 1, "maxLength": 60,
            "description": "数字，可带计量单位，如“12000千瓦”“1.2万千瓦”。",
        },
        {"type": "number"},
    ],
})
class QuantityField(serializers.Field):
    """A measured value as typed: a JSON number, or a text holding a number and optionally a
    measurement unit ("12000千瓦"). Numbers become exact Decimals (a JSON fraction by its
    shortest decimal form); texts are parsed and converted by the service."""

    default_error_messages = {
        "invalid": _("请填写数值，可带计量单位，如“12.5万千瓦” (a number, optionally with its unit)"),
        "not_finite": _("请填写有限的数值 (the value must be a finite number)"),
    }

    def __init__(self, **kwargs):
        self._text = serializers.CharField(max_length=60)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, int):
            return Decimal(data)
        if isinstance(data, float):
            number = Decimal(repr(data))
            if not number.is_finite():
                self.fail("not_finite")
            return number
        if isinstance(data, str):
            return self._text.run_validation(data)
        self.fail("invalid")

    def to_representation(self, value):  # pragma: no cover - input only
        return str(value)


class IndicatorValueInput(StrictInput, serializers.Serializer):
    """The fields a client writes to an indicator's value (the service converts the unit)."""

    value = QuantityField(
        help_text="实际值：数字（按指标的计量单位），或带计量单位的文字，如“12000千瓦”；同类单位自动精确换算，"
        "不能换算（如“亿元”填入“亿美元”指标）则为 400。",
    )
    unit = serializers.CharField(
        max_length=30, required=False, allow_blank=True,
        help_text="value 所用的计量单位（可选）；省略时为数值中写明的单位，再省略即指标的计量单位。",
    )
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, help_text="说明")
    source = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="数据来源")


class IndicatorValueCreateSerializer(IndicatorValueInput):
    """POST /api/indicator-values/. context["targets"], context["periods"]: what the account may see."""

    target = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="指标 id（/api/indicators/）。")
    period = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="报送周期 id（须属于指标所在的方案）。")

    def validate_target(self, value):
        target = self.context["targets"].filter(pk=value).first()
        if target is None:
            raise serializers.ValidationError(_("指标不存在或不可见 (no such indicator)"))
        return target

    def validate_period(self, value):
        period = self.context["periods"].filter(pk=value).first()
        if period is None:
            raise serializers.ValidationError(_("报送周期不存在或不可见 (no such period)"))
        return period

    def validate(self, attrs):
        if attrs["period"].plan_id != attrs["target"].plan_id:
            raise serializers.ValidationError(
                {"period": [_("报送周期不属于该指标所在的方案 (the period belongs to another plan)")]}
            )
        return attrs


class IndicatorValueUpdateSerializer(IndicatorValueInput):
    """PATCH /api/indicator-values/{id}/: the fields given change, the others stay."""

    value = QuantityField(required=False, help_text="新的实际值；省略则不变。格式同新增。")
    version = version_field()

    def validate(self, attrs):
        if "unit" in attrs and "value" not in attrs:
            raise serializers.ValidationError(
                {"unit": [_("修改计量单位时须同时填写数值 (send the value together with its unit)")]}
            )
        return attrs


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
        description="输入有误：errors.value / errors.unit 为计量单位不能换算或超出精度的说明；"
        "errors.target、errors.period：指标或报送周期不存在、不可见，或周期不属于指标所在的方案。",
    ),
    **errors(401),
    403: OpenApiResponse(
        ErrorSerializer,
        description="无权填报：detail 为规则的说明（只有指标的责任单位在开放的周期填报；督办人员可更正任一周期）。",
    ),
    409: OpenApiResponse(ErrorSerializer, description="该指标在该周期已有实际值：请修改（PATCH）该记录。"),
}


@extend_schema_view(
    list=extend_schema(
        summary="指标实际值", responses={200: IndicatorValueSerializer(many=True), **errors(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="指标实际值详情",
        responses={200: etagged(IndicatorValueSerializer, "ETag 头为实际值版本。"), **READ_ERRORS},
    ),
    create=extend_schema(
        summary="填报指标实际值（指标的责任单位：开放的周期；督办人员：任一周期）",
        description="value 可为数字或带计量单位的文字（如“12000千瓦”），按指标的计量单位精确换算后保存；"
        "entered_as 保留填报原文。",
        request=IndicatorValueCreateSerializer,
        responses={201: etagged(IndicatorValueSerializer), **_VALUE_CREATE_ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改指标实际值", parameters=[IF_MATCH], request=IndicatorValueUpdateSerializer,
        responses={200: etagged(IndicatorValueSerializer), **WRITE_ERRORS},
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
            context={
                "targets": Target.objects.visible_to(user).select_related("plan"), "periods": periods_for_api(user),
            },
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
