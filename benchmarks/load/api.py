"""The load test's HTTP client: one keep-alive connection to the server, JSON in and out."""
from __future__ import annotations

import http.client
import json
import re
import time
from dataclasses import dataclass

from .config import IDLE_RECONNECT, REQUEST_TIMEOUT, ConnectionFailed


@dataclass
class Reply:
    status: int
    data: object
    etag: int | None


class Http:
    """One keep-alive connection to 127.0.0.1:port (http.client reopens it when the server
    closed it). A GET is retried once on a fresh connection; a write never is."""

    def __init__(self, port: int, timeout: float = REQUEST_TIMEOUT):
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, token: str | None = None, body: dict | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        sent = {"Accept": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Token {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            sent["Content-Type"] = "application/json"
        attempts = 2 if method == "GET" else 1
        for attempt in range(attempts):
            if self.conn is not None and time.monotonic() - self.last_used > IDLE_RECONNECT:
                self.close()  # the server may be closing it right now: a write must not go out on it
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=payload, headers=sent)
                response = self.conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if attempt + 1 < attempts:
                    continue
                raise ConnectionFailed(f"{type(exc).__name__}: {exc}") from exc
            self.last_used = time.monotonic()
            if response.will_close:
                self.close()
            try:
                data = json.loads(raw) if raw and "json" in (response.getheader("Content-Type") or "") else None
            except ValueError:
                data = None
            tag = re.fullmatch(r'\s*(?:W/)?"(\d+)"\s*', response.getheader("ETag") or "")
            return Reply(response.status, data, int(tag[1]) if tag else None)
        raise AssertionError("unreachable")

