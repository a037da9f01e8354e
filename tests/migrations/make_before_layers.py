"""Writes `data/before_layers.sql`: a SQLite database as the portal left it before the apps were
split by concern (commit 6fadcae, when meetups still held the call for talks and the organiser
tools): `migrate`, `load_demo`, then one row of every kind a person creates, with known tokens.

It ran once, against that commit's code:
    git worktree add /tmp/before 6fadcae && cd /tmp/before
    DATABASE_URL=sqlite:////tmp/before.sqlite3 python manage.py migrate
    DATABASE_URL=sqlite:////tmp/before.sqlite3 python manage.py load_demo
    DATABASE_URL=sqlite:////tmp/before.sqlite3 python /work/main/tests/migrations/make_before_layers.py
    sqlite3 /tmp/before.sqlite3 .dump > tests/migrations/data/before_layers.sql
Kept for the record: today's code cannot run it (it imports models from where they were).
"""

import os
from datetime import timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.utils import timezone  # noqa: E402

from live.models import LiveState, Question, QuestionVote  # noqa: E402
from meetups.models import (  # noqa: E402
    AttendeeMessage,
    Event,
    Group,
    IdeaVote,
    OrganiserInvitation,
    Proposal,
    ProposalSpeaker,
    ProposalVote,
    Review,
    TalkIdea,
)
from portal.models import ApiToken, hash_token  # noqa: E402
from rsvp.models import Rsvp  # noqa: E402

# The tokens the migration test uses to prove the rows still work.
API_TOKEN = "mp_before-layers-api-token"  # noqa: S105
TICKET_TOKEN = "before-layers-ticket"  # noqa: S105
CO_SPEAKER_TOKEN = "before-layers-co-speaker"  # noqa: S105
ORGANISER_INVITATION_TOKEN = "before-layers-organiser-invitation"  # noqa: S105

User = get_user_model()
now = timezone.now()
group = Group.objects.get(slug="sydjango")
organiser = User.objects.get(username="organiser")
member = User.objects.get(username="member")
guest = User.objects.create_user("migrant", "migrant@example.com", "migrant-pass-1")
event = Event.objects.published().upcoming().filter(status=Event.Status.PUBLISHED).first()
talk = event.talks.order_by("order").first()

rsvp = Rsvp.objects.create(
    event=event, user=guest, status=Rsvp.Status.GOING, guests=1, queued_at=now,
    ticket_token=TICKET_TOKEN,
)  # fmt: skip
Rsvp.objects.filter(event=event, user=member).update(checked_in_at=now, checked_in_by=organiser)
ApiToken.objects.create(user=guest, name="before layers", token_hash=hash_token(API_TOKEN))
question = Question.objects.create(event=event, talk=talk, author=guest, text="Still here after?")
QuestionVote.objects.create(question=question, user=member)
LiveState.objects.update_or_create(event=event, defaults={"current_talk": talk})
idea = TalkIdea.objects.create(group=group, title="Migrations that move apps", author=guest)
IdeaVote.objects.create(idea=idea, user=member)
proposal = Proposal.objects.create(
    group=group, submitter=guest, idea=idea, title="Moving models between apps",
    abstract="SeparateDatabaseAndState in practice.", length_minutes=20,
    status=Proposal.Status.IN_VOTING,
)  # fmt: skip
proposal.preferred_events.add(event)
ProposalVote.objects.create(proposal=proposal, user=member)
Review.objects.create(proposal=proposal, reviewer=organiser, score=4, note="Keep it short.")
ProposalSpeaker.objects.create(proposal=proposal, email="cospeaker@example.com", token=CO_SPEAKER_TOKEN)
OrganiserInvitation.objects.create(
    group=group, email="helper@example.com", token=ORGANISER_INVITATION_TOKEN,
    invited_by=organiser, created_at=now - timedelta(days=1),
)  # fmt: skip
AttendeeMessage.objects.create(
    event=event, sender=organiser, audience=AttendeeMessage.Audience.GOING,
    subject="Doors at six", body="See you there.", recipient_count=3,
)  # fmt: skip
print("rows written for", event.slug)
