import pytest
from django.urls import reverse

from rsvp import services
from rsvp.models import Rsvp
from tests import factories

pytestmark = pytest.mark.django_db


def test_event_admin_has_the_rsvp_settings_inline(client, event):
    admin = factories.make_user(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    response = client.get(reverse("admin:meetups_event_change", args=[event.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h2 id="rsvp_settings-heading" class="inline-heading">' in html
    assert 'name="rsvp_settings-0-guests_allowed"' in html


def test_rsvp_admin_lists_rsvps_read_only(client, event, member):
    services.rsvp_create(event=event, user=member)
    admin = factories.make_user(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)

    listing = client.get(reverse("admin:rsvp_rsvp_changelist"))
    add = client.get(reverse("admin:rsvp_rsvp_add"))

    assert listing.status_code == 200
    assert "member" in listing.content.decode()
    assert add.status_code == 403
    assert Rsvp.objects.count() == 1


def test_rsvp_panel_refresh_answers_htmx_only(client, event, member):
    services.rsvp_create(event=event, user=member, guests=1)
    client.force_login(member)
    path = reverse("rsvp:panel", kwargs={"slug": event.slug})

    htmx = client.get(path, headers={"HX-Request": "true"})
    plain = client.get(path)

    assert htmx.status_code == 200
    assert htmx.content.decode().count('id="rsvp-panel"') == 1
    assert "You're going with 1 guest." in htmx.content.decode()
    assert (plain.status_code, plain["Location"]) == (302, event.get_absolute_url())
