"""Your data, end to end: a member with data of every kind downloads it, then deletes the
account; the waitlist moves, and nothing that named them survives in the database or in the
organiser's CSV exports."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cfp.models import (
    IdeaVote,
    Proposal,
    ProposalSpeaker,
    ProposalVote,
    Review,
    TalkIdea,
)
from live.models import Question, QuestionVote
from meetups.models import Speaker, SpeakerLink
from organise.models import OrganiserInvitation
from portal import time_zones
from portal.models import ApiToken
from portal.personal_data import DELETED_MEMBER_NAME
from portal.services import api_token_create
from rsvp.models import Rsvp
from rsvp.services import rsvp_create
from tests import factories

EMAIL = "zephyrine.q@example.org"
USERNAME = "zquill"
FIRST, LAST = "Zephyrine", "Quillfeather"
PERSONAL = (EMAIL.lower(), USERNAME, FIRST.lower(), LAST.lower())


@pytest.fixture
def world(db, group, organiser):
    """Zephyrine, with one of everything, in a group she also helps organise."""
    zeph = factories.make_user(username=USERNAME, email=EMAIL, first_name=FIRST, last_name=LAST)
    EmailAddress.objects.create(user=zeph, email=EMAIL, verified=True, primary=True)
    group.organisers.add(zeph)
    waiter = factories.make_user(username="waiter")
    other = factories.make_user(username="other")
    soon = factories.make_event(group=group, capacity=1)
    rsvp_create(event=soon, user=zeph)
    rsvp_create(event=soon, user=waiter)
    past = factories.make_event(group=group, starts_in=-timedelta(days=20))
    Rsvp.objects.create(
        event=past,
        user=zeph,
        status=Rsvp.Status.GOING,
        queued_at=past.starts_at - timedelta(days=3),
        checked_in_at=past.starts_at,
    )
    speaker = factories.make_speaker(name=f"{FIRST} {LAST}", slug="zephyrine-quillfeather")
    speaker.user = zeph
    speaker.bio = f"I am {FIRST}."
    speaker.save()
    SpeakerLink.objects.create(speaker=speaker, label="Site", url="https://zquill.example.org/")
    talk = factories.make_talk(event=past, speakers=[speaker], title="Parsing with care")
    own_question = Question.objects.create(event=soon, author=zeph, text="Will there be pizza?")
    asked = Question.objects.create(event=soon, author=other, text="Slides online?", vote_count=1)
    QuestionVote.objects.create(question=asked, user=zeph)
    QuestionVote.objects.create(question=own_question, user=other)
    Question.objects.filter(pk=own_question.pk).update(vote_count=1)
    idea = TalkIdea.objects.create(group=group, title="Typing at scale", author=zeph)
    IdeaVote.objects.create(idea=idea, user=zeph)
    proposal = Proposal.objects.create(
        group=group,
        submitter=zeph,
        title="Zero-copy parsing",
        abstract="Buffers.",
        length_minutes=20,
        notes_for_organisers=f"Call me {FIRST}, phone 0400 000 000",
        preferred_dates="Any Tuesday",
        event=soon,
    )
    theirs = Proposal.objects.create(
        group=group,
        submitter=other,
        title="Async everything",
        abstract="Loops.",
        length_minutes=20,
        status=Proposal.Status.IN_VOTING,
        event=soon,
    )
    ProposalVote.objects.create(proposal=theirs, user=zeph)
    Review.objects.create(proposal=theirs, reviewer=zeph, score=4, note="Solid.")
    ProposalSpeaker.objects.create(proposal=theirs, email=EMAIL, token="co-speaker-token")
    OrganiserInvitation.objects.create(group=group, email=EMAIL, invited_by=organiser)
    sent = OrganiserInvitation.objects.create(group=group, email="new@example.com", invited_by=zeph)
    api_token_create(user=zeph, name="door laptop")
    time_zones.profile_time_zone_set(user=zeph, time_zone="Europe/London")
    return {
        "zeph": zeph,
        "waiter": waiter,
        "other": other,
        "soon": soon,
        "past": past,
        "talk": talk,
        "speaker": speaker,
        "own_question": own_question,
        "asked": asked,
        "proposal": proposal,
        "theirs": theirs,
        "sent": sent,
    }


def _database_text() -> str:
    """Every row of every table, as text, lower-cased."""
    chunks = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(chunks).lower()


def test_export_has_every_kind_of_record(client, world):
    client.force_login(world["zeph"])
    response = client.get(reverse("data_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    data = json.loads(response.content)
    sections = data["sections"]
    assert list(sections) == sorted(sections)
    assert sections["account"]["email"] == EMAIL
    assert sections["account"]["display_name"] == f"{FIRST} {LAST}"
    assert sections["account"]["username"] == USERNAME
    rsvps = sections["rsvps"]
    statuses = [(r["event"], r["status"], r["checked_in_at"] is not None) for r in rsvps]
    assert statuses == [
        (world["soon"].title, "going", False),
        (world["past"].title, "going", True),
    ]
    assert sections["rsvps"][0]["ticket_url"] == reverse(
        "rsvp:ticket", kwargs={"pk": Rsvp.objects.get(user=world["zeph"], event=world["soon"]).pk}
    )
    assert [q["text"] for q in sections["questions"]] == ["Will there be pizza?"]
    assert [v["question"] for v in sections["question_votes"]] == ["Slides online?"]
    assert [i["title"] for i in sections["talk_ideas"]] == ["Typing at scale"]
    assert [v["idea"] for v in sections["idea_votes"]] == ["Typing at scale"]
    assert [p["title"] for p in sections["proposals"]] == ["Zero-copy parsing"]
    assert [v["proposal"] for v in sections["proposal_votes"]] == ["Async everything"]
    assert [(r["proposal"], r["score"]) for r in sections["reviews"]] == [("Async everything", 4)]
    assert [t["name"] for t in sections["api_tokens"]] == ["door laptop"]
    assert sections["speaker_profile"]["talks"] == ["Parsing with care"]
    assert sections["profile"]["time_zone"] == "Europe/London"
    assert sections["profile"]["email_addresses"] == [
        {"email": EMAIL, "verified": True, "primary": True}
    ]
    assert [g["name"] for g in sections["organised_groups"]] == [world["soon"].group.name]
    invitations = sections["organiser_invitations"]
    assert [i["email"] for i in invitations["sent"]] == ["new@example.com"]
    assert [i["email"] for i in invitations["received"]] == [EMAIL]


def test_delete_account_erases_everything_personal(
    client, world, organiser, django_capture_on_commit_callbacks
):
    zeph = world["zeph"]
    client.force_login(zeph)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("account_delete"), {"password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")

    # The waitlisted person behind her got the seat, and was told.
    waiter_rsvp = Rsvp.objects.get(user=world["waiter"], event=world["soon"])
    assert waiter_rsvp.status == Rsvp.Status.GOING
    assert [m.to for m in mail.outbox] == [[world["waiter"].email]]
    assert Rsvp.objects.get(user=zeph, event=world["soon"]).status == Rsvp.Status.CANCELLED
    # Attendance history stays, anonymous.
    assert Rsvp.objects.get(user=zeph, event=world["past"]).checked_in_at is not None

    zeph.refresh_from_db()
    assert zeph.is_active is False
    assert zeph.has_usable_password() is False
    assert zeph.get_full_name() == DELETED_MEMBER_NAME
    assert zeph.email == ""
    # Questions kept, votes kept and counted.
    assert Question.objects.get(pk=world["own_question"].pk).author_id == zeph.pk
    asked = Question.objects.get(pk=world["asked"].pk)
    assert asked.vote_count == asked.votes.count() == 1
    # Proposals withdrawn, private notes gone; tokens, invitations, co-speaking gone.
    proposal = Proposal.objects.get(pk=world["proposal"].pk)
    assert (proposal.status, proposal.notes_for_organisers, proposal.preferred_dates) == (
        Proposal.Status.WITHDRAWN,
        "",
        "",
    )
    assert ApiToken.objects.filter(user=zeph).count() == 0
    assert ProposalSpeaker.objects.count() == 0
    assert OrganiserInvitation.objects.get(pk=world["sent"].pk).revoked_at is not None
    assert OrganiserInvitation.objects.filter(email__iexact=EMAIL).count() == 0
    assert list(world["soon"].group.organisers.all()) == [organiser]
    # The talk stays in the archive, credited to a speaker who names nobody.
    speaker = Speaker.objects.get(pk=world["speaker"].pk)
    assert (speaker.name, speaker.user_id, speaker.bio, speaker.links.count()) == (
        "Deleted speaker",
        None,
        "",
        0,
    )
    assert list(world["talk"].speakers.all()) == [speaker]

    dump = _database_text()
    assert [s for s in PERSONAL if s in dump] == []

    client.force_login(organiser)
    kwargs = {"group": world["soon"].group.slug, "event": world["soon"].slug}
    exports = [
        client.get(reverse("organise:export", kwargs={**kwargs, "what": what}))
        for what in ("attendees", "questions", "votes")
    ]
    exports.append(client.get(reverse("rsvp:attendees_csv", kwargs={"slug": world["soon"].slug})))
    texts = [b"".join(r.streaming_content if r.streaming else [r.content]) for r in exports]
    texts = [text.decode() for text in texts]
    assert [r.status_code for r in exports] == [200, 200, 200, 200]
    assert [s for s in PERSONAL for text in texts if s in text.lower()] == []
    assert "Will there be pizza?" in texts[1]
    assert "deleted-member-" in texts[1]


def test_deleted_member_is_signed_out_and_cannot_sign_in(client, world):
    zeph = world["zeph"]
    other_device = type(client)()
    other_device.force_login(zeph)
    client.force_login(zeph)
    client.post(reverse("account_delete"), {"password": factories.PASSWORD})
    assert other_device.get(reverse("profile")).status_code == 302
    assert client.get(reverse("profile")).status_code == 302
    assert client.login(username=USERNAME, password=factories.PASSWORD) is False


def test_delete_with_wrong_password_changes_nothing(client, world):
    client.force_login(world["zeph"])
    response = client.post(reverse("account_delete"), {"password": "not-it"})
    assert response.status_code == 422
    assert response.context["form"].errors == {"password": ["That is not your password."]}
    world["zeph"].refresh_from_db()
    assert (world["zeph"].is_active, world["zeph"].email) == (True, EMAIL)
    assert Rsvp.objects.get(user=world["zeph"], event=world["soon"]).status == Rsvp.Status.GOING


def test_delete_time_is_recorded_on_cancelled_rsvp(client, world, stopped_clock):
    client.force_login(world["zeph"])
    client.post(reverse("account_delete"), {"password": factories.PASSWORD})
    rsvp = Rsvp.objects.get(user=world["zeph"], event=world["soon"])
    assert rsvp.cancelled_at == timezone.now()
