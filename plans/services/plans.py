"""A plan's own record: its metadata and office staff, the units that issued it, and its
public page."""
from django.db import transaction
from django.utils import timezone

from plans.models import Plan, PlanIssuer
from plans.permissions import can_create_plan, can_manage_plan
from plans.services.common import delete_row, deny, write_row
from plans.services.conflicts import retry_on_conflict


def _permit(user):
    return lambda plan: can_manage_plan(user, plan) if plan.pk else can_create_plan(user)


@retry_on_conflict
def plan_save(*, user, plan: Plan, **values) -> Plan:
    """Create a plan (office staff anywhere, superusers) or change one (its office staff):
    title, 文号, dates, reporting rule, coordinator and office staff. A new plan not given its
    key (方案标识, how a revised document finds it again) is keyed as services.plan_import
    keys one: by its 文号, else its title."""
    if plan.pk is None and not values.get("key"):
        values["key"] = (values.get("doc_number") or values.get("title") or "")[:300]
    with transaction.atomic():
        return write_row(plan, user, values, permit=_permit(user))


@retry_on_conflict
def plan_delete(*, user, plan: Plan) -> None:
    """Remove a plan with its tree, periods and reports (its office staff)."""
    with transaction.atomic():
        delete_row(plan, user, permit=_permit(user))


def _manages_issuing_plan(user):
    return lambda issuer: can_manage_plan(user, issuer.plan_id)


@retry_on_conflict
def plan_issuer_save(*, user, issuer: PlanIssuer, **values) -> PlanIssuer:
    """Add or change a unit that issued the plan (印发单位)."""
    with transaction.atomic():
        return write_row(issuer, user, values, permit=_manages_issuing_plan(user))


@retry_on_conflict
def plan_issuer_delete(*, user, issuer: PlanIssuer) -> None:
    with transaction.atomic():
        delete_row(issuer, user, permit=_manages_issuing_plan(user))


@retry_on_conflict
def plan_publish(*, user, plan: Plan, published: bool = True) -> Plan:
    """Publish a plan's public progress page (or withdraw it)."""
    deny(can_manage_plan(user, plan))
    with transaction.atomic():
        locked = Plan.objects.select_for_update(no_key=True).get(pk=plan.pk)
        if locked.is_published != published:
            locked.is_published = published
            locked.published_at = timezone.now() if published else None
            locked._history_user = user
            locked.save(update_fields=["is_published", "published_at", "updated_at"])
    plan.is_published, plan.published_at = locked.is_published, locked.published_at
    return plan
