from django.urls import path

from .views import attendee, door

app_name = "rsvp"

urlpatterns = [
    path("events/<slug:slug>/rsvp/", attendee.rsvp_panel, name="panel"),
    path("events/<slug:slug>/rsvp/going/", attendee.rsvp_create, name="create"),
    path("events/<slug:slug>/rsvp/guests/", attendee.rsvp_guests, name="guests"),
    path("events/<slug:slug>/rsvp/cancel/", attendee.rsvp_cancel, name="cancel"),
    path("events/<slug:slug>/check-in/", door.check_in, name="check_in"),
    path("events/<slug:slug>/check-in/<id:pk>/", door.check_in_toggle, name="check_in_toggle"),
    path("events/<slug:slug>/check-in/<id:pk>/admit/", door.admit, name="door_admit"),
    path("events/<slug:slug>/check-in/walk-in/", door.walk_in, name="door_walk_in"),
    path("events/<slug:slug>/check-in/scan/", door.scan, name="door_scan"),
    path("events/<slug:slug>/attendees/", door.attendees, name="attendees"),
    path("events/<slug:slug>/attendees.csv", door.attendees_csv, name="attendees_csv"),
    path("my-events/", attendee.my_events, name="my_events"),
    path("my-events/<id:pk>/ticket/", attendee.ticket, name="ticket"),
    path("check-in/t/<str:token>/", door.ticket_check_in, name="ticket_check_in"),
]
