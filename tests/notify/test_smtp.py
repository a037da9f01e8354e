"""End to end over real SMTP (aiosmtpd): what a mail server receives for a new-event email."""

import email
import email.policy
import socket
import threading

import pytest
from aiosmtpd.controller import Controller
from django.core import mail as django_mail

from meetups.models import Event
from notify.models import Preference
from notify.unsubscribe import unsubscribe_link_read
from organise.services import event_publish
from tests import factories

from .conftest import join


class _Sink:
    def __init__(self):
        self.messages: list[tuple[list[str], bytes]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        return "250 OK"


@pytest.fixture
def smtp_sink(settings):
    sink = _Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    settings.SITE_URL = "https://portal.example"
    settings.PORTAL_NAME = "SyDjango"
    yield sink
    controller.stop()


def test_new_event_email_on_the_wire(smtp_sink, client, group, organiser):
    member = join(group, factories.make_user(email="ada@example.com", first_name="Ada")).user
    join(group, factories.make_user(email="bob@example.com"))
    draft = factories.make_event(group=group, status=Event.Status.DRAFT, title="Async & you")
    event_publish(event=draft, user=organiser)

    assert django_mail.outbox == []  # the real SMTP backend, not locmem
    received = {rcpt[0]: raw for rcpt, raw in smtp_sink.messages}
    assert sorted(received) == ["ada@example.com", "bob@example.com"]
    message = email.message_from_bytes(received["ada@example.com"], policy=email.policy.default)
    assert message["To"] == "ada@example.com"
    assert message["Subject"] == "New event: Async & you"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = message["List-Unsubscribe"]
    assert url.startswith("<https://portal.example/u/") and url.endswith("/>")
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.iter_parts()
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    plain = text.get_content().replace("\r\n", "\n")  # SMTP lines end in CRLF
    assert plain.startswith(f"SyDjango · {group.name}\n\nHi Ada,\n\n")
    assert f"Unsubscribe from new events of {group.name}: {url[1:-1]}\n" in plain
    assert "<h1" in html.get_content() and "Async &amp; you</a></h1>" in html.get_content()

    # The header's link, POSTed as a mail client does (RFC 8058), turns the category off.
    token = url[1:-1].removeprefix("https://portal.example/u/").rstrip("/")
    assert unsubscribe_link_read(token).user == member
    response = client.post(
        f"/u/{token}/",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert list(Preference.objects.values_list("user", "category", "enabled")) == [
        (member.pk, "events", False)
    ]
