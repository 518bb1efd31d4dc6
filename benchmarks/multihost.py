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
import importlib.util
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
        started = http.get(f"/api/plans/{cluster.plan_id}/progress.xlsx?period={quote(cluster.period_label)}")
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
