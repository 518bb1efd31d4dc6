"""Two officials editing one report never overwrite each other silently: every writer sends
the version it read (If-Match), exactly one wins, the others get 412 and the row holds the
winner's text at version + 1.

The parallel test needs a database with real row locks and one connection per thread, so it
runs on PostgreSQL only (CI runs the whole suite on PostgreSQL too: .ci/run); the sequential
test states the same rule on any database."""
from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connections
from rest_framework.test import APIClient

from plans.models import ProgressReport
from tests.api.fuzz_conftest import build_api_world

WRITERS = 8
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]


def _client(world, actor: str) -> APIClient:
    return world.client(actor)


def _read_version(client, report) -> int:
    response = client.get(f"/api/reports/{report.pk}/")
    assert response.status_code == 200, response.content[:300]
    version = response.json()["version"]
    assert response["ETag"] == f'"{version}"'
    return version


def _text(actor: str) -> str:
    return f"{actor} 填写：本期完成燃煤锅炉拆改{len(actor)}台。"


def _assert_one_winner(report, version: int, results: dict[str, int]):
    statuses = sorted(results.values())
    assert statuses.count(200) == 1, results
    assert statuses.count(412) == len(results) - 1, results
    winner = next(actor for actor, status in results.items() if status == 200)
    row = ProgressReport.objects.get(pk=report.pk)
    assert row.progress == _text(winner), (row.progress, winner)
    assert row.version == version + 1, (row.version, version)
    # Every edit is in the history exactly once: nobody's write slipped in and was overwritten.
    assert row.history.filter(progress__in=[_text(actor) for actor in results]).count() == 1
    return winner


def test_sequential_writers_from_one_version_one_wins(db):
    """The rule on any database: officials who all read version v write one after another."""
    world = build_api_world(officials=WRITERS - 1)
    report = world.report_a
    actors = ["official_a"] + [f"official_a{n}" for n in range(1, WRITERS)]
    clients = {actor: _client(world, actor) for actor in actors}
    versions = {actor: _read_version(client, report) for actor, client in clients.items()}
    assert len(set(versions.values())) == 1
    version = versions["official_a"]
    results = {}
    for actor, client in clients.items():
        response = client.patch(
            f"/api/reports/{report.pk}/", {"progress": _text(actor), "percent": 30},
            format="json", HTTP_IF_MATCH=f'"{version}"',
        )
        results[actor] = response.status_code
    assert results["official_a"] == 200
    _assert_one_winner(report, version, results)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL row locks and a connection per thread; CI runs it there")
def test_parallel_writers_from_one_version_one_wins(transactional_db):
    """Eight officials PATCH the same report at the same instant, each from its own thread with
    its own database connection, all with If-Match of the version they read. Exactly one gets
    200; the other seven get 412; the row has the winner's text and version + 1.

    Skipped on SQLite (one writer at a time, no SELECT … FOR UPDATE); runs on PostgreSQL,
    which .ci/run uses for its second pass of the whole suite."""
    world = build_api_world(officials=WRITERS - 1)
    report = world.report_a
    actors = ["official_a"] + [f"official_a{n}" for n in range(1, WRITERS)]
    version = _read_version(_client(world, "office"), report)
    barrier = threading.Barrier(len(actors), timeout=30)
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def write(actor: str):
        try:
            client = _client(world, actor)
            assert _read_version(client, report) == version  # every writer starts from the same copy
            barrier.wait()
            response = client.patch(
                f"/api/reports/{report.pk}/", {"progress": _text(actor), "percent": 30},
                format="json", HTTP_IF_MATCH=f'"{version}"',
            )
            results[actor] = response.status_code
            if response.status_code not in (200, 412):
                errors.append(AssertionError(f"{actor}: {response.status_code} {response.content[:300]!r}"))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(actor,), name=f"writer-{actor}") for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a writer hung (deadlock?)"
    assert not errors, errors
    assert len(results) == len(actors)
    _assert_one_winner(report, version, results)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL row locks and a connection per thread; CI runs it there")
def test_parallel_writers_with_body_version_one_wins(transactional_db):
    """The same race with the version in the body: one 200, the others 409. PostgreSQL only."""
    world = build_api_world(officials=WRITERS - 1)
    report = world.report_a
    actors = ["official_a"] + [f"official_a{n}" for n in range(1, WRITERS)]
    version = _read_version(_client(world, "office"), report)
    barrier = threading.Barrier(len(actors), timeout=30)
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def write(actor: str):
        try:
            client = _client(world, actor)
            barrier.wait()
            response = client.patch(
                f"/api/reports/{report.pk}/", {"progress": _text(actor), "version": version}, format="json",
            )
            results[actor] = response.status_code
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(actor,)) for actor in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    statuses = sorted(results.values())
    assert statuses.count(200) == 1 and statuses.count(409) == len(actors) - 1, results
    row = ProgressReport.objects.get(pk=report.pk)
    winner = next(actor for actor, status in results.items() if status == 200)
    assert (row.progress, row.version) == (_text(winner), version + 1)
