"""The API's queries for units, plans (and a plan's visible sections) and reporting periods, and the
loader of plans' roll-ups."""
from __future__ import annotations

from django.db.models import Prefetch

from plans.models import Plan, PlanIssuer, ReportingPeriod, Target, Task, Unit
from plans.rollup import plan_totals


def units_for_api():
    return Unit.objects.prefetch_related("members")


def plans_for_api(user):
    return (
        Plan.objects.visible_to(user)
        .defer("source_text")
        .prefetch_related(
            Prefetch("issuer_links", PlanIssuer.objects.order_by("position")),
            Prefetch("nodes", Task.objects.sections().active().order_by("position"), to_attr="section_nodes"),
            Prefetch("targets", Target.objects.visible_to(user).order_by("position")),  # not a hidden task's
        )
    )


def visible_section_rows(user, plan):
    """The plan's active sections the user may see, in document order, as rows (id, path, title,
    level, parent_id)."""
    return (
        Task.objects.sections().active().visible_to(user).filter(plan=plan)
        .order_by("position").values("id", "path", "title", "level", "parent_id")
    )


def periods_for_api(user):
    return ReportingPeriod.objects.visible_to(user)


def attach_totals(plans) -> None:
    """Give each plan without one its `rollup` (rollup.plan_totals): one query for them all."""
    missing = [plan for plan in plans if not hasattr(plan, "rollup")]
    if missing:
        totals = plan_totals([plan.pk for plan in missing])
        for plan in missing:
            plan.rollup = totals[plan.pk]
