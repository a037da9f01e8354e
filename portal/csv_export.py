"""CSV downloads: one rule for time zones, formula escaping and the file name.

Times are written in the event's zone (what every page shows), to the second; cells a
spreadsheet would run as a formula are prefixed with a quote (CSV injection); control characters
other than tab and line breaks (which the csv module quotes) become a space, line breaks become
LF; the file name is reduced to characters that are safe in a Content-Disposition header.
"""

import csv
import re
from collections.abc import Iterable
from datetime import datetime, tzinfo

from django.http import StreamingHttpResponse
from django.utils import timezone

from .text import multi_line

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value, *, tz: tzinfo) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value, tz).replace(microsecond=0).isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = multi_line(str(value))
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def safe_filename(name: str) -> str:
    """Letters, digits, dot, dash and underscore only: nothing that can end the header."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "export.csv"


class _Echo:
    def write(self, value):
        return value


def csv_response(
    *, filename: str, header: list[str], rows: Iterable[Iterable], tz: tzinfo
) -> StreamingHttpResponse:
    """A streamed CSV download (rows are written as they are read, so a big export stays
    small in memory)."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([csv_cell(value, tz=tz) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    return response
