"""Pages of our own inside the admin: a unit's inbox (本期待办) and the office dashboard (督办看板)."""
from plans.views.dashboard import dashboard
from plans.views.inbox import inbox

__all__ = ["dashboard", "inbox"]
