"""The simulated clients: threads reading, editing, submitting, reviewing and colliding; the writes they sent."""
from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass

from .api import Http, Reply
from .config import (
    APPROVE_SHARE, EDITABLE, PROGRESS_EVERY, REPORT_STATES, REQUEST_TIMEOUT, TASK_STATUSES, WEIGHTS, ConnectionFailed,
)
from .world import World


@dataclass
class Write:
    """A write the load test sent, and what became of it."""

    purpose: str  # edit, race, submit, return, approve, stale-edit, stale-submit, stale-review
    report: int
    base: int  # the version it was made from (If-Match or body `version`)
    via: str  # "If-Match" or "body"
    fields: dict  # the values the report has after it, if it is applied
    client: int = -1
    status: int | None = None  # None: no answer (its outcome is unknown)
    etag: int | None = None  # version in the answer's ETag

    @property
    def deliberate_conflict(self) -> bool:
        return self.purpose.startswith("stale")

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def refusal(self) -> int:
        """The answer a stale version must get."""
        return 412 if self.via == "If-Match" else 409

    @property
    def refused_as_conflict(self) -> bool:
        return self.status in (409, 412)

    @property
    def outcome_unknown(self) -> bool:
        return self.status is None or self.status >= 500

    @property
    def version(self) -> int:
        """The version the report has after this write: each save adds exactly one."""
        return self.base + 1


@dataclass
class Known:
    state: str
    version: int
    has_progress: bool


class Client(threading.Thread):
    """One simulated user session mix: its own connection, random generator and records."""

    def __init__(self, index: int, world: World, port: int, deadline: float, stop: threading.Event, seed: int,
                 run_id: str, weights: dict[str, int] | None = None):
        super().__init__(name=f"client-{index}", daemon=True)
        self.index, self.world, self.deadline, self.stop = index, world, deadline, stop
        self.http = Http(port)
        self.rng = random.Random(seed)
        self.run_id = run_id
        self.unit = world.units[index % len(world.units)]
        self.samples: list[tuple[str, int, float]] = []  # (kind, status or 0 for no answer, seconds)
        self.writes: list[Write] = []
        self.unexpected: list[str] = []  # answers no rule explains (first few kept)
        self.failures: list[str] = []  # connection errors, 5xx (first few kept)
        self.requests = self.server_errors = self.connection_errors = self.refused = 0
        self.sequence = 0
        self.known: dict[int, Known] = {}
        self.crashed: BaseException | None = None
        weights = weights or WEIGHTS
        self.operations = [name for name in weights if weights[name] > 0]
        self.weights = [weights[name] for name in self.operations]

    # plumbing ----------------------------------------------------------------------------
    def call(self, kind: str, method: str, path: str, token: str, body: dict | None = None,
             headers: dict[str, str] | None = None) -> Reply | None:
        started = time.perf_counter()
        try:
            reply = self.http.request(method, path, token, body, headers)
        except ConnectionFailed as exc:
            self.samples.append((kind, 0, time.perf_counter() - started))
            self.requests += 1
            self.connection_errors += 1
            if len(self.failures) < 5:
                self.failures.append(f"{method} {path}: {exc}")
            return None
        self.samples.append((kind, reply.status, time.perf_counter() - started))
        self.requests += 1
        if reply.status >= 500:
            self.server_errors += 1
            if len(self.failures) < 5:
                self.failures.append(f"{method} {path}: {reply.status} {str(reply.data)[:300]}")
        return reply

    def note_unexpected(self, message: str) -> None:
        if len(self.unexpected) < 5:
            self.unexpected.append(message)

    def remember(self, data) -> None:
        if isinstance(data, dict) and "id" in data and "version" in data and "state" in data:
            self.known[data["id"]] = Known(data["state"], data["version"], bool((data.get("progress") or "").strip()))

    def read_report(self, report: int, token: str) -> Reply | None:
        reply = self.call("read", "GET", f"/api/reports/{report}/", token)
        if reply is None:
            return None
        if reply.status != 200:
            if reply.status < 500:
                self.note_unexpected(f"GET /api/reports/{report}/: {reply.status} {str(reply.data)[:200]}")
            return None
        self.remember(reply.data)
        return reply

    def pick(self, reports: list[int], wanted) -> int:
        """A report the client believes `wanted(known)` of (unknown ones count), else any."""
        candidates = [report for report in reports if report not in self.known or wanted(self.known[report])]
        return self.rng.choice(candidates or reports)

    def text(self, what: str) -> str:
        self.sequence += 1
        return f"负载测试 {what} run {self.run_id} client {self.index:03d} write {self.sequence:06d}"

    def via(self) -> str:
        return "If-Match" if self.rng.random() < 0.6 else "body"

    def write(self, kind: str, purpose: str, method: str, path: str, token: str, report: int, base: int, via: str,
              payload: dict, expected: dict) -> Write:
        body, headers = dict(payload), {}
        if via == "If-Match":
            headers["If-Match"] = f'"{base}"'
        else:
            body["version"] = base
        record = Write(purpose, report, base, via, expected, client=self.index)
        reply = self.call(kind, method, path, token, body, headers)
        if reply is not None:
            record.status, record.etag = reply.status, reply.etag
            if reply.status in (409, 412):
                self.refused += 1
            elif 200 <= reply.status < 300:
                self.remember(reply.data)
            elif reply.status < 500:
                self.note_unexpected(
                    f"{purpose} {method} {path} ({via} {base}): {reply.status} {str(reply.data)[:200]}"
                )
        self.writes.append(record)
        return record

    def edit_payload(self, what: str) -> tuple[dict, dict]:
        payload = {
            "progress": self.text(what), "percent": self.rng.randint(0, 100), "status": self.rng.choice(TASK_STATUSES),
        }
        return payload, dict(payload)

    # operations --------------------------------------------------------------------------
    def op_read(self) -> None:
        world, unit, rng = self.world, self.unit, self.rng
        token = rng.choice((world.office, unit.official, unit.leader))
        choice = rng.randrange(7)
        if choice == 0:
            path = "/api/tasks/?page_size=100"
        elif choice == 1:
            path = f"/api/tasks/?page_size=100&unit={unit.id}"
        elif choice == 2:
            path = f"/api/tasks/?page_size=100&status={rng.choice(TASK_STATUSES)}"
        elif choice == 3:
            path = f"/api/tasks/?page_size=100&plan={world.plan}&unit={unit.id}&status={rng.choice(TASK_STATUSES)}"
        elif choice == 4:
            path = f"/api/reports/?period={world.period}&state={rng.choice(REPORT_STATES)}&page_size=100"
        elif choice == 5:
            path = f"/api/tasks/{rng.choice(unit.tasks)}/"
        else:
            path = f"/api/reports/?period={world.period}&unit={unit.id}&page_size=100"
        reply = self.call("read", "GET", path, token)
        if reply is not None and reply.status != 200 and reply.status < 500:
            self.note_unexpected(f"GET {path}: {reply.status} {str(reply.data)[:200]}")

    def op_edit(self) -> None:
        unit = self.unit
        report = self.pick(unit.reports, lambda known: known.state in EDITABLE)
        reply = self.read_report(report, unit.official)
        if reply is None or reply.data["state"] not in EDITABLE:
            return
        payload, expected = self.edit_payload("edit")
        self.write("edit", "edit", "PATCH", f"/api/reports/{report}/", unit.official, report, reply.data["version"],
                   self.via(), payload, expected)

    def op_submit(self) -> None:
        """The leader looks at the unit's filled-in reports and sends one of them."""
        unit, world = self.unit, self.world
        state = "returned" if self.rng.random() < 0.3 else "pending"
        path = f"/api/reports/?period={world.period}&unit={unit.id}&state={state}&page_size=100"
        reply = self.call("read", "GET", path, unit.leader)
        if reply is None or reply.status != 200:
            return
        for row in reply.data["results"]:
            self.remember(row)
        filled = [row for row in reply.data["results"] if row["progress"].strip() and row["id"] not in world.hot]
        if not filled:
            return
        row = self.rng.choice(filled)
        self.write("submit", "submit", "POST", f"/api/reports/{row['id']}/submit/", unit.leader, row["id"],
                   row["version"], self.via(), {}, {"state": "submitted"})

    def op_review(self) -> None:
        world = self.world
        path = f"/api/reports/?period={world.period}&state=submitted&page_size=100"
        reply = self.call("read", "GET", path, world.office)
        if reply is None or reply.status != 200 or not reply.data["results"]:
            return
        row = self.rng.choice(reply.data["results"])
        comment = self.text("review")
        action = "approve" if self.rng.random() < APPROVE_SHARE else "return"
        state = "approved" if action == "approve" else "returned"
        self.write("review", action, "POST", f"/api/reports/{row['id']}/{action}/", world.office, row["id"],
                   row["version"], self.via(), {"comment": comment}, {"state": state, "review_comment": comment})

    def op_race(self) -> None:
        """Every client edits the same few hot reports from the version it just read: while
        others do the same, only one write per version may win; the rest get 412/409."""
        world = self.world
        report = self.rng.choice(world.hot)
        reply = self.read_report(report, world.hot_official)
        if reply is None or reply.data["state"] not in EDITABLE:
            return
        payload, expected = self.edit_payload("race")
        self.write("conflict", "race", "PATCH", f"/api/reports/{report}/", world.hot_official, report,
                   reply.data["version"], self.via(), payload, expected)

    def op_stale(self) -> None:
        """A write from a version older than one the client has just read: always stale."""
        world, unit, rng = self.world, self.unit, self.rng
        own = [report for report in unit.reports if report in self.known and self.known[report].version >= 2]
        if own and rng.random() < 0.5:
            report, token = rng.choice(own), unit.official
        else:
            report, token = rng.choice(world.hot), world.hot_official
        reply = self.read_report(report, token)
        if reply is None or reply.data["version"] < 2:
            return
        base, via = rng.randint(max(1, reply.data["version"] - 3), reply.data["version"] - 1), self.via()
        action = rng.random() if report not in world.hot else 0.0
        if action < 0.6:
            payload, expected = self.edit_payload("stale")
            self.write("conflict", "stale-edit", "PATCH", f"/api/reports/{report}/", token, report, base, via, payload,
                       expected)
        elif action < 0.8:
            self.write("conflict", "stale-submit", "POST", f"/api/reports/{report}/submit/", unit.leader, report, base,
                       via, {}, {"state": "submitted"})
        else:
            comment = self.text("stale review")
            self.write("conflict", "stale-review", "POST", f"/api/reports/{report}/return/", world.office, report, base,
                       via, {"comment": comment}, {"state": "returned", "review_comment": comment})

    def run(self) -> None:
        try:
            while not self.stop.is_set() and time.monotonic() < self.deadline:
                operation = self.rng.choices(self.operations, self.weights)[0]
                getattr(self, f"op_{operation}")()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.crashed = exc
        finally:
            self.http.close()


@dataclass
class LoadResult:
    clients: list[Client]
    seconds: float
    unfinished: int = 0

    @property
    def samples(self) -> list[tuple[str, int, float]]:
        return [sample for client in self.clients for sample in client.samples]

    @property
    def writes(self) -> list[Write]:
        return [write for client in self.clients for write in client.writes]


def run_clients(world: World, port: int, clients: int, duration: float, seed: int = 0,
                progress=print, every: float = PROGRESS_EVERY, weights: dict[str, int] | None = None) -> LoadResult:
    """Run `clients` Client threads for `duration` seconds, printing a line every `every` s;
    `weights` replaces WEIGHTS (operation → weight)."""
    stop = threading.Event()
    run_id = uuid.uuid4().hex[:8]
    started = time.monotonic()
    deadline = started + duration
    threads = [
        Client(index, world, port, deadline, stop, seed * 1_000_003 + index, run_id, weights)
        for index in range(clients)
    ]
    try:
        for thread in threads:
            thread.start()
        next_line = started + every
        while any(thread.is_alive() for thread in threads):
            time.sleep(min(0.2, max(0.01, next_line - time.monotonic())))
            now = time.monotonic()
            if now >= next_line and now < deadline + every / 2:
                requests = sum(thread.requests for thread in threads)
                progress(
                    f"  {now - started:5.0f} s  {requests:8,d} requests  {requests / (now - started):7.1f}/s  "
                    f"5xx {sum(t.server_errors for t in threads)}  "
                    f"no answer {sum(t.connection_errors for t in threads)}  "
                    f"conflicts refused {sum(t.refused for t in threads):,d}"
                )
                next_line += every
            if now > deadline + REQUEST_TIMEOUT + 10:
                break
    except BaseException:
        stop.set()  # interrupted: clients stop after their current request; they are daemon threads
        for thread in threads:
            thread.join(timeout=0.5)
        raise
    stop.set()
    for thread in threads:
        thread.join(timeout=max(0.1, deadline + REQUEST_TIMEOUT + 10 - time.monotonic()))
    seconds = time.monotonic() - started
    return LoadResult(threads, seconds, unfinished=sum(thread.is_alive() for thread in threads))

