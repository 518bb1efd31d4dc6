"""Reporting periods (/api/periods/): read, and opened or closed by the plan's office."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from plans import services
from plans.api.base import ApiViewSet
from plans.api.concurrency import stale_as_http
from plans.api.fields import VersionSerializer
from plans.api.filters import PeriodFilter
from plans.api.permissions import office_of_plan
from plans.api.schema import IF_MATCH, READ_ERRORS, WRITE_ERRORS, errors
from plans.models import ReportingPeriod
from plans.selectors.plans import periods_for_api


class PeriodSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportingPeriod
        fields = ["id", "plan", "label", "start", "end", "due_date", "is_open", "version"]


_PERIOD_ACTION = dict(
    parameters=[IF_MATCH], request=VersionSerializer, responses={200: PeriodSerializer, **WRITE_ERRORS},
)


@extend_schema_view(
    list=extend_schema(summary="报送周期", responses={200: PeriodSerializer(many=True), **errors(400, 401, 404)}),
    retrieve=extend_schema(summary="报送周期详情", responses={200: PeriodSerializer, **READ_ERRORS}),
    open=extend_schema(summary="开放填报（督办人员）：并为每个责任单位生成待填报的报告", **_PERIOD_ACTION),
    close=extend_schema(summary="关闭填报（督办人员）", **_PERIOD_ACTION),
)
class PeriodViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = ReportingPeriod.objects.none()
    serializer_class = PeriodSerializer
    filterset_class = PeriodFilter
    ordering_fields = ["id", "start", "due_date"]
    object_rules = {"open": office_of_plan, "close": office_of_plan}

    def get_queryset(self):
        return periods_for_api(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        return self.versioned(self.get_object())

    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        period = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        with stale_as_http(pre):
            services.period_open(user=request.user, period=period, expected_version=pre.version)
        return self.versioned(period)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        period = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        with stale_as_http(pre):
            services.period_close(user=request.user, period=period, expected_version=pre.version)
        return self.versioned(period)
