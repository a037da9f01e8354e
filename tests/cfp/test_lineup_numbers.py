"""Numbers a stranger sends to the call for talks: parsed once (portal.numbers), never a 500."""

import pytest
from django.urls import reverse

from cfp import selectors
from meetups.models import Talk
from tests import factories

pytestmark = pytest.mark.django_db

HUGE = "9" * 40


@pytest.fixture
def agenda(group, event):
    return [
        factories.make_talk(event=event, title=f"Talk {n}", slug=f"talk-{n}", order=n)
        for n in (1, 2)
    ]


@pytest.mark.parametrize("talk", ["²", "\u0661", "4²", HUGE, "-1", "0", "1e3", " "])
def test_lineup_move_with_a_number_that_is_not_one_is_refused_and_moves_nothing(
    client, group, event, organiser, agenda, talk
):
    client.force_login(organiser)
    url = reverse("cfp:lineup", kwargs={"slug": group.slug, "event_slug": event.slug})
    response = client.post(url, {"talk": talk, "direction": "up"}, HTTP_HX_REQUEST="true")
    assert response.status_code in (404, 422)
    assert list(Talk.objects.order_by("order").values_list("slug", flat=True)) == [
        "talk-1",
        "talk-2",
    ]


def test_lineup_move_with_a_real_id_still_moves(client, group, event, organiser, agenda):
    client.force_login(organiser)
    url = reverse("cfp:lineup", kwargs={"slug": group.slug, "event_slug": event.slug})
    response = client.post(url, {"talk": str(agenda[1].pk), "direction": "up"})
    assert response.status_code == 302
    assert list(Talk.objects.order_by("order").values_list("slug", flat=True)) == [
        "talk-2",
        "talk-1",
    ]


@pytest.mark.parametrize("value", ["²", HUGE, "0", None, "x"])
def test_idea_find_takes_no_number_that_is_not_an_id(group, idea, value):
    assert selectors.idea_find(group=group, pk=value) is None


def test_idea_find_finds_by_id(group, idea):
    assert selectors.idea_find(group=group, pk=str(idea.pk)) == idea
