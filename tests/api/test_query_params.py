"""Query parameters with a bad value are a 400 naming the parameter, never ignored: a
`late=maybe` that listed every report, or a `page_size=true` that gave the default page, let a
client believe it had filtered. Generated from every list endpoint's filters."""
from __future__ import annotations

import re

import pytest
from django_filters import rest_framework as filters
from rest_framework.test import APIClient

from plans.api.urls import router
from tests.factories import TaskFactory, UserFactory

JUNK = {
    filters.BooleanFilter: ["maybe", "yes please", "2", "tru"],
    filters.NumberFilter: ["abc", "1.5", "1e3", "-1", "99999999999999999999999"],
    filters.DateFilter: ["2024-13-45", "tomorrow"],
    filters.ChoiceFilter: ["no-such-choice"],
}


def list_endpoints():
    for prefix, viewset, _basename in router.registry:
        if hasattr(viewset, "list"):
            yield prefix, viewset


def junk_cases():
    for prefix, viewset in list_endpoints():
        filterset = getattr(viewset, "filterset_class", None)
        for name, filter_ in (filterset.base_filters.items() if filterset else []):
            for kind, values in JUNK.items():
                if isinstance(filter_, kind):
                    for value in values:
                        if kind is filters.NumberFilter and value == "-1" and name == "plan_year":
                            continue  # covered by its own range, below
                        yield pytest.param(prefix, name, value, id=f"{prefix}?{name}={value}")


@pytest.fixture
def client(db):
    client = APIClient()
    client.force_authenticate(UserFactory(is_superuser=True))
    return client


def url(prefix: str) -> str:
    """The list's address; a list nested under a task (its thread) is read on a new task."""
    if "(?P<pk>" in prefix:
        prefix = re.sub(r"\(\?P<pk>[^)]*\)", str(TaskFactory().pk), prefix)
    return f"/api/{prefix}/"


def assert_refused(response, parameter: str):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    body = response.json()
    assert body["code"] == "invalid"
    assert parameter in body["errors"], body
    assert parameter in body["detail"] or body["errors"][parameter], body


CASES = list(junk_cases())


def test_every_boolean_and_number_filter_is_covered():
    names = {case.values[:2] for case in CASES}
    assert ("reports", "late") in names and ("periods", "is_open") in names
    assert ("tasks", "overdue") in names and ("indicators", "plan_level") in names
    assert ("tasks", "plan") in names


@pytest.mark.parametrize(("prefix", "name", "value"), CASES)
def test_a_bad_filter_value_is_refused_naming_it(client, prefix, name, value):
    assert_refused(client.get(f"/api/{prefix}/", {name: value}), name)


@pytest.mark.parametrize(("prefix", "name"), [(case.values[0], case.values[1]) for case in CASES if case.values[2] == "maybe"])
@pytest.mark.parametrize("value", ["true", "false", "1", "0", "True", "FALSE"])
def test_a_boolean_filter_takes_true_and_false(client, prefix, name, value):
    assert client.get(f"/api/{prefix}/", {name: value}).status_code == 200


@pytest.mark.parametrize("prefix", [prefix for prefix, _ in list_endpoints()])
@pytest.mark.parametrize("value", ["true", "-1", "0", "1.5", "ten", "5x", ""])
def test_a_bad_page_size_is_refused(client, prefix, value):
    if value == "":
        assert client.get(url(prefix), {"page_size": value}).status_code == 200  # as if not given
        return
    assert_refused(client.get(url(prefix), {"page_size": value}), "page_size")


@pytest.mark.parametrize("prefix", [prefix for prefix, _ in list_endpoints()])
@pytest.mark.parametrize("value", ["abc", "0", "-2", "1.0"])
def test_a_bad_page_number_is_refused(client, prefix, value):
    assert_refused(client.get(url(prefix), {"page": value}), "page")


def test_a_good_page_size_still_pages_and_a_large_one_is_capped(client):
    assert client.get("/api/units/", {"page_size": "3"}).status_code == 200
    assert client.get("/api/units/", {"page_size": "100000"}).status_code == 200  # capped at API_MAX_PAGE_SIZE


def test_the_plan_year_range(client):
    assert_refused(client.get("/api/plans/", {"plan_year": "0"}), "plan_year")
    assert_refused(client.get("/api/plans/", {"plan_year": "10000"}), "plan_year")
