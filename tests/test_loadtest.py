"""benchmarks/loadtest.py, short: 8 clients for 5 seconds against gunicorn with 2 workers on a
scratch PostgreSQL database of its own (not pytest-django's test database: the server runs in
other processes and must see committed data). No 5xx, no lost update, conflicts refused with
412/409; and the verifier really finds a lost update when there is one. Nothing here looks
at timings. PostgreSQL only; about 30-40 s, most of it migrating and seeding the database."""
from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]

pytestmark = pytest.mark.skipif(
    not ON_POSTGRESQL,
    reason="starts gunicorn on a scratch PostgreSQL database; runs when the suite runs on PostgreSQL "
    "(DATABASE_URL=postgres://…, as .ci/run's second pass does)",
)

# More conflicts than the default mix, so five seconds surely have some of each kind.
WEIGHTS = {"read": 30, "edit": 20, "submit": 10, "review": 10, "race": 15, "stale": 15}


def _loadtest():
    package = ROOT / "benchmarks" / "load"
    spec = importlib.util.spec_from_file_location(
        "benchmarks_load", package / "__init__.py", submodule_search_locations=[str(package)],
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _server_url() -> str:
    """The PostgreSQL server of the test settings; its `postgres` database, as Django uses to
    create test databases."""
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "postgres", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/postgres"


@pytest.fixture(scope="module")
def run():
    loadtest = _loadtest()
    lines: list[str] = []
    with loadtest.prepared(
        _server_url(), workers=2, name=f"tracker_load_{os.getpid()}_test", units=2, hot=1, out=lines.append,
    ) as setup:
        baseline = loadtest.report_versions(setup.database_url)
        load = loadtest.run_clients(setup.world, setup.server.port, clients=8, duration=5, seed=7, progress=lines.append, weights=WEIGHTS)
        summary = loadtest.summarize(load)
        verification = loadtest.verify(setup.database_url, load.writes, baseline)
        yield SimpleNamespace(
            loadtest=loadtest, setup=setup, baseline=baseline, load=load, summary=summary, verification=verification, lines=lines,
        )


def _explain(run) -> str:
    out: list[str] = []
    run.loadtest.print_results(run.summary, run.verification, run.load, out=out.append, server=run.setup.server)
    return "\n".join(run.lines + out + ["--- server log ---", run.setup.server.log_tail(60)])


def test_short_load_run_has_no_server_error_and_no_lost_update(run):
    summary, verification = run.summary, run.verification
    assert summary.requests > 0
    assert summary.server_errors == 0, _explain(run)
    assert summary.connection_errors == 0, _explain(run)
    assert not summary.crashed and not run.load.unfinished, _explain(run)
    assert run.setup.server.log_findings()["tracebacks"] == 0, _explain(run)
    assert verification.acknowledged > 0, _explain(run)
    assert verification.lost_updates == 0, _explain(run)
    assert verification.ok and run.loadtest.passed(summary, verification, run.load), _explain(run)


def test_conflicting_writes_are_refused_with_412_or_409(run):
    writes = run.load.writes
    refused = [write for write in writes if write.refused_as_conflict]
    assert refused, _explain(run)
    assert not run.verification.accepted_conflicts and not run.verification.wrong_refusals, _explain(run)
    for write in writes:
        if write.deliberate_conflict:
            assert write.status == write.refusal, (write, _explain(run))
        elif write.purpose == "race":
            assert write.status in (200, write.refusal), (write, _explain(run))


def test_stale_version_gets_412_with_if_match_and_409_in_the_body(run):
    """The same rule without randomness: a write from version v wins once; v again is refused
    as 412 (If-Match) or 409 (body), whoever sends it, and the refused writes leave no trace."""
    loadtest, world = run.loadtest, run.setup.world
    http = loadtest.Http(run.setup.server.port)
    report = world.hot[0]
    before = loadtest.report_versions(run.setup.database_url)
    version = http.request("GET", f"/api/reports/{report}/", world.hot_official).etag
    path = f"/api/reports/{report}/"

    def write(purpose, via, status, fields, method="PATCH", target=path, token=world.hot_official):
        body = dict(fields if purpose.endswith("edit") else {})
        headers = {"If-Match": f'"{version}"'} if via == "If-Match" else {}
        if via == "body":
            body["version"] = version
        reply = http.request(method, target, token, body, headers)
        record = loadtest.Write(purpose, report, version, via, fields, status=reply.status, etag=reply.etag)
        assert reply.status == status, (purpose, via, reply.status, reply.data)
        return record

    writes = [
        write("edit", "If-Match", 200, {"progress": "负载测试 确定性写入 1", "percent": 40}),
        write("stale-edit", "If-Match", 412, {"progress": "负载测试 过期写入 2", "percent": 41}),
        write("stale-edit", "body", 409, {"progress": "负载测试 过期写入 3", "percent": 42}),
        write("stale-submit", "If-Match", 412, {"state": "submitted"}, "POST", f"{path}submit/", world.units[0].leader),
        write("stale-submit", "body", 409, {"state": "submitted"}, "POST", f"{path}submit/", world.units[0].leader),
    ]
    assert writes[0].etag == version + 1
    verification = loadtest.verify(run.setup.database_url, writes, before)
    assert verification.ok, verification
    assert verification.acknowledged == 1 and verification.lost_updates == 0


def _acknowledged_edit(run):
    return next(write for write in run.load.writes if write.acknowledged and "progress" in write.fields)


def test_verifier_finds_an_acknowledged_write_missing_from_the_database(run):
    loadtest = run.loadtest
    real = _acknowledged_edit(run)
    current = loadtest.report_versions(run.setup.database_url)[real.report]
    missing = loadtest.Write("edit", real.report, current + 5, "If-Match", {"progress": "从未写入的文字"}, status=200, etag=current + 6)
    verification = loadtest.verify(run.setup.database_url, [*run.load.writes, missing], run.baseline)
    assert not verification.ok
    assert verification.lost_updates >= 1
    assert any(f"report {real.report}: acknowledged edit of version {current + 6} is not in its history" in m for m in verification.lost)
    # ... and the current row is older than that acknowledged write
    assert any(f"report {real.report}: current version" in m for m in verification.lost)


def test_verifier_finds_an_overwritten_write(run):
    """An acknowledged write whose history row holds other text (someone wrote over the same
    version): a lost update."""
    loadtest = run.loadtest
    real = _acknowledged_edit(run)
    overwritten = dataclasses.replace(real, fields={**real.fields, "progress": real.fields["progress"] + "（被覆盖）"})
    writes = [write for write in run.load.writes if write is not real] + [overwritten]
    verification = loadtest.verify(run.setup.database_url, writes, run.baseline)
    assert any(f"report {real.report} version {real.version}:" in m for m in verification.lost), verification.lost


def test_verifier_finds_two_winners_and_a_refused_write_in_the_database(run):
    loadtest = run.loadtest
    real = _acknowledged_edit(run)
    second_winner = dataclasses.replace(real, fields={"progress": "另一个也得到了200"}, client=99)
    refused_but_written = dataclasses.replace(real, status=412)
    accepted_stale = dataclasses.replace(real, purpose="stale-edit", status=200)

    verification = loadtest.verify(run.setup.database_url, [*run.load.writes, second_winner], run.baseline)
    assert any(f"report {real.report}: 2 acknowledged writes from version {real.base}" in m for m in verification.duplicates)

    writes = [write for write in run.load.writes if write is not real] + [refused_but_written]
    verification = loadtest.verify(run.setup.database_url, writes, run.baseline)
    assert any("a refused write is in the database" in m and f"report {real.report} " in m for m in verification.unacknowledged)

    verification = loadtest.verify(run.setup.database_url, [*run.load.writes, accepted_stale], run.baseline)
    assert verification.accepted_conflicts and not verification.ok
