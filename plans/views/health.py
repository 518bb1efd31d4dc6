"""/healthz for load balancers and monitoring: 200 when this process can query its database
and the schema is up to date, and reach the cache and the job queue's broker (when one is
configured), 503 otherwise. Public (no login, no session), never cached,
and its answer names no host, user or password: the details go to the server log."""
import functools
import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

logger = logging.getLogger(__name__)


@functools.cache
def _migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Every migration this code expects applied (squashed ones as the squash). Read once per
    process: the files only change with a deployment, which restarts the workers."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def _database_problem() -> str | None:
    """Why this process cannot serve requests from its database, or None. Two cheap queries:
    SELECT 1, then the applied migrations (new code on an old schema fails on first use)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        applied = MigrationRecorder(connection).applied_migrations()
    except Exception as exc:  # any failure means "not healthy", answered as JSON, never a 500
        logger.error("health check: the database query failed", exc_info=True)
        return f"cannot query the database ({type(exc).__name__}); details in the server log"
    missing = sorted(_migrations_on_disk() - set(applied))
    if missing:
        names = ", ".join(f"{app}.{name}" for app, name in missing[:3]) + (", ..." if len(missing) > 3 else "")
        logger.error("health check: %d migrations not applied: %s", len(missing), missing)
        count = f"{len(missing)} migration" + ("s" if len(missing) > 1 else "")
        return f"{count} not applied ({names}); run manage.py migrate"
    return None


def _cache_problem() -> str | None:
    """The shared cache (Redis) answers a write and a read of a key of its own."""
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        found = cache.get(key)
        cache.delete(key)
    except Exception as exc:
        logger.error("health check: the cache failed", exc_info=True)
        return f"cannot use the cache ({type(exc).__name__}); details in the server log"
    return None if found == "1" else "the cache did not keep a value"


def _broker_problem() -> str | None:
    """The job queue's broker accepts a connection (skipped with no broker: jobs run in-process)."""
    if not settings.CELERY_BROKER_URL:
        return None
    from tracker.celery import app

    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        logger.error("health check: the broker is unreachable", exc_info=True)
        return f"cannot reach the job queue's broker ({type(exc).__name__}); details in the server log"
    return None


@csrf_exempt  # so a POST is answered 405 by the method check, not 403 by the CSRF check
@never_cache  # Cache-Control: no-store, so no proxy answers for a worker that is down
@require_http_methods(["GET", "HEAD"])
def healthz(request):
    checks = {
        "database": _database_problem(),
        "cache": _cache_problem(),
        "broker": _broker_problem() if settings.CELERY_BROKER_URL else None,
    }
    answer = {name: problem or ("ok" if name != "broker" or settings.CELERY_BROKER_URL else "none (in-process)")
              for name, problem in checks.items()}
    healthy = not any(checks.values())
    response = JsonResponse({"status": "ok" if healthy else "error", **answer}, status=200 if healthy else 503)
    if request.method == "HEAD":
        response.content = b""  # gunicorn would drop a HEAD body itself, logging a warning per probe
    return response
