"""`{% task_thread task %}`: a task's thread (留言, 批示) and its named people, with the form
to write when the reader may, for the task's admin page (plans.admin.discussion)."""
from django import template

from plans.admin.discussion import thread_context

register = template.Library()


@register.inclusion_tag("admin/plans/taskcomment/thread_body.html", takes_context=True)
def task_thread(context, task):
    request = context["request"]
    return {
        **thread_context(request, task), "back": "task", "request": request, "csrf_token": context.get("csrf_token"),
    }
