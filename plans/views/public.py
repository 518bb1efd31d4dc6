"""The public progress page of a published plan and its sheet: no login. An unknown or
unpublished plan is a plain 404, the same for both, so nothing tells whether it exists.
What is shown is read by plans.public, which loads only the fields declared public."""
from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_safe

from plans.exports.download import xlsx_response
from plans.exports.public_sheet import public_filename, public_workbook
from plans.public import CACHE_SECONDS, public_plan_data


def _data(pk: int):
    data = public_plan_data(pk)
    if data is None:
        raise Http404
    return data


def _cacheable(response):
    """Shared caches may keep a public page a few minutes; its language follows the cookie."""
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    patch_vary_headers(response, ("Cookie",))
    return response


@require_safe
def public_plan(request, pk):
    data = _data(pk)
    return _cacheable(render(request, "public/plan.html", {"data": data, "plan": data.plan}))


@require_safe
def public_sheet(request, pk):
    data = _data(pk)
    return _cacheable(xlsx_response(lambda out: public_workbook(out, data), public_filename(data)))
