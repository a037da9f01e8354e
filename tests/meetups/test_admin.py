"""Organisers use the admin for their own group's records and see nothing of other groups."""

import pytest
from django.contrib.auth.models import Permission

from meetups.models import Event
from tests.factories import make_event, make_group, make_talk


@pytest.fixture
def staff_organiser(organiser):
    organiser.is_staff = True
    organiser.save()
    organiser.user_permissions.add(*Permission.objects.filter(content_type__app_label="meetups"))
    return organiser


@pytest.mark.django_db
def test_admin_event_list_shows_only_the_organisers_groups(client, staff_organiser, group):
    own = make_event(group=group, title="Our meetup")
    make_event(group=make_group(), title="Their meetup")
    client.force_login(staff_organiser)

    response = client.get("/admin/meetups/event/")

    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [own]


@pytest.mark.django_db
def test_admin_talk_of_another_group_is_not_reachable(client, staff_organiser):
    foreign = make_talk(event=make_event(group=make_group()))
    client.force_login(staff_organiser)

    response = client.get(f"/admin/meetups/talk/{foreign.pk}/change/")

    assert response.status_code == 302  # the admin's "doesn't exist" redirect
    assert response["Location"] == "/admin/"


@pytest.mark.django_db
def test_admin_organiser_can_add_an_event_to_their_group(client, staff_organiser, group):
    client.force_login(staff_organiser)

    response = client.post(
        "/admin/meetups/event/add/",
        {
            "group": group.pk,
            "title": "Lightning talks",
            "slug": "lightning-talks",
            "starts_at_0": "2030-03-04",
            "starts_at_1": "18:00:00",
            "ends_at_0": "2030-03-04",
            "ends_at_1": "20:00:00",
            "time_zone": "Australia/Sydney",
            "capacity": "40",
            "status": "draft",
            "talks-TOTAL_FORMS": "0",
            "talks-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert Event.objects.get(slug="lightning-talks").group == group
