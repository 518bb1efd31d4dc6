"""Small pieces several admin modules share."""
from contextlib import contextmanager
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from plans.permissions import is_office_anywhere
from plans.services import StaleVersion


def changelist_url(model, **params) -> str:
    """The admin list of `model`, filtered by `params`."""
    return f"{reverse(f'admin:plans_{model._meta.model_name}_changelist')}?{urlencode(params)}"


def unit_names(assignments) -> str:
    """The assignments' units joined by 、 (- for none), escaped for the page."""
    return format_html_join("、", "{}", ((str(assignment.unit),) for assignment in assignments)) or "-"


class OfficeEditsMixin:
    """Shared reference data (units, aliases): office staff and superusers edit, units read."""

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and is_office_anywhere(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and is_office_anywhere(request.user)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and is_office_anywhere(request.user)


class ReadOnlyInline:
    """An inline that shows rows written elsewhere (by the services)."""

    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DerivedYesNoFilter(admin.SimpleListFilter):
    """是/否 on a derived property: rows in (or not in) `matching(today)`, a queryset of pks."""

    def lookups(self, request, model_admin):
        return [("yes", _("是")), ("no", _("否"))]

    def matching(self, today):
        raise NotImplementedError

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        rows = self.matching(timezone.localdate())
        return queryset.filter(pk__in=rows) if self.value() == "yes" else queryset.exclude(pk__in=rows)


class Refused(Exception):
    """A service said no between the form check and the save (someone acted first)."""


@contextmanager
def service_refusals():
    """Inside a save through plans.services: a refusal becomes Refused, which
    RefusalsAsMessages shows as an error message (the service's transaction saved nothing)."""
    try:
        yield
    except (PermissionDenied, ValidationError, StaleVersion) as refusal:
        raise Refused(" ".join(getattr(refusal, "messages", [str(refusal)]))) from refusal


class RefusalsAsMessages:
    """Mixin for a ModelAdmin that saves through plans.services within `service_refusals()`:
    a refusal is shown on the same page as an error message."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.path)
