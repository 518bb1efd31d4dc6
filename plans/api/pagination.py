"""Page-number pagination for every list. Tasks and reports grow with the province (50,000
tasks, a million reports after five years), so their lists count at most COUNT_CAP rows: the
total is exact up to the cap (`count_exact: true`), else `count` is the cap and `count_exact`
is false, like a search engine's "10,000+". Pages past the cap still work: the next link comes
from reading one row more than the page. A page then costs the same at any size."""
from __future__ import annotations

from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger
from django.core.paginator import Paginator as DjangoPaginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 10_000


def _positive_integer(request, name: str) -> int | None:
    """The query parameter as a positive integer, None when absent or empty; anything else
    (`true`, `-1`, `1.5`) is a 400 naming it, where DRF would quietly use the default."""
    raw = request.query_params.get(name, "")
    if raw == "":
        return None
    if not raw.isascii() or not raw.strip().isdigit() or int(raw) < 1:
        raise ValidationError({name: [_("请填写正整数 (a positive whole number)")]})
    return int(raw)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        """page_size from 1 up; above max_page_size it is capped to it."""
        size = _positive_integer(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        _positive_integer(request, self.page_query_param)  # a page past the end stays a 404
        return super().paginate_queryset(queryset, request, view)


class CappedPage(Page):
    def __init__(self, object_list, number, paginator, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self):
        return self.more


class CappedCountPaginator(DjangoPaginator):
    cap = COUNT_CAP

    @cached_property
    def _bounded_count(self) -> int:
        """Counts at most cap + 1 rows: SELECT COUNT(*) FROM (… LIMIT cap + 1)."""
        return self.object_list.order_by().values("pk")[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._bounded_count, self.cap)

    @property
    def count_exact(self) -> bool:
        return self._bounded_count <= self.cap

    def validate_number(self, number):
        if self.count_exact:
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        if self.count_exact:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)


class CappedCountPagination(Pagination):
    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data):
        return Response({
            "count": self.page.paginator.count,
            "count_exact": self.page.paginator.count_exact,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = f"总数；超过 {COUNT_CAP} 时为 {COUNT_CAP}（见 count_exact）。"
        response["properties"]["count_exact"] = {
            "type": "boolean", "description": f"count 是否为确切总数（总数不超过 {COUNT_CAP} 时为 true）。",
        }
        response["required"] = [*response.get("required", []), "count_exact"]
        return response
