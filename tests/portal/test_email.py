"""portal.email: one base template, HTML + plain text, safe headers, the event's time zone."""

import copy
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.core import mail

from portal.email import email_message, email_send, email_send_batch
from tests import factories

NOTE_HTML = (
    '{% extends "email/base.html" %}{% block content %}<p>Note: {{ note }}</p>'
    "<p>At {{ event.starts_at|date:'j F Y, g:i A T' }}</p>{% endblock %}"
)
NOTE_TXT = (
    '{% extends "email/base.txt" %}{% block content %}Note: {{ note }}\n'
    "At {{ event.starts_at|date:'j F Y, g:i A T' }}{% endblock %}"
)


@pytest.fixture
def note_template(settings, tmp_path):
    (tmp_path / "email").mkdir()
    (tmp_path / "email" / "test_note.html").write_text(NOTE_HTML)
    (tmp_path / "email" / "test_note.txt").write_text(NOTE_TXT)
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    settings.PORTAL_NAME = "Meetup Portal Test"
    settings.SITE_URL = "https://portal.example"
    return "test_note"


@pytest.fixture
def perth_event(db):
    group = factories.make_group(name="Perth Pythonistas", time_zone="Australia/Perth")
    return factories.make_event(
        group=group,
        time_zone="Australia/Perth",
        starts_at=datetime(2031, 3, 4, 10, 30, tzinfo=UTC),
    )


def _send(template, event, **overrides):
    kwargs = {
        "to": "ada@example.com",
        "subject": "Hello",
        "template": template,
        "context": {"event": event, "note": "<b>bold</b> & more"},
        "reason": "You get this because you asked for it.",
        "footer_links": [("Unsubscribe", "https://portal.example/u/abc/")],
    } | overrides
    return email_send(**kwargs)


def test_email_send_html_with_plain_text_alternative(note_template, perth_event):
    assert _send(note_template, perth_event) is True
    [sent] = mail.outbox
    assert sent.to == ["ada@example.com"]
    assert sent.subject == "Hello"
    assert sent.body == (
        "Meetup Portal Test · Perth Pythonistas\n\n"
        "Note: <b>bold</b> & more\n"
        "At 4 March 2031, 6:30 PM AWST\n\n"
        "-- \n"
        "You get this because you asked for it.\n"
        "Unsubscribe: https://portal.example/u/abc/\n"
        "Meetup Portal Test: https://portal.example/\n"
    )
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html"
    assert "<p>Note: &lt;b&gt;bold&lt;/b&gt; &amp; more</p>" in html
    assert "<p>At 4 March 2031, 6:30 PM AWST</p>" in html
    assert '<strong style="font-size:18px;">Meetup Portal Test</strong>' in html
    assert "· Perth Pythonistas</span>" in html
    assert '<p style="margin:0 0 8px;">You get this because you asked for it.</p>' in html
    assert '<a href="https://portal.example/u/abc/" style="color:#0c4b33;">Unsubscribe</a>' in html


def test_email_subject_and_headers_kept_on_one_line(note_template, perth_event):
    _send(
        note_template,
        perth_event,
        subject="Hi\r\nBcc: victim@example.com",
        headers={"List-Unsubscribe": "<https://x/>\r\nBcc: victim@example.com"},
    )
    [sent] = mail.outbox
    message = sent.message()
    assert message["Subject"] == "Hi Bcc: victim@example.com"
    assert message["List-Unsubscribe"] == "<https://x/> Bcc: victim@example.com"
    assert message["Bcc"] is None
    assert sent.recipients() == ["ada@example.com"]


@pytest.mark.parametrize("name", ["Bcc", "To", "from", "Subject", "Content-Type", "X Bad", "X:Y"])
def test_email_refuses_headers_that_address_or_break_the_message(note_template, perth_event, name):
    with pytest.raises(ValueError, match="not a header an email may set here"):
        _send(note_template, perth_event, headers={name: "x"})
    assert mail.outbox == []


@pytest.mark.parametrize("address", ["", "ada@example.com\nBcc: x@example.com"])
def test_email_to_an_unusable_address_is_skipped(note_template, perth_event, address):
    assert _send(note_template, perth_event, to=address) is False
    assert mail.outbox == []


def test_email_time_zone_falls_back_to_the_group_then_the_portal(
    note_template, perth_event, settings
):
    settings.TIME_ZONE = "Australia/Sydney"
    zoneless = SimpleNamespace(starts_at=perth_event.starts_at, time_zone="")
    message = email_message(
        to="ada@example.com",
        subject="s",
        template=note_template,
        context={"group": perth_event.group, "event": zoneless, "note": "n"},
        reason="r",
    )
    assert "At 4 March 2031, 6:30 PM AWST\n" in message.body
    message = email_message(
        to="ada@example.com",
        subject="s",
        template=note_template,
        context={"event": zoneless, "note": "n"},
        reason="r",
    )
    assert message.body.startswith("Meetup Portal Test\n\nNote: n\nAt 4 March 2031, 9:30 PM AEDT\n")


def test_email_send_batch_one_connection_skips_unaddressable(note_template, perth_event):
    def build(to):
        return email_message(
            to=to,
            subject="s",
            template=note_template,
            context={"event": perth_event, "note": to},
            reason="r",
        )

    sent = email_send_batch([build("a@example.com"), build(""), build("b@example.com")])
    assert sent == 2
    assert [m.to for m in mail.outbox] == [["a@example.com"], ["b@example.com"]]
    assert email_send_batch([None]) == 0
