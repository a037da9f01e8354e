"""The organiser's reminders page, beside the organiser area's other event pages."""

from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path(
        "organise/<slug:group>/<slug:event>/reminders/",
        views.event_reminders,
        name="event_reminders",
    ),
]
