"""What every write service shares: the lock order, the stale-version refusal and the
permission refusal. It imports no other service module; they all build on it."""
from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _


# Lock order. A service that locks several rows locks them in this order, so two services
# never wait for each other in a circle (PostgreSQL would abort one as a deadlock victim):
#
#     sheet import → plan → period → task → assignment / deadline → reports (by id)
#
# and locks only the rows it names: `select_for_update(of=("self",))` where it also reads
# related rows with select_related (a bare select_for_update() would lock those too, in the
# join's order — the report PATCH used to lock its period and task that way, after the report,
# and deadlocked with a sheet apply that had locked the period first). Rows that are changed
# but not deleted are locked FOR NO KEY UPDATE (no_key=True): inserting a row that refers to
# them (a report of the period, a history record) does not wait for the lock. Every write
# service is wrapped in retry_on_conflict: a deadlock that still happens is retried once.


class StaleVersion(Exception):
    """The caller changed a row from an out-of-date copy (its version moved on meanwhile)."""

    def __init__(self, current: int):
        super().__init__(_("版本已变化（当前版本 %(version)d），请刷新后重试 (stale version)") % {"version": current})
        self.current = current


def check_version(row, expected: int | None) -> None:
    """Refuse (StaleVersion) when `expected` is given and the row's version moved on."""
    if expected is not None and row.version != expected:
        raise StaleVersion(row.version)


def deny(reason: str) -> None:
    """Refuse (PermissionDenied) when a permission rule gave a reason."""
    if reason:
        raise PermissionDenied(reason)


def refuse_unknown(values: dict, allowed: tuple[str, ...]) -> None:
    """Refuse (ValidationError) values for fields the operation does not change."""
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError(
            _("不能修改的字段 (fields that cannot be changed): %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )


def save_validated(row, user) -> None:
    """Validate and save a row, its history recording `user`; a unique clash that slipped
    past validation (a parallel writer) is refused like any other invalid input."""
    row._history_user = user
    row.full_clean()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:
        raise ValidationError(_("与已有记录冲突，请刷新后重试 (conflicts with an existing row)")) from error


def next_position(rows) -> int:
    """The position after the last of `rows` (0 for none)."""
    last = rows.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


Permit = Callable[[object], str]  # a permission rule for one row: "" or the reason to refuse


def write_row(
    row, user, values: dict, *, permit: Permit, expected_version: int | None = None,
    prepare: Callable[[object], None] | None = None,
):
    """Create `row` (no primary key yet) or change the stored row it stands for, setting
    `values` (many-to-many fields included). A change re-reads the row under a lock and is
    refused if `expected_version` moved on. `permit` is asked of the row as stored and again
    as it will be (a row moved to another plan needs both plans' permission); `prepare`
    derives fields before validation. Runs in the caller's transaction; returns the saved row."""
    if row.pk is None:
        target = row
    else:
        target = type(row)._default_manager.select_for_update(no_key=True).get(pk=row.pk)
        check_version(target, expected_version)
        deny(permit(target))
    many = {}
    for name, value in values.items():
        if target._meta.get_field(name).many_to_many:
            many[name] = value
        else:
            setattr(target, name, value)
    deny(permit(target))
    if prepare is not None:
        prepare(target)
    save_validated(target, user)
    for name, value in many.items():
        getattr(target, name).set(value)
    return target


def delete_row(row, user, *, permit: Permit, expected_version: int | None = None) -> None:
    """Delete the stored row `row` stands for, under a lock, after the version and permission
    checks of write_row; its history records `user`."""
    target = type(row)._default_manager.select_for_update().get(pk=row.pk)
    check_version(target, expected_version)
    deny(permit(target))
    target._history_user = user
    target.delete()
