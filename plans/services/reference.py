"""Units and their aliases: reference data every plan shares, kept by office staff."""
from django.db import transaction

from plans.models import Unit, UnitAlias
from plans.permissions import can_edit_reference
from plans.services.common import delete_row, write_row
from plans.services.conflicts import retry_on_conflict


def _permit(user):
    return lambda row: can_edit_reference(user)


@retry_on_conflict
def unit_save(*, user, unit: Unit, **values) -> Unit:
    """Add a unit or change one: its names, jurisdiction, kind, parent and, for a collective
    unit (各县区政府), its members."""
    with transaction.atomic():
        return write_row(unit, user, values, permit=_permit(user))


@retry_on_conflict
def unit_delete(*, user, unit: Unit) -> None:
    with transaction.atomic():
        delete_row(unit, user, permit=_permit(user))


@retry_on_conflict
def unit_alias_save(*, user, alias: UnitAlias, **values) -> UnitAlias:
    """Add or change another name a unit goes by in a jurisdiction (市财政局 = 财政局)."""
    with transaction.atomic():
        return write_row(alias, user, values, permit=_permit(user))


@retry_on_conflict
def unit_alias_delete(*, user, alias: UnitAlias) -> None:
    with transaction.atomic():
        delete_row(alias, user, permit=_permit(user))
