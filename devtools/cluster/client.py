"""A plain HTTP/1.1 client for the checks: cookies, an API token, the admin's login form."""
from __future__ import annotations

import http.client
import json
import re
import time
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from .parts import CheckFailed


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Http:
    """HTTP/1.1 to 127.0.0.1:port: one keep-alive connection (reopened when the other side
    closed it), cookies kept by name, an optional API token. Not thread-safe: one per thread."""

    def __init__(self, port: int, timeout: float = 120.0):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.token = ""
        self.reconnects = 0
        self._conn: http.client.HTTPConnection | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None) -> Response:
        if path.startswith(("http://", "https://")):  # a link the application made absolute
            parts = urlsplit(path)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if self.token:
            sent["Authorization"] = f"Token {self.token}"
        started = time.perf_counter()
        for attempt in (1, 2):
            reused = self._conn is not None
            if self._conn is None:
                self._conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self._conn.request(method, path, body=body, headers=sent)
                raw = self._conn.getresponse()
                data = raw.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A kept-alive connection the other side closed while idle: sent once more on a
                # fresh connection (counted in `reconnects`); a fresh connection failing is an error.
                self.close()
                if attempt == 2 or not reused:
                    raise
                self.reconnects += 1
            except BaseException:
                self.close()
                raise
        if raw.getheader("Connection", "").lower() == "close" or raw.version == 10:
            self.close()
        for value in raw.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            cookie_value = rest.split(";", 1)[0]
            if "max-age=0" in value.lower() or cookie_value in ('""', ""):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = cookie_value
        headers = {name.lower(): value for name, value in raw.getheaders()}
        return Response(raw.status, headers, data, time.perf_counter() - started)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def admin_login(self, username: str, password: str) -> Response:
        """The admin's login form as a browser fills it: GET for the CSRF cookie and token, POST."""
        page = self.get("/admin/login/?next=/admin/")
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if page.status != 200 or not found:
            raise CheckFailed(f"GET /admin/login/ on :{self.port} answered {page.status} without a CSRF token")
        return self.request(
            "POST", "/admin/login/?next=/admin/",
            form={"csrfmiddlewaretoken": found[1], "username": username, "password": password, "next": "/admin/"},
            headers={"Referer": f"http://127.0.0.1:{self.port}/admin/login/"},
        )

    def api_token(self, username: str, password: str) -> str:
        answer = self.request("POST", "/api/auth/token/", form={"username": username, "password": password})
        if answer.status != 200:
            raise CheckFailed(f"POST /api/auth/token/ on :{self.port} answered {answer.status}: {answer.text[:300]}")
        return answer.json()["token"]

