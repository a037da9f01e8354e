"""What a talk's slides and links may be: PDF checks by content, links, start times, file names.

Pure checks, raising the one refusal (`portal.errors.invalid`, with the form field it is
about); the services in meetups/services.py call them before anything is written.
"""

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator

from portal.errors import invalid
from portal.limits import human_size

from .models import (
    RECORDING_START_MAX_SECONDS,
    RESOURCE_FILE_NAME_MAX_LENGTH,
    RESOURCE_URL_MAX_LENGTH,
)

# A PDF starts with its header (`%PDF-1.7`, `%PDF-2.0`) and ends with `%%EOF`, perhaps
# followed by a few bytes of whitespace or junk some writers append: look in the last KiB.
PDF_HEADER = re.compile(rb"%PDF-[12]\.[0-9]")
PDF_TRAILER = b"%%EOF"
PDF_TAIL_BYTES = 1024
PDF_MIN_BYTES = 64  # smaller than any page a PDF writer produces
START_PATTERN = re.compile(r"(?:(?:([0-9]{1,2}):)?([0-9]{1,2}):)?([0-9]{1,5})", re.ASCII)
_url_validator = URLValidator(schemes=["http", "https"])


def slides_max_bytes() -> int:
    return settings.TALK_SLIDES_MAX_BYTES


def pdf_check(upload: UploadedFile) -> None:
    """INVALID unless `upload` looks like a PDF of an allowed size: its size first (known
    without reading it), then its first bytes and its last KiB. The name and the type the
    browser claims are never consulted; the rest of the file is never read."""
    limit = slides_max_bytes()
    if upload.size is None or upload.size > limit:
        raise invalid(f"The file is larger than {human_size(limit)}.", field="file")
    if upload.size < PDF_MIN_BYTES:
        raise invalid("The file is empty or too small to be a PDF.", field="file")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(max(0, upload.size - PDF_TAIL_BYTES))
    tail = upload.read(PDF_TAIL_BYTES)
    upload.seek(0)
    if not PDF_HEADER.match(head) or PDF_TRAILER not in tail:
        raise invalid("The file is not a PDF: export your slides as PDF.", field="file")


def link_check(url: str) -> str:
    """The link, stripped; INVALID unless it is an http or https address of bounded length."""
    url = url.strip()
    if not url:
        raise invalid("Enter the link's address.", field="url")
    if len(url) > RESOURCE_URL_MAX_LENGTH:
        raise invalid(
            f"The address is longer than {RESOURCE_URL_MAX_LENGTH} characters.", field="url"
        )
    try:
        _url_validator(url)
    except ValidationError as error:
        raise invalid("Enter a full http:// or https:// address.", field="url") from error
    return url


def start_parse(value: str | int | None) -> int | None:
    """Seconds from `90`, `1:30` or `1:02:03`; None for nothing; INVALID for anything else or
    beyond a day (the longest an evening's recording is taken to be)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    match = START_PATTERN.fullmatch(text)
    if not match:
        raise invalid("Write the start as seconds, mm:ss or hh:mm:ss.", field="start")
    hours, minutes, seconds = (int(part) if part else 0 for part in match.groups())
    if (match.group(2) is not None and seconds > 59) or (
        match.group(1) is not None and minutes > 59
    ):
        raise invalid("Minutes and seconds go up to 59.", field="start")
    total = hours * 3600 + minutes * 60 + seconds
    if total > RECORDING_START_MAX_SECONDS:
        raise invalid("The start must be within the first 24 hours.", field="start")
    return total or None


def download_name(uploaded_name: str | None) -> str:
    """The name the file is downloaded under: the uploaded file's own name without any path,
    control or format characters, at most 120 characters, ending in `.pdf`."""
    name = (uploaded_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] not in "CZ" or c == " ")
    name = " ".join(name.split()).strip(" .")
    stem = name[:-4] if name.lower().endswith(".pdf") else name
    stem = stem[: RESOURCE_FILE_NAME_MAX_LENGTH - 4].rstrip(" .")
    return f"{stem or 'slides'}.pdf"
