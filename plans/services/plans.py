"""A plan's own record: its metadata and office staff, the units that issued it, and its
public page."""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

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
    """Remove a plan with its tree and periods (its office staff). A plan units have reported
    on (progress reports, indicator values, returned sheets) is a record and is refused: it
    stays, and once its 实施期 has passed it shows as a historical record."""
    try:
        with transaction.atomic():
            delete_row(plan, user, permit=_permit(user))
    except ProtectedError as error:
        raise ValidationError(_(
            "方案已有报送记录（进展报告、指标实际值或上传的进展情况表），不能删除；不再执行的方案保留为历史记录 "
            "(a plan with reports cannot be deleted; it stays as a historical record)"
        )) from error


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
