"""The token endpoint's throttle counts across worker processes (a cache they share: Redis
when REDIS_URL is set, else files on this host) and reads the client's address only through
the configured number of proxies, so a forged X-Forwarded-For does not give a fresh count."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import RequestFactory

from plans.client_address import client_address
from tests.api.fuzz_conftest import build_api_world

RATE = int(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"].split("/")[0])

# One worker process: its cache comes from the settings alone (the environment below), not
# from the tests' private cache. It asks the token throttle `count` times as one client and
# prints how many were allowed.
WORKER = """
import json, sys
import django
django.setup()
from django.test import RequestFactory
from plans.api.auth import TokenThrottle
from rest_framework.request import Request
from django.core.cache import caches
count = int(sys.argv[1])
allowed = 0
for _ in range(count):
    request = Request(RequestFactory().post("/api/auth/token/", REMOTE_ADDR="203.0.113.7"))
    allowed += TokenThrottle().allow_request(request, None)
print(json.dumps({"allowed": allowed, "backend": type(caches["default"]).__module__}))
"""


def run_worker(count: int, **env) -> dict:
    environment = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CACHE_DIR"}}
    environment.update(env, DJANGO_SETTINGS_MODULE="tracker.settings")
    result = subprocess.run(
        [sys.executable, "-c", WORKER, str(count)], cwd=settings.BASE_DIR, env=environment,
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
        return True
    except OSError:
        return False


def test_two_processes_share_the_count_through_the_file_cache(tmp_path):
    first = run_worker(RATE - 5, CACHE_DIR=str(tmp_path / "cache"))
    second = run_worker(10, CACHE_DIR=str(tmp_path / "cache"))
    assert first["allowed"] == RATE - 5
    assert second["allowed"] == 5  # the second process goes on from the first one's count


@pytest.mark.skipif(not redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_two_processes_share_the_count_through_redis():
    # database 15 and a prefix of its own: nothing else on this Redis is touched or counted
    env = {"REDIS_URL": "redis://127.0.0.1:6379/15", "CACHE_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    first = run_worker(RATE - 5, **env)
    second = run_worker(10, **env)
    assert "redis" in first["backend"]
    assert (first["allowed"], second["allowed"]) == (RATE - 5, 5)


def test_settings_pick_redis_when_redis_url_is_set():
    script = "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    environment.pop("CACHE_DIR", None)
    with_redis = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env={**environment, "REDIS_URL": "redis://127.0.0.1:6379/15"},
        capture_output=True, text=True, timeout=120,
    )
    environment.pop("REDIS_URL", None)
    without = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120)
    assert with_redis.stdout.strip() == "django.core.cache.backends.redis.RedisCache", with_redis.stderr
    assert without.stdout.strip() == "django.core.cache.backends.filebased.FileBasedCache", without.stderr


def test_bad_redis_url_stops_start_up_naming_the_variable():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings", "REDIS_URL": "http://cache:6379"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "REDIS_URL" in result.stderr


# --- the client's address -------------------------------------------------------------------
@pytest.fixture
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_forged_forwarded_for_does_not_reset_the_count(db, fresh_throttle, settings):
    settings.AXES_ENABLED = False  # the throttle alone (the login limits lock this account sooner)
    world = build_api_world()
    client = world.client()
    statuses = [
        client.post(
            "/api/auth/token/", {"username": "official_a", "password": "wrong"}, format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}",
        ).status_code
        for attempt in range(RATE + 1)
    ]
    assert statuses[:RATE] == [400] * RATE
    assert statuses[RATE] == 429
    assert response_code(client) == "throttled"


def response_code(client) -> str:
    return client.post("/api/auth/token/", {"username": "official_a", "password": "wrong"}, format="json").json()["code"]


def test_client_address_ignores_forwarded_for_without_proxies(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 0}
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.9")
    assert client_address(request) == "192.0.2.1"


def test_client_address_behind_one_proxy_is_the_address_it_saw(settings):
    """The proxy appends the address it saw; what the client sent before it is not believed."""
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9, 192.0.2.1")
    assert client_address(request) == "192.0.2.1"
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"


def test_num_proxies_comes_from_the_environment():
    script = "import django; django.setup(); from django.conf import settings; print(settings.REST_FRAMEWORK['NUM_PROXIES'])"
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings"}
    environment.pop("NUM_PROXIES", None)
    default = subprocess.run([sys.executable, "-c", script], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=120)
    one = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env={**environment, "NUM_PROXIES": "1"}, capture_output=True, text=True, timeout=120,
    )
    bad = subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env={**environment, "NUM_PROXIES": "many"}, capture_output=True, text=True, timeout=120,
    )
    assert (default.stdout.strip(), one.stdout.strip()) == ("0", "1"), (default.stderr, one.stderr)
    assert bad.returncode != 0 and "NUM_PROXIES" in bad.stderr
