"""Who a user is for the read rules (the QuerySets' `visible_to`): the units they act for, and
whether they see everything."""
from __future__ import annotations

from plans.models.units import Membership, Unit


def acting_unit_ids(user) -> set[int]:
    """The units a user acts for: their own unit and every collective that lists it
    (an official of 浚县人民政府 also answers for 各县区政府(管委)). Cached on the user."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if not hasattr(user, "_acting_unit_ids"):
        membership = Membership.objects.filter(user=user).values_list("unit_id", flat=True).first()
        user._acting_unit_ids = units_answering_for(membership) if membership else set()
    return user._acting_unit_ids


def units_answering_for(unit_id: int) -> set[int]:
    """The unit and every collective that lists it (各县区政府(管委) answers through 浚县…)."""
    return {unit_id, *Unit.members.through.objects.filter(to_unit_id=unit_id).values_list("from_unit_id", flat=True)}


def sees_everything(user) -> bool:
    return bool(getattr(user, "is_superuser", False))
