"""The rows under a task, each kind a viewset routed below the task's own route (plans.api.urls):
POST /api/tasks/{id}/assignments/ and GET, PATCH, DELETE /api/tasks/{id}/assignments/{assignment_id}/,
and the same for /deadlines/. Office staff of the plan change them."""
from __future__ import annotations

from contextlib import nullcontext

from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from drf_spectacular.plumbing import get_doc
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from plans import services
from plans.api.base import ID, ApiViewSet
from plans.api.concurrency import precondition, stale_as_http
from plans.api.fields import MAX_POSITION, StrictInput, VersionSerializer, version_field
from plans.api.permissions import office_of_plan
from plans.api.schema import IF_MATCH, READ_ERRORS, WRITE_ERRORS, errors, etagged
from plans.api.tasks import DeadlineSerializer, TaskLookup, TaskViewSet
from plans.models import Assignment, AssignmentPerson, Deadline, PersonKind, Role, Unit

ASSIGNMENT_ID = OpenApiParameter("assignment_id", int, OpenApiParameter.PATH)
DEADLINE_ID = OpenApiParameter("deadline_id", int, OpenApiParameter.PATH)
PERSON_ID = OpenApiParameter("person_id", int, OpenApiParameter.PATH)
# a named person's account with its profile: name, position and phone without a query each
PEOPLE = Prefetch("people", queryset=AssignmentPerson.objects.select_related("user__profile"))
# The rows are documented as part of the task (its description, its `tasks` tag).
TASK_DESCRIPTION = get_doc(TaskViewSet)


class AssignmentPersonSerializer(serializers.ModelSerializer):
    """A person the unit names for its part in the task: an account of the unit (`user`) or
    someone written in by name; name, position and phone fall back to the account's profile."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True, help_text="责任领导或联系人。")
    name = serializers.CharField(source="display_name", read_only=True, help_text="姓名。")
    position = serializers.CharField(source="display_position", read_only=True, help_text="职务。")
    phone = serializers.CharField(source="display_phone", read_only=True, help_text="联系电话。")

    class Meta:
        model = AssignmentPerson
        fields = ["id", "kind", "kind_label", "name", "position", "phone", "user", "version"]
        read_only_fields = fields


class AssignmentSerializer(StrictInput, serializers.ModelSerializer):
    """A unit's role on a task, read and written under /api/tasks/{id}/assignments/."""

    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    name = serializers.CharField(source="unit.name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)
    position = serializers.IntegerField(
        min_value=0, max_value=MAX_POSITION, required=False,
        help_text="在该职责单位中的位次；省略则排在最后。责任单位的 0 号为牵头单位。",
    )
    people = AssignmentPersonSerializer(
        many=True, read_only=True, help_text="单位为该任务指定的责任领导、联系人（只读）。",
    )
    version = version_field()

    class Meta:
        model = Assignment
        fields = ["id", "task", "unit", "name", "role", "position", "is_lead", "people", "version"]
        read_only_fields = ["task", "is_lead"]
        validators = []  # uniqueness is checked by the service, under the task's lock


class TaskRowViewSet(TaskLookup, ApiViewSet):
    """Rows of one kind under a task. The task is found as /api/tasks/{id}/ finds it (else 404)
    and a write is checked against the plan's rules on it (else 403) before the row is looked up
    among the task's (else 404). A subclass names the rows (`rows`, `reread`) and the services
    that write them (`create_row`, `update_row`, `delete_row`); `lookup_url_kwarg` is the row's
    part of the URL."""

    object_rules = {"create": office_of_plan, "partial_update": office_of_plan, "destroy": office_of_plan}

    def rows(self, task):
        raise NotImplementedError

    def reread(self, row):
        raise NotImplementedError

    def create_row(self, task, values):
        raise NotImplementedError

    def update_row(self, row, expected_version, values):
        raise NotImplementedError

    def delete_row(self, row, expected_version):
        raise NotImplementedError

    def get_task(self):
        pk = self.kwargs["pk"]
        if not ID.fullmatch(str(pk)):
            raise NotFound()
        task = get_object_or_404(self.filter_queryset(self.get_queryset()), pk=pk)
        self.check_object_permissions(self.request, task)
        return task

    def get_object(self):
        """The row under the task, or a 404."""
        task = self.get_task()
        pk = self.kwargs[self.lookup_url_kwarg]
        row = self.rows(task).filter(pk=pk).first() if ID.fullmatch(str(pk)) else None
        if row is None:
            raise NotFound()
        return row

    def answer(self, row, status_code=status.HTTP_200_OK):
        """The row as stored now, its version as the ETag."""
        return self.versioned(self.reread(row), status_code)

    def create(self, request, *args, **kwargs):
        task = self.get_task()
        serializer = self.get_serializer_class()(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        values.pop("version", None)
        return self.answer(self.create_row(task, values), status.HTTP_201_CREATED)

    def retrieve(self, request, *args, **kwargs):
        return self.answer(self.get_object())

    def partial_update(self, request, *args, **kwargs):
        row = self.get_object()
        values, pre = self.write_input(self.get_serializer_class(), partial=True)
        with stale_as_http(pre):
            row = self.update_row(row, pre.version, values)
        return self.answer(row)

    def destroy(self, request, *args, **kwargs):
        row = self.get_object()
        _values, pre = self.write_input(VersionSerializer)
        with stale_as_http(pre):
            self.delete_row(row, pre.version)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    create=extend_schema(
        summary="新增分工（督办人员）", description=TASK_DESCRIPTION, request=AssignmentSerializer,
        responses={201: etagged(AssignmentSerializer), **errors(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="分工详情", description=TASK_DESCRIPTION, parameters=[ASSIGNMENT_ID],
        responses={200: etagged(AssignmentSerializer, "ETag 头为分工版本。"), **READ_ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改分工（督办人员）", description=TASK_DESCRIPTION, parameters=[ASSIGNMENT_ID, IF_MATCH],
        request=AssignmentSerializer, responses={200: etagged(AssignmentSerializer), **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="删除分工（督办人员）", description=TASK_DESCRIPTION, parameters=[ASSIGNMENT_ID, IF_MATCH],
        request=VersionSerializer, responses={204: OpenApiResponse(description="已删除。"), **WRITE_ERRORS},
    ),
)
class TaskAssignmentViewSet(TaskRowViewSet):
    """A task's assignments: which unit holds which role."""

    serializer_class = AssignmentSerializer
    lookup_url_kwarg = "assignment_id"

    def rows(self, task):
        return task.assignments.select_related("unit")

    def reread(self, row):
        return Assignment.objects.select_related("unit").prefetch_related(PEOPLE).get(pk=row.pk)

    def create_row(self, task, values):
        return services.assignment_create(user=self.request.user, task=task, **values)

    def update_row(self, row, expected_version, values):
        return services.assignment_update(
            user=self.request.user, assignment=row, expected_version=expected_version, **values
        )

    def delete_row(self, row, expected_version):
        services.assignment_delete(user=self.request.user, assignment=row, expected_version=expected_version)


@extend_schema_view(
    create=extend_schema(
        summary="新增时限（督办人员）", description=TASK_DESCRIPTION, request=DeadlineSerializer,
        responses={201: etagged(DeadlineSerializer), **errors(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary="时限详情", description=TASK_DESCRIPTION, parameters=[DEADLINE_ID],
        responses={200: etagged(DeadlineSerializer, "ETag 头为时限版本。"), **READ_ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改时限（督办人员）", description=TASK_DESCRIPTION, parameters=[DEADLINE_ID, IF_MATCH],
        request=DeadlineSerializer, responses={200: etagged(DeadlineSerializer), **WRITE_ERRORS},
    ),
    destroy=extend_schema(
        summary="删除时限（督办人员）", description=TASK_DESCRIPTION, parameters=[DEADLINE_ID, IF_MATCH],
        request=VersionSerializer, responses={204: OpenApiResponse(description="已删除。"), **WRITE_ERRORS},
    ),
)
class TaskDeadlineViewSet(TaskRowViewSet):
    """A task's deadlines (完成时限, start dates, recurring ones)."""

    serializer_class = DeadlineSerializer
    lookup_url_kwarg = "deadline_id"

    def rows(self, task):
        return task.deadlines.all()

    def reread(self, row):
        return Deadline.objects.get(pk=row.pk)

    def create_row(self, task, values):
        return services.deadline_create(user=self.request.user, task=task, **values)

    def update_row(self, row, expected_version, values):
        return services.deadline_update(
            user=self.request.user, deadline=row, expected_version=expected_version, **values,
        )

    def delete_row(self, row, expected_version):
        services.deadline_delete(user=self.request.user, deadline=row, expected_version=expected_version)


class PersonWriteSerializer(StrictInput, serializers.Serializer):
    """责任领导 or 联系人 of the unit's part: an account of the unit, or a name written in."""

    kind = serializers.ChoiceField(choices=PersonKind.choices)
    user = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(membership__isnull=False), required=False, allow_null=True,
        help_text="本单位的账号；无账号的人员留空并填写 name。",
    )
    name = serializers.CharField(allow_blank=True, required=False, max_length=200, help_text="姓名（无账号时必填）。")
    position = serializers.CharField(allow_blank=True, required=False, max_length=200, help_text="职务。")
    phone = serializers.CharField(allow_blank=True, required=False, max_length=200, help_text="联系电话。")
    version = version_field()


@extend_schema_view(
    create=extend_schema(
        summary="指定责任领导或联系人（本单位或督办人员；同一身份再次指定即替换，替换时可给出版本）",
        description=TASK_DESCRIPTION, parameters=[ASSIGNMENT_ID], request=PersonWriteSerializer,
        responses={
            200: etagged(AssignmentPersonSerializer, "已替换；ETag 头为新版本。"),
            201: etagged(AssignmentPersonSerializer), **errors(400, 401, 403, 404, 409, 412),
        },
    ),
    retrieve=extend_schema(
        summary="责任领导或联系人详情", description=TASK_DESCRIPTION, parameters=[ASSIGNMENT_ID, PERSON_ID],
        responses={200: etagged(AssignmentPersonSerializer, "ETag 头为版本。"), **READ_ERRORS},
    ),
    destroy=extend_schema(
        summary="删除责任领导或联系人（本单位或督办人员）", description=TASK_DESCRIPTION,
        parameters=[ASSIGNMENT_ID, PERSON_ID, IF_MATCH], request=VersionSerializer,
        responses={204: OpenApiResponse(description="已删除。"), **WRITE_ERRORS},
    ),
)
class AssignmentPeopleViewSet(TaskRowViewSet):
    """The people a unit names for its part in a task, under the assignment's route:
    POST …/assignments/{assignment_id}/people/ and DELETE …/people/{person_id}/. The unit's
    own accounts or the plan's office (services.assignment_person_save / _delete)."""

    serializer_class = AssignmentPersonSerializer
    lookup_url_kwarg = "person_id"
    object_rules = {}  # the service asks can_name_people of the assignment
    http_method_names = ["get", "post", "delete", "head", "options"]  # a person is replaced, not patched

    def assignment(self, task) -> Assignment:
        pk = self.kwargs["assignment_id"]
        row = task.assignments.select_related("unit").filter(pk=pk).first() if ID.fullmatch(str(pk)) else None
        if row is None:
            raise NotFound()
        return row

    def rows(self, task):
        return self.assignment(task).people.all()

    def reread(self, row):
        return AssignmentPerson.objects.select_related("user__profile").get(pk=row.pk)

    def create(self, request, *args, **kwargs):
        assignment = self.assignment(self.get_task())
        serializer = PersonWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        version = values.pop("version", None)
        pre = precondition(request, version) if version is not None or "If-Match" in request.headers else None
        replaces = assignment.people.filter(kind=values["kind"]).exists()
        with stale_as_http(pre) if pre else nullcontext():
            person = services.assignment_person_save(
                user=request.user, assignment=assignment, kind=values["kind"], account=values.get("user"),
                name=values.get("name", ""), position=values.get("position", ""), phone=values.get("phone", ""),
                expected_version=pre.version if pre else None,
            )
        return self.answer(person, status.HTTP_200_OK if replaces else status.HTTP_201_CREATED)

    def delete_row(self, row, expected_version):
        services.assignment_person_delete(user=self.request.user, person=row, expected_version=expected_version)
