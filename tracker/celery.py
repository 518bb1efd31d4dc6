"""The Celery application: `celery -A tracker worker` runs jobs, `celery -A tracker beat`
starts the scheduled ones (settings.JOB_SCHEDULE). Configured from the Django settings whose
names start with CELERY_ (tracker/settings.py, "jobs"); the jobs themselves are plans/jobs.py."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

app = Celery("tracker", include=["plans.jobs", "plans.import_jobs"])
app.config_from_object("django.conf:settings", namespace="CELERY")


@app.on_after_finalize.connect
def _schedule(sender, **kwargs):
    """Each scheduled job every `seconds` (JOB_SCHEDULE). Two beats started by mistake both
    send it; the run key (name and time slot) lets only one of them run (plans.jobs)."""
    from django.conf import settings

    for name, seconds in settings.JOB_SCHEDULE.items():
        sender.add_periodic_task(float(seconds), sender.signature("plans.jobs.run_scheduled", args=(name,)),
                                 name=f"scheduled {name}")
