"""Accounts: which unit an account works for (填报人 / 单位负责人). Office staff are set on the
plan (督办人员). Only superusers manage accounts."""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from plans import services
from plans.admin.writes import InlinesThroughServices, ServiceInline, ServiceModelAdmin
from plans.models import Membership


class MembershipWrites:
    def write(self, request, membership, values, expected_version):
        return services.membership_save(user=request.user, membership=membership, **values)

    def remove(self, request, membership, expected_version):
        services.membership_delete(user=request.user, membership=membership)


class SuperuserOnlyAdmin(admin.ModelAdmin):
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(MembershipWrites, ServiceModelAdmin, SuperuserOnlyAdmin):
    list_display = ["user", "unit", "role"]
    list_filter = ["role", "unit__jurisdiction"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "unit__name", "unit__short_name"]
    autocomplete_fields = ["user", "unit"]


class MembershipInline(MembershipWrites, ServiceInline, admin.StackedInline):
    model = Membership
    autocomplete_fields = ["unit"]
    extra = 0
    max_num = 1


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(InlinesThroughServices, UserAdmin):
    inlines = [*UserAdmin.inlines, MembershipInline]
    list_display = [*UserAdmin.list_display, "membership"]
    list_select_related = ["membership__unit"]
