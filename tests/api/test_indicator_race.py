"""Two POSTs of the same indicator's value for the same period at once: one is saved (201),
the other answers 409 as documented ("该指标在该周期已有实际值"), never a 500 or a 400.
Both pass the "no value yet" check before either inserts; the unique constraint decides."""
from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.db.models.signals import pre_save
from rest_framework.test import APIClient

from plans.models import IndicatorValue
from tests.api.test_indicators import ind  # noqa: F401  (the fixture)


def post(user, target, period, value):
    client = APIClient()
    client.force_authenticate(user)
    return client.post("/api/indicator-values/", {"target": target.pk, "period": period.pk, "value": value}, format="json")


def test_a_duplicate_created_between_check_and_insert_is_409(world, ind, monkeypatch):  # noqa: F811
    """The race, replayed in one process: the competing row is already there, but the check
    before the insert (what a parallel writer sees before the other commits) finds none."""
    official = world.users["official_a"]
    first = post(official, ind.solar, ind.open_period, "9")
    assert first.status_code == 201, first.content
    manager = IndicatorValue.objects
    monkeypatch.setattr(manager, "select_for_update", lambda *args, **kwargs: manager.filter(pk__in=[]))
    second = post(official, ind.solar, ind.open_period, "12")
    assert second.status_code == 409, second.content
    assert second.json()["code"] == "conflict"
    assert "已有实际值" in second.json()["detail"]
    row = IndicatorValue.objects.get(target=ind.solar, period=ind.open_period)
    assert (row.pk, row.entered_as, row.version) == (first.json()["id"], first.json()["entered_as"], first.json()["version"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time: no such race")
def test_two_threads_posting_the_same_value_at_once(world, ind):  # noqa: F811
    official = world.users["official_a"]
    both_checked = threading.Barrier(2, timeout=30)

    def wait_for_the_other(sender, instance, **kwargs):
        if instance.pk is None:
            both_checked.wait()  # each has found no row; now both insert

    pre_save.connect(wait_for_the_other, sender=IndicatorValue, weak=False)
    statuses: list[int] = []

    def writer(value: str):
        try:
            statuses.append(post(official, ind.solar, ind.open_period, value).status_code)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=writer, args=(value,)) for value in ("9", "12")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        pre_save.disconnect(wait_for_the_other, sender=IndicatorValue)
    assert sorted(statuses) == [201, 409]
    assert IndicatorValue.objects.filter(target=ind.solar, period=ind.open_period).count() == 1
