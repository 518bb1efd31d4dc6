"""Which unit an account acts for, and in which role (填报人 / 单位负责人): superusers only."""
from django.db import transaction

from plans.models import Membership
from plans.permissions import can_manage_accounts
from plans.services.common import delete_row, write_row
from plans.services.conflicts import retry_on_conflict


def _permit(user):
    return lambda membership: can_manage_accounts(user)


@retry_on_conflict
def membership_save(*, user, membership: Membership, **values) -> Membership:
    with transaction.atomic():
        return write_row(membership, user, values, permit=_permit(user))


@retry_on_conflict
def membership_delete(*, user, membership: Membership) -> None:
    with transaction.atomic():
        delete_row(membership, user, permit=_permit(user))
