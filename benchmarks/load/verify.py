"""The verifier: every acknowledged write looked up in the database; lost updates and accepted conflicts."""
from __future__ import annotations

import contextlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .clients import Write
from .database import pg_connect

ROW_FIELDS = ("version", "progress", "percent", "status", "state", "review_comment")


@dataclass
class Verification:
    acknowledged: int = 0
    reports: int = 0
    history_rows: int = 0
    lost: list[str] = field(default_factory=list)  # an acknowledged write missing or different in the database
    duplicates: list[str] = field(default_factory=list)  # two writes got one (report, version)
    unacknowledged: list[str] = field(default_factory=list)  # a change no acknowledged write explains
    accepted_conflicts: list[str] = field(default_factory=list)  # a stale write answered 2xx
    wrong_refusals: list[str] = field(default_factory=list)  # a stale write refused other than 409/412
    overtaken: int = 0  # 2xx whose ETag is past the write's own version (the answer re-reads after commit)

    @property
    def lost_updates(self) -> int:
        return len(self.lost) + len(self.duplicates) + len(self.unacknowledged)

    @property
    def ok(self) -> bool:
        return not (self.lost_updates or self.accepted_conflicts or self.wrong_refusals)


def report_versions(database_url: str) -> dict[int, int]:
    """report id → version, now (the baseline before the load)."""
    with contextlib.closing(pg_connect(database_url)) as conn:
        return dict(conn.execute("SELECT id, version FROM plans_progressreport").fetchall())


def verify(database_url: str, writes: list[Write], baseline: dict[int, int]) -> Verification:
    """Check the writes against the database (see benchmarks/loadtest.py's docstring, step 5)."""
    result = Verification()
    reports = sorted({write.report for write in writes})
    result.reports = len(reports)
    columns = ", ".join(("id",) + ROW_FIELDS)
    with contextlib.closing(pg_connect(database_url)) as conn:
        history_rows = conn.execute(
            f"SELECT {columns} FROM plans_historicalprogressreport WHERE id = ANY(%s) ORDER BY history_id", (reports,),
        ).fetchall()
        current_rows = conn.execute(
            f"SELECT {columns} FROM plans_progressreport WHERE id = ANY(%s)", (reports,),
        ).fetchall()
        tasks = [
            task for (task,) in conn.execute(
                "SELECT DISTINCT task_id FROM plans_progressreport WHERE id = ANY(%s)", (reports,),
            )
        ]
        task_duplicates = conn.execute(
            "SELECT id, version, count(*) FROM plans_historicaltask WHERE id = ANY(%s) "
            "GROUP BY id, version HAVING count(*) > 1",
            (tasks,),
        ).fetchall()
        refused_texts = [
            write.fields["progress"] for write in writes
            if "progress" in write.fields and write.status is not None and 400 <= write.status < 500
        ]
        refused_found = conn.execute(
            "SELECT id, version, progress FROM plans_historicalprogressreport WHERE progress = ANY(%s)",
            (refused_texts,),
        ).fetchall()
    result.history_rows = len(history_rows)
    history: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in history_rows:
        history[(row[0], row[1])].append(dict(zip(ROW_FIELDS, row[1:])))
    current = {row[0]: dict(zip(ROW_FIELDS, row[1:])) for row in current_rows}

    for (report, version), rows in sorted(history.items()):
        if len(rows) > 1:
            result.duplicates.append(f"report {report}: {len(rows)} history rows of version {version}")
    for task, version, count in task_duplicates:
        result.duplicates.append(f"task {task}: {count} history rows of version {version}")

    acknowledged = [write for write in writes if write.acknowledged]
    result.acknowledged = len(acknowledged)
    by_version: dict[tuple[int, int], list[Write]] = defaultdict(list)
    for write in acknowledged:
        by_version[(write.report, write.version)].append(write)
    for (report, version), same in sorted(by_version.items()):
        if len(same) > 1:
            result.duplicates.append(
                f"report {report}: {len(same)} acknowledged writes from version {version - 1} "
                f"({', '.join(f'{w.purpose} by client {w.client}' for w in same)})"
            )
    for write in acknowledged:
        if write.etag is not None and write.etag != write.version:
            result.overtaken += 1
        rows = history.get((write.report, write.version))
        if not rows:
            result.lost.append(
                f"report {write.report}: acknowledged {write.purpose} of version {write.version} is not in its history"
            )
            continue
        different = {
            name: (value, rows[0].get(name)) for name, value in write.fields.items() if rows[0].get(name) != value
        }
        if different:
            result.lost.append(
                f"report {write.report} version {write.version}: {write.purpose} wrote {different} (written, found)"
            )

    unknown = Counter(write.report for write in writes if write.outcome_unknown)
    top: dict[int, Write] = {}
    for write in acknowledged:
        if write.report not in top or write.version > top[write.report].version:
            top[write.report] = write
    for report, write in sorted(top.items()):
        row = current.get(report)
        if row is None:
            result.lost.append(f"report {report}: no longer in the database")
        elif row["version"] < write.version:
            result.lost.append(
                f"report {report}: current version {row['version']} is older than acknowledged {write.version}"
            )
        elif row["version"] == write.version:
            snapshot = (history.get((report, write.version)) or [None])[0]
            if snapshot is not None and snapshot != row:
                result.lost.append(
                    f"report {report}: current row differs from its history row of version {write.version}"
                )
            different = {name: (value, row.get(name)) for name, value in write.fields.items() if row.get(name) != value}
            if different:
                result.lost.append(f"report {report}: current row is not the last acknowledged write {different}")
        elif not unknown[report]:
            result.unacknowledged.append(
                f"report {report}: current version {row['version']} is past the last acknowledged write "
                f"({write.version})"
            )
    for report in reports:
        if (
            report not in top and current.get(report, {}).get("version", 0) > baseline.get(report, 0)
            and not unknown[report]
        ):
            result.unacknowledged.append(
                f"report {report}: changed to version {current[report]['version']} by no acknowledged write"
            )
    explained = set(by_version)
    extra = Counter(
        report for (report, version) in history
        if version > baseline.get(report, 0) and (report, version) not in explained
    )
    for report, count in sorted(extra.items()):
        if count > unknown[report]:
            result.unacknowledged.append(
                f"report {report}: {count - unknown[report]} history rows no acknowledged write explains"
            )
    for report, version, text in refused_found:
        result.unacknowledged.append(
            f"report {report} version {version}: a refused write is in the database ({text[-40:]})"
        )

    for write in writes:
        if not write.deliberate_conflict or write.status is None:
            continue
        if write.acknowledged:
            result.accepted_conflicts.append(
                f"report {write.report}: {write.purpose} from stale version {write.base} got {write.status}"
            )
        elif write.status < 500 and write.status != write.refusal:
            result.wrong_refusals.append(
                f"report {write.report}: {write.purpose} with stale {write.via} version got {write.status}, "
                f"not {write.refusal}"
            )
    return result

