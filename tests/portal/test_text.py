"""portal.text: the one rule for single-line text (headers, calendar lines) and email addresses."""

import pytest
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage

from portal.errors import Kind, ServiceError
from portal.text import (
    is_single_line,
    multi_line,
    one_line,
    require_email_address,
    require_multi_line,
    require_single_line,
    validate_email_address,
    validate_single_line,
)

# Every character Python's email package or icalendar breaks a line on, plus the controls,
# DEL, a C1 control, the separators and a lone surrogate.
UNSAFE = ["\r", "\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029",
          "\x00", "\x01", "\x1b", "\t", "\x7f", "\x9f", "\ud800"]  # fmt: skip


@pytest.mark.parametrize("char", UNSAFE)
def test_single_line_refuses_each_unsafe_character(char):
    value = f"Doors{char}open"
    with pytest.raises(ValidationError):
        validate_single_line(value)
    with pytest.raises(ServiceError) as refused:
        require_single_line(value, field="subject")
    assert (refused.value.kind, refused.value.field, refused.value.status) == (
        Kind.INVALID,
        "subject",
        422,
    )
    assert is_single_line(value) is False


@pytest.mark.parametrize("value", ["Doors open", "Café · 東京 \u2013 ok", "Ünïcødé “quotes” ½"])
def test_single_line_accepts_ordinary_text_and_every_accepted_value_builds_a_header(value):
    validate_single_line(value)
    assert require_single_line(f"  {value} ", field="subject") == value
    EmailMessage(subject=value, body="x", to=["a@example.com"]).message()


@pytest.mark.parametrize("char", UNSAFE)
def test_one_line_makes_any_stored_text_a_valid_header(char):
    subject = one_line(f"Doors{char}open{char}")
    assert subject == "Doors open"
    EmailMessage(subject=subject, body="x", to=["a@example.com"]).message()


def test_multi_line_keeps_line_breaks_and_tabs_only():
    assert multi_line("a\r\n  b\u2028c\x85d\x00e\tf") == "a\n  b\nc\nd e\tf"
    require_multi_line("line one\r\nline\ttwo\n", field="body")
    with pytest.raises(ServiceError) as refused:
        require_multi_line("bell\x07", field="body")
    assert refused.value.field == "body"


@pytest.mark.parametrize(
    "address",
    ["a\u2028b@example.com", "a@exa\u2028mple.com", "a@b\u2029.com", "a@ex\x85ample.com",
     "a@example.com\r\nBcc: x@example.com", "a\x00@example.com"],
)  # fmt: skip
def test_email_address_refuses_what_no_header_accepts(address):
    with pytest.raises(ValidationError):
        validate_email_address(address)
    with pytest.raises(ServiceError) as refused:
        require_email_address(address)
    assert (refused.value.kind, refused.value.field) == (Kind.INVALID, "email")


def test_email_address_accepts_and_normalises_an_ordinary_address():
    assert require_email_address("  Someone@Example.COM ") == "someone@example.com"
    EmailMessage(subject="s", body="x", to=["someone@example.com"]).message()
