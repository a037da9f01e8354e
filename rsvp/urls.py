from django.urls import path

from . import views

app_name = "rsvp"

urlpatterns = [
    path("events/<slug:slug>/rsvp/", views.rsvp_panel, name="panel"),
    path("events/<slug:slug>/rsvp/going/", views.rsvp_create, name="create"),
    path("events/<slug:slug>/rsvp/guests/", views.rsvp_guests, name="guests"),
    path("events/<slug:slug>/rsvp/cancel/", views.rsvp_cancel, name="cancel"),
    path("events/<slug:slug>/check-in/", views.check_in, name="check_in"),
    path("events/<slug:slug>/check-in/<id:pk>/", views.check_in_toggle, name="check_in_toggle"),
    path("events/<slug:slug>/attendees/", views.attendees, name="attendees"),
    path("events/<slug:slug>/attendees.csv", views.attendees_csv, name="attendees_csv"),
    path("my-events/", views.my_events, name="my_events"),
    path("my-events/<id:pk>/ticket/", views.ticket, name="ticket"),
    path("check-in/t/<str:token>/", views.ticket_check_in, name="ticket_check_in"),
]
