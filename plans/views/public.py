"""The public progress page."""
from django.http import Http404


def public_plan(request, pk):
    raise Http404


def public_sheet(request, pk):
    raise Http404
