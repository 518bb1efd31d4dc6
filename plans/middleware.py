from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.deprecation import MiddlewareMixin
from django.utils.html import format_html


class ChineseFirstMiddleware(MiddlewareMixin):
    """Serve the site in LANGUAGE_CODE (zh-hans) unless the user chose a language.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an official on
    an English-language browser would get English. Here the choice is the user's: the
    language switcher sets a cookie, which LocaleMiddleware reads; the browser header is
    ignored. Other systems are not browsers: the API (/api/) answers in the language their
    Accept-Language asks for (Chinese by default). Must come before LocaleMiddleware.
    """

    def process_request(self, request):
        if not request.path_info.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)


class DropMalformedSessionCookieMiddleware(MiddlewareMixin):
    """A session cookie with a NUL byte cannot be a session key and PostgreSQL refuses it in
    a lookup; treat it as no session instead of failing. Must come before SessionMiddleware."""

    def process_request(self, request):
        from django.conf import settings

        if "\x00" in request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""):
            del request.COOKIES[settings.SESSION_COOKIE_NAME]


class WriteCollisionMiddleware(MiddlewareMixin):
    """A write that met another one and gave up never shows as a 500; nothing was saved (its
    transaction rolled back) and trying again works:

    - SQLite's "database is locked" (another writer held the database for the whole busy
      timeout) → 503 with Retry-After;
    - a PostgreSQL deadlock or serialization failure that reached the view (the services
      retry one first: plans.services.conflicts) → 409.

    The API answers in its JSON shape (DRF views do it in plans.api.errors; this covers what
    reaches Django); an admin form posted is sent back to with an error message, as a
    refused save is; any other page gets a short page with the sentence."""

    def process_exception(self, request, exception):
        from plans.services.conflicts import (
            CONFLICT_MESSAGE, LOCKED_MESSAGE, RETRY_AFTER_SECONDS, WriteConflict, is_database_locked, is_lock_conflict,
        )

        if is_database_locked(exception):
            status, code, message = 503, "database_busy", str(LOCKED_MESSAGE)
        elif isinstance(exception, WriteConflict) or is_lock_conflict(exception):
            status, code, message = 409, "write_conflict", str(CONFLICT_MESSAGE)
        else:
            return None
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message, "code": code}, status=status)
        elif status == 409 and request.method == "POST" and request.path.startswith("/admin/"):
            messages.error(request, message)
            return HttpResponseRedirect(request.path)
        else:
            response = HttpResponse(
                format_html('<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>{}</title><p>{}</p>'
                            '<p><a href="{}">返回 (back)</a></p></html>', message, message, request.path),
                status=status, content_type="text/html; charset=utf-8",
            )
        if status == 503:
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response


class ContentSecurityPolicyMiddleware(MiddlewareMixin):
    """Send CONTENT_SECURITY_POLICY on every response that has none: scripts only from this
    site, so text an official typed can never run as script in another official's browser.
    Before everything but SecurityMiddleware and WhiteNoise (whose static files are no
    documents), so that error pages get it too."""

    def process_response(self, request, response):
        from django.conf import settings

        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response
