"""Background work for the call for talks: the emails speakers get.

Tasks take primary keys (their arguments are stored by queueing backends) and read the current
row when they run, so an email reflects the decision as it stands.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from portal.text import one_line

from .models import Proposal, ProposalSpeaker


@task
def send_co_speaker_invitation(invitation_id: int) -> int:

    invitation = (
        ProposalSpeaker.objects.select_related("proposal", "proposal__submitter", "proposal__group")
        .filter(pk=invitation_id, status=ProposalSpeaker.Status.INVITED)
        .first()
    )
    if invitation is None:
        return 0
    url = settings.SITE_URL + reverse("cfp:invitation", kwargs={"token": invitation.token})
    context = {"invitation": invitation, "proposal": invitation.proposal, "url": url}
    return send_mail(
        one_line(f"You are invited to co-present “{invitation.proposal.title}”"),
        render_to_string("cfp/email/invitation.txt", context),
        None,
        [invitation.email],
    )


@task
def send_proposal_decision(proposal_id: int, decision: str) -> int:
    """Tells the speakers a decision: "accepted", "declined" or "scheduled" (the wording is the
    decision's at the time it was made, even if a queue runs this later)."""

    proposal = (
        Proposal.objects.select_related("submitter", "group", "event__venue")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or decision not in ("accepted", "declined", "scheduled"):
        return 0
    event = proposal.event if decision == "scheduled" else None
    if decision == "scheduled" and event is None:
        return 0  # taken off the agenda before this ran
    recipients = [proposal.submitter.email] + [
        co.user.email
        for co in proposal.co_speakers.filter(
            status=ProposalSpeaker.Status.ACCEPTED
        ).select_related("user")
        if co.user and co.user.email
    ]
    url = settings.SITE_URL + proposal.get_absolute_url()
    if event:
        subject = f"Your talk “{proposal.title}” is on the agenda of {event.title}"
        url = settings.SITE_URL + event.get_absolute_url()
    elif decision == "accepted":
        subject = f"Your talk “{proposal.title}” is accepted"
    else:
        subject = f"About your talk proposal “{proposal.title}”"
    context = {
        "proposal": proposal,
        "accepted": decision == "accepted",
        "event": event,
        "url": url,
    }
    return send_mail(
        one_line(subject),
        render_to_string("cfp/email/decision.txt", context),
        None,
        [r for r in recipients if r],
    )
