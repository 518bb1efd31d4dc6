"""Limits on failed logins (django-axes, for the admin's login form and the API's token).

Two limits, counted in the database over the last AXES_COOLOFF_TIME:
- ACCOUNT_LIMIT failures for one account from one address lock that account there;
- ADDRESS_LIMIT failures from one address, whatever the accounts, lock the address: a
  password tried against many accounts. It is higher because an office's officials often
  share one address (a building behind one NAT).
A correct password before the limit starts the account's count again. The office unlocks
earlier in the admin (登录尝试: delete the record) or with `manage.py axes_reset_username NAME`.
"""
from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 20

# AXES_LOCKOUT_PARAMETERS, in the order get_failures reads them
LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]


class LoginLimitHandler(AxesDatabaseHandler):
    """Axes compares one number with one limit (AXES_FAILURE_LIMIT = ADDRESS_LIMIT); an
    account's failures from one address are scaled to that limit, so the account is locked
    after ACCOUNT_LIMIT of them."""

    def get_failures(self, request, credentials=None) -> int:
        by_address, by_account = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        return max(by_address, -(-by_account * ADDRESS_LIMIT // ACCOUNT_LIMIT))

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a correct password, forget only that account's failures at that address. Axes
        would delete every group, the whole address's too: an insider could then guess a
        colleague's password between logins of their own without ever being locked."""
        _by_address, by_account = self.filter_user_attempts(request, credentials)
        count, _ = by_account.delete()
        return count


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return (
        f"登录失败次数过多，已暂时锁定：请 {minutes} 分钟后再试，或请方案办公室的系统管理员解锁"
        f" (Too many failed logins: locked for {minutes} minutes;"
        " try again later or ask the office's administrator to unlock it)"
    )


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the admin's login page answers 429 with the sentence."""
    return render(request, "axes/lockout.html", {"message": lockout_message()}, status=429)
