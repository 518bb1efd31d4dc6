"""The base of the API's viewsets: authentication, the plan rules, the filters, the id check and
the versioned answer every resource shares."""
from __future__ import annotations

import re

from django.utils import timezone
from django.utils.functional import cached_property
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from plans.api.authentication import StrictTokenAuthentication
from plans.api.concurrency import precondition, with_etag
from plans.api.filters import StableOrderingFilter
from plans.api.permissions import FollowsPlanRules


ID = re.compile(r"[0-9]{1,18}")


class ApiViewSet(GenericViewSet):
    # Token first: an anonymous caller gets 401 with `WWW-Authenticate: Token`, not a 403.
    authentication_classes = [StrictTokenAuthentication, SessionAuthentication]
    permission_classes = [FollowsPlanRules]
    filter_backends = [DjangoFilterBackend, StableOrderingFilter]
    object_rules: dict = {}

    @cached_property
    def today(self):
        return timezone.localdate()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "today": self.today}

    def get_object(self):
        if not ID.fullmatch(str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))):
            raise NotFound()
        return super().get_object()

    def write_input(self, serializer_class, **kwargs):
        """Validated values of the request body and the version the client wrote from."""
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        return values, precondition(self.request, values.pop("version", None))

    def versioned(self, instance, status_code=status.HTTP_200_OK):
        return with_etag(Response(self.get_serializer(instance).data, status=status_code), instance.version)


class VersionedRetrieveMixin:
    def retrieve(self, request, *args, **kwargs):
        return self.versioned(self.get_object())
