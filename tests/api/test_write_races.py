"""Writers that meet on the same rows never end in a 500 (issue 13).

On PostgreSQL a sheet apply and a PATCH of one of its reports used to lock the report, its
period and its task in opposite orders and deadlock: one of them answered 500 every time.
The race test forces that interleaving with two threads, each with its own connection: the
apply stops while it holds its first locks until the PATCH is either done or waiting for a
lock, then goes on. Whatever the order, exactly one write wins, the loser is refused (409 or
412), and the row holds the winner's text at version + 1.

A deadlock that still happens (rows locked by code outside the services, say) is retried
once by `plans.services.conflicts.retry_on_conflict`; a second one is refused with a
sentence (409 in the API)."""
from __future__ import annotations

import contextlib
import re
import threading
import time
from io import BytesIO

import openpyxl

import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections, transaction

from plans import services
from plans.models import ProgressReport
from plans.services import conflicts
from tests.api.fuzz_conftest import build_api_world
from tests.api.test_sheets import _unit_sheet, _upload

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
needs_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="needs PostgreSQL row locks and a connection per thread; CI runs it there",
)
SHEET_TEXT = "表格填写：一季度完成燃煤锅炉拆改12台。"
PATCH_TEXT = "网页填写：一季度完成燃煤锅炉拆改15台。"
WAIT = 30  # seconds a thread waits for the other before the test gives up on it


def _filled(data: bytes, task, unit, text: str) -> bytes:
    """The unit's sheet with `text` as the progress of the row keyed T<task>U<unit>…"""
    book = openpyxl.load_workbook(BytesIO(data))
    sheet = book.worksheets[0]
    column = next(cell for cell in sheet[4] if cell.value == "本期进展情况").column_letter
    key = re.compile(rf"T{task.pk}U{unit.pk}(\D.*)?")
    keys = sheet[openpyxl.utils.get_column_letter(sheet.max_column)]
    row = next(cell.row for cell in keys if key.fullmatch(str(cell.value or "")))
    sheet[f"{column}{row}"] = text
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _another_backend_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # else the apply's transaction sees its first snapshot
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def _hold_until_the_patch_waits_or_ends(patch_done: threading.Event) -> None:
    """Called by the apply while it holds locks: go on once the PATCH has either finished or
    is blocked on one of those locks (the moment that used to end in a deadlock)."""
    deadline = time.monotonic() + WAIT
    while not patch_done.is_set() and not _another_backend_waits_for_a_lock():
        assert time.monotonic() < deadline, "the PATCH neither finished nor waited for a lock"
        time.sleep(0.02)


@needs_postgresql
@pytest.mark.parametrize("pause", ["before the first change", "after locking the report"])
def test_sheet_apply_racing_a_patch_of_the_same_report_never_fails(transactional_db, monkeypatch, caplog, pause):
    """official_a applies a sheet that fills report A while leader_a PATCHes report A from the
    version both read. The apply pauses holding its locks — before writing its first change
    (where it deadlocked: it held the upload's period, the PATCH the report) or inside the
    report's update — until the PATCH waits or is done."""
    world = build_api_world()
    report = world.report_a
    uploader, editor = world.client("official_a"), world.client("leader_a")
    data = _filled(_unit_sheet(uploader, world), world.task_t, report.unit, SHEET_TEXT)
    upload = _upload(uploader, report.period, data)
    assert upload.status_code == 201 and upload.json()["changes"], upload.content
    version = ProgressReport.objects.get(pk=report.pk).version

    apply_holds_locks, patch_done = threading.Event(), threading.Event()
    results: dict[str, int] = {}
    bodies: dict[str, bytes] = {}
    errors: list[BaseException] = []

    def pause_once(original, before: bool):
        def paused(*args, **kwargs):
            value = None if before else original(*args, **kwargs)
            if threading.current_thread().name == "apply" and not apply_holds_locks.is_set():
                apply_holds_locks.set()
                _hold_until_the_patch_waits_or_ends(patch_done)
            return original(*args, **kwargs) if before else value
        return paused

    if pause == "before the first change":
        monkeypatch.setattr("plans.services.sheets._apply_change", pause_once(services.sheets._apply_change, before=True))
    else:
        monkeypatch.setattr("plans.services.reporting._locked", pause_once(services.reporting._locked, before=False))

    def apply():
        try:
            response = uploader.post(f"/api/sheet-imports/{upload.json()['id']}/apply/")
            results["apply"], bodies["apply"] = response.status_code, response.content
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
            apply_holds_locks.set()
        finally:
            connections.close_all()

    def patch():
        try:
            assert apply_holds_locks.wait(WAIT), "the apply never took its locks"
            response = editor.patch(
                f"/api/reports/{report.pk}/", {"progress": PATCH_TEXT}, format="json", HTTP_IF_MATCH=f'"{version}"',
            )
            results["patch"], bodies["patch"] = response.status_code, response.content
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            patch_done.set()
            connections.close_all()

    threads = [threading.Thread(target=apply, name="apply"), threading.Thread(target=patch, name="patch")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * WAIT)
    assert not any(thread.is_alive() for thread in threads), "a writer hung"
    assert not errors, errors
    assert results.get("apply") in (200, 409), bodies
    assert results.get("patch") in (200, 412), bodies
    assert sorted(results.values()).count(200) == 1, (results, bodies)
    row = ProgressReport.objects.get(pk=report.pk)
    assert row.progress == (SHEET_TEXT if results["apply"] == 200 else PATCH_TEXT), (row.progress, results)
    assert row.version == version + 1
    assert "deadlock" not in caplog.text  # the lock order avoided it; the retry was not needed


@needs_postgresql
@pytest.mark.parametrize("outer", [False, True], ids=["own transaction", "inside a caller's transaction"])
def test_a_deadlock_is_retried_once_and_both_writers_succeed(transactional_db, outer):
    """Two calls lock the same two reports in opposite orders (what the services no longer do):
    PostgreSQL aborts one of them; the retry runs it again after the other has committed.
    Inside a caller's transaction (the admin saves inside one) the retry rolls back to its
    savepoint, which releases the rows it locked, and the caller's transaction goes on."""
    world = build_api_world()
    first, second = world.report_a.pk, world.report_b.pk
    barrier = threading.Barrier(2, timeout=WAIT)
    calls: list[str] = []
    errors: list[BaseException] = []

    @conflicts.retry_on_conflict
    def lock_both(name: str, one: int, other: int) -> None:
        calls.append(name)
        first_attempt = calls.count(name) == 1
        if not first_attempt:  # (should both be aborted, the retries must not meet in a circle again)
            one, other = sorted((one, other))
        ProgressReport.objects.select_for_update().get(pk=one)
        if first_attempt:  # the first attempt meets the other writer half-way
            barrier.wait()
        ProgressReport.objects.select_for_update().get(pk=other)
        ProgressReport.objects.filter(pk__in=(one, other)).update(problems=name)

    def run(name: str, one: int, other: int):
        try:
            with transaction.atomic() if outer else contextlib.nullcontext():
                lock_both(name, one, other)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=("ab", first, second)),
        threading.Thread(target=run, args=("ba", second, first)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=2 * WAIT)
    assert not errors, [(error, error.__cause__, calls) for error in errors]
    assert sorted(calls.count(name) for name in ("ab", "ba")) in ([1, 2], [2, 2]), calls  # the victim ran twice
    [last] = set(ProgressReport.objects.filter(pk__in=(first, second)).values_list("problems", flat=True))
    assert last in ("ab", "ba")  # both writers wrote both rows, one after the other


def _conflict_error(sqlstate: str) -> OperationalError:
    cause = Exception("deadlock detected")
    cause.sqlstate = sqlstate
    error = OperationalError("deadlock detected")
    error.__cause__ = cause
    return error


@pytest.mark.django_db(transaction=True)
def test_a_second_deadlock_is_refused_with_a_sentence_and_other_errors_pass():
    attempts: list[int] = []

    @conflicts.retry_on_conflict
    def always_deadlocks():
        attempts.append(1)
        raise _conflict_error("40P01")

    with pytest.raises(conflicts.WriteConflict) as refused:
        always_deadlocks()
    assert len(attempts) == 2
    assert "请稍后重试" in refused.value.messages[0]

    @conflicts.retry_on_conflict
    def broken():
        attempts.append(1)
        raise OperationalError("no such table: plans_nothing")

    attempts.clear()
    with pytest.raises(OperationalError, match="no such table"):
        broken()
    assert len(attempts) == 1  # not a lock conflict: not retried


@pytest.mark.django_db(transaction=True)
def test_a_retry_inside_an_outer_transaction_rolls_back_only_its_own_attempt(django_user_model):
    """Called from a caller's transaction (the admin saves inside one), the retry rolls back to
    its own savepoint: what the caller wrote before stays, the failed attempt's rows do not."""
    attempts: list[int] = []

    @conflicts.retry_on_conflict
    def write(name: str):
        attempts.append(1)
        django_user_model.objects.create(username=f"{name}{len(attempts)}")
        if len(attempts) == 1:
            raise _conflict_error("40001")

    with transaction.atomic():
        django_user_model.objects.create(username="caller")
        write("attempt")
    assert set(django_user_model.objects.values_list("username", flat=True)) == {"caller", "attempt2"}


@pytest.mark.django_db
def test_api_answers_409_with_a_sentence_when_the_retry_also_fails(monkeypatch):
    world = build_api_world()

    def deadlocked(**kwargs):
        raise conflicts.WriteConflict()

    monkeypatch.setattr(services, "report_update", deadlocked)
    response = world.client("official_a").patch(
        f"/api/reports/{world.report_a.pk}/", {"progress": PATCH_TEXT}, format="json",
        HTTP_IF_MATCH=f'"{world.report_a.version}"',
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "write_conflict"
    assert "请稍后重试" in body["detail"]
