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

import argparse
import functools
import importlib.util
import signal
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.cluster import (  # noqa: E402
    OFFICE, PASSWORD, READ_PATHS, TITLES, CheckFailed, Checks, Cluster, Http, Options, SetupError, Traffic, percentile,
)
from devtools.cluster.checks import (  # noqa: E402
    EXPORT_JOB_MIN_TASKS, SCHEDULE_SECONDS, VISIBILITY_TIMEOUT,
)

CLIENTS = 4
MIN_TRAFFIC = 10.0  # seconds of requests through haproxy before check 6 counts them
BENCH_SECONDS = 20.0


def engine_present() -> bool:
    """The job engine (celery and the tracker's app of it) is in this tree and installed."""
    return importlib.util.find_spec("celery") is not None and (ROOT / "tracker" / "celery.py").is_file()


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
    traffic, current = None, 0
    try:
        checks = Checks(cluster, out=out)
        traffic = Traffic(cluster.ports["lb"]).start()
        traffic_started = time.monotonic()
        current = 1
        checks.session_across_instances()
        current = 2
        checks.login_limit_across_instances()
        if engine:
            periods = cluster.sql("SELECT id, label FROM plans_reportingperiod WHERE plan_id = %s ORDER BY start DESC",
                                  (cluster.plan_id,))
            worker = cluster.start_worker()
            current = 3
            checks.export_across_instances(periods[0])
            current = 4
            checks.worker_killed(worker, periods[1])
            current = 5
            checks.two_beats()
        else:
            out("checks 3-5 skipped: the job engine (celery, tracker/celery.py) is not in this tree yet")
        time.sleep(max(0.0, MIN_TRAFFIC - (time.monotonic() - traffic_started)))
        current = 6
        checks.load_balancer(traffic)
        out("all checks passed")
        return 0
    except (CheckFailed, SetupError) as exc:
        out(f"check {current} {TITLES[current]}: FAILED — {exc}")
        out(f"logs ({cluster.log_dir}):\n{cluster.log_tails()}")
        return 1
    finally:
        if traffic is not None:
            traffic.stop()
        cluster.close()


# --- bench -----------------------------------------------------------------------------------------
def measure(port: int, seconds: float, clients: int = CLIENTS) -> dict:
    """`clients` clients without pause against `port` for `seconds` after 2 s of warm-up."""
    traffic = Traffic(port, clients=clients, pause=0).start()
    time.sleep(2)  # logins done, connections warm
    traffic.mark("start")
    began = time.perf_counter()
    time.sleep(seconds)
    times, by_path = traffic.times_since("start"), traffic.by_path_since("start")
    elapsed = time.perf_counter() - began
    traffic.stop()
    bad = sum(count for status, count in traffic.statuses.items() if status >= 400)
    return {"rate": len(times) / elapsed, "p50": ms(times, 0.5), "p99": ms(times, 0.99), "bad": bad,
            "paths": {path: (ms(found, 0.5), ms(found, 0.99), len(found)) for path, found in by_path.items()}}


def ms(values: list[float], share: float) -> float:
    return percentile(values, share) * 1000


def export_job(cluster: Cluster, http: Http) -> tuple[float, dict, int]:
    """Seconds from the API request to the job done, the job, the file's size."""
    began = time.perf_counter()
    started = http.get(f"/api/plans/{cluster.plan_id}/progress.xlsx?period={quote(cluster.period_label)}")
    if started.status != 202:
        raise CheckFailed(f"the export answered {started.status}: {started.text[:300]}")
    job = Checks(cluster).wait_job(http, started.json()["id"], timeout=1800)
    ready = time.perf_counter() - began
    if job["state"] != "done":
        raise CheckFailed(f"the export job ended {job}")
    return ready, job, len(http.get(job["download"]).body)


def bench(options: Options, out=print) -> int:
    options.env.update(EXPORT_JOB_MIN_TASKS=str(EXPORT_JOB_MIN_TASKS))
    try:
        cluster = Cluster(options, out=out).__enter__()
    except SetupError as exc:
        out(f"setup failed: {exc}")
        return 2
    try:
        results = {
            "haproxy → A + B": measure(cluster.ports["lb"], BENCH_SECONDS),
            "A alone": measure(cluster.ports["a"], BENCH_SECONDS),
        }
        out(f"\nmixed read load, {CLIENTS} clients without pause × {BENCH_SECONDS:.0f} s, "
            f"WEB_CONCURRENCY={options.web_concurrency} per instance")
        out(f"{'':28}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'4xx/5xx':>9}")
        for name, found in results.items():
            out(f"{name:28}{found['rate']:8.1f}{found['p50']:9.0f}{found['p99']:9.0f}{found['bad']:9d}")
        two, one = results.values()
        out(f"{'ratio (two / one)':28}{two['rate'] / one['rate']:8.2f}{two['p50'] / one['p50']:9.2f}"
            f"{two['p99'] / one['p99']:9.2f}")
        out(f"\nper path, p50 / p99 ms (requests): {'haproxy → A + B':>26} {'A alone':>26}")
        for path in READ_PATHS:
            cells = []
            for found in results.values():
                p50, p99, count = found["paths"].get(path, (float("nan"), float("nan"), 0))
                cells.append(f"{p50:7.0f} / {p99:7.0f} ({count:4d})")
            out(f"{path:36}{cells[0]:>26} {cells[1]:>26}")

        if not engine_present():
            out("\nworkbook job: skipped (no job engine in this tree)")
            return 0
        cluster.start_worker()
        http = Http(cluster.ports["lb"])
        http.token = Http(cluster.ports["lb"]).api_token(OFFICE, PASSWORD)
        alone, job, size = export_job(cluster, http)
        traffic = Traffic(cluster.ports["lb"], clients=CLIENTS, pause=0).start()
        time.sleep(2)
        traffic.mark("start")
        loaded, job, size = export_job(cluster, http)
        during = traffic.times_since("start")
        traffic.stop()
        out(f"\nworkbook job of the whole plan ({job['total']:,} tasks, {size / 1e6:.1f} MB), API request to done:")
        out(f"  with nothing else running: {alone:.1f} s")
        out(f"  under the read load above through haproxy: {loaded:.1f} s; that load's {len(during)} requests "
            f"meanwhile: p50 {ms(during, 0.5):.0f} ms, p99 {ms(during, 0.99):.0f} ms "
            f"(without the job: p50 {two['p50']:.0f} ms, p99 {two['p99']:.0f} ms)")
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
    signal.signal(signal.SIGTERM, _interrupted)  # a SIGTERM (a test's timeout) cleans up as Ctrl-C does
    try:
        out = functools.partial(print, flush=True)
        return bench(options, out) if args.bench else run_checks(options, out)
    except KeyboardInterrupt:
        return 130


def _interrupted(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
