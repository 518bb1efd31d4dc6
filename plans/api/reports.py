"""Progress reports (/api/reports/): read, filled in, submitted (and withdrawn), approved or
returned, and the supporting units' input."""
from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action

from plans import services
from plans.api.base import ApiViewSet, VersionedRetrieveMixin
from plans.api.concurrency import stale_as_http
from plans.api.fields import StrictInput, VersionSerializer, datetime_text
from plans.api.filters import ReportFilter
from plans.api.pagination import CappedCountPagination
from plans.api.schema import IF_MATCH, READ_ERRORS, WRITE_ERRORS, errors, etagged
from plans.models import ProgressReport, ReportState, SupportingInput, TaskStatus, person_label
from plans.selectors.reports import attach_inputs, reports_for_api


# who submitted and who reviewed, read with the report: naming them costs no query per row
PEOPLE = (
    "submitted_by__profile", "submitted_by__membership__unit", "reviewed_by__profile", "reviewed_by__membership__unit",
)


def person(user) -> str | None:
    """person_label of an account read with PEOPLE (None for nobody). The membership read by
    the join is handed to person_label's cache, which would otherwise query it again."""
    if user is None:
        return None
    if not hasattr(user, "_membership"):
        try:
            user._membership = user.membership
        except ObjectDoesNotExist:
            user._membership = None
    return person_label(user)


class SupportingInputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupportingInput
        fields = ["unit", "text"]


class ReportListSerializer(serializers.ListSerializer):
    def to_representation(self, data):
        reports = list(data.all() if hasattr(data, "all") else data)
        attach_inputs([report for report in reports if not hasattr(report, "input_rows")])
        return super().to_representation(reports)


class ReportSerializer(serializers.ModelSerializer):
    """Reads views.reports_for_api (is_late). `to_representation` builds the declared fields
    directly, as TaskSerializer does (checked in tests/api/test_reports.py)."""
    # The docstring is the schema's description, kept word for word: the query it names is
    # plans.selectors.reports.reports_for_api.

    late = serializers.BooleanField(source="is_late", read_only=True, help_text="逾期未报（推算）。")
    inputs = SupportingInputSerializer(many=True, read_only=True, help_text="配合单位提供的配合情况。")
    state = serializers.ChoiceField(choices=ReportState.choices, read_only=True)
    submitted_by = serializers.CharField(
        read_only=True, allow_null=True, help_text="报送人：姓名（单位），如“张伟（市发改委）”；未报送为 null。",
    )
    reviewed_by = serializers.CharField(
        read_only=True, allow_null=True, help_text="审核人：姓名（职务或单位）；未审核为 null。",
    )

    class Meta:
        model = ProgressReport
        fields = [
            "id", "task", "unit", "period", "status", "percent", "progress", "problems", "next_steps", "state",
            "late", "review_comment", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "version",
            "inputs",
        ]
        list_serializer_class = ReportListSerializer

    def to_representation(self, report):
        if not hasattr(report, "input_rows"):
            attach_inputs([report])
        return {
            "id": report.pk, "task": report.task_id, "unit": report.unit_id, "period": report.period_id,
            "status": report.status, "percent": report.percent, "progress": report.progress,
            "problems": report.problems,
            "next_steps": report.next_steps, "state": report.state, "late": bool(report.is_late),
            "review_comment": report.review_comment, "submitted_by": person(report.submitted_by),
            "submitted_at": datetime_text(report.submitted_at), "reviewed_by": person(report.reviewed_by),
            "reviewed_at": datetime_text(report.reviewed_at), "version": report.version,
            "inputs": report.input_rows,
        }


class ReportUpdateSerializer(VersionSerializer):
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)
    percent = serializers.IntegerField(min_value=0, max_value=100, allow_null=True, required=False)
    progress = serializers.CharField(allow_blank=True, required=False, help_text="本期进展情况")
    problems = serializers.CharField(allow_blank=True, required=False, help_text="存在问题")
    next_steps = serializers.CharField(allow_blank=True, required=False, help_text="下步打算")


class ReviewSerializer(VersionSerializer):
    comment = serializers.CharField(
        allow_blank=True, required=False, max_length=5000, help_text="审核意见；退回时必填。",
    )


class SupportingInputWriteSerializer(StrictInput, serializers.Serializer):
    text = serializers.CharField(max_length=20000, help_text="配合情况")


def _report_action(summary, request):
    return extend_schema(
        summary=summary, parameters=[IF_MATCH], request=request,
        responses={200: etagged(ReportSerializer), **WRITE_ERRORS},
    )


@extend_schema_view(
    list=extend_schema(summary="进展报告", responses={200: ReportSerializer(many=True), **errors(400, 401, 404)}),
    retrieve=extend_schema(
        summary="进展报告详情", responses={200: etagged(ReportSerializer, "ETag 头为报告版本。"), **READ_ERRORS},
    ),
    partial_update=_report_action("填写报告（本单位填报人、单位负责人；督办人员可更正）", ReportUpdateSerializer),
    submit=_report_action("报送（单位负责人）", VersionSerializer),
    withdraw=_report_action("撤回报送（单位负责人，督办查阅前；报告回到待填报）", VersionSerializer),
    approve=_report_action("审核通过（督办人员）", ReviewSerializer),
    return_=_report_action("退回重报（督办人员，须填写审核意见）", ReviewSerializer),
    inputs=extend_schema(
        summary="配合单位提供配合情况（不需版本号）", request=SupportingInputWriteSerializer,
        responses={200: etagged(ReportSerializer), **errors(400, 401, 403, 404)},
    ),
)
class ReportViewSet(ApiViewSet, VersionedRetrieveMixin, mixins.ListModelMixin):
    """Reports are created by opening a period (POST /api/periods/{id}/open/), never here;
    they are not deleted. Every write goes through plans.services, which checks the rules of
    plans.permissions and the version under a row lock."""

    queryset = ProgressReport.objects.none()
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    pagination_class = CappedCountPagination
    ordering_fields = ["id", "submitted_at", "reviewed_at", "percent"]
    # read off the (period, task, unit) index; Meta.ordering would sort every visible report
    # by its plan's year and title first
    ordering = ["period_id", "task_id", "unit_id"]

    def get_queryset(self):
        return reports_for_api(self.request.user, self.today).select_related(*PEOPLE)

    def _fresh(self, report):
        return self.versioned(self.get_queryset().get(pk=report.pk))

    def partial_update(self, request, pk=None):
        report = self.get_object()
        values, pre = self.write_input(ReportUpdateSerializer)
        with stale_as_http(pre):
            services.report_update(user=request.user, report=report, expected_version=pre.version, **values)
        return self._fresh(report)

    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        report = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        with stale_as_http(pre):
            services.report_submit(user=request.user, report=report, expected_version=pre.version)
        return self._fresh(report)

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """The unit leader takes a submitted report back until office staff opened it."""
        report = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        with stale_as_http(pre):
            services.report_withdraw(user=request.user, report=report, expected_version=pre.version)
        return self._fresh(report)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        report = self.get_object()
        values, pre = self.write_input(ReviewSerializer)
        with stale_as_http(pre):
            services.report_approve(
                user=request.user, report=report, comment=values.get("comment", ""), expected_version=pre.version
            )
        return self._fresh(report)

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        report = self.get_object()
        values, pre = self.write_input(ReviewSerializer)
        with stale_as_http(pre):
            services.report_return(
                user=request.user, report=report, comment=values.get("comment", ""), expected_version=pre.version
            )
        return self._fresh(report)

    @action(detail=True, methods=["post"])
    def inputs(self, request, pk=None):
        """A supporting unit's (配合单位) input: it does not change the report row, so it
        carries no version."""
        report = self.get_object()
        serializer = SupportingInputWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.supporting_input_save(user=request.user, report=report, text=serializer.validated_data["text"])
        return self._fresh(report)
