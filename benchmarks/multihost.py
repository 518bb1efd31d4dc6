"""A real small province on loopback, driven from outside (devtools/cluster.py starts it):

    PYTHONPATH=. .venv/bin/python benchmarks/multihost.py [--bench] [--tasks N] [--keep-logs]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--redis redis://127.0.0.1:6379]

A scratch PostgreSQL database (migrated, `generate_scale_data` with one plan of --tasks tasks),
a Redis database number of its own (cache and broker), two gunicorn instances (A, B) behind
haproxy (round robin, health check /healthz), a celery worker, beats and an SMTP sink that
keeps every mail; all on 127.0.0.1, all stopped and removed at the end, also on failure.

Checks (one line each; the first failure ends the run with exit status 1 and the logs' tails):
1. a session made by logging in to the admin on A works on B;
2. wrong passwords alternated between A and B lock the account at the limit (5), and the right
   password is then refused on both;
3. an export started on A becomes a job, polled and downloaded on B, through the API and the
   admin; the file is a valid workbook; the requester gets one e-mail per job;
4. the worker is SIGKILLed (its whole process group) while a job is running with rows done; a
   new worker takes the job over after CELERY_VISIBILITY_TIMEOUT and finishes it: one file, one
   e-mail;
5. two beats with a 5-second JOB_SCHEDULE for about 20 s: each slot's run key once in plans_job,
   no reminder e-mail twice;
6. all the while, clients send requests through haproxy: every one answered, none 5xx, and
   haproxy counted exactly as many.

--bench (not a test, asserts nothing): requests/s, p50 and p99 of a mixed read load (admin pages
and API lists, CLIENTS concurrent clients, BENCH_SECONDS s) through haproxy with two instances
and directly against one instance, side by side; then the time to a ready workbook job of the
whole --tasks plan (default 50,000 with --bench) with the p99 of the same load meanwhile.
Exit status: 0 all checks passed, 1 a check failed, 2 the environment could not be set up."""
from __future__ import annotations

import argparse
import collections
import importlib.util
import io
import re
import sys
import threading
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.cluster import OFFICE, PASSWORD, CheckFailed, Cluster, Http, Options, SetupError  # noqa: E402

ACCOUNT_LIMIT = 5  # plans.login_limits.ACCOUNT_LIMIT (not imported: it loads Django)
EXPORT_JOB_MIN_TASKS = 100
VISIBILITY_TIMEOUT = 10
SCHEDULE_SECONDS = 5
BEATS_FOR = 20.0
JOB_TIMEOUT = 120.0
CLIENTS = 4
MIN_TRAFFIC = 10.0  # seconds of requests through haproxy before check 6 counts them
BENCH_SECONDS = 20.0
JOB_MAIL = r"(任务编号：|/jobs/){}\b"  # a finished job's e-mail names the job (plans.services.jobs._notify)
READ_PATHS = (
    "/admin/", "/admin/plans/task/", "/admin/inbox/", "/api/tasks/?page_size=50", "/api/reports/?page_size=50",
    "/api/plans/",
)


def engine_present() -> bool:
    """The job engine (celery and the tracker's app of it) is in this tree and installed."""
    return importlib.util.find_spec("celery") is not None and (ROOT / "tracker" / "celery.py").is_file()


# --- traffic through the load balancer (check 6) -----------------------------------------------
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


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


# --- the checks ----------------------------------------------------------------------------------
class Checks:
    def __init__(self, cluster: Cluster, out=print):
        self.cluster, self.out = cluster, out
        self.a, self.b = cluster.ports["a"], cluster.ports["b"]
        self.job_ids: list[int] = []

    def line(self, number: int, title: str, detail: str) -> None:
        self.out(f"check {number} {title}: ok — {detail}")

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
        self.line(1, "session across instances", f"logged in on A (:{self.a}), /admin/plans/task/ on B (:{self.b}) "
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
        self.line(2, "login limit across instances", f"{username}: wrong passwords on A,B,A,B,A answered "
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
        rows = sheet.max_row
        book.close()
        return f"{len(body):,} bytes, {rows} rows in {sheet.title!r}"

    def mails_for(self, job_ids) -> dict[int, int]:
        counts = dict.fromkeys(job_ids, 0)
        for mail in self.cluster.sink.snapshot():
            for job_id in job_ids:
                if re.search(JOB_MAIL.format(job_id), mail.body):
                    counts[job_id] += 1
        return counts

    def export_across_instances(self, period_id: int) -> None:
        token = Http(self.a).api_token(OFFICE, PASSWORD)
        on_a, on_b = Http(self.a), Http(self.b)
        on_a.token = on_b.token = token
        started = on_a.get(f"/api/plans/{self.cluster.plan_id}/progress.xlsx?period={period_id}")
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
        page = admin_b.get(f"/admin/jobs/{admin_job}/")
        if page.status != 200:
            raise CheckFailed(f"/admin/jobs/{admin_job}/ on B answered {page.status}")
        self.wait_job(admin_b, admin_job, api=False)
        page = admin_b.get(f"/admin/jobs/{admin_job}/")
        if f"/admin/jobs/{admin_job}/file" not in page.text:
            raise CheckFailed(f"/admin/jobs/{admin_job}/ on B, the job done, has no link to its file")
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
        self.line(3, "export across instances", f"API job {api_job} started on A, polled and downloaded on B "
                  f"({api_file}); admin job {admin_job} likewise ({admin_file}); one e-mail per job: {mails}")

    # 4
    def worker_killed(self, worker, period_id: int) -> None:
        cluster = self.cluster
        token = Http(self.a).api_token(OFFICE, PASSWORD)
        http = Http(self.a)
        http.token = token
        started = http.get(f"/api/plans/{cluster.plan_id}/progress.xlsx?period={period_id}")
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
        job = self.wait_job(http, job_id, timeout=JOB_TIMEOUT + VISIBILITY_TIMEOUT)
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
        self.line(4, "worker killed mid-job", f"job {job_id} seen running at {seen['done']:,}/{seen['total']:,}; "
                  f"worker (pid {worker.pid}) SIGKILLed with its group ({after['state']}, {after['done']:,} done); "
                  f"new worker pid {replacement.pid} finished it {took:.0f} s later after {row['attempts']} attempts "
                  f"({workbook}); one file {row['result']}, one e-mail")

    # 5
    def two_beats(self) -> None:
        cluster = self.cluster
        before = {row[0] for row in cluster.sql("SELECT key FROM plans_job")}
        mails_before = len(cluster.sink.snapshot())
        started = time.time()
        beats = [cluster.start_beat(), cluster.start_beat()]
        time.sleep(BEATS_FOR)
        for beat in beats:
            beat.stop()
        stopped = time.time()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the last slots' jobs finish
            pending = cluster.sql("SELECT count(*) FROM plans_job WHERE state IN ('queued', 'running') "
                                  "AND kind IN ('reminders', 'cleanup')")[0][0]
            if not pending:
                break
            time.sleep(0.5)
        rows = cluster.sql("SELECT kind, key, state FROM plans_job WHERE kind IN ('reminders', 'cleanup') ORDER BY key")
        new = [row for row in rows if row[1] not in before]
        keys = collections.Counter(row[1] for row in new)
        twice = {key: count for key, count in keys.items() if count > 1}
        slots = {kind: sorted(int(key.split(":")[-1]) for _, key, _ in new if _ == kind) for kind in ("reminders",
                                                                                                        "cleanup")}
        expected = int(started) // SCHEDULE_SECONDS, int(stopped) // SCHEDULE_SECONDS
        missing = {kind: [slot for slot in range(expected[0] + 1, expected[1]) if slot not in found]
                   for kind, found in slots.items()}
        time.sleep(2)
        reminder_mails = collections.Counter(
            (tuple(mail.recipients), mail.subject, mail.body) for mail in cluster.sink.snapshot()[mails_before:]
            if not re.search(JOB_MAIL.format(r"\d+"), mail.body)
        )
        repeated = [key[:2] for key, count in reminder_mails.items() if count > 1]
        failed = [row for row in new if row[2] != "done"]
        received = sum(beat.text().count("Scheduler: Sending due task") for beat in beats)
        if twice or any(missing.values()) or repeated or failed:
            raise CheckFailed(
                f"two beats: run keys more than once {twice}; slots without a run {missing}; "
                f"e-mails sent more than once {repeated[:5]}; runs not done {failed[:5]}"
            )
        per_kind = ", ".join(f"{kind}: {len(found)} slots" for kind, found in slots.items())
        self.line(5, "two beats", f"{len(beats)} beats for {stopped - started:.0f} s sent {received} runs; "
                  f"plans_job has {len(new)} run keys, each once ({per_kind}); "
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
        self.line(6, "through the load balancer", f"{traffic.sent} requests sent, {traffic.answered} answered "
                  f"({statuses}), haproxy counted {counted}, served by A {served['a']} and B {served['b']}, "
                  f"0 5xx, {traffic.reconnects} idle keep-alive reconnects")


def run_checks(options: Options, out=print) -> int:
    engine = engine_present()
    options.env.update(
        EXPORT_JOB_MIN_TASKS=str(EXPORT_JOB_MIN_TASKS), CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
        JOB_SCHEDULE=f"reminders={SCHEDULE_SECONDS},cleanup={SCHEDULE_SECONDS}",
    )
    try:
        cluster = Cluster(options, out=out).__enter__()
    except SetupError as exc:
        out(f"setup failed: {exc}")
        return 2
    traffic = None
    try:
        checks = Checks(cluster, out=out)
        traffic = Traffic(cluster.ports["lb"]).start()
        traffic_started = time.monotonic()
        checks.session_across_instances()
        checks.login_limit_across_instances()
        if engine:
            periods = [row[0] for row in cluster.sql(
                "SELECT id FROM plans_reportingperiod WHERE plan_id = %s ORDER BY start DESC", (cluster.plan_id,))]
            worker = cluster.start_worker()
            checks.export_across_instances(periods[0])
            checks.worker_killed(worker, periods[1])
            checks.two_beats()
        else:
            out("checks 3-5 skipped: the job engine (celery, tracker/celery.py) is not in this tree yet")
        time.sleep(max(0.0, MIN_TRAFFIC - (time.monotonic() - traffic_started)))
        checks.load_balancer(traffic)
        out("all checks passed")
        return 0
    except (CheckFailed, SetupError) as exc:
        out(f"FAILED: {exc}")
        out(f"logs ({cluster.log_dir}):\n{cluster.log_tails()}")
        return 1
    finally:
        if traffic is not None:
            traffic.stop()
        cluster.close()


# --- bench -----------------------------------------------------------------------------------------
def measure(port: int, seconds: float, clients: int = CLIENTS) -> Traffic:
    traffic = Traffic(port, clients=clients, pause=0).start()
    time.sleep(2)  # logins done, connections warm
    traffic.mark("start")
    began = time.perf_counter()
    time.sleep(seconds)
    traffic.measured = traffic.times_since("start")
    traffic.elapsed = time.perf_counter() - began
    traffic.stop()
    return traffic


def bench(options: Options, out=print) -> int:
    options.env.update(EXPORT_JOB_MIN_TASKS=str(EXPORT_JOB_MIN_TASKS))
    try:
        cluster = Cluster(options, out=out).__enter__()
    except SetupError as exc:
        out(f"setup failed: {exc}")
        return 2
    try:
        results = {}
        for name, port in (("haproxy → A + B", cluster.ports["lb"]), ("A alone", cluster.ports["a"])):
            traffic = measure(port, BENCH_SECONDS)
            times = traffic.measured
            bad = sum(count for status, count in traffic.statuses.items() if status >= 400)
            results[name] = (
                len(times) / traffic.elapsed, percentile(times, 0.5) * 1000, percentile(times, 0.99) * 1000, bad,
            )
        out(f"\nmixed read load, {CLIENTS} clients × {BENCH_SECONDS:.0f} s, paths {', '.join(READ_PATHS)}, "
            f"WEB_CONCURRENCY={options.web_concurrency} per instance")
        out(f"{'':24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'4xx/5xx':>9}")
        for name, (rate, p50, p99, bad) in results.items():
            out(f"{name:24}{rate:10.1f}{p50:10.1f}{p99:10.1f}{bad:9d}")
        (lb_rate, lb_50, lb_99, _), (one_rate, one_50, one_99, _) = results.values()
        out(f"{'ratio (two / one)':24}{lb_rate / one_rate:10.2f}{lb_50 / one_50:10.2f}{lb_99 / one_99:10.2f}")

        if not engine_present():
            out("\nworkbook job: skipped (no job engine in this tree)")
            return 0
        cluster.start_worker()
        http = Http(cluster.ports["lb"])
        http.token = Http(cluster.ports["lb"]).api_token(OFFICE, PASSWORD)
        traffic = Traffic(cluster.ports["lb"], clients=CLIENTS, pause=0).start()
        time.sleep(2)
        traffic.mark("start")
        began = time.perf_counter()
        started = http.get(f"/api/plans/{cluster.plan_id}/progress.xlsx?period={cluster.period_id}")
        if started.status != 202:
            raise CheckFailed(f"the export answered {started.status}: {started.text[:300]}")
        job = Checks(cluster, out=out).wait_job(http, started.json()["id"], timeout=1800)
        ready = time.perf_counter() - began
        during = traffic.times_since("start")
        traffic.stop()
        download = http.get(job["download"])
        out(f"\nworkbook job of {job['total']:,} rows: {job['state']} in {ready:.1f} s "
            f"({len(download.body) / 1e6:.1f} MB); meanwhile {len(during)} requests of the same load, "
            f"p50 {percentile(during, 0.5) * 1000:.0f} ms, p99 {percentile(during, 0.99) * 1000:.0f} ms "
            f"(without the job: p99 {lb_99:.0f} ms)")
        return 0
    except (CheckFailed, SetupError) as exc:
        out(f"FAILED: {exc}")
        out(f"logs ({cluster.log_dir}):\n{cluster.log_tails()}")
        return 1
    finally:
        cluster.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bench", action="store_true", help="measure instead of checking")
    parser.add_argument("--tasks", type=int, default=None, help="tasks in the plan (3,000; with --bench 50,000)")
    parser.add_argument("--postgres", default=Options.postgres)
    parser.add_argument("--redis", default=Options.redis)
    parser.add_argument("--keep-logs", action="store_true", help="keep the temp dir of logs and media")
    args = parser.parse_args(argv)
    options = Options(
        tasks=args.tasks or (50_000 if args.bench else Options.tasks), postgres=args.postgres, redis=args.redis,
        keep_logs=args.keep_logs,
    )
    try:
        return bench(options) if args.bench else run_checks(options)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
