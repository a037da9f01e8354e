from django.urls import path

from . import views

app_name = "meetups"

urlpatterns = [
    path("events/past/", views.event_archive, name="event_archive"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("events/<slug:slug>/calendar.ics", views.event_ics, name="event_ics"),
    path("talks/<slug:slug>/", views.talk_detail, name="talk_detail"),
    path("speakers/<slug:slug>/", views.speaker_detail, name="speaker_detail"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("groups/<slug:slug>/calendar.ics", views.group_ics, name="group_ics"),
]
