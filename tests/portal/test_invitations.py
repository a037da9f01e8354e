"""The invitation-token flow (portal/invitations.py), on cfp's co-speaker invitations: looked up
by token, refused when unknown, used or expired. (The row lock that makes two racing
acceptances one is tested on PostgreSQL in tests/cfp/test_concurrency.py.)"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from cfp.models import Proposal, ProposalSpeaker
from portal.errors import Kind, ServiceError
from portal.invitations import (
    TOKEN_MAX_LENGTH,
    invitation_claim,
    invitation_get,
    invitation_token_new,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(group):
    proposal = Proposal.objects.create(
        group=group, submitter=factories.make_user(), title="T", abstract="A", length_minutes=20
    )
    return ProposalSpeaker.objects.create(
        proposal=proposal, email="co@example.com", token=invitation_token_new()
    )


def test_invitation_token_new_is_unguessable_and_fits_the_column():
    tokens = {invitation_token_new() for _ in range(100)}
    assert len(tokens) == 100
    assert {len(t) for t in tokens} == {43}
    assert 43 <= TOKEN_MAX_LENGTH == ProposalSpeaker._meta.get_field("token").max_length


def test_invitation_get_by_token(invitation):
    assert invitation_get(ProposalSpeaker.objects.all(), token=invitation.token) == invitation


@pytest.mark.parametrize("token", ["", "x" * (TOKEN_MAX_LENGTH + 1)])
def test_invitation_get_impossible_token_not_found_without_a_query(
    invitation, token, django_assert_num_queries
):
    with django_assert_num_queries(0), pytest.raises(ServiceError) as info:
        invitation_get(ProposalSpeaker.objects.all(), token=token)
    assert (info.value.kind, info.value.message) == (Kind.NOT_FOUND, "No such invitation.")


def test_invitation_get_unknown_token_not_found(invitation):
    with pytest.raises(ServiceError) as info:
        invitation_get(ProposalSpeaker.objects.all(), token=invitation.token[:-1] + "?")
    assert info.value.kind == Kind.NOT_FOUND


def _claim(invitation, user, **kwargs):
    with transaction.atomic():
        return invitation_claim(
            ProposalSpeaker.objects.all(), token=invitation.token, user=user, **kwargs
        )


def test_invitation_claim_returns_the_row(invitation, member):
    assert _claim(invitation, member) == invitation


def test_invitation_claim_anonymous_forbidden(invitation):
    with pytest.raises(ServiceError) as info:
        _claim(invitation, AnonymousUser())
    assert (info.value.kind, info.value.message) == (
        Kind.FORBIDDEN,
        "Log in to accept the invitation.",
    )


def test_invitation_claim_used_is_conflict(invitation, member):
    def is_used(i):
        return i.status == ProposalSpeaker.Status.ACCEPTED

    assert _claim(invitation, member, is_used=is_used) == invitation
    ProposalSpeaker.objects.filter(pk=invitation.pk).update(status=ProposalSpeaker.Status.ACCEPTED)
    with pytest.raises(ServiceError) as info:
        _claim(invitation, member, is_used=is_used)
    assert (info.value.kind, info.value.message) == (
        Kind.CONFLICT,
        "This invitation has already been used.",
    )


def test_invitation_claim_expired_is_conflict(invitation, member):
    def expires_at(i):
        return i.invited_at + timedelta(days=14)

    assert _claim(invitation, member, expires_at=expires_at) == invitation
    later = timezone.now() + timedelta(days=14, seconds=1)
    with pytest.raises(ServiceError) as info:
        _claim(invitation, member, expires_at=expires_at, now=later)
    assert (info.value.kind, info.value.message) == (
        Kind.CONFLICT,
        "This invitation has expired; ask for a new one.",
    )
