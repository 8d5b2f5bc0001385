"""Limit/offset pagination whose numbers are bounded in the schema too (tests/test_input_bounds:
every number a client sends has a minimum and a maximum). Imports no app."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

MAX_OFFSET = 10**9  # past every stored row; larger numbers overflow the database's OFFSET


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 500
    max_offset = MAX_OFFSET

    def get_offset(self, request: Request) -> int:
        return min(super().get_offset(request), self.max_offset)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        ranges = {"limit": (1, self.max_limit), "offset": (0, self.max_offset)}
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            low, high = ranges[parameter["name"]]
            parameter["schema"].update(minimum=low, maximum=high)
        return parameters
