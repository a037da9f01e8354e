"""User text that leaves the page for another format: one rule for what may sit on one line.

A title, a subject, a name or an email address ends up in an email header, a calendar line, a
CSV cell, a file name. Python's email package refuses a header containing anything
`str.splitlines()` breaks on (CR, LF, VT, FF, FS, GS, RS, U+0085, U+2028, U+2029), icalendar
asserts on a raw line break, PostgreSQL refuses NUL and UTF-8 cannot encode a lone surrogate. So
single-line text is refused at input when it holds any control character (Unicode category Cc:
C0, DEL and C1, tab and line breaks included), a line or paragraph separator (Zl, Zp) or a
surrogate (Cs): `validate_single_line` for forms and models, `require_single_line` for services
(a ServiceError INVALID naming the field, so pages and the API answer 422). Rows saved before
this rule are made safe on the way out with `one_line`, so building an email or a calendar can
not fail on them either.

Multi-line text (descriptions, message bodies) may hold line breaks and tabs, nothing else of
the above: `validate_multi_line` / `require_multi_line`.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from .errors import invalid

_UNSAFE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_MULTI_LINE_ALLOWED = frozenset("\t\n\r")

SINGLE_LINE_MESSAGE = "Keep this on one line, without control characters."
MULTI_LINE_MESSAGE = "Remove the control characters from this text."
EMAIL_MESSAGE = "Enter a valid email address."


def unsafe_character(value: str, *, multi_line: bool = False) -> str | None:
    """The first character of `value` that may not appear in it, or None."""
    for char in value:
        if unicodedata.category(char) in _UNSAFE_CATEGORIES:
            if multi_line and char in _MULTI_LINE_ALLOWED:
                continue
            return char
    return None


def is_single_line(value: str) -> bool:
    return unsafe_character(value) is None


def validate_single_line(value: str) -> None:
    """Django validator (forms, model fields): refuses line breaks and control characters."""
    if unsafe_character(value) is not None:
        raise ValidationError(SINGLE_LINE_MESSAGE, code="single_line")


def validate_multi_line(value: str) -> None:
    """Django validator for longer text: line breaks and tabs pass, other controls do not."""
    if unsafe_character(value, multi_line=True) is not None:
        raise ValidationError(MULTI_LINE_MESSAGE, code="control_characters")


def validate_email_address(value: str) -> None:
    """Django's email check, plus what it lets through and no email header accepts (a line
    separator in the domain, say)."""
    if unsafe_character(value) is not None:
        raise ValidationError(EMAIL_MESSAGE, code="invalid")
    validate_email(value)


def require_single_line(value: str, *, field: str, message: str = SINGLE_LINE_MESSAGE) -> str:
    """`value` stripped, or a 422 refusal naming `field` if it is not single-line text."""
    if unsafe_character(value) is not None:
        raise invalid(message, field=field)
    return value.strip()


def require_multi_line(value: str, *, field: str) -> str:
    if unsafe_character(value, multi_line=True) is not None:
        raise invalid(MULTI_LINE_MESSAGE, field=field)
    return value


def require_email_address(value: str, *, field: str = "email") -> str:
    """`value` stripped and lower-cased, or a 422 refusal naming `field`."""
    value = value.strip()
    try:
        validate_email_address(value)
    except ValidationError:
        raise invalid(EMAIL_MESSAGE, field=field) from None
    return value.lower()


_UNSAFE_RUN = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")


def one_line(value: str) -> str:
    """For output (a header, a calendar line): every run of unsafe characters becomes one
    space. Input is refused instead; this keeps rows saved before the rule from breaking."""
    return _UNSAFE_RUN.sub(" ", value).strip()


_UNSAFE_IN_LINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]+")


def multi_line(value: str) -> str:
    """For output: every kind of line break becomes LF, other unsafe characters a space;
    indentation and tabs stay."""
    return "\n".join(_UNSAFE_IN_LINE.sub(" ", line) for line in value.splitlines())
