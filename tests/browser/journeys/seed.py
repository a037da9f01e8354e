"""The starting data of each journey, written into the journey server's own SQLite file.

Run in a subprocess with the server's environment (DATABASE_URL, SECRET_KEY), before daphne
starts: `python -m tests.browser.journeys.seed <journey> <out.json>`. Writes JSON: what the
test needs to find its way (slugs, names) and session keys for the people who start signed in.
Built from the plain factories in tests/factories.py, so the journeys start from the same
shapes as the unit tests.
"""

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.utils import timezone  # noqa: E402

from cfp.models import CallForTalks, TalkIdea  # noqa: E402
from live.models import LiveState, Question  # noqa: E402
from organise.receivers import NAV_SESSION_KEY  # noqa: E402
from rsvp import services as rsvp_services  # noqa: E402
from tests import factories  # noqa: E402

ZONE = "Australia/Sydney"  # never UTC, so a time shown in UTC is caught


def session_for(user, *, organiser: bool = False) -> str:
    """A signed-in session, as the login view leaves it (organisers: with the flag that shows
    them the "Organise" link, set at login by organise/receivers.py)."""
    store = SessionStore()
    if organiser:
        store[NAV_SESSION_KEY] = True
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def _group_with_organiser():
    organiser = factories.make_user(
        username="olivia", email="olivia@example.com", first_name="Olivia", last_name="Org"
    )
    group = factories.make_group(name="SyDjango", slug="sydjango", time_zone=ZONE, owner=organiser)
    group.organisers.add(organiser)
    return group, organiser


def attendee() -> dict:
    group, _ = _group_with_organiser()
    venue = factories.make_venue(name="Canva HQ", address="110 Kippax St, Surry Hills")
    event = factories.make_event(
        group=group, title="Async views in anger", slug="async-views", capacity=30, venue=venue,
        time_zone=ZONE, starts_in=timedelta(days=6),
    )  # fmt: skip
    factories.make_talk(event=event, title="Async views in anger", order=1)
    for name in ("Ada", "Bob"):
        person = factories.make_user(username=name.lower(), first_name=name, last_name="Smith")
        rsvp_services.rsvp_create(event=event, user=person, guests=0)
    return {"event": {"slug": event.slug, "title": event.title, "capacity": event.capacity}}


def speaker() -> dict:
    group, organiser = _group_with_organiser()
    sam = factories.make_user(
        username="sam", email="sam@example.com", first_name="Sam", last_name="Speaker"
    )
    event = factories.make_event(
        group=group, title="Channels and HTMX night", slug="htmx-night", time_zone=ZONE,
        starts_in=timedelta(days=20),
    )  # fmt: skip
    factories.make_talk(event=event, title="Welcome and news", order=1)
    now = timezone.now()
    CallForTalks.objects.create(
        group=group,
        voting_opens_at=now - timedelta(days=1),
        voting_closes_at=now + timedelta(days=10),
        tallies=CallForTalks.Tallies.PUBLIC,
    )
    idea = TalkIdea.objects.create(
        group=group,
        title="Websockets with Channels in an HTMX project",
        description="Live updates without a single-page app.",
        author=organiser,
    )
    TalkIdea.objects.create(
        group=group, title="Database tips and tricks", description="ORM queries.", author=organiser
    )
    return {
        "group": group.slug,
        "event": {"slug": event.slug, "title": event.title, "pk": event.pk},
        "idea": {"pk": idea.pk, "title": idea.title},
        "speaker": {"name": "Sam Speaker", "session": session_for(sam)},
        "organiser": {"session": session_for(organiser, organiser=True)},
    }


def live() -> dict:
    group, organiser = _group_with_organiser()
    now = timezone.now().replace(second=0, microsecond=0)
    event = factories.make_event(
        group=group, title="Live night", slug="live-night", time_zone=ZONE,
        starts_at=now - timedelta(minutes=30), ends_at=now + timedelta(hours=3),
    )  # fmt: skip
    ada = factories.make_speaker(name="Ada Lovelace", slug="ada-lovelace")
    grace = factories.make_speaker(name="Grace Hopper", slug="grace-hopper")
    first = factories.make_talk(
        event=event, title="Fan-out with Channels", slug="fan-out", order=1, speakers=[ada]
    )
    second = factories.make_talk(
        event=event, title="Tasks without Celery", slug="tasks", order=2, speakers=[grace]
    )
    # The evening has begun on the first talk; questions are off until the organiser starts.
    LiveState.objects.update_or_create(
        event=event, defaults={"current_talk": first, "accepting_questions": False}
    )
    audience = [
        factories.make_user(username=u, first_name=u.title(), last_name="Member")
        for u in ("mia", "noah")
    ]
    noah = audience[1]
    question = Question.objects.create(
        event=event, talk=first, author=noah, text="How do retries work when a socket drops?"
    )
    return {
        "group": group.slug,
        "event": {"slug": event.slug, "title": event.title},
        "question": question.text,
        "talks": [{"slug": t.slug, "title": t.title} for t in (first, second)],
        "organiser": {"session": session_for(organiser, organiser=True)},
        "audience": [
            {"name": f"{u.first_name} Member", "session": session_for(u)} for u in audience
        ],
    }


def organiser() -> dict:
    group, olivia = _group_with_organiser()
    member = factories.make_user(
        username="mia", email="mia@example.com", first_name="Mia", last_name="Member"
    )
    return {
        "group": group.slug,
        "organiser": {"session": session_for(olivia, organiser=True)},
        "member": {"name": "Mia Member", "session": session_for(member)},
    }


JOURNEYS = {"attendee": attendee, "speaker": speaker, "live": live, "organiser": organiser}

if __name__ == "__main__":
    # A file, not stdout: the console e-mail backend prints the RSVP e-mails there.
    Path(sys.argv[2]).write_text(json.dumps(JOURNEYS[sys.argv[1]]()))
