"""Seed a database for the live benchmark/tests: a running event, members with sessions.

Run with DATABASE_URL pointing at a migrated database; prints JSON to stdout.
"""

import argparse
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
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
from django.utils.text import slugify  # noqa: E402

from live.models import Question  # noqa: E402
from meetups.models import Event, Group, Talk  # noqa: E402


def session_for(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def running_event(*, organiser: str, group: tuple[str, str], event: str):
    """An organiser, their group and a published event on from an hour ago to five hours from
    now, with one talk ("Fan-out"): what every live bench seeds first."""
    user = get_user_model().objects.create_user(username=organiser, password="x")  # noqa: S106
    name, slug = group
    owned = Group.objects.create(name=name, slug=slug, owner=user)
    now = timezone.now()
    running = Event.objects.create(
        group=owned,
        title=event,
        slug=slugify(event),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
        status=Event.Status.PUBLISHED,
    )
    return user, running, Talk.objects.create(event=running, title="Fan-out", slug="fan-out")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--questions", type=int, default=0)
    args = parser.parse_args()

    User = get_user_model()
    organiser, event, talk = running_event(
        organiser="bench-organiser", group=("Bench group", "bench-group"), event="Live bench"
    )
    members = [
        User.objects.create_user(username=f"bench{i}", password="x")  # noqa: S106
        for i in range(args.users)
    ]
    questions = [
        Question.objects.create(
            event=event,
            talk=talk,
            author=members[i % len(members)] if members else organiser,
            text=f"Question {i}: how does the fan-out stay fast with thousands of sockets?",
        )
        for i in range(args.questions)
    ]
    json.dump(
        {
            "event_id": event.pk,
            "slug": event.slug,
            "talk_id": talk.pk,
            "talk_slug": talk.slug,
            "organiser": {"session": session_for(organiser), "csrf": _get_new_csrf_string()},
            "users": [{"session": session_for(u), "csrf": _get_new_csrf_string()} for u in members],
            "questions": [q.pk for q in questions],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
