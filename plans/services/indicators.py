"""Indicator values, calendar feeds and publishing: each write validates first and runs in
one transaction."""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from plans.measures import convert, parse_quantity, plain
from plans.models import IndicatorValue, ReportingPeriod, Target
from plans.permissions import can_enter_indicator_value
from plans.services.common import StaleVersion, check_version, deny
from plans.services.conflicts import retry_on_conflict

VALUE_FIELDS = ("value", "unit", "note", "source")


def measured(target: Target, value, unit: str | None) -> tuple[Decimal, str]:
    """A typed value in the target's own unit, and how it was typed. `value` is a Decimal or a
    text ("12000千瓦", "65%"); `unit` (optional) names the unit it is in; without one, the
    value is in the target's unit."""
    if isinstance(value, str):
        number, written_unit = parse_quantity(value)
        if written_unit and unit and written_unit != unit:
            raise ValidationError(
                _("数值中的计量单位“%(written)s”与所选计量单位“%(unit)s”不一致 (two different units given)")
                % {"written": written_unit, "unit": unit}, code="two_units",
            )
        unit = written_unit or unit
    else:
        number = Decimal(value)
    if not number.is_finite():
        raise ValidationError(_("请填写有限的数值 (the value must be a finite number)"), code="not_a_number")
    given = target.unit if unit in (None, "") else unit
    return convert(number, given, target.unit), f"{plain(number)}{given}"


@retry_on_conflict
def indicator_value_save(
    *, user, target: Target, period: ReportingPeriod, value=None, unit: str | None = None, note: str | None = None,
    source: str | None = None, expected_version: int | None = None,
) -> IndicatorValue:
    """Enter (or correct) an indicator's measured value for a period, converting it into the
    target's unit; refused with a sentence for a unit that cannot be converted, a period of
    another plan, or an account that does not own the indicator. Correcting an existing value,
    what is left out (None) stays as it was: a new note keeps the value as it was typed."""
    deny(can_enter_indicator_value(user, target, period))
    if value is None and unit:
        raise ValidationError(
            _("修改计量单位时须同时填写数值 (send the value together with its unit)"), code="two_units"
        )
    typed = None if value is None else measured(target, value, unit)
    with transaction.atomic():
        row = IndicatorValue.objects.select_for_update().filter(target=target, period=period).first()
        if row is None:
            if expected_version not in (None, 0):
                raise StaleVersion(0)
            if typed is None:
                raise ValidationError(
                    _("请填写数值，可带计量单位，如“12.5万千瓦” (a number, optionally with its unit)"),
                    code="not_a_number",
                )
            row = IndicatorValue(target=target, period=period)
        else:
            check_version(row, expected_version)
        if typed is not None:
            row.value, row.entered_as = typed
        if note is not None:
            row.note = note.strip()
        if source is not None:
            row.source = source.strip()
        row.entered_by = user
        row._history_user = user
        # The one-value-per-period rule is the database's (below): checked here it would answer
        # a parallel writer's row with a 400 instead of the stale-version refusal.
        row.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as error:
            # A parallel writer created this period's value after our check found none: our
            # "none yet" is out of date, as if we had read before its write (API: 409).
            current = (
                IndicatorValue.objects.filter(target=target, period=period).values_list("version", flat=True).first()
            )
            if current is None:
                raise
            raise StaleVersion(current) from error
    return row


@retry_on_conflict
def indicator_value_delete(*, user, value: IndicatorValue, expected_version: int | None = None) -> None:
    with transaction.atomic():
        row = IndicatorValue.objects.select_for_update(of=("self",)).select_related("target", "period").get(pk=value.pk)
        check_version(row, expected_version)
        deny(can_enter_indicator_value(user, row.target, row.period))
        row._history_user = user
        row.delete()
