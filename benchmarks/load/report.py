"""Figures of a load run: latency percentiles per kind, status codes, the printed table and the verdict."""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

from .clients import LoadResult
from .config import KINDS
from .cpu import CpuUse
from .server import Server
from .verify import Verification


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), int(-(-share * len(sorted_values) // 1))))
    return sorted_values[rank - 1]


@dataclass
class Summary:
    requests: int
    per_second: float
    latency: dict[str, dict[str, float]]  # kind (and "all") → n, p50, p95, p99, max (ms)
    statuses: Counter
    server_errors: int
    connection_errors: int
    acknowledged: Counter  # purpose → count
    refused: Counter  # purpose → count of 409/412
    unexpected: list[str]
    failures: list[str]
    crashed: list[str]


def summarize(load: LoadResult) -> Summary:
    samples = load.samples
    latency = {}
    for kind in (*KINDS, "all"):
        values = sorted(seconds for sample_kind, _status, seconds in samples if kind in ("all", sample_kind))
        latency[kind] = {
            "n": len(values),
            **{name: percentile(values, share) * 1000 for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))},
            "max": (values[-1] * 1000) if values else 0.0,
        }
    statuses = Counter(status for _kind, status, _seconds in samples)
    writes = load.writes
    return Summary(
        requests=len(samples),
        per_second=len(samples) / load.seconds if load.seconds else 0.0,
        latency=latency,
        statuses=statuses,
        server_errors=sum(count for status, count in statuses.items() if status >= 500),
        connection_errors=statuses.get(0, 0),
        acknowledged=Counter(write.purpose for write in writes if write.acknowledged),
        refused=Counter(write.purpose for write in writes if write.refused_as_conflict),
        unexpected=[message for client in load.clients for message in client.unexpected],
        failures=[message for client in load.clients for message in client.failures],
        crashed=[f"{client.name}: {client.crashed!r}" for client in load.clients if client.crashed],
    )


def passed(summary: Summary, verification: Verification, load: LoadResult) -> bool:
    return (
        verification.ok and not summary.server_errors and not summary.connection_errors and not summary.crashed
        and not load.unfinished
    )


def print_results(summary: Summary, verification: Verification, load: LoadResult, out=print,
                  server: Server | None = None, cpu: CpuUse | None = None) -> None:
    out("")
    out(f"Results ({load.seconds:.1f} s)")
    out(f"  {'kind':<10}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for kind in (*KINDS, "all"):
        row = summary.latency[kind]
        out(f"  {kind:<10}{row['n']:>10,d}{row['p50']:>10.1f}{row['p95']:>10.1f}{row['p99']:>10.1f}{row['max']:>10.1f}")
    out(f"  requests: {summary.requests:,d}, {summary.per_second:.1f} per second")
    codes = ", ".join(f"{status or 'no answer'}: {count:,d}" for status, count in sorted(summary.statuses.items()))
    out(f"  status codes: {codes}")
    out(f"  errors: 5xx {summary.server_errors}, connection errors {summary.connection_errors}, "
        f"clients crashed {len(summary.crashed)}, unfinished {load.unfinished}")
    if server is not None:
        findings = server.log_findings()
        out(f"  server log: {findings['tracebacks']} tracebacks, {findings['worker timeouts']} worker timeouts, "
            f"{max(0, findings['worker boots'] - server.workers)} worker restarts")
        inside = server.request_times()
        if inside:
            out(f"  time inside the workers (access log %(M)s): p50 {percentile(inside, 0.5):.0f} ms, "
                f"p95 {percentile(inside, 0.95):.0f} ms, p99 {percentile(inside, 0.99):.0f} ms "
                f"over {len(inside):,d} requests; "
                "the rest of a client's latency is waiting for a free worker")
    if cpu is not None:
        cores = os.cpu_count() or 1
        out(f"  CPU seconds during the load ({cores} cores × {cpu.seconds:.0f} s = {cores * cpu.seconds:.0f}, "
            f"busy {cpu.machine_busy:.0%}): gunicorn {cpu.server:.0f}, "
            f"PostgreSQL {cpu.database:.0f} (backends alive at the end), "
            f"clients {cpu.clients:.0f}, other processes on the machine {cpu.others:.0f}"
            + (f"; the VM's host took {cpu.stolen:.0%} of the cores" if cpu.stolen >= 0.01 else ""))
    ack = summary.acknowledged
    out(f"  acknowledged writes: {sum(ack.values()):,d} (" + ", ".join(f"{name} {ack[name]:,d}" for name in
        ("edit", "race", "submit", "return", "approve")) + ")")
    refused = summary.refused
    stale = [write for write in load.writes if write.deliberate_conflict]
    stale_header = sum(1 for write in stale if write.via == "If-Match" and write.status == 412)
    stale_body = sum(1 for write in stale if write.via == "body" and write.status == 409)
    race_total = sum(1 for write in load.writes if write.purpose == "race")
    out(f"  conflicts refused: {sum(refused.values()):,d} — races {refused['race']:,d} of {race_total:,d} "
        f"lost to another writer, stale writes {len(stale):,d} sent: {stale_header:,d} × 412 (If-Match), "
        f"{stale_body:,d} × 409 (body version); other writes overtaken between read and write "
        f"{sum(refused[p] for p in ('edit', 'submit', 'return', 'approve')):,d}")
    out(f"  unexpected 4xx: {len(summary.unexpected)}"
        + "".join(f"\n    {message}" for message in summary.unexpected[:10]))
    for message in (summary.failures + summary.crashed)[:10]:
        out(f"    {message}")
    out(f"Verification ({verification.reports:,d} reports written, {verification.history_rows:,d} history rows read)")
    out(f"  acknowledged writes found in the database: "
        f"{verification.acknowledged - len(verification.lost):,d} of {verification.acknowledged:,d}")
    out(f"  lost updates: {verification.lost_updates} (missing or different {len(verification.lost)}, "
        f"duplicate versions {len(verification.duplicates)}, "
        f"unacknowledged changes {len(verification.unacknowledged)})")
    out(f"  accepted conflicts: {len(verification.accepted_conflicts)}, stale writes refused with a wrong status: "
        f"{len(verification.wrong_refusals)}")
    out(f"  answers whose ETag was already past the write (re-read after commit): {verification.overtaken}")
    for message in (verification.lost + verification.duplicates + verification.unacknowledged
                    + verification.accepted_conflicts + verification.wrong_refusals)[:20]:
        out(f"    {message}")
    out("PASS" if passed(summary, verification, load) else "FAIL")

