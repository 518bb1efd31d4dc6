"""The checks of benchmarks/multihost.py, each against a running `Cluster`; a failure raises
CheckFailed with what was seen."""
from __future__ import annotations

import collections
import io
import re
import time
import zipfile
from urllib.parse import quote

from .client import Http
from .environment import Cluster
from .parts import OFFICE, PASSWORD, CheckFailed, tail
from .traffic import Traffic

ACCOUNT_LIMIT = 5  # plans.login_limits.ACCOUNT_LIMIT (not imported: it loads Django)
EXPORT_JOB_MIN_TASKS = 100
VISIBILITY_TIMEOUT = 10
# kombu's Redis transport looks for unacknowledged messages past the visibility timeout every
# unacked_restore_interval × unacked_restore_throttle seconds: 10 × 10 by default
RESTORE_SWEEP = 100.0
SCHEDULE_SECONDS = 5
BEATS_FOR = 20.0
JOB_TIMEOUT = 120.0
TITLES = {
    0: "setup", 1: "session across instances", 2: "login limit across instances", 3: "export across instances",
    4: "worker killed mid-job", 5: "two beats", 6: "through the load balancer",
}
JOB_MAIL = r"(任务编号：|/jobs/){}\b"  # a finished job's e-mail names the job (plans.services.jobs._notify)


class Checks:
    def __init__(self, cluster: Cluster, out=print):
        self.cluster, self.out = cluster, out
        self.a, self.b = cluster.ports["a"], cluster.ports["b"]
        self.job_ids: list[int] = []

    def line(self, number: int, detail: str) -> None:
        self.out(f"check {number} {TITLES[number]}: ok — {detail}")

    # 1
    def session_across_instances(self) -> None:
        on_a = Http(self.a)
        login = on_a.admin_login(OFFICE, PASSWORD)
        if login.status != 302 or "/login/" in login.header("location"):
            raise CheckFailed(f"logging in on A answered {login.status} → {login.header('location')!r}")
        if "sessionid" not in on_a.cookies:
            raise CheckFailed(f"logging in on A set no session cookie (cookies: {sorted(on_a.cookies)})")
        on_b = Http(self.b)
        on_b.cookies = dict(on_a.cookies)
        index = on_b.get("/admin/plans/task/")
        anonymous = Http(self.b).get("/admin/plans/task/")
        if index.status != 200 or OFFICE not in index.text:
            raise CheckFailed(f"B answered {index.status} to A's session (→ {index.header('location')!r})")
        if anonymous.status != 302 or "/login/" not in anonymous.header("location"):
            raise CheckFailed(f"B answered {anonymous.status} to /admin/plans/task/ without a session: "
                              "the check proves nothing")
        self.line(1, f"logged in on A (:{self.a}), /admin/plans/task/ on B (:{self.b}) "
                  f"answered 200 as {OFFICE}; without the cookie B sends to the login page")

    # 2
    def login_limit_across_instances(self) -> None:
        rows = self.cluster.sql(
            "SELECT username FROM auth_user WHERE username LIKE 'scale-u%%-official' ORDER BY id LIMIT 1"
        )
        username = rows[0][0]
        statuses = []
        for attempt in range(ACCOUNT_LIMIT):
            port = self.a if attempt % 2 == 0 else self.b
            statuses.append(Http(port).admin_login(username, f"wrong-{attempt}").status)
        right = [Http(port).admin_login(username, PASSWORD).status for port in (self.a, self.b)]
        expected = [200] * (ACCOUNT_LIMIT - 1) + [429]
        if statuses != expected or right != [429, 429]:
            raise CheckFailed(
                f"wrong passwords A,B,A,… answered {statuses} (expected {expected}); "
                f"then the right one on A, B answered {right} (expected [429, 429])"
            )
        self.line(2, f"{username}: wrong passwords on A,B,A,B,A answered "
                  f"{statuses}; the right password then 429 on A and on B")

    # 3
    def wait_job(self, http: Http, job_id: int, api: bool = True, timeout: float = JOB_TIMEOUT) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if api:
                answer = http.get(f"/api/jobs/{job_id}/")
                if answer.status != 200:
                    raise CheckFailed(f"GET /api/jobs/{job_id}/ on :{http.port} answered {answer.status}")
                job = answer.json()
            else:
                job = self.job_row(job_id)
            if job["state"] in ("done", "failed"):
                return job
            time.sleep(0.3)
        raise CheckFailed(f"job {job_id} not finished within {timeout:.0f} s: {self.job_row(job_id)}")

    def job_row(self, job_id: int) -> dict:
        names = ("id", "kind", "key", "state", "done", "total", "message", "result", "attempts")
        rows = self.cluster.sql(f"SELECT {', '.join(names)} FROM plans_job WHERE id = %s", (job_id,))
        return dict(zip(names, rows[0], strict=True)) if rows else {}

    @staticmethod
    def valid_workbook(body: bytes, where: str) -> str:
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(body), read_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise CheckFailed(f"{where}: not a workbook ({exc!r}; starts {body[:40]!r})") from None
        sheet = book.worksheets[0]
        rows = sum(1 for _ in sheet.iter_rows(values_only=True))
        title = sheet.title
        book.close()
        return f"{len(body):,} bytes, {rows:,} rows in {title!r}"

    def requester_mail(self) -> str:
        return self.cluster.sql("SELECT email FROM auth_user WHERE username = %s", (OFFICE,))[0][0]

    def mails_for(self, job_ids) -> dict[int, int]:
        """Job → e-mails naming it; CheckFailed when one went to anyone but the requester."""
        counts, address = dict.fromkeys(job_ids, 0), self.requester_mail()
        for mail in self.cluster.sink.snapshot():
            for job_id in job_ids:
                if re.search(JOB_MAIL.format(job_id), mail.body):
                    if mail.recipients != [address]:
                        raise CheckFailed(f"job {job_id}'s e-mail went to {mail.recipients}, not to {address}")
                    counts[job_id] += 1
        return counts

    def export_across_instances(self, period: tuple[int, str]) -> None:
        period_id, label = period
        token = Http(self.a).api_token(OFFICE, PASSWORD)
        on_a, on_b = Http(self.a), Http(self.b)
        on_a.token = on_b.token = token
        started = on_a.get(f"/api/plans/{self.cluster.plan_id}/progress.xlsx?period={quote(label)}")
        if started.status != 202:
            raise CheckFailed(f"the API export on A answered {started.status}, not 202: {started.text[:300]}")
        api_job = started.json()["id"]
        job = self.wait_job(on_b, api_job)
        if job["state"] != "done" or not job.get("download"):
            raise CheckFailed(f"API job {api_job} ended {job}")
        download = on_b.get(job["download"])
        if download.status != 200:
            raise CheckFailed(f"GET {job['download']} on B answered {download.status}")
        api_file = self.valid_workbook(download.body, f"API job {api_job}")

        admin_a, admin_b = Http(self.a), Http(self.b)
        admin_a.admin_login(OFFICE, PASSWORD)
        admin_b.cookies = dict(admin_a.cookies)
        redirect = admin_a.get(f"/admin/sheets/progress/{period_id}.xlsx")
        found = re.fullmatch(r"/admin/jobs/(\d+)/", redirect.header("location"))
        if redirect.status != 302 or not found:
            raise CheckFailed(f"the admin export on A answered {redirect.status} → {redirect.header('location')!r}")
        admin_job = int(found[1])
        link, polls = f"/admin/jobs/{admin_job}/file", 0
        deadline = time.monotonic() + JOB_TIMEOUT
        while True:  # B's job page, as the browser reloads it, until it links the file
            page = admin_b.get(f"/admin/jobs/{admin_job}/")
            polls += 1
            if page.status != 200:
                raise CheckFailed(f"/admin/jobs/{admin_job}/ on B answered {page.status}")
            if link in page.text:
                break
            if self.job_row(admin_job).get("state") == "failed" or time.monotonic() > deadline:
                raise CheckFailed(f"/admin/jobs/{admin_job}/ on B never linked its file: {self.job_row(admin_job)}")
            time.sleep(0.5)
        download = admin_b.get(f"/admin/jobs/{admin_job}/file")
        if download.status != 200:
            raise CheckFailed(f"/admin/jobs/{admin_job}/file on B answered {download.status}")
        admin_file = self.valid_workbook(download.body, f"admin job {admin_job}")

        jobs = sorted({api_job, admin_job})
        time.sleep(3)  # a second e-mail, if any, has time to arrive
        mails = self.mails_for(jobs)
        if any(count != 1 for count in mails.values()):
            raise CheckFailed(f"e-mails per job (expected 1 each): {mails}")
        self.job_ids += jobs
        self.line(3, f"API job {api_job} started on A, polled and downloaded on B ({api_file}); admin job "
                  f"{admin_job} started on A, its page on B read {polls} times until it linked the file, "
                  f"downloaded on B ({admin_file}); one e-mail per job to {self.requester_mail()}: {mails}")

    # 4
    def worker_killed(self, worker, period: tuple[int, str]) -> None:
        _period_id, label = period
        cluster = self.cluster
        token = Http(self.a).api_token(OFFICE, PASSWORD)
        http = Http(self.a)
        http.token = token
        started = http.get(f"/api/plans/{cluster.plan_id}/progress.xlsx?period={quote(label)}")
        if started.status != 202:
            raise CheckFailed(f"the export answered {started.status}, not 202: {started.text[:300]}")
        job_id = started.json()["id"]
        deadline = time.monotonic() + JOB_TIMEOUT
        seen = {}
        while time.monotonic() < deadline:
            seen = self.job_row(job_id)
            if seen["state"] == "running" and seen["done"] > 0:
                break
            if seen["state"] in ("done", "failed"):
                raise CheckFailed(f"job {job_id} ended before it was seen running with rows done: {seen}")
            time.sleep(0.02)
        else:
            raise CheckFailed(f"job {job_id} was not seen running with rows done: {seen}")
        worker.kill_group()
        worker.popen.wait(timeout=10)
        killed_at = time.monotonic()
        after = self.job_row(job_id)
        replacement = cluster.start_worker()
        job = self.wait_job(http, job_id, timeout=JOB_TIMEOUT + VISIBILITY_TIMEOUT + RESTORE_SWEEP)
        took = time.monotonic() - killed_at
        row = self.job_row(job_id)
        if job["state"] != "done":
            raise CheckFailed(f"job {job_id} ended {job['state']} after the worker was killed: {row}")
        download = http.get(job["download"])
        workbook = self.valid_workbook(download.body, f"job {job_id}")
        files = sorted(str(path.relative_to(cluster.media_root))
                       for path in (cluster.media_root / "jobs").rglob("*") if path.is_file())
        mine = [name for name in files if row["result"] and name == row["result"]]
        time.sleep(3)
        mails = self.mails_for([job_id])
        others = len(files) - len(self.job_ids) - 1
        if len(mine) != 1 or others != 0 or mails[job_id] != 1:
            raise CheckFailed(
                f"job {job_id} after the kill: its file {row['result']!r}, files under jobs/ {files} "
                f"(expected one per job: {len(self.job_ids) + 1}); e-mails {mails}"
            )
        self.job_ids.append(job_id)
        self.line(4, f"job {job_id} seen running at {seen['done']:,}/{seen['total']:,}; "
                  f"worker (pid {worker.pid}) SIGKILLed with its group ({after['state']}, {after['done']:,} done); "
                  f"new worker pid {replacement.pid} finished it {took:.0f} s later after {row['attempts']} attempts "
                  f"({workbook}); one file {row['result']}, one e-mail")

    # 5
    def two_beats(self) -> None:
        """Two beats send every scheduled run, each in its own slot; the worker makes one job row
        per name and slot and runs it once. Judged: each run key once and run once (attempts 1,
        done), fewer rows than sends (the second beat's sends of a slot found its row), every name
        in two slots or more, and no reminder e-mail twice."""
        cluster = self.cluster
        kinds = ("reminders", "cleanup")
        before = {row[0] for row in cluster.sql("SELECT key FROM plans_job")}
        mails_before = len(cluster.sink.snapshot())
        beats = [cluster.start_beat()]
        time.sleep(SCHEDULE_SECONDS / 2)  # started half a slot apart
        beats.append(cluster.start_beat())
        deadline = time.monotonic() + 60
        while not all("beat: Starting..." in beat.text() for beat in beats):
            if time.monotonic() > deadline or not all(beat.alive() for beat in beats):
                raise CheckFailed("the beats did not start:\n" + "\n".join(tail(beat.text()) for beat in beats))
            time.sleep(0.2)
        started = time.monotonic()
        time.sleep(BEATS_FOR)
        for beat in beats:
            beat.stop()
        ran_for = time.monotonic() - started
        sends = {kind: sum(beat.text().count(f"Sending due task scheduled {kind} ") for beat in beats)
                 for kind in kinds}
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # every message handled, every row finished
            handled = sum(len(re.findall(r"run_scheduled\[[\w-]+\] succeeded", worker.text()))
                          for worker in cluster.processes if worker.name.startswith("worker-"))
            pending = cluster.sql("SELECT count(*) FROM plans_job WHERE state IN ('queued', 'running') "
                                  "AND kind IN ('reminders', 'cleanup')")[0][0]
            if handled >= sum(sends.values()) and not pending:
                break
            time.sleep(0.5)
        rows = [row for row in cluster.sql(
            "SELECT kind, key, state, attempts FROM plans_job WHERE kind IN ('reminders', 'cleanup') ORDER BY key"
        ) if row[1] not in before]
        keys = collections.Counter(row[1] for row in rows)
        slots = {kind: [int(key.split(":")[-1]) for found, key, _, _ in rows if found == kind] for kind in kinds}
        time.sleep(2)
        reminder_mails = collections.Counter(
            (tuple(mail.recipients), mail.subject, mail.body) for mail in cluster.sink.snapshot()[mails_before:]
            if not re.search(JOB_MAIL.format(r"\d+"), mail.body)
        )
        problems = []
        if twice := {key: count for key, count in keys.items() if count > 1}:
            problems.append(f"run keys more than once: {twice}")
        if not_once := [row for row in rows if row[2] != "done" or row[3] != 1]:
            problems.append(f"runs not done exactly once (kind, key, state, attempts): {not_once[:5]}")
        for kind in kinds:
            if len(slots[kind]) < 2:
                problems.append(f"{kind}: {len(slots[kind])} slots run in {ran_for:.0f} s")
            if sends[kind] <= len(slots[kind]):
                problems.append(f"{kind}: the beats sent {sends[kind]} for {len(slots[kind])} slots: "
                                "the second beat did not send or was not deduplicated")
        if repeated := [key[:2] for key, count in reminder_mails.items() if count > 1]:
            problems.append(f"e-mails sent more than once: {repeated[:5]}")
        if problems:
            raise CheckFailed("; ".join(problems))
        per_kind = "; ".join(
            f"{kind}: {sends[kind]} sends → {len(slots[kind])} run keys (slots {', '.join(map(str, slots[kind]))})"
            for kind in kinds
        )
        self.line(5, f"two beats for {ran_for:.0f} s: {per_kind}; each key once, each run done after 1 attempt; "
                  f"{sum(reminder_mails.values())} reminder e-mails, none twice")

    # 6
    def load_balancer(self, traffic: Traffic) -> None:
        traffic.stop()
        stats = self.cluster.haproxy_stats()
        front = stats.get("lb/FRONTEND", {})
        servers = {name: stats.get(f"app/{name}", {}) for name in ("a", "b")}
        counted = int(front.get("req_tot") or 0)
        five = int(front.get("hrsp_5xx") or 0) + sum(int(row.get("hrsp_5xx") or 0) for row in servers.values())
        client_5xx = sum(count for status, count in traffic.statuses.items() if status >= 500)
        served = {name: int(row.get("stot") or 0) for name, row in servers.items()}
        problems = []
        if traffic.lost:
            problems.append(f"{len(traffic.lost)} requests without an answer: {traffic.lost[:3]}")
        if traffic.sent != traffic.answered:
            problems.append(f"sent {traffic.sent}, answered {traffic.answered}")
        if client_5xx or five:
            problems.append(f"5xx: {client_5xx} seen by the clients, {five} counted by haproxy")
        if counted != traffic.sent:
            problems.append(f"haproxy counted {counted} requests, the clients sent {traffic.sent}")
        if min(served.values()) == 0:
            problems.append(f"one instance served nothing: {served}")
        if traffic.sent < 50:
            problems.append(f"only {traffic.sent} requests: too few to say anything")
        if problems:
            raise CheckFailed("; ".join(problems))
        statuses = ", ".join(f"{status}: {count}" for status, count in sorted(traffic.statuses.items()))
        self.line(6, f"{traffic.sent} requests sent, {traffic.answered} answered "
                  f"({statuses}), haproxy counted {counted}, served by A {served['a']} and B {served['b']}, "
                  f"0 5xx, {traffic.reconnects} idle keep-alive reconnects")


