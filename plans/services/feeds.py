"""Calendar feeds (日历订阅): private URLs made and revoked by the people they serve, and the
note of when a feed was last fetched."""
from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import CalendarFeed, Plan, Unit
from plans.permissions import can_manage_feed
from plans.services.common import deny
from plans.services.conflicts import retry_on_conflict

FETCH_RECORD_INTERVAL = datetime.timedelta(hours=1)  # last_fetched_at: one write an hour at most


@retry_on_conflict
def feed_create(*, user, unit: Unit | None = None, plan: Plan | None = None) -> CalendarFeed:
    """A new private feed URL for a unit or a plan (one of the two)."""
    if (unit is None) == (plan is None):
        raise ValidationError(_("请选择单位或行动方案之一 (choose either a unit or a plan)"))
    deny(can_manage_feed(user, unit=unit, plan=plan))
    with transaction.atomic():
        return CalendarFeed.objects.create(token=secrets.token_urlsafe(32), unit=unit, plan=plan, created_by=user)


@retry_on_conflict
def feed_revoke(*, user, feed: CalendarFeed) -> CalendarFeed:
    """End a feed: its URL answers 404 from now on. Revoking twice changes nothing."""
    deny(can_manage_feed(user, unit=feed.unit, plan=feed.plan))
    with transaction.atomic():
        locked = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
    return locked


def feed_fetch_record(*, feed: CalendarFeed) -> None:
    """Note that the feed was fetched, unless a fetch was noted within the hour (calendar
    clients poll every few minutes). The condition is in the UPDATE too, so parallel fetches
    write once."""
    now = timezone.now()
    stale = now - FETCH_RECORD_INTERVAL
    if feed.last_fetched_at is not None and feed.last_fetched_at > stale:
        return
    CalendarFeed.objects.filter(Q(last_fetched_at__isnull=True) | Q(last_fetched_at__lte=stale), pk=feed.pk).update(
        last_fetched_at=now
    )
