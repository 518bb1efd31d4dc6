import datetime

import pytest

from plans.models import Role
from tests.factories import AssignmentFactory, DeadlineFactory, TaskFactory, UnitFactory


@pytest.fixture
def hebi_task(db):
    """A Hebi-style task: two responsible units (the first leads), a supporting unit, an
    implementing unit and a due date."""
    task = TaskFactory(path="三、(一)1.", title="大力推广实施清洁能源")
    lead = UnitFactory(name="鹤壁市发展和改革委员会", short_name="市发改委")
    AssignmentFactory(task=task, unit=lead, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=UnitFactory(name="鹤壁市环境保护局", short_name="市环保局"), role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=UnitFactory(name="鹤壁市财政局", short_name="市财政局"), role=Role.SUPPORTING)
    AssignmentFactory(task=task, unit=UnitFactory(name="淇滨区人民政府", short_name="淇滨区政府"), role=Role.IMPLEMENTING)
    DeadlineFactory(task=task, date=datetime.date(2016, 10, 31), text="10月底前")
    return task


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Accounts are made by the dozen in the permission matrix; PBKDF2 would take minutes."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_cache(settings):
    """The configured cache is shared by every process on the host (files or Redis), as the
    token throttle needs; test runs side by side would count each other's requests and clear
    each other's entries. Each test process gets a cache in its own memory instead
    (tests/api/test_token_throttle.py runs the configured one in child processes)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}


@pytest.fixture(autouse=True)
def site_language():
    """Each test starts in the site's language: a request in English (the language cookie, an
    API client's Accept-Language) leaves its language active in the thread after it."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Uploaded originals go to the test's own folder, not the project's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
