"""The admin, one module per concern: structure (units, plans, the task tree), reporting
(periods, reports and their review) and access (accounts of units and offices)."""
from plans.admin import access, indicators, reporting, structure  # noqa: F401  (registers the ModelAdmins)
from plans.admin import feeds  # noqa: F401  (calendar feeds, 日历订阅)
from plans.admin import logins  # noqa: F401  (登录尝试: unlocking accounts)
from plans.admin.structure import TaskTargetFormSet  # noqa: F401
