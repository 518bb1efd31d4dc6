"""Units and their aliases: shared reference data, edited by office staff and superusers."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from plans import services
from plans.admin.common import OfficeEditsMixin
from plans.admin.writes import ServiceInline, ServiceModelAdmin
from plans.models import Unit, UnitAlias


class AliasWrites:
    def write(self, request, alias, values, expected_version):
        return services.unit_alias_save(user=request.user, alias=alias, **values)

    def remove(self, request, alias, expected_version):
        services.unit_alias_delete(user=request.user, alias=alias)


class UnitAliasInline(AliasWrites, ServiceInline, OfficeEditsMixin, admin.TabularInline):
    model = UnitAlias
    extra = 0


@admin.register(Unit)
class UnitAdmin(ServiceModelAdmin, OfficeEditsMixin, admin.ModelAdmin):
    list_display = ["name", "short_name", "jurisdiction", "kind", "parent"]
    list_filter = ["kind", "jurisdiction"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name", "aliases__name"]
    autocomplete_fields = ["parent", "members"]
    readonly_fields = ["created_at"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "jurisdiction", "kind", "parent"]}),
        (_("集合单位"), {"fields": ["members"]}),
        (_("记录"), {"fields": ["created_at"]}),
    ]
    inlines = [UnitAliasInline]

    def write(self, request, unit, values, expected_version):
        return services.unit_save(user=request.user, unit=unit, **values)

    def remove(self, request, unit, expected_version):
        services.unit_delete(user=request.user, unit=unit)


@admin.register(UnitAlias)
class UnitAliasAdmin(AliasWrites, ServiceModelAdmin, OfficeEditsMixin, admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "unit"]
    list_filter = ["jurisdiction"]
    list_select_related = ["unit"]
    search_fields = ["name", "unit__name", "unit__short_name"]
    autocomplete_fields = ["unit"]

