"""Pages of our own inside the admin: a unit's inbox (本期待办), the office dashboard
(督办看板) and the progress sheets (进展情况表) out and back in."""
from plans.views.dashboard import dashboard
from plans.views.inbox import inbox
from plans.views.profile import profile
from plans.views.sheets import progress_sheet, sheet_import, sheet_upload

__all__ = ["dashboard", "inbox", "profile", "progress_sheet", "sheet_import", "sheet_upload"]
