"""Clients sending requests (through haproxy, or to one instance) in threads, every request
counted when sent and when answered: check 6 and the bench's load."""
from __future__ import annotations

import collections
import re
import threading

from .client import Http
from .parts import OFFICE, PASSWORD

READ_PATHS = (
    "/admin/", "/admin/plans/task/", "/admin/inbox/", "/api/tasks/?page_size=50", "/api/reports/?page_size=50",
    "/api/plans/",
)



class Traffic:
    """Clients sending requests through haproxy in threads until stopped: an admin session and an
    API token, paths in turn, a short pause between requests. Every request is counted when sent
    and when answered; an exception is a lost request."""

    def __init__(self, port: int, clients: int = 2, pause: float = 0.05, paths=READ_PATHS):
        self.port, self.clients, self.pause, self.paths = port, clients, pause, paths
        self.sent = 0
        self.answered = 0
        self.statuses: collections.Counter = collections.Counter()
        self.lost: list[str] = []
        self.times: list[float] = []
        self.paths_timed: list[str] = []  # the path of each entry of `times`
        self.reconnects = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._marks: dict[str, int] = {}

    def _record(self, http: Http, method: str, path: str, **kwargs):
        with self._lock:
            self.sent += 1
        try:
            answer = http.request(method, path, **kwargs)
        except Exception as exc:  # any failure to get an answer is a lost request
            with self._lock:
                self.lost.append(f"{method} {path}: {exc!r}")
            http.close()
            return None
        with self._lock:
            self.answered += 1
            self.statuses[answer.status] += 1
            self.times.append(answer.seconds)
            self.paths_timed.append(path)
        return answer

    def _login(self, http: Http, number: int) -> None:
        if number % 2:
            page = self._record(http, "GET", "/admin/login/?next=/admin/")
            found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text if page else "")
            if found:
                self._record(http, "POST", "/admin/login/?next=/admin/", form={
                    "csrfmiddlewaretoken": found[1], "username": OFFICE, "password": PASSWORD, "next": "/admin/",
                })
        else:
            answer = self._record(http, "POST", "/api/auth/token/", form={"username": OFFICE, "password": PASSWORD})
            if answer is not None and answer.status == 200:
                http.token = answer.json()["token"]

    def _run(self, number: int) -> None:
        http = Http(self.port, timeout=120)
        self._login(http, number)
        paths = [path for path in self.paths if path.startswith("/api/") == (number % 2 == 0)] or list(self.paths)
        turn = number
        while not self._stop.is_set():
            path = paths[turn % len(paths)]
            turn += 1
            answer = self._record(http, "GET", path)
            if answer is not None and answer.status in (301, 302) and "/login/" in answer.header("location"):
                with self._lock:
                    self.lost.append(f"GET {path}: sent to the login page (session not seen by the instance)")
            if self.pause:
                self._stop.wait(self.pause)
        with self._lock:
            self.reconnects += http.reconnects
        http.close()

    def start(self) -> Traffic:
        for number in range(self.clients):
            thread = threading.Thread(target=self._run, args=(number,), name=f"traffic-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=180)

    def mark(self, name: str) -> None:
        with self._lock:
            self._marks[name] = len(self.times)

    def times_since(self, name: str) -> list[float]:
        with self._lock:
            return list(self.times[self._marks.get(name, 0):])

    def by_path_since(self, name: str) -> dict[str, list[float]]:
        found: dict[str, list[float]] = {}
        with self._lock:
            start = self._marks.get(name, 0)
            for path, seconds in zip(self.paths_timed[start:], self.times[start:], strict=True):
                found.setdefault(path, []).append(seconds)
        return found


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


