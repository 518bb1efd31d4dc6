"""Small pieces several admin modules share."""
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.permissions import is_office_anywhere


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
