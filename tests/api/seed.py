"""Seed a migrated database for the API fuzzer: the demo data (a group, events, talks,
proposals, questions, an organiser and a member), one personal API token each for the organiser
and the member, and the identifiers that exist, so the fuzzer reaches past "not found".

Run with DATABASE_URL pointing at the database (`bench.servers.server_env`); prints JSON.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from cfp.models import Proposal  # noqa: E402
from live.models import Poll, Question  # noqa: E402
from meetups.demo import load_demo  # noqa: E402
from meetups.models import Event, Group, Speaker, Talk, TalkResource  # noqa: E402
from members.models import Membership  # noqa: E402
from portal.services import api_token_create  # noqa: E402
from rsvp.models import Rsvp  # noqa: E402


def main() -> None:
    load_demo()
    User = get_user_model()
    tokens = {
        role: api_token_create(user=User.objects.get(username=role), name="fuzzer")[1]
        for role in ("organiser", "member")
    }
    slugs = [
        *Group.objects.values_list("slug", flat=True),
        *Event.objects.values_list("slug", flat=True),
        *Talk.objects.values_list("slug", flat=True),
        *Speaker.objects.values_list("slug", flat=True),
    ]
    ids = {
        "rsvp_id": list(Rsvp.objects.values_list("pk", flat=True)),
        "question_id": list(Question.objects.values_list("pk", flat=True)),
        "proposal_id": list(Proposal.objects.values_list("pk", flat=True)),
        "poll_id": list(Poll.objects.values_list("pk", flat=True)),
        "resource_id": list(TalkResource.objects.values_list("pk", flat=True)),
        "membership_id": list(Membership.objects.values_list("pk", flat=True)),
    }
    json.dump({"tokens": tokens, "slugs": sorted(set(slugs)), "ids": ids}, sys.stdout)


if __name__ == "__main__":
    main()
