"""The 403, 404 and CSRF-failure pages: in Chinese (English by the language cookie), in the
admin's look, each with a way back (the page before, the admin home, the login page).

tracker/urls.py names the views as handler404 and handler403, CSRF_FAILURE_VIEW names
csrf_failure. With DEBUG on Django shows its technical 404 page instead of handler404;
ErrorPageMiddleware puts ours there too, so `make run` shows what a deployment shows. The API
(/api/) answers its errors in JSON itself and is left alone; a 500 keeps Django's technical
page under DEBUG."""
from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token

API_PREFIX = "/api/"


def _back_url(request) -> str:
    """The page before (the Referer), when it is a page of this site other than this one."""
    referer = request.META.get("HTTP_REFERER", "")
    if not referer or referer == request.build_absolute_uri():
        return ""
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return ""
    return referer


def _render(request, template: str, status: int, title: str, message: str):
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    context = {
        "title": title,
        "message": message,
        "back_url": _back_url(request),
        "home_url": reverse("admin:index"),
        "login_url": "" if signed_in else reverse("admin:login"),
        "site_header": admin.site.site_header,
        "site_title": admin.site.site_title,
        "has_permission": admin.site.has_permission(request) if user is not None else False,
        "request_path": request.path,
    }
    return render(request, template, context, status=status)


@requires_csrf_token
def page_not_found(request, exception=None):
    return _render(request, "404.html", 404, _("页面不存在"),
                   _("您要打开的页面不存在，或已被删除、移动。"))


@requires_csrf_token
def permission_denied(request, exception=None):
    # The services' and the admin's reasons are written for the user (plans/permissions.py).
    reason = str(exception or "").strip()
    return _render(request, "403.html", 403, _("无权访问"),
                   reason or _("您的账号没有打开此页面的权限。"))


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token: most often a page left open too long, or
    cookies turned off. The technical reason is not shown (it helps nobody at the desk)."""
    return _render(request, "csrf_failure.html", 403, _("表单已失效"),
                   _("表单已过期或无法验证（安全校验未通过），内容未保存。请返回上一页，刷新后重新提交；"
                     "如仍不行，请确认浏览器允许本站的 Cookie。"))


class ErrorPageMiddleware:
    """With DEBUG on, our 404 page instead of Django's technical one, outside the API: for an
    Http404 raised by a view (process_exception) and for a URL no pattern matches (a 404
    answered before any view ran: no resolver_match). With DEBUG off handler404 does it.
    PermissionDenied reaches handler403 with DEBUG on or off; a 500 is left to Django."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and request.resolver_match is None
            and not request.path.startswith(API_PREFIX)
        ):
            return page_not_found(request)
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404) and not request.path.startswith(API_PREFIX):
            return page_not_found(request, exception)
        return None
