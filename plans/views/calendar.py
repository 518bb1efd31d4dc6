"""Calendar feeds (.ics)."""
from django.http import Http404


def calendar_feed(request, token):
    raise Http404
