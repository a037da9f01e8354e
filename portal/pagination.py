"""The API's one pagination: ninja's page numbers, with bounds (`portal.numbers`).

ninja's own `page` has no upper bound, and a page far past the end makes an OFFSET the database
cannot hold (a 500). Here a page or page size past MAX_PAGE answers 422 like any other invalid
parameter; a page past the last row answers an empty page; a page size over the route's
maximum is cut to it, as ninja does.
"""

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination

from .numbers import MAX_PAGE


class PagePagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE)
