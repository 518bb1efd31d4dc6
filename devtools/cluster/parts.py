"""The environment's small parts: its two errors, free ports, the SMTP sink (a thread of this
process that keeps every message it gets) and child processes in sessions of their own."""
from __future__ import annotations

import contextlib
import ctypes
import email
import email.policy
import os
import signal
import socket
import socketserver
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
STOP_TIMEOUT = 15.0
PASSWORD = "scale-demo-2026"  # devtools.scale.PASSWORD (not imported: that module loads Django)
OFFICE = "scale-office"  # devtools.scale.OFFICE_USERNAME


class SetupError(Exception):
    """A part of the environment could not be started."""


class CheckFailed(AssertionError):
    """A check found the environment misbehaving."""


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- SMTP sink ------------------------------------------------------------------------------
@dataclass
class Mail:
    sender: str
    recipients: list[str]
    subject: str
    body: str
    received: float


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's smtp backend: EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        self.reply("220 sink ESMTP")
        sender, recipients = "", []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line[:4].upper()
            if verb == "EHLO":
                self.reply("250-sink")
                self.reply("250-8BITMIME")
                self.reply("250 SMTPUTF8")
            elif verb == "HELO":
                self.reply("250 sink")
            elif verb == "MAIL":
                sender, recipients = line.split(":", 1)[1].strip().split(" ")[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(line.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                lines = []
                while True:
                    data = self.rfile.readline()
                    if not data or data in (b".\r\n", b".\n"):
                        break
                    lines.append(data[1:] if data.startswith(b"..") else data)
                message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
                body = message.get_body(("plain", "html")) if message.is_multipart() else message
                text = body.get_content() if body is not None else ""
                self.server.sink.add(Mail(sender, recipients, str(message["Subject"] or ""), text, time.time()))
                self.reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")


class _SmtpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """SMTP on 127.0.0.1:port in a thread of this process; `mails` is every message received."""

    def __init__(self):
        self.mails: list[Mail] = []
        self._lock = threading.Lock()
        self.server = _SmtpServer(("127.0.0.1", 0), _SmtpHandler)
        self.server.sink = self
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, name="smtp-sink", daemon=True)

    def add(self, mail: Mail) -> None:
        with self._lock:
            self.mails.append(mail)

    def snapshot(self) -> list[Mail]:
        with self._lock:
            return list(self.mails)

    def __enter__(self) -> SmtpSink:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


try:
    _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux
    _PRCTL = None
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child before exec (Linux): SIGKILL when the script dies, even by SIGKILL, so no
    server outlives it; their own children follow them (gunicorn's and celery's workers watch
    their parent). Nothing is imported here: the fork may have copied another thread's locks."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)


class Process:
    """A child process in a session (process group) of its own, stdout and stderr in `log`."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path):
        self.name, self.command, self.env, self.log = name, command, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> Process:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        """`sig` to the whole process group (a celery worker and its pool children)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)

    def stop(self) -> None:
        """SIGTERM to the process, then SIGKILL to its group after STOP_TIMEOUT; afterwards
        SIGKILL to whatever of its group is left (children that outlived it)."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill_group()
                self.popen.wait(timeout=STOP_TIMEOUT)
        self.kill_group()

    def text(self) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""



def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])
