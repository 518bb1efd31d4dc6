"""Units and their aliases: shared reference data, edited by office staff and superusers."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from plans.admin.common import OfficeEditsMixin
from plans.models import Unit, UnitAlias


class UnitAliasInline(OfficeEditsMixin, admin.TabularInline):
    model = UnitAlias
    extra = 0


@admin.register(Unit)
class UnitAdmin(OfficeEditsMixin, admin.ModelAdmin):
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


@admin.register(UnitAlias)
class UnitAliasAdmin(OfficeEditsMixin, admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "unit"]
    list_filter = ["jurisdiction"]
    list_select_related = ["unit"]
    search_fields = ["name", "unit__name", "unit__short_name"]
    autocomplete_fields = ["unit"]

