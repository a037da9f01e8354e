"""The one way the portal writes an email: HTML with a plain-text alternative, one base template.

`email_send(to=, subject=, template=, context=, reason=)` renders `email/<template>.html` and
`email/<template>.txt` (each extends `email/base.html` / `email/base.txt`, in `templates/email/`
or an app's `templates/email/`), with the portal's name (`settings.PORTAL_NAME`), the group's
name (the context's `group`, else its `event`'s group), and every time shown in the event's
zone (the context's `time_zone`, else its `event`'s or `group`'s, else `settings.TIME_ZONE`).
The footer says why the person got it (`reason`) and lists `footer_links` ((label, url) pairs:
an unsubscribe link, the preferences page). The base templates' own variables are named
`email_*` (plus `portal_name` and `site_url`), so a context's `reason` or `subject` is its own.

Headers are safe by construction: the subject and every extra header value pass through
`portal.text.one_line`, extra header names must be plain tokens and may not replace the
addressing headers (From, To, Cc, Bcc, Subject, the MIME ones). An address no header accepts
(saved before the portal checked addresses) is logged and skipped, never raised: one bad row
must not stop a batch.

Many messages over one connection: build them with `email_message(...)` and send them with
`email_send_batch(messages)`.
"""

import logging
import re
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.template.loader import render_to_string
from django.utils import timezone

from .text import one_line

logger = logging.getLogger(__name__)

_HEADER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,75}")
_RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "subject",
        "sender",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
    }
)


def _safe_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    safe = {}
    for name, value in (headers or {}).items():
        if not _HEADER_NAME.fullmatch(name) or name.lower() in _RESERVED_HEADERS:
            raise ValueError(f"not a header an email may set here: {name!r}")
        safe[name] = one_line(str(value))
    return safe


def _zone(context: Mapping) -> zoneinfo.ZoneInfo:
    name = context.get("time_zone")
    for key in ("event", "group"):
        if not name and context.get(key) is not None:
            name = getattr(context[key], "time_zone", None)
    return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)


def _group(context: Mapping):
    if context.get("group") is not None:
        return context["group"]
    return getattr(context.get("event"), "group", None)


def email_message(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict,
    reason: str,
    headers: dict | None = None,
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
    footer_links: Sequence[tuple[str, str]] = (),
) -> EmailMultiAlternatives | None:
    """The message, rendered and checked, or None when `to` is empty or no header accepts it."""
    if not to:
        return None
    subject = one_line(subject)
    full_context = {
        **context,
        "portal_name": settings.PORTAL_NAME,
        "site_url": settings.SITE_URL,
        "email_subject": subject,
        "email_group": _group(context),
        "email_reason": one_line(reason),
        "email_footer_links": [(one_line(label), url) for label, url in footer_links],
    }
    with timezone.override(_zone(context)):
        text = render_to_string(f"email/{template}.txt", full_context)
        html = render_to_string(f"email/{template}.html", full_context)
    message = EmailMultiAlternatives(
        subject=subject, body=text, to=[to], headers=_safe_headers(headers)
    )
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(*attachment)
    try:
        message.message()
    except ValueError:
        logger.warning("email %r not sent: its address cannot be used", template)
        return None
    return message


def email_send(
    *,
    to: str,
    subject: str,
    template: str,
    context: dict,
    reason: str,
    headers: dict | None = None,
    attachments: Sequence[tuple[str, bytes | str, str]] = (),
    footer_links: Sequence[tuple[str, str]] = (),
) -> bool:
    """Render and send one email (the default mailer); False if it could not be addressed."""
    message = email_message(
        to=to,
        subject=subject,
        template=template,
        context=context,
        reason=reason,
        headers=headers,
        attachments=attachments,
        footer_links=footer_links,
    )
    if message is None:
        return False
    return message.send() == 1


def email_send_batch(messages: Iterable[EmailMultiAlternatives | None]) -> int:
    """Send the messages built by `email_message` over one connection; returns how many went.
    The Nones (messages that could not be addressed) are skipped."""
    ready = [message for message in messages if message is not None]
    if not ready:
        return 0
    return mailers.default.send_messages(ready) or 0
