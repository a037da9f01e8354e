"""Seed a migrated database for the poll round of bench/live_fanout.py; prints JSON to stdout.

A running event with a talk and, for it, an open single-choice poll whose results show while
voting (prepared and opened through the poll services, by the group's organiser), and
`--voters` signed-in members (sessions + CSRF), each of whom will vote once. The members get
unusable passwords so that seeding thousands does not spend minutes hashing.

    DATABASE_URL=sqlite:///... .venv/bin/python bench/live_poll_seed.py --voters 2000
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.middleware.csrf import _get_new_csrf_string  # noqa: E402

from bench.live_seed import running_event, session_for  # noqa: E402
from live import polls  # noqa: E402

OPTIONS = ["Channels", "Server-sent events", "Polling", "Carrier pigeon"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--voters", type=int, default=2000)
    args = parser.parse_args()

    User = get_user_model()
    organiser, event, talk = running_event(
        organiser="poll-organiser", group=("Poll bench", "poll-bench"), event="Poll bench"
    )
    poll = polls.poll_create(
        event=event,
        talk=talk,
        user=organiser,
        question="How should 2,000 screens learn of a vote?",
        options=OPTIONS,
    )
    polls.poll_open(poll=poll, user=organiser)
    voters = []
    for i in range(args.voters):
        user = User(username=f"voter{i}")
        user.set_unusable_password()
        voters.append(user)
    User.objects.bulk_create(voters, batch_size=500)
    voters = list(User.objects.filter(username__startswith="voter").order_by("pk"))
    json.dump(
        {
            "event_id": event.pk,
            "slug": event.slug,
            "talk_id": talk.pk,
            "poll_id": poll.pk,
            "options": list(poll.options.order_by("position").values_list("pk", flat=True)),
            "voters": [{"session": session_for(u), "csrf": _get_new_csrf_string()} for u in voters],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
