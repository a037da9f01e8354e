"""portal.http: the announce helper that portal/a11y.js reads."""

import json

from django.http import HttpResponse

from portal.http import announce


def test_announce_sets_the_client_event_with_the_message():
    response = announce(HttpResponse(), "You're going.")

    assert json.loads(response["HX-Trigger"]) == {"announce": {"message": "You're going."}}


def test_announce_keeps_other_client_events():
    response = HttpResponse()
    response["HX-Trigger"] = json.dumps({"rsvpChanged": None})

    announce(response, "Checked in.")

    assert json.loads(response["HX-Trigger"]) == {
        "rsvpChanged": None,
        "announce": {"message": "Checked in."},
    }
