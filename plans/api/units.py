"""Units (/api/units/): shared reference data, read-only."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers

from plans.api.base import ApiViewSet
from plans.api.filters import UnitFilter
from plans.api.schema import READ_ERRORS, errors
from plans.models import Unit
from plans.selectors.plans import units_for_api


class UnitSerializer(serializers.ModelSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="集合单位包含的单位。")

    class Meta:
        model = Unit
        fields = ["id", "name", "short_name", "jurisdiction", "kind", "members"]


@extend_schema_view(
    list=extend_schema(summary="单位", responses={200: UnitSerializer(many=True), **errors(400, 401, 404)}),
    retrieve=extend_schema(summary="单位详情", responses={200: UnitSerializer, **READ_ERRORS}),
)
class UnitViewSet(ApiViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Units are shared reference data: every signed-in account reads them all."""

    queryset = Unit.objects.none()  # for the schema; rows come from get_queryset
    serializer_class = UnitSerializer
    filterset_class = UnitFilter
    ordering_fields = ["id", "name", "jurisdiction"]

    def get_queryset(self):
        return units_for_api()
