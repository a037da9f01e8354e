"""Background work for the call for talks: the emails speakers get.

Tasks take primary keys (their arguments are stored by queueing backends) and read the current
row when they run, so an email reflects the decision as it stands.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse


@task
def send_co_speaker_invitation(invitation_id: int) -> int:
    from .models import ProposalSpeaker

    invitation = (
        ProposalSpeaker.objects.select_related("proposal", "proposal__submitter", "proposal__group")
        .filter(pk=invitation_id, status=ProposalSpeaker.Status.INVITED)
        .first()
    )
    if invitation is None:
        return 0
    url = settings.SITE_URL + reverse("meetups:invitation", kwargs={"token": invitation.token})
    context = {"invitation": invitation, "proposal": invitation.proposal, "url": url}
    return send_mail(
        f"You are invited to co-present “{invitation.proposal.title}”",
        render_to_string("meetups/cfp/email/invitation.txt", context),
        None,
        [invitation.email],
    )


@task
def send_proposal_decision(proposal_id: int) -> int:
    """Tells the speakers where their proposal stands: accepted, declined or scheduled."""
    from .models import Proposal, ProposalSpeaker

    proposal = (
        Proposal.objects.select_related("submitter", "group", "event__venue")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None or proposal.status not in (
        Proposal.Status.ACCEPTED,
        Proposal.Status.DECLINED,
        Proposal.Status.SCHEDULED,
    ):
        return 0
    recipients = [proposal.submitter.email] + [
        co.user.email
        for co in proposal.co_speakers.filter(
            status=ProposalSpeaker.Status.ACCEPTED
        ).select_related("user")
        if co.user and co.user.email
    ]
    url = settings.SITE_URL + proposal.get_absolute_url()
    accepted = proposal.status == Proposal.Status.ACCEPTED
    event = proposal.event if proposal.status == Proposal.Status.SCHEDULED else None
    if event:
        subject = f"Your talk “{proposal.title}” is on the agenda of {event.title}"
        url = settings.SITE_URL + event.get_absolute_url()
    elif accepted:
        subject = f"Your talk “{proposal.title}” is accepted"
    else:
        subject = f"About your talk proposal “{proposal.title}”"
    context = {"proposal": proposal, "accepted": accepted, "event": event, "url": url}
    return send_mail(
        subject,
        render_to_string("meetups/cfp/email/decision.txt", context),
        None,
        [r for r in recipients if r],
    )
