from django.utils.deprecation import MiddlewareMixin


class ChineseFirstMiddleware(MiddlewareMixin):
    """Serve the site in LANGUAGE_CODE (zh-hans) unless the user chose a language.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so an official on
    an English-language browser would get English. Here the choice is the user's: the
    language switcher sets a cookie, which LocaleMiddleware reads; the browser header is
    ignored. Must come before LocaleMiddleware.
    """

    def process_request(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)


class DropMalformedSessionCookieMiddleware(MiddlewareMixin):
    """A session cookie with a NUL byte cannot be a session key and PostgreSQL refuses it in
    a lookup; treat it as no session instead of failing. Must come before SessionMiddleware."""

    def process_request(self, request):
        from django.conf import settings

        if "\x00" in request.COOKIES.get(settings.SESSION_COOKIE_NAME, ""):
            del request.COOKIES[settings.SESSION_COOKIE_NAME]
