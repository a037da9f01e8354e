"""Edges of the organisers' line-up (cfp.services.review) that the main suite leaves open."""

from datetime import timedelta

import pytest
from django.db.models.signals import pre_delete, pre_save

from cfp import services
from cfp.models import Proposal
from meetups.models import Talk
from tests import factories
from tests.cfp.conftest import submit

pytestmark = pytest.mark.django_db


def test_proposal_schedule_talk_length_is_proposal_length(group, open_call, organiser, event):
    """Guards: a scheduled talk given the agenda's default length (20 minutes) instead of the
    length its speaker proposed, so the evening's timings are wrong."""
    proposal = submit(group, factories.make_user(), length_minutes=30)
    services.proposal_accept(user=organiser, proposal=proposal)
    talk = services.proposal_schedule(user=organiser, proposal=proposal, event=event)
    talk.refresh_from_db()
    assert talk.duration_minutes == 30


def test_proposal_schedule_move_keeps_talk_edit_made_meanwhile(group, open_call, organiser, event):
    """Guards: moving a scheduled talk to another event writing back every field of the talk
    as it was read, so an edit of the talk (its slides link) saved by someone else between
    that read and the move is lost (the talk's row is not locked by the move)."""
    proposal = submit(group, factories.make_user(), length_minutes=30)
    services.proposal_accept(user=organiser, proposal=proposal)
    talk = services.proposal_schedule(user=organiser, proposal=proposal, event=event)
    later = factories.make_event(group=group, starts_in=timedelta(days=14))

    def edit_meanwhile(sender, instance, **kwargs):
        pre_save.disconnect(edit_meanwhile, sender=Talk)
        Talk.objects.filter(pk=instance.pk).update(slides_url="https://slides.example/t")

    pre_save.connect(edit_meanwhile, sender=Talk)
    try:
        moved = services.proposal_schedule(user=organiser, proposal=proposal, event=later)
    finally:
        pre_save.disconnect(edit_meanwhile, sender=Talk)
    assert moved.pk == talk.pk
    moved.refresh_from_db()
    assert (moved.event_id, moved.slides_url) == (later.pk, "https://slides.example/t")


def test_proposal_unschedule_keeps_proposal_edit_made_meanwhile(group, open_call, organiser, event):
    """Guards: taking a talk off the agenda writing back every field of the proposal as it was
    read, so an edit of the proposal (its title, through the admin) saved by someone else
    between that read and the talk's removal is lost (the proposal's row is not locked)."""
    proposal = submit(group, factories.make_user(), length_minutes=30)
    services.proposal_accept(user=organiser, proposal=proposal)
    services.proposal_schedule(user=organiser, proposal=proposal, event=event)

    def edit_meanwhile(sender, instance, **kwargs):
        pre_delete.disconnect(edit_meanwhile, sender=Talk)
        Proposal.objects.filter(pk=proposal.pk).update(title="Edited meanwhile")

    pre_delete.connect(edit_meanwhile, sender=Talk)
    try:
        services.proposal_unschedule(user=organiser, proposal=proposal)
    finally:
        pre_delete.disconnect(edit_meanwhile, sender=Talk)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.talk_id, proposal.title) == (
        Proposal.Status.ACCEPTED,
        None,
        "Edited meanwhile",
    )
