"""The admin site's role rules: where its login lands (plans.landing) and which models its menu
(the index and the sidebar) lists. A model left off the menu still answers at its URLs exactly
as its ModelAdmin's permissions say; the menu only stops offering what a role does not use."""
from __future__ import annotations

from types import MethodType

from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.urls import reverse

from plans.landing import is_office_staff, landing_url
from plans.models import Job
from plans.permissions import is_office_anywhere, membership

# What a unit's official or leader works with: their reports, the tasks they report on, the
# indicators they enter values of, the sheets they upload and their calendar feeds. Not the
# reference data the office keeps (units, aliases, sections, assignments, deadlines …).
UNIT_MENU = {
    ("plans", "ProgressReport"),
    ("plans", "Task"),
    ("plans", "Target"),
    ("plans", "IndicatorValue"),
    ("plans", "SheetImport"),
    ("plans", "CalendarFeed"),
    ("plans", "Acknowledgement"),  # 签收, 延期申请, 办结申请 (plans.admin.workflow)
    ("plans", "ExtensionRequest"),
    ("plans", "CompletionClaim"),
}


def is_unit_account(user) -> bool:
    return not user.is_superuser and membership(user) is not None and not is_office_staff(user)


def _default_next(site: AdminSite, request) -> bool:
    """No `next`, or the one the admin itself fills in (its index): the role's page is meant."""
    wanted = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME) or ""
    return wanted in ("", reverse("admin:index", current_app=site.name))


def login(self: AdminSite, request, extra_context=None):
    response = AdminSite.login(self, request, extra_context)
    if isinstance(response, HttpResponseRedirect) and request.user.is_authenticated and _default_next(self, request):
        return HttpResponseRedirect(landing_url(request.user))
    return response


def shortcuts(user) -> dict[str, bool]:
    """Which of the index's 督办工作 shortcuts the user's role uses: a unit's official or leader
    their 本期待办 and the sheet upload; office staff the 督办看板, the sheet upload and the plan
    import (offered only when they may add one); a superuser all of them."""
    unit = user.is_superuser or membership(user) is not None
    office = is_office_anywhere(user) or is_office_staff(user)
    return {
        "show_inbox": unit, "show_dashboard": office, "show_sheet_upload": unit or office, "show_plan_import": office,
        "show_jobs": Job.objects.visible_to(user).exists(),  # once they asked for a large export or upload
    }


def index(self: AdminSite, request, extra_context=None):
    return AdminSite.index(self, request, {**shortcuts(request.user), **(extra_context or {})})


def get_app_list(self: AdminSite, request, app_label=None):
    app_list = AdminSite.get_app_list(self, request, app_label)
    if not is_unit_account(request.user):
        return app_list
    shown = []
    for app in app_list:
        models = [model for model in app["models"] if (app["app_label"], model["object_name"]) in UNIT_MENU]
        if models:
            shown.append({**app, "models": models})
    return shown


def customise(site: AdminSite) -> None:
    site.login = MethodType(login, site)
    site.index = MethodType(index, site)
    site.get_app_list = MethodType(get_app_list, site)
