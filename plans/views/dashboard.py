"""督办看板: the dashboard of one plan and period, for the office staff of that plan. It names
every unit's tasks and reports, so a unit's accounts (who see only their own tasks) get
their inbox (本期待办) instead."""
from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.dashboard import cycle_counts, dashboard_data
from plans.models import Plan, ReportingPeriod, office_plan_ids, sees_everything


def _chosen(queryset, value: str | None):
    """The row picked by a query parameter, else None; a bad or foreign id is a 404."""
    if not value:
        return None
    if not value.isdigit():
        raise Http404
    try:
        return queryset.get(pk=value)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def default_period(plan: Plan) -> ReportingPeriod | None:
    """The plan's latest open period, else its latest period."""
    periods = plan.periods.order_by("-is_open", "-start")
    return periods.first()


def overseen_plans(user):
    """The plans whose dashboard the user may open: those they are office staff of."""
    return Plan.objects.all() if sees_everything(user) else Plan.objects.filter(pk__in=office_plan_ids(user))


@staff_member_required
def dashboard(request):
    # the chooser shows titles only: not every plan's full source document
    chooser = overseen_plans(request.user).only("pk", "title", "plan_year", "period_end", "valid_until")
    plans = list(chooser.order_by("-plan_year", "title"))
    # the chosen plan in full but for its source document: its dates place indicators in time
    visible = overseen_plans(request.user).defer("source_text")
    plan = _chosen(visible, request.GET.get("plan") or (str(plans[0].pk) if plans else None))
    periods = list(plan.periods.order_by("-start")) if plan else []
    period = (_chosen(plan.periods.all(), request.GET.get("period")) or default_period(plan)) if plan else None
    context = {
        **admin.site.each_context(request),
        "title": _("督办看板"),
        "plans": plans,
        "plan": plan,
        "periods": periods,
        "period": period,
        "data": dashboard_data(plan, period, timezone.localdate()) if period else None,
        "cycle": cycle_counts(plan, timezone.localdate()) if plan else None,
    }
    return render(request, "plans/dashboard.html", context)
