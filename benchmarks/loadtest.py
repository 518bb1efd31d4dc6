"""Load test of the REST API (not a test itself): gunicorn with several workers on a scratch
PostgreSQL database, many concurrent clients reading, editing, submitting, reviewing and
deliberately colliding on the same reports; afterwards every acknowledged write is looked up
in the database.

    .venv/bin/python benchmarks/loadtest.py [--clients 50] [--duration 60] [--workers 4]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--port 0] [--keep]
        [--units 8] [--hot 2] [--seed 1] [--mix read=55,edit=18,submit=7,review=6,race=9,stale=5]

Steps:
1. CREATE DATABASE tracker_load_<pid> on the server of --database-url; migrate it and load the
   seed data as `make run` does (migrate, loaddata of the two fixtures, demo_accounts,
   demo_periods: the same commands, run by one `manage.py shell` child process with
   DATABASE_URL set). The database is dropped at the end
   (also after a failure or Ctrl-C) unless --keep.
2. Start `python -m gunicorn tracker.wsgi` (with -c gunicorn.conf.py when the project has one;
   --workers and --bind given here win) with DEBUG=false, SECURE=false, a random SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1; wait until /healthz (or /api/schema/) answers; SIGTERM it at the
   end, SIGKILL after a bound.
3. Tokens for the demo accounts (POST /api/auth/token/): the open period with the most
   reports, its plan's office, an official (填报人) and a leader (单位负责人) of the units with
   the most reports in it.
4. N client threads for D seconds, each with its own connection (kept alive as long as the
   server allows; gunicorn's sync workers close it after every response), each picking its
   next operation by weight: list reads (tasks with and without unit/status filters, reports of
   the period by state, task and report details), edits (PATCH with the version read and a
   progress text unique to the write), submissions (leader), reviews (office: return, sometimes
   approve; a returned report is editable again), races (every client edits the same few "hot"
   reports from the version it read: one wins, the others must get 412/409) and known-stale
   writes (a version older than one already read: must get 412 with If-Match, 409 with a body
   `version`).
5. Verification in the database (psycopg): each acknowledged write is the history row
   (plans_historicalprogressreport) of version `sent version + 1` with exactly the values
   written; each report's current row is its acknowledged write of the highest version; no
   two acknowledged writes share a (report, version) and no history row is duplicated; no
   change appears that no acknowledged write explains (a refused write's text is nowhere);
   every stale write was refused with 412/409.

Prints the setup, a progress line every 10 s and a table of requests, requests/s, p50/p95/p99
latency per kind, status codes, errors and the verification. Exit status 1 on any 5xx,
connection error, lost update or accepted conflict; 2 when the setup fails; 130 on Ctrl-C."""
import sys

from load.cli import main

if __name__ == "__main__":
    sys.exit(main())
