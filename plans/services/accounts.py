"""Accounts: which unit an account acts for, and in which role (填报人 / 单位负责人), superusers
only; who the person is (name, position, phone), the person themself or a superuser."""
from django.db import transaction

from plans.models import Membership, Profile
from plans.permissions import can_edit_profile, can_manage_accounts
from plans.services.common import delete_row, refuse_unknown, write_row
from plans.services.conflicts import retry_on_conflict

PROFILE_FIELDS = ("name", "position", "phone")


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


@retry_on_conflict
def profile_save(*, user, account, **values) -> Profile:
    """Set the name, position or phone of `account` (its profile made on first save)."""
    refuse_unknown(values, PROFILE_FIELDS)
    values = {name: (value or "").strip() for name, value in values.items()}
    with transaction.atomic():
        profile = Profile.objects.filter(user=account).first() or Profile(user=account)
        saved = write_row(profile, user, values, permit=lambda row: can_edit_profile(user, row.user))
    account.__dict__.pop("_profile", None)  # the account object names the person anew
    return saved
