"""Co-organisers: invitations by email, accepting with the invited address, removal."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from organise import services
from organise.models import OrganiserInvitation
from portal.errors import Kind, ServiceError
from tests import factories
from tests.organise.data import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the cache, keyed by user id, and ids repeat between tests.
    cache.clear()


def _invite(client, w, email, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(
            reverse("organise:organiser_invite", kwargs={"group": "sydjango"}), {"email": email}
        )


def test_invite_emails_an_unguessable_link_that_makes_them_an_organiser(
    client, django_capture_on_commit_callbacks
):
    w = build_world()
    newbie = factories.make_user(username="newbie", email="newbie@example.com")
    client.force_login(w.co_organiser)
    response = _invite(client, w, "Newbie@Example.com", django_capture_on_commit_callbacks)
    invitation = OrganiserInvitation.objects.get()
    link = f"http://127.0.0.1:8000/organise/invitations/{invitation.token}/"
    assert response.status_code == 302
    assert (mail.outbox[0].to, mail.outbox[0].subject) == (
        ["newbie@example.com"],
        "Help organise Sydney Django",
    )
    assert link in mail.outbox[0].body
    assert len(invitation.token) == 43
    client.logout()
    client.force_login(newbie)
    response = client.post(
        reverse("organise:invitation_accept", kwargs={"token": invitation.token})
    )
    assert (response.status_code, response["Location"]) == (302, "/organise/sydjango/")
    assert w.group.organisers.filter(pk=newbie.pk).exists()


def test_invitation_refuses_someone_with_another_address(client):
    w = build_world()
    invitation = OrganiserInvitation.objects.create(group=w.group, email="newbie@example.com")
    client.force_login(w.member)
    response = client.post(
        reverse("organise:invitation_accept", kwargs={"token": invitation.token})
    )
    # The invitation is not this person's to accept: forbidden (403).
    assert response.status_code == 403
    assert "This invitation is for newbie@example.com." in response.content.decode()
    assert not w.group.organisers.filter(pk=w.member.pk).exists()


def test_invitation_page_offers_accept_only_to_the_invited_address(client):
    w = build_world()
    newbie = factories.make_user(username="newbie", email="newbie@example.com")
    invitation = OrganiserInvitation.objects.create(group=w.group, email="Newbie@example.com")
    url = reverse("organise:invitation_accept", kwargs={"token": invitation.token})
    offered = {}
    for who in (w.member, newbie):
        client.force_login(who)
        body = client.get(url).content.decode()
        offered[who.username] = [
            '<button type="submit" class="btn-primary">Accept</button>' in body,
            "Log in as Newbie@example.com to accept it." in body,
        ]
    assert offered == {"member": [False, True], "newbie": [True, False]}


def test_invitation_expired_or_withdrawn_is_refused(client):
    w = build_world()
    newbie = factories.make_user(username="newbie", email="newbie@example.com")
    old = OrganiserInvitation.objects.create(
        group=w.group, email=newbie.email, created_at=timezone.now() - timedelta(days=15)
    )
    revoked = OrganiserInvitation.objects.create(
        group=w.group, email=newbie.email, revoked_at=timezone.now()
    )
    client.force_login(newbie)
    statuses = [
        client.post(reverse("organise:invitation_accept", kwargs={"token": i.token})).status_code
        for i in (old, revoked)
    ]
    # Expired or withdrawn: the invitation's state refuses it (409).
    assert statuses == [409, 409]
    assert not w.group.organisers.filter(pk=newbie.pk).exists()


def test_invitation_unknown_token_answers_404(client):
    w = build_world()
    client.force_login(w.member)
    response = client.get(reverse("organise:invitation_accept", kwargs={"token": "nope" * 8}))
    assert response.status_code == 404


def test_invitation_used_twice_by_another_person_is_refused(client):
    w = build_world()
    invitation = OrganiserInvitation.objects.create(group=w.group, email="member@example.com")
    client.force_login(w.member)
    client.post(reverse("organise:invitation_accept", kwargs={"token": invitation.token}))
    twin = factories.make_user(username="twin", email="member@example.com")
    client.force_login(twin)
    response = client.post(
        reverse("organise:invitation_accept", kwargs={"token": invitation.token})
    )
    # Already used: a conflict with the invitation's state (409).
    assert response.status_code == 409
    assert "This invitation has already been used." in response.content.decode()
    assert not w.group.organisers.filter(pk=twin.pk).exists()


def test_invite_of_an_existing_organiser_is_refused_inline(client):
    w = build_world()
    client.force_login(w.owner)
    response = client.post(
        reverse("organise:organiser_invite", kwargs={"group": "sydjango"}),
        {"email": "coorg@example.com"},
        HTTP_HX_REQUEST="true",
    )
    # They are on the team already: a conflict (409), shown next to the address.
    assert response.status_code == 409
    assert '<p class="field-error" id="id_email_error">They already organise this group.</p>' in (
        response.content.decode()
    )
    assert OrganiserInvitation.objects.count() == 0


def test_invite_with_a_bad_address_is_refused_inline(client):
    w = build_world()
    client.force_login(w.owner)
    response = client.post(
        reverse("organise:organiser_invite", kwargs={"group": "sydjango"}),
        {"email": "not-an-email"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    assert "Enter a valid email address." in response.content.decode()
    assert OrganiserInvitation.objects.count() == 0


def test_owner_removes_a_co_organiser(client):
    w = build_world()
    client.force_login(w.owner)
    url = reverse(
        "organise:organiser_remove", kwargs={"group": "sydjango", "user_id": w.co_organiser.pk}
    )
    response = client.post(url)
    assert response.status_code == 302
    assert list(w.group.organisers.all()) == []
    client.force_login(w.co_organiser)
    assert client.get(reverse("organise:group", kwargs={"group": "sydjango"})).status_code == 404


def test_co_organiser_cannot_remove_the_owner(client):
    w = build_world()
    w.group.organisers.add(w.owner)
    client.force_login(w.co_organiser)
    url = reverse("organise:organiser_remove", kwargs={"group": "sydjango", "user_id": w.owner.pk})
    response = client.post(url)
    assert response.status_code == 409
    assert "The group&#x27;s owner cannot be removed." in response.content.decode()
    assert sorted(w.group.organisers.values_list("username", flat=True)) == ["coorg", "owner"]
    w.group.refresh_from_db()
    assert w.group.owner == w.owner


def test_co_organiser_removes_another_co_organiser(client):
    w = build_world()
    second = factories.make_user(username="second")
    w.group.organisers.add(second)
    client.force_login(w.co_organiser)
    url = reverse("organise:organiser_remove", kwargs={"group": "sydjango", "user_id": second.pk})
    client.post(url)
    assert list(w.group.organisers.values_list("username", flat=True)) == ["coorg"]


def test_organiser_remove_service_refuses_the_owner():
    w = build_world()
    with pytest.raises(ServiceError) as error:
        services.organiser_remove(group=w.group, user=w.co_organiser, organiser=w.owner)
    assert (error.value.kind, error.value.message) == (
        Kind.CONFLICT,
        "The group's owner cannot be removed.",
    )


def test_organiser_remove_service_answers_not_found_to_strangers():
    w = build_world()
    with pytest.raises(ServiceError) as error:
        services.organiser_remove(group=w.group, user=w.other_organiser, organiser=w.co_organiser)
    assert (error.value.kind, error.value.status) == (Kind.NOT_FOUND, 404)
    assert list(w.group.organisers.values_list("username", flat=True)) == ["coorg"]


def test_organisers_page_lists_team_and_pending_invitations(client):
    w = build_world()
    OrganiserInvitation.objects.create(group=w.group, email="pending@example.com")
    OrganiserInvitation.objects.create(
        group=w.group, email="gone@example.com", revoked_at=timezone.now()
    )
    client.force_login(w.co_organiser)
    body = client.get(reverse("organise:organisers", kwargs={"group": "sydjango"})).content.decode()
    assert ["owner@example.com" in body, "coorg@example.com" in body] == [True, True]
    assert ["pending@example.com" in body, "gone@example.com" in body] == [True, False]


def test_invites_are_rate_limited(client, django_capture_on_commit_callbacks, stopped_clock):
    w = build_world()
    cache.clear()  # rate-limit counters live in the cache, keyed by user id
    client.force_login(w.owner)
    url = reverse("organise:organiser_invite", kwargs={"group": "sydjango"})
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            client.post(url, {"email": f"p{i}@example.com"}, HTTP_HX_REQUEST="true").status_code
            for i in range(21)
        ]
    assert statuses == [200] * 20 + [429]
    assert OrganiserInvitation.objects.count() == 20
