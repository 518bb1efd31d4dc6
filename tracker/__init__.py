"""The project's settings, URLs and entry points. The Celery application is loaded with Django
so that a job queued from a request uses the configured broker (or runs in-process)."""
from tracker.celery import app as celery_app

__all__ = ("celery_app",)
