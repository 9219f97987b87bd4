"""Paging of the public lists: small tables, pages of up to 100.

A `page` or `page_size` that is not a whole number in range is a 400 (DRF would quietly
use the default size, or answer 404 for `page=abc`), and the schema says their ranges.
"""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


def _whole_number(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() else None


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
    page_query_description = "The page, from 1 (the default). A page past the last is a 404."
    page_size_query_description = "Rows per page, 1 to 100 (default 50)."

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = _whole_number(raw)
        if size is None or not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"A whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def get_page_number(self, request, paginator) -> int | str:
        raw = request.query_params.get(self.page_query_param)
        if raw is None:
            return 1
        number = _whole_number(raw)
        if number is None or number < 1:
            raise ValidationError({self.page_query_param: ["A whole number from 1."]})
        return number

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        ranges = {
            self.page_query_param: {"minimum": 1},
            self.page_size_query_param: {"minimum": 1, "maximum": self.max_page_size},
        }
        for parameter in parameters:
            parameter["schema"].update(ranges.get(parameter["name"], {}))
        return parameters
