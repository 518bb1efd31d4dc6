"""Accounts: which unit an account works for (填报人 / 单位负责人). Office staff are set on the
plan (督办人员). Only superusers manage accounts."""
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from plans import services
from plans.admin.writes import InlinesThroughServices, ServiceInline, ServiceModelAdmin
from plans.models import Membership, Profile, person_name


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


class ProfileInline(ServiceInline, admin.StackedInline):
    model = Profile
    fields = ["name", "position", "phone"]
    extra = 1
    max_num = 1
    can_delete = False

    def write(self, request, profile, values, expected_version):
        return services.profile_save(user=request.user, account=profile.user, **values)

    def remove(self, request, profile, expected_version):  # never offered: can_delete is off
        raise NotImplementedError


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class TrackerUserAdmin(InlinesThroughServices, UserAdmin):
    inlines = [*UserAdmin.inlines, ProfileInline, MembershipInline]
    list_display = ["username", "person", "position", "membership", "email", "is_staff"]
    list_select_related = ["membership__unit", "profile"]
    search_fields = [*UserAdmin.search_fields, "profile__name", "profile__phone"]

    @admin.display(description=_("姓名"), ordering="profile__name")
    def person(self, user):
        return person_name(user)

    @admin.display(description=_("职务"), ordering="profile__position")
    def position(self, user):
        return getattr(getattr(user, "profile", None), "position", "")
