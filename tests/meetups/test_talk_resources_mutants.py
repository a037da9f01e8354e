"""What the mutation run of meetups/talk_resources.py found untested (docs/testing.md,
"Mutation testing"): the bounds of a PDF's size, the small file's refusal, the limits of a
start time, and the download name's trimming.

The checks are pure; the slides and link services (and so the pages and the API) call them
before anything is written. Each test names the break it guards; each was checked against the
mutant it was written for."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meetups.models import RESOURCE_FILE_NAME_MAX_LENGTH, RESOURCE_URL_MAX_LENGTH
from meetups.talk_resources import (
    PDF_MIN_BYTES,
    download_name,
    link_check,
    pdf_check,
    start_parse,
)
from portal.errors import Kind, ServiceError


def _pdf(size: int) -> SimpleUploadedFile:
    """A PDF-shaped file (header, padding, end marker) of exactly `size` bytes."""
    head, tail = b"%PDF-1.7\n", b"\n%%EOF\n"
    return SimpleUploadedFile("slides.pdf", head + b"%" * (size - len(head) - len(tail)) + tail)


def _refusal(call, *args) -> tuple:
    with pytest.raises(ServiceError) as refused:
        call(*args)
    error = refused.value
    return (error.kind, error.message, error.field)


def test_a_pdf_of_exactly_the_largest_size_is_accepted(settings):
    """Breaks: the size limit excluded (`>=` for `>`): slides of exactly the limit refused."""
    settings.TALK_SLIDES_MAX_BYTES = 4096

    assert pdf_check(_pdf(4096)) is None
    assert _refusal(pdf_check, _pdf(4097))[::2] == (Kind.INVALID, "file")


def test_a_pdf_of_exactly_the_smallest_size_is_accepted():
    """Breaks: the smallest size excluded (`<=` for `<`)."""
    assert pdf_check(_pdf(PDF_MIN_BYTES)) is None


def test_a_file_too_small_to_be_a_pdf_says_so_by_the_file_field():
    """Breaks: the message or the field of the refusal (the form puts it by the file)."""
    assert _refusal(pdf_check, _pdf(PDF_MIN_BYTES - 1)) == (
        Kind.INVALID,
        "The file is empty or too small to be a PDF.",
        "file",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1h30", "Write the start as seconds, mm:ss or hh:mm:ss."),
        ("1:60", "Minutes and seconds go up to 59."),
        ("1:60:00", "Minutes and seconds go up to 59."),
        ("24:00:01", "The start must be within the first 24 hours."),
    ],
)
def test_every_refusal_of_a_start_says_why(text, message):
    """Breaks: the message of a refusal (the form shows it by the start)."""
    assert _refusal(start_parse, text) == (Kind.INVALID, message, "start")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("1:59", 119), ("1:00:59", 3659), ("75:30", 4530), ("1:59:00", 7140)],
)
def test_fifty_nine_is_a_valid_second_and_minutes_alone_are_not_capped(text, seconds):
    """Breaks: 59 seconds refused (`>=` for `>`), or the minutes of mm:ss capped at 59 as if
    hours were given (`75:30` is an hour and a quarter into a recording)."""
    assert start_parse(text) == seconds


@pytest.mark.parametrize(
    ("uploaded", "downloaded"),
    [
        (".hidden slides.pdf", "hidden slides.pdf"),
        ("...", "slides.pdf"),
        ("Xmas talk X.pdf", "Xmas talk X.pdf"),
    ],
)
def test_the_download_name_trims_dots_and_spaces_only(uploaded, downloaded):
    """Breaks: leading dots kept (a hidden file once downloaded), or other characters (an `X`)
    trimmed with them."""
    assert download_name(uploaded) == downloaded


@pytest.mark.parametrize("cut_at", [".", " ", "X"])
def test_a_long_name_cut_to_the_limit_loses_a_trailing_dot_or_space_only(cut_at):
    """Breaks: the cut name's trailing dots or spaces kept (`name..pdf`), its start trimmed
    instead of its end, or another character (an `X`) trimmed with them."""
    keep = RESOURCE_FILE_NAME_MAX_LENGTH - 5  # the stem is cut to the limit less ".pdf"
    uploaded = "a" * keep + cut_at + "b" * 20 + ".pdf"

    expected = "a" * keep + ("X" if cut_at == "X" else "") + ".pdf"
    assert download_name(uploaded) == expected
    assert len(download_name(uploaded)) <= RESOURCE_FILE_NAME_MAX_LENGTH


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("   ", "Enter the link's address."),
        (
            "https://example.org/" + "x" * (RESOURCE_URL_MAX_LENGTH - 19),
            f"The address is longer than {RESOURCE_URL_MAX_LENGTH} characters.",
        ),
        ("ftp://example.org/slides", "Enter a full http:// or https:// address."),
    ],
)
def test_every_refusal_of_a_link_says_why_by_the_url_field(url, message):
    """Breaks: the message or the field of a refusal (the form and the API body put it by the
    address)."""
    assert _refusal(link_check, url) == (Kind.INVALID, message, "url")


def test_a_link_of_exactly_the_longest_length_is_kept():
    """Breaks: the length limit excluded (`>=` for `>`)."""
    url = "https://example.org/" + "x" * (RESOURCE_URL_MAX_LENGTH - 20)

    assert link_check(f"  {url} ") == url
    assert len(url) == RESOURCE_URL_MAX_LENGTH
