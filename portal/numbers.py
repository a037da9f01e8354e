"""Integers from outside (a URL, a query string, a form, a websocket frame), parsed in one place.

`str.isdigit()` is true for "²" (which `int()` then refuses) and for Arabic-Indic digits; and
a digit string of any length converts, then overflows the database's 64-bit integers (SQLite raises
OverflowError, PostgreSQL "out of range"): a 500 either way. So an integer from a request is
ASCII digits only (an optional leading minus where the minimum allows it), within bounds, or
None; the caller answers None with a 404 or a 422.

URL patterns use the `id` converter registered in `PortalConfig.ready()`: like Django's `int`,
but at most 18 digits, so an id too big for the database never matches and answers 404. (Django
6 refuses to re-register the built-in `int` name.)
"""

import re

MAX_ID = 2**63 - 1  # PostgreSQL bigint, SQLite INTEGER
MAX_PAGE = 100_000

_INTEGER = re.compile(r"-?[0-9]{1,19}")


def parse_int(value, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """`value` (a str, or an int already) as an int within [minimum, maximum], else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if minimum <= number <= maximum else None


def parse_id(value) -> int | None:
    """A primary key from outside: 1 to MAX_ID, else None."""
    return parse_int(value, minimum=1, maximum=MAX_ID)


class IdConverter:
    """`<id:pk>`: a primary key in a URL path; too many digits for the database never match."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)
