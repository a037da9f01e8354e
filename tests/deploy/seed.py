"""Seed a stack's database for the stack tests: an event running now, with RSVPs open until it
ends, a talk, one member who signs in with a password and others with ready sessions.

Run with the stack's environment (`python -m deploy.stack manage` sets the same); prints JSON.
"""

import argparse
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402
from django.utils import timezone  # noqa: E402

from meetups.models import Event, Group, Talk  # noqa: E402
from rsvp.models import RsvpSettings  # noqa: E402

PASSWORD = "stack-test-password-1"


def session_for(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--prefix", default="stack")
    args = parser.parse_args()

    User = get_user_model()
    p = args.prefix
    organiser = User.objects.create_user(username=f"{p}-organiser", email=f"{p}-org@example.com")
    group = Group.objects.create(name=f"{p} group", slug=f"{p}-group", owner=organiser)
    group.organisers.add(organiser)
    now = timezone.now()
    event = Event.objects.create(
        group=group,
        title=f"{p} night",
        slug=f"{p}-night",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        status=Event.Status.PUBLISHED,
        capacity=1000,
    )
    RsvpSettings.objects.create(event=event, closes_at=event.ends_at)
    talk = Talk.objects.create(event=event, title="Surviving failures", slug="surviving-failures")
    signing_in = User.objects.create_user(
        username=f"{p}-member", email=f"{p}-member@example.com", password=PASSWORD
    )
    members = [
        User.objects.create_user(username=f"{p}-m{i}", email=f"{p}-m{i}@example.com")
        for i in range(args.members)
    ]
    json.dump(
        {
            "event_id": event.pk,
            "slug": event.slug,
            "title": event.title,
            "talk_id": talk.pk,
            "talk_slug": talk.slug,
            "login": {"email": signing_in.email, "password": PASSWORD},
            "organiser": {"session": session_for(organiser), "csrf": _get_new_csrf_string()},
            "members": [
                {
                    "id": m.pk,
                    "email": m.email,
                    "session": session_for(m),
                    "csrf": _get_new_csrf_string(),
                }
                for m in members
            ],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
