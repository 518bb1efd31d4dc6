"""gunicorn serving the application for the load test: started, awaited, stopped, its log read."""
from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

from .api import Http
from .config import READY_TIMEOUT, ROOT, STOP_TIMEOUT, ConnectionFailed, SetupError


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving tracker.wsgi on 127.0.0.1:port, its output in `log_path`."""

    def __init__(self, env: dict[str, str], workers: int, port: int, log_path: Path):
        self.env, self.workers, self.port, self.log_path = env, workers, port or free_port(), log_path
        self.process: subprocess.Popen | None = None
        self.load_offset = 0
        self.config = ROOT / "gunicorn.conf.py"

    @property
    def command(self) -> list[str]:
        command = [sys.executable, "-m", "gunicorn"]
        if self.config.is_file():
            command += ["-c", str(self.config)]
        return command + ["--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}", "tracker.wsgi"]

    def __enter__(self) -> Self:
        try:
            import gunicorn  # noqa: F401
        except ImportError as exc:
            raise SetupError(
                f"gunicorn is not installed in {sys.prefix}: {sys.executable} -m pip install gunicorn"
            ) from exc
        log = open(self.log_path, "wb")
        try:
            # A session of its own: Ctrl-C reaches this script only, which stops the server in order.
            self.process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        finally:
            log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        http = Http(self.port, timeout=10)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SetupError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if http.request("GET", "/healthz").status == 200 or http.request("GET", "/api/schema/").status == 200:
                    return
            except ConnectionFailed:
                pass
            time.sleep(0.2)
        raise SetupError(f"gunicorn did not answer within {READY_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the master (graceful: workers finish their request), SIGKILL to its
        process group after STOP_TIMEOUT."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def log_findings(self) -> dict[str, int]:
        text = self.log_text()
        return {
            "tracebacks": text.count("Traceback (most recent call last)"),
            "worker timeouts": text.count("WORKER TIMEOUT"),
            "worker boots": len(re.findall(r"Booting worker with pid", text)),
        }

    def request_times(self) -> list[float]:
        """Milliseconds each API request spent in a worker, ascending, from an access log in
        gunicorn.conf.py's format (`... "%(r)s" %(s)s %(b)s %(M)sms ...`); [] without one."""
        text = self.log_text()[self.load_offset:]
        return sorted(
            float(found[1]) for found in re.finditer(r'"[A-Z]+ /api/\S* HTTP/[\d.]+" \d{3} \S+ (\d+)ms', text)
        )

    def mark_load_start(self) -> None:
        """Only requests logged from now on count in request_times."""
        self.load_offset = len(self.log_text())

    def cpu(self) -> dict[int, float]:
        """pid → CPU seconds of the master and its live workers."""
        master = self.process.pid if self.process is not None else -1
        return process_cpu(lambda pid, parent, cmdline: master in (pid, parent))

    def worker_class(self) -> str:
        found = re.search(r"Using worker: (\S+)", self.log_text())
        return found[1] if found else "?"



def process_cpu(select) -> dict[int, float]:
    """pid → CPU seconds (user + system) of the processes `select(pid, parent, cmdline)` picks (Linux /proc)."""
    found, tick = {}, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        if select(pid, int(fields[1]), cmdline):
            found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found

