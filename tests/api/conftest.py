"""Shared fixtures of the API tests: signed-in clients and the permission `world`."""
import pytest
from rest_framework.test import APIClient

from tests.test_permissions import ACTORS, ALLOWED, World, world  # noqa: F401  (the permission world, reused)


@pytest.fixture
def api():
    """api(user) → an APIClient signed in as user (JSON by default); api() → anonymous."""

    def client(user=None):
        c = APIClient()
        if user is not None:
            c.force_authenticate(user)
        return c

    return client


@pytest.fixture
def as_actor(api, world):  # noqa: F811  (the imported fixture)
    """as_actor("official_a") → a client signed in as that actor of the permission world."""
    return lambda actor: api(world.users[actor])


def count_queries(client, url):
    """The number of queries answering a GET (asserting it succeeded). A first, uncounted
    request warms what is cached on the signed-in user object (its units, its plans)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(queries)


def walk_pages(client, url):
    """Follow the `next` links from url: the ids of every page in order, and the set of
    (count, count_exact) the pages reported."""
    ids, counts = [], set()
    while url:
        body = client.get(url).json()
        counts.add((body["count"], body["count_exact"]))
        ids += [row["id"] for row in body["results"]]
        url = body["next"]
    return ids, counts


@pytest.fixture
def seed(db):
    """The two seed plans as `make run` shows them (tests/api/fuzz_conftest.load_seed_data):
    fixtures, demo accounts, each plan's periods with the latest one open. Returns
    {"plan": the Hebi plan, "office": its office account, "token": that account's token}."""
    from tests.api.fuzz_conftest import load_seed_data

    return load_seed_data()


@pytest.fixture
def unit_account():
    """unit_account(unit_name, role="official") → the seed's demo account of that unit."""
    from django.contrib.auth import get_user_model

    from devtools.demo import unit_username
    from plans.models import Unit

    def account(name, role="official"):
        return get_user_model().objects.get(username=unit_username(Unit.objects.get(name=name), role))

    return account
