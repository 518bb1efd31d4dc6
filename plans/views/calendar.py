"""Calendar feeds (.ics): a unit's or a plan's task deadlines and report due dates, for
calendar applications to subscribe to (see plans/feeds.py). No login: the secret token in the
URL is the key, and an unknown or revoked token is a plain 404 that does not say which."""
from __future__ import annotations

import hashlib
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from plans import services
from plans.feeds import active_feed, feed_ical, file_names
from plans.models import CalendarFeed

CONTENT_TYPE = "text/calendar; charset=utf-8"
CACHE_CONTROL = "private, max-age=300"


def _not_found() -> HttpResponse:
    """The same answer for an unknown and a revoked token (fixed text: no language to pick)."""
    return HttpResponseNotFound(
        "日历订阅不存在或已撤销 (no such calendar feed)\n", content_type="text/plain; charset=utf-8",
    )


def body_etag(body: bytes) -> str:
    """A weak ETag of the calendar: its DTSTAMP lines (the moment it was made) left out, so
    that the same events give the same tag on every fetch."""
    lines = (line for line in body.split(b"\r\n") if not line.startswith(b"DTSTAMP"))
    return 'W/"%s"' % hashlib.sha256(b"\r\n".join(lines)).hexdigest()[:40]


def content_disposition(feed: CalendarFeed) -> str:
    ascii_name, full_name = file_names(feed)
    return f"inline; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(full_name, safe='')}"


@require_safe
def calendar_feed(request, token):
    feed = active_feed(token)
    if feed is None:
        return _not_found()
    services.feed_fetch_record(feed=feed)
    with translation.override(settings.LANGUAGE_CODE):  # the same text for every client
        body = feed_ical(feed, request)
    etag = body_etag(body)
    response = HttpResponse(b"" if request.method == "HEAD" else body, content_type=CONTENT_TYPE)
    response["Content-Length"] = str(len(body))
    response["Content-Disposition"] = content_disposition(feed)
    response["Cache-Control"] = CACHE_CONTROL
    response["ETag"] = etag
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return get_conditional_response(request, etag=etag, response=response)
