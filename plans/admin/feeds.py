"""Calendar feeds (日历订阅) in the admin: a unit's accounts make and revoke their unit's feed
URLs, office staff those of their plans. Feeds are created and revoked through
plans.services (which ask plans.permissions.can_manage_feed); once made, a feed's token, unit
and plan never change: a leaked URL is revoked and a new one made."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from plans import services
from plans.admin.common import RefusalsAsMessages, service_refusals
from plans.admin.scoping import VisibleOr404
from plans.feeds import feed_url
from plans.models import CalendarFeed, Plan, Unit
from plans.permissions import can_manage_feed, is_office_anywhere, membership

REVOKE = "_revoke_feed"


def offered_units(user):
    """The units whose feeds the user may make: their own (all for a superuser)."""
    if user.is_superuser:
        return Unit.objects.all()
    member = membership(user)
    return Unit.objects.filter(pk=member.unit_id) if member else Unit.objects.none()


def offered_plans(user):
    """The plans whose feeds the user may make: those they are office staff of."""
    if user.is_superuser:
        return Plan.objects.all()
    return Plan.objects.filter(office_staff=user) if is_office_anywhere(user) else Plan.objects.none()


class FeedForm(forms.ModelForm):
    """Offers only the unit and plans the user may manage; a posted unit or plan outside
    them (a forged form) is answered with the rule's own sentence, and nothing is written."""

    unit = forms.ModelChoiceField(
        Unit.objects.all(), required=False, label=_("单位"), help_text=_("单位账号订阅本单位的任务时限和报送截止日。"),
    )
    plan = forms.ModelChoiceField(
        Plan.objects.all(), required=False, label=_("行动方案"),
        help_text=_("督办人员订阅所督办方案的全部任务时限和报送截止日。"),
    )

    class Meta:
        model = CalendarFeed
        fields = ["unit", "plan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.request.user
        self.offered = {"unit": offered_units(user), "plan": offered_plans(user)}
        shown = {"unit": user.is_superuser or membership(user) is not None, "plan": is_office_anywhere(user)}
        for name, offered in self.offered.items():
            if name not in self.fields:
                continue
            field = self.fields[name]
            # bound: any row, so that can_manage_feed (not "select a valid choice") refuses a forged one
            field.queryset = field.queryset.model.objects.all() if self.is_bound else offered
            if not shown[name]:
                field.widget = forms.HiddenInput()
        member = membership(user)
        if "unit" in self.fields and member is not None and not shown["plan"]:
            self.fields["unit"].empty_label = None  # their own unit is the only choice
            self.fields["unit"].initial = member.unit_id

    def full_clean(self):
        super().full_clean()
        for name, offered in self.offered.items():  # shown again with the errors: the offered ones only
            if name in self.fields and not isinstance(self.fields[name].widget, forms.HiddenInput):
                self.fields[name].queryset = offered

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None:  # the change page edits nothing (revoking is a button)
            return cleaned
        unit, plan = cleaned.get("unit"), cleaned.get("plan")
        if (unit is None) == (plan is None):
            raise ValidationError(gettext("请选择单位或行动方案之一 (choose either a unit or a plan)"))
        reason = can_manage_feed(self.request.user, unit=unit, plan=plan)
        if reason:
            raise ValidationError(reason)
        return cleaned


class FeedStateFilter(admin.SimpleListFilter):
    title = _("状态")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", _("有效")), ("revoked", _("已撤销"))]

    def queryset(self, request, queryset):
        if self.value() == "active":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(CalendarFeed)
class CalendarFeedAdmin(RefusalsAsMessages, VisibleOr404, admin.ModelAdmin):
    form = FeedForm
    list_filter = [FeedStateFilter]
    list_select_related = ["unit", "plan", "created_by"]
    search_fields = ["unit__name", "unit__short_name", "plan__title"]
    actions = ["revoke_feeds"]
    record_fields = ["state", "creator", "created_at", "last_fetched_at", "revoked_at"]

    # columns and fields ---------------------------------------------------------------------
    def _address(self, request):
        """The feed's full URL in a read-only box to copy (one function per request: the admin
        matches readonly fields by identity)."""
        if not hasattr(request, "_calendar_feed_address"):

            @admin.display(description=_("订阅地址"))
            def address(feed):
                if not feed.pk:
                    return "-"
                url = feed_url(request, feed)
                box = format_html(
                    '<input type="text" class="vTextField calendar-feed-url" readonly value="{}" size="80" '
                    'onfocus="this.select()">', url,
                )
                if not feed.is_active:
                    return box
                webcal = "webcal://" + url.split("://", 1)[1]
                return format_html('{} <a href="{}">{}</a>', box, webcal, _("用日历软件订阅"))

            request._calendar_feed_address = address
        return request._calendar_feed_address

    @admin.display(description=_("订阅对象"))
    def subject(self, feed):
        return str(feed.unit or feed.plan)

    @admin.display(description=_("类型"))
    def kind(self, feed):
        return CalendarFeed._meta.get_field("unit" if feed.unit_id else "plan").verbose_name

    @admin.display(description=_("状态"))
    def state(self, feed):
        return _("有效") if feed.is_active else _("已撤销")

    @admin.display(description=CalendarFeed._meta.get_field("created_by").verbose_name)
    def creator(self, feed):
        return str(feed.created_by or "-")  # as text: the accounts' pages are for superusers only

    @admin.display(description=_("撤销"))
    def revoke_button(self, feed):
        return format_html(
            '<button type="submit" name="{}" value="1" class="button">{}</button> <span class="help">{}</span>',
            REVOKE, _("撤销此订阅"), _("撤销后原地址立即失效，如需继续订阅请重新生成。"),
        )

    def get_list_display(self, request):
        return ["subject", "kind", "state", self._address(request), "created_by", "created_at", "last_fetched_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["unit", "plan"]
        fields = ["unit" if obj.unit_id else "plan", self._address(request), *self.record_fields]
        if obj.is_active and self.has_change_permission(request, obj):
            fields.append("revoke_button")
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["unit", "plan", self._address(request), *self.record_fields, "revoke_button"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    # who sees and does what --------------------------------------------------------------------
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        user = request.user
        return super().has_add_permission(request) and (
            user.is_superuser or membership(user) is not None or is_office_anywhere(user)
        )

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or not can_manage_feed(request.user, unit=obj.unit, plan=obj.plan)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # others revoke

    def change_view(self, request, object_id, form_url="", extra_context=None):
        nothing_to_save = {"show_save": False, "show_save_and_continue": False, "show_save_and_add_another": False}
        extra_context = {**(extra_context or {}), **nothing_to_save}
        return super().change_view(request, object_id, form_url, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save_and_add_another": False}
        return super().add_view(request, form_url, extra_context)

    # writing through the services ---------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        with service_refusals():
            if change:
                if REVOKE in request.POST:
                    services.feed_revoke(user=request.user, feed=obj)
                return
            created = services.feed_create(
                user=request.user, unit=form.cleaned_data["unit"], plan=form.cleaned_data["plan"],
            )
        for field in CalendarFeed._meta.concrete_fields:  # the admin logs and redirects with obj
            setattr(obj, field.attname, getattr(created, field.attname))
        obj._state.adding, obj._state.db = False, created._state.db


    def response_add(self, request, obj, post_url_continue=None):
        if "_popup" in request.POST:
            return super().response_add(request, obj, post_url_continue)
        self.message_user(
            request, _("已生成订阅地址。请复制下方地址，在手机或电脑的日历软件中添加订阅。"), messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:plans_calendarfeed_change", args=[obj.pk]))

    def response_change(self, request, obj):
        if REVOKE in request.POST:
            self.message_user(request, _("已撤销该日历订阅，原订阅地址从现在起失效。"), messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @admin.action(description=_("撤销所选日历订阅"), permissions=["change"])
    def revoke_feeds(self, request, queryset):
        revoked = refused = 0
        for feed in queryset.select_related("unit", "plan").filter(revoked_at__isnull=True):
            try:
                services.feed_revoke(user=request.user, feed=feed)
            except PermissionDenied:
                refused += 1
            else:
                revoked += 1
        self.message_user(
            request, _("已撤销日历订阅 %(count)d 个，原订阅地址从现在起失效。") % {"count": revoked}, messages.SUCCESS,
        )
        if refused:
            self.message_user(request, _("%(count)d 个订阅无权撤销，未改动。") % {"count": refused}, messages.WARNING)
