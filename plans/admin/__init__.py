"""The admin, one module per concern: units, plans, the task tree (tasks and its sidebar
filters), reporting (periods, reports and their review), indicators, feeds, access (accounts
of units and offices) and logins (unlocking accounts)."""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from plans.admin import (  # noqa: F401  (registers the ModelAdmins)
    access,
    feeds,
    indicators,
    logins,
    plan_imports,
    plans,
    reporting,
    tasks,
    units,
)
from plans.admin import workflow  # noqa: F401  (签收, 延期申请, 办结申请)
from plans.admin import discussion  # noqa: F401  (任务留言与批示, 责任领导/联系人)
from plans.admin.site import customise

customise(admin.site)

admin.site.site_header = _("行动方案督办系统")
admin.site.site_title = _("行动方案督办系统")
admin.site.index_title = _("督办管理")
