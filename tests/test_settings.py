"""Settings come from the environment, are validated, and are deploy-safe with DEBUG off."""
import os
import subprocess
import sys

import pytest
from django.conf import settings


def manage(*args, **env):
    environment = {key: value for key, value in os.environ.items() if key not in {"DEBUG", "SECURE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=environment,
        capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_reports_nothing_with_debug_off():
    result = manage("check", "--deploy", DEBUG="false", SECRET_KEY="x" * 20 + "-a-long-random-production-secret-0123456789")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_invalid_debug_value_stops_start_up_naming_the_variable():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


def test_debug_off_without_secret_key_stops_start_up():
    result = manage("check", DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize("secure", ["false", "true"])
def test_debug_off_without_secret_key_stops_start_up_whatever_secure_says(secure):
    """Plain http without a proxy (SECURE off) must not fall back to the repository's key."""
    result = manage("check", DEBUG="false", SECURE=secure, SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_off_refuses_the_repositorys_own_key():
    from tracker.settings import _INSECURE_KEY

    result = manage("check", DEBUG="false", SECURE="false", SECRET_KEY=_INSECURE_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_malformed_database_url_stops_start_up():
    result = manage("check", DEBUG="true", DATABASE_URL="nonsense://")
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_defaults_are_chinese_and_shanghai_time():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"


def test_dotenv_reads_values_and_names_a_bad_line(tmp_path):
    """The .env reader shared by the settings and gunicorn.conf.py."""
    from tracker.dotenv import read_dotenv

    env = tmp_path / ".env"
    assert read_dotenv(env) == {}
    env.write_text("# local\nSECRET_KEY='abc=def'\n\nDEBUG = true\n", encoding="utf-8")
    assert read_dotenv(env) == {"SECRET_KEY": "abc=def", "DEBUG": "true"}
    env.write_text("DEBUG=true\nBROKEN LINE\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\.env:2: expected KEY=VALUE, got 'BROKEN LINE'"):
        read_dotenv(env)


# --- jobs, schedules and the shared cache -------------------------------------------------------
def _shell(code: str, **env):
    result = manage("shell", "--no-imports", "-c", code, DEBUG="true", **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_a_broker_jobs_run_in_process_and_with_one_they_are_queued():
    eager = _shell("from django.conf import settings as s; print(s.CELERY_TASK_ALWAYS_EAGER)", CELERY_BROKER_URL="")
    assert eager == "True"
    queued = _shell(
        "from tracker.celery import app; print(app.conf.task_always_eager, app.conf.broker_url,"
        " app.conf.result_backend, app.conf.task_acks_late)",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/5",
    )
    assert queued == "False redis://127.0.0.1:6379/5 redis://127.0.0.1:6379/5 True"


def test_a_broker_url_that_is_not_one_stops_start_up():
    result = manage("check", DEBUG="true", CELERY_BROKER_URL="http://queue.example")
    assert result.returncode != 0 and "CELERY_BROKER_URL must be a redis:// or amqp:// URL" in result.stderr


@pytest.mark.parametrize("schedule", ["reminders=soon", "backup=60", "cleanup=0"])
def test_a_schedule_that_is_not_one_stops_start_up(schedule):
    result = manage("check", DEBUG="true", JOB_SCHEDULE=schedule)
    assert result.returncode != 0 and "JOB_SCHEDULE must list name=seconds" in result.stderr


def test_beat_sends_each_scheduled_job_at_its_interval():
    found = _shell(
        "from tracker.celery import app; app.finalize();"
        " print(sorted((e['args'][0], e['schedule']) for e in app.conf.beat_schedule.values()))",
        JOB_SCHEDULE="reminders=600,cleanup=86400",
    )
    assert found == "[('cleanup', 86400.0), ('reminders', 600.0)]"


def test_sessions_are_read_through_the_shared_cache_when_there_is_one():
    engine = "from django.conf import settings as s; print(s.SESSION_ENGINE, s.CACHES['default']['BACKEND'])"
    assert _shell(engine, REDIS_URL="redis://127.0.0.1:6379/3") == (
        "django.contrib.sessions.backends.cached_db django.core.cache.backends.redis.RedisCache"
    )
    assert _shell(engine, REDIS_URL="").startswith("django.contrib.sessions.backends.db ")
